// Store on both backends: job pages sorted by each column, in both
// directions, read a few rows at a time through the keyset cursor.
#include <algorithm>
#include <map>
#include <variant>

#include "core/debian.h"
#include "store/job_pages.h"
#include "tests/store_fixture.h"

namespace cbit::store {
namespace {

using Key = std::variant<std::int64_t, std::string>;

// The row's value in `column`, as the store compares it (names missing: "").
Key KeyOf(const JobRow& r, const std::string& column) {
  const Job& j = r.job;
  const PackageInstance& pi = j.instance;
  if (column == "id") return j.id;
  if (column == "time") return r.status_time_us;
  const std::map<std::string, std::string> text = {
      {"package", pi.package.name},
      {"version", debian::VersionSortKey(pi.package.version)},
      {"arch", pi.arch.name},
      {"suite", pi.suite.name},
      {"dist", pi.dist.name},
      {"format", pi.format.name},
      {"buildenv", pi.build_env ? pi.build_env->name : ""},
      {"status", j.status},
      {"client", j.buildclient ? j.buildclient->name : ""}};
  return text.at(column);
}

std::string KeyText(const Key& k) {
  if (const auto* n = std::get_if<std::int64_t>(&k)) return std::to_string(*n);
  return std::get<std::string>(k);
}

class JobPages : public StoreTest {
 protected:
  // Ties in every column but id, missing build envs and clients, and
  // statuses reached at different times.
  void MakeJobs() {
    Seed();
    const struct {
      const char* name;
      const char* version;
      Id arch;
      bool env;
    } jobs[] = {{"zeta", "1.0", armel_, false}, {"alpha", "10.0", i386_, true},
                {"mid", "1.5", armel_, false},  {"alpha", "1.0~rc1", armel_, false},
                {"zeta", "9.0", i386_, true},   {"mid", "1.5", i386_, true}};
    for (const auto& j : jobs)
      ids_.push_back(Submit(j.name, j.version, j.arch,
                            j.env ? std::optional<Id>(wheezy_) : std::nullopt, 1000));
    store_->ReportStatus(ids_[1], "Building", "bravo", 4000);
    store_->ReportStatus(ids_[2], "Building", "alpha", 2000);
    store_->ReportStatus(ids_[2], "Failed", std::nullopt, 3000);
    store_->ReportStatus(ids_[4], "Building", "bravo", 2000);
  }

  // Every page of `limit` rows, each read from the last one's cursor.
  std::vector<JobRow> ReadAll(JobPageQuery q) {
    std::vector<JobRow> all;
    for (int pages = 0; pages < 20; ++pages) {
      std::vector<JobRow> page = ListJobPage(*store_, q);
      all.insert(all.end(), page.begin(), page.end());
      if (static_cast<std::int64_t>(page.size()) < q.limit) return all;
      q.after_id = page.back().job.id;
      // A version cursor is the version itself, as the pages show it.
      q.after_key = q.sort == "version" ? page.back().job.instance.package.version
                                        : KeyText(KeyOf(page.back(), q.sort));
    }
    ADD_FAILURE() << "the pages never end";
    return all;
  }

  std::vector<Id> ids_;
};

std::vector<Id> IdsOf(const std::vector<JobRow>& rows) {
  std::vector<Id> out;
  for (const auto& r : rows) out.push_back(r.job.id);
  return out;
}

TEST_P(JobPages, EveryColumnInBothDirectionsPageByPage) {
  MakeJobs();
  JobPageQuery everything{.limit = 100};
  const std::vector<JobRow> all = ListJobPage(*store_, everything);
  ASSERT_EQ(all.size(), ids_.size());
  for (std::string_view column : JobSortColumns()) {
    for (bool ascending : {true, false}) {
      std::vector<JobRow> want = all;
      const std::string c(column);
      std::sort(want.begin(), want.end(), [&](const JobRow& a, const JobRow& b) {
        auto ka = std::make_pair(KeyOf(a, c), a.job.id), kb = std::make_pair(KeyOf(b, c), b.job.id);
        return ascending ? ka < kb : kb < ka;
      });
      const JobPageQuery q{.limit = 2, .sort = c, .ascending = ascending};
      EXPECT_EQ(IdsOf(ReadAll(q)), IdsOf(want)) << column << (ascending ? " asc" : " desc");
    }
  }
}

// Debian's order, not the text's ("1.0" < "1.0~rc1" < "10.0" < "9.0").
TEST_P(JobPages, VersionsSortAsDebianOrdersThem) {
  MakeJobs();
  const JobPageQuery q{.limit = 4, .sort = "version", .ascending = true};
  EXPECT_EQ(IdsOf(ReadAll(q)),
            (std::vector<Id>{ids_[3], ids_[0], ids_[2], ids_[5], ids_[4], ids_[1]}));
}

TEST_P(JobPages, SortedPagesKeepTheFilters) {
  MakeJobs();
  JobPageQuery q{.limit = 1, .sort = "package", .ascending = true};
  q.filter.arch = "armel";
  EXPECT_EQ(IdsOf(ReadAll(q)), (std::vector<Id>{ids_[3], ids_[2], ids_[0]}));
  q.filter = {.status = "Building"};
  q.sort = "time";
  q.ascending = false;
  EXPECT_EQ(IdsOf(ReadAll(q)), (std::vector<Id>{ids_[1], ids_[4]}));
}

TEST_P(JobPages, UnknownColumnsAndMalformedCursorsAreRefused) {
  MakeJobs();
  ExpectThrowWith<std::invalid_argument>(
      [&] { ListJobPage(*store_, {.sort = "pi.id; DROP TABLE job"}); },
      "no job column 'pi.id; DROP TABLE job' to sort by");
  ExpectThrowWith<std::invalid_argument>(
      [&] { ListJobPage(*store_, {.sort = "time", .after_id = 3, .after_key = "12x"}); },
      "the time '12x' is not a number");
}

INSTANTIATE_TEST_SUITE_P(Backends, JobPages, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace cbit::store
