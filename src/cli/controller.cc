#include "cli/controller.h"

#include "cli/exit_code.h"

namespace cbit::cli {
namespace {

constexpr const char* kForm = "application/x-www-form-urlencoded";

std::string What(const char* method, const std::string& url, const std::string& path) {
  return std::string(method) + " " + url + path;
}

}  // namespace

std::string Escape(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string EncodeForm(const Form& form) {
  std::string body;
  for (const auto& [k, v] : form) {
    if (!body.empty()) body += '&';
    body += Escape(k) + "=" + Escape(v);
  }
  return body;
}

Controller::Controller(const Settings& s, std::chrono::seconds timeout) : url_(s.url) {
  if (s.url.rfind("http://", 0) != 0 && s.url.rfind("https://", 0) != 0)
    throw CliError(ExitCode::kUsage,
                   "controller URL '" + s.url + "' must start with http:// or https://");
  auto split = http::SplitControllerUrl(s.url);
  prefix_ = split.prefix;
  client_ =
      http::MakeControllerClient(split.origin, s.credentials, timeout, std::chrono::seconds(5));
}

std::string Controller::Get(const std::string& path) {
  try {
    return http::Expect(client_->Get(prefix_ + path), What("GET", url_, path)).body;
  } catch (const http::ApiError& e) {
    throw FromApiError(e);
  }
}

std::string Controller::Post(const std::string& path, const Form& form) {
  try {
    return http::Expect(client_->Post(prefix_ + path, EncodeForm(form), kForm),
                        What("POST", url_, path))
        .body;
  } catch (const http::ApiError& e) {
    throw FromApiError(e);
  }
}

std::string Controller::Delete(const std::string& path) {
  try {
    return http::Expect(client_->Delete(prefix_ + path), What("DELETE", url_, path)).body;
  } catch (const http::ApiError& e) {
    throw FromApiError(e);
  }
}

LogChunk Controller::Log(long long job, long long offset, int attempt) {
  std::string path = "/job/" + std::to_string(job) + "/log?offset=" + std::to_string(offset);
  if (attempt > 0) path += "&attempt=" + std::to_string(attempt);
  try {
    httplib::Result result = client_->Get(prefix_ + path);
    const auto& r = http::Expect(result, What("GET", url_, path));
    auto header = [&](const char* name) { return r.get_header_value(name); };
    LogChunk c{r.body, 0, 0, header("X-Job-Finished") == "true"};
    try {
      c.length = std::stoll(header("X-Log-Length"));
      c.attempt = std::stoi(header("X-Log-Attempt"));
    } catch (const std::exception&) {
      throw CliError(ExitCode::kFailed,
                     "GET " + url_ + path + ": no X-Log-* headers in the answer");
    }
    return c;
  } catch (const http::ApiError& e) {
    throw FromApiError(e);
  }
}

std::pair<int, std::string> Controller::Probe(const std::string& method, const std::string& path) {
  auto r = method == "PUT" ? client_->Put(prefix_ + path, "", kForm)
                           : client_->Post(prefix_ + path, "", kForm);
  if (!r) return {0, httplib::to_string(r.error())};
  return {r->status, r->body};
}

}  // namespace cbit::cli
