#include "cli/job_view.h"

#include "cli/exit_code.h"

namespace cbit::cli {
namespace {

std::string NameOf(const nlohmann::json& o, const char* key) {
  if (!o.is_object() || !o.contains(key) || !o[key].is_object()) return "";
  const auto& v = o[key];
  return v.contains("name") && v["name"].is_string() ? v["name"].get<std::string>() : "";
}

std::string StringOf(const nlohmann::json& o, const char* key) {
  if (!o.is_object() || !o.contains(key) || !o[key].is_string()) return "";
  return o[key].get<std::string>();
}

}  // namespace

nlohmann::json ParseAnswer(const std::string& body, const std::string& what) {
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded()) throw CliError(ExitCode::kFailed, what + ": the answer is not JSON");
  return j;
}

nlohmann::json ParseList(const std::string& body, const std::string& what) {
  auto j = ParseAnswer(body, what);
  if (!j.is_array()) throw CliError(ExitCode::kFailed, what + ": the answer is not a list");
  return j;
}

JobRow JobRowOf(const nlohmann::json& job) {
  if (!job.is_object() || !job.contains("id") || !job["id"].is_number_integer())
    throw CliError(ExitCode::kFailed, "the controller sent a job without an id");
  JobRow r;
  r.id = job["id"].get<std::int64_t>();
  const auto pi = job.value("packageinstance", nlohmann::json::object());
  r.package = NameOf(pi, "package");
  if (pi.contains("package") && pi["package"].is_object())
    r.version = StringOf(pi["package"], "version");
  r.arch = NameOf(pi, "arch");
  r.suite = NameOf(pi, "suite");
  r.dist = NameOf(pi, "distribution");
  r.format = NameOf(pi, "format");
  r.client = NameOf(job, "buildclient");
  return r;
}

JobRow JobRowOfView(const nlohmann::json& row) {
  if (!row.is_object() || !row.contains("id") || !row["id"].is_number_integer())
    throw CliError(ExitCode::kFailed, "the controller sent a job without an id");
  JobRow r;
  r.id = row["id"].get<std::int64_t>();
  r.package = StringOf(row, "package");
  r.version = StringOf(row, "version");
  r.arch = StringOf(row, "arch");
  r.suite = StringOf(row, "suite");
  r.dist = StringOf(row, "dist");
  r.format = StringOf(row, "format");
  r.client = StringOf(row, "client");
  r.status = StringOf(row, "status");
  r.time = StringOf(row, "time");
  return r;
}

void ApplyHistory(JobRow& row, const nlohmann::json& history) {
  if (!history.is_array() || history.empty()) return;
  const auto& last = history.back();
  row.status = StringOf(last, "status");
  row.time = StringOf(last, "time");
  if (row.client.empty()) row.client = StringOf(last, "buildclient");
}

std::string JobTable(const std::vector<JobRow>& rows, bool with_status, std::int64_t now,
                     const Style& style) {
  std::vector<std::string> headers = {"ID", "PACKAGE", "VERSION", "ARCH", "SUITE"};
  if (with_status) headers.insert(headers.end(), {"STATUS", "CLIENT", "UPDATED"});
  std::vector<std::vector<std::string>> cells;
  for (const auto& r : rows) {
    std::vector<std::string> row = {std::to_string(r.id), r.package, r.version, r.arch, r.suite};
    if (with_status) {
      row.push_back(ColourStatus(r.status.empty() ? "-" : r.status, style));
      row.push_back(r.client.empty() ? "-" : r.client);
      row.push_back(r.time.empty() ? "-" : ShowTime(r.time, now, style));
    }
    cells.push_back(std::move(row));
  }
  return RenderTable(headers, cells, style);
}

bool IsFinished(const std::string& s) {
  return s == "Done" || s == "Uploaded" || s == "Failed" || s == "Cancelled";
}

bool IsBad(const std::string& s) { return s == "Failed" || s == "Cancelled"; }

}  // namespace cbit::cli
