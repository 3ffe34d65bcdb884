#include "bench/chaos/checks.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <set>
#include <sstream>

#include "store/store.h"
#include "tests/support/debpkg.h"

namespace cbit::chaos {
namespace {

namespace fs = std::filesystem;

bool Final(const std::string& status) {
  return status == "Uploaded" || status == "Failed" || status == "Cancelled";
}

struct JobTimes {
  std::string package, status;
  std::int64_t first_us = 0, final_us = 0;  ///< final_us 0: never final
  std::int64_t first_building_us = 0;
  int done_rows = 0;
  std::string last_reason;
  std::vector<JobHistory> history;
};

JobTimes TimesOf(store::Store& store, const Job& job) {
  JobTimes t{job.instance.package.name, job.status};
  t.history = store.JobHistoryOf(job.id);
  const auto& history = t.history;
  if (history.empty()) return t;
  t.first_us = history.front().time_us;
  for (const auto& h : history) {
    if (h.status == "Done") ++t.done_rows;
    if (h.status == "Building" && t.first_building_us == 0) t.first_building_us = h.time_us;
    if (h.reason) t.last_reason = *h.reason;
  }
  if (Final(history.back().status)) t.final_us = history.back().time_us;
  return t;
}

// reprepro's listing: "suite|main|arch: name version" per package and arch.
std::map<std::string, int> Listed(const std::string& repo, const std::string& suite) {
  std::map<std::string, int> out;
  std::istringstream lines(testing::MustRun({"reprepro", "-b", repo, "list", suite}));
  std::string line;
  while (std::getline(lines, line)) {
    auto colon = line.find(": ");
    if (colon == std::string::npos || line.find("|source:") != std::string::npos) continue;
    std::istringstream rest(line.substr(colon + 2));
    std::string name;
    rest >> name;
    ++out[name];
  }
  return out;
}

bool PoolComplete(const std::string& repo, const std::string& name) {
  const fs::path dir = fs::path(repo) / "pool/main/c" / name;
  for (const char* suffix : {"_1.0_all.deb", "_1.0.dsc", "_1.0.tar.gz"})
    if (!fs::exists(dir / (name + suffix))) return false;
  return true;
}

void CheckPackages(const std::vector<JobTimes>& jobs, const std::vector<std::string>& packages,
                   const std::map<std::string, int>& listed, const std::string& repo, Findings& f) {
  std::map<std::string, int> uploaded, done;
  for (const auto& j : jobs) {
    if (j.status == "Uploaded") ++uploaded[j.package];
    done[j.package] += j.done_rows;
  }
  for (const auto& name : packages) {
    auto l = listed.find(name);
    int published = l == listed.end() ? 0 : l->second;
    if (uploaded[name] == 0 && published == 0) {
      ++f.lost;
      f.problems.push_back(name + ": no job of it reached Uploaded, and it is not published");
    } else if (uploaded[name] > 1 || done[name] > 1 || published > 1) {
      ++f.duplicated;
      f.problems.push_back(name + ": Uploaded by " + std::to_string(uploaded[name]) +
                           " jobs, Done " + std::to_string(done[name]) + " times, published " +
                           std::to_string(published) + " times");
    } else if (uploaded[name] == 1 && published == 0) {
      ++f.lost;
      f.problems.push_back(name + ": Uploaded, but not in the repository");
    }
    if (published > 0 && !PoolComplete(repo, name)) {
      ++f.missing_files;
      f.problems.push_back(name + ": published, but files are missing from the pool");
    }
  }
}

void RecoveryTimes(const std::vector<JobTimes>& jobs, const std::vector<Fault>& faults,
                   std::int64_t end_us, Findings& f) {
  for (const auto& fault : faults) {
    double longest = 0;
    for (const auto& j : jobs) {
      // Jobs a client had taken (or published) and not finished when it struck.
      if (j.first_building_us == 0 || j.first_building_us > fault.begin_us) continue;
      if (j.final_us != 0 && j.final_us <= fault.begin_us) continue;
      std::int64_t until = j.final_us ? j.final_us : end_us;
      longest = std::max(longest, static_cast<double>(until - fault.begin_us) / 1e6);
    }
    double& slot = f.recovery_seconds[NameOf(fault.kind)];
    slot = std::max(slot, longest);
  }
}

}  // namespace

std::string SinceStart(std::int64_t us, std::int64_t start_us) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "+%.1f s", static_cast<double>(us - start_us) / 1e6);
  return buf;
}

Findings CheckRun(std::unique_ptr<store::Database> db, const std::string& suite,
                  const std::vector<std::string>& packages, const std::string& repo,
                  const std::vector<Fault>& faults, std::int64_t start_us) {
  Findings f;
  // The store reads only; a cache would only cost memory here.
  store::Store store(std::move(db), {.job_cache = 0});
  std::vector<JobTimes> jobs;
  std::int64_t last_us = 0;
  for (const auto& job : store.ListJobs({.suite = suite}, {})) {
    JobTimes t = TimesOf(store, job);
    ++f.jobs;
    f.uploaded += t.status == "Uploaded";
    f.cancelled += t.status == "Cancelled";
    if (t.status == "Failed") {
      ++f.failed;
      f.problems.push_back("job " + std::to_string(job.id) + " (" + t.package + ") Failed" +
                           (t.last_reason.empty() ? "" : ": " + t.last_reason));
    }
    if (!Final(t.status)) {
      ++f.stuck;
      f.problems.push_back("job " + std::to_string(job.id) + " (" + t.package + ") stuck " +
                           t.status);
    }
    if (t.status == "Failed" || !Final(t.status)) {
      Findings::Troubled& tr = f.troubled.emplace_back();
      tr.id = job.id;
      tr.package = t.package;
      if (!t.history.empty()) {
        tr.first_us = t.history.front().time_us;
        tr.last_us = t.history.back().time_us;
      }
      for (const auto& h : t.history)
        tr.history.push_back(SinceStart(h.time_us, start_us) + " " + h.status + " " +
                             h.buildclient.value_or("-") +
                             (h.reason ? " (" + *h.reason + ")" : ""));
    }
    if (t.final_us) {
      f.longest_job_seconds =
          std::max(f.longest_job_seconds, static_cast<double>(t.final_us - t.first_us) / 1e6);
    }
    last_us = std::max(last_us, t.final_us);
    jobs.push_back(std::move(t));
  }
  CheckPackages(jobs, packages, Listed(repo, suite), repo, f);
  RecoveryTimes(jobs, faults, last_us, f);
  return f;
}

}  // namespace cbit::chaos
