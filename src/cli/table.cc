#include "cli/table.h"

#include <algorithm>
#include <charconv>
#include <ctime>

namespace cbit::cli {

std::size_t VisibleWidth(std::string_view s) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\033') {
      while (i < s.size() && s[i] != 'm') ++i;
      continue;
    }
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) ++n;
  }
  return n;
}

std::string RenderTable(const std::vector<std::string>& headers,
                        const std::vector<std::vector<std::string>>& rows, const Style& style) {
  std::vector<std::size_t> width(headers.size());
  for (std::size_t c = 0; c < headers.size(); ++c) width[c] = VisibleWidth(headers[c]);
  for (const auto& row : rows)
    for (std::size_t c = 0; c < row.size() && c < width.size(); ++c)
      width[c] = std::max(width[c], VisibleWidth(row[c]));
  auto line = [&](const std::vector<std::string>& cells, bool bold) {
    std::string out;
    for (std::size_t c = 0; c < cells.size() && c < width.size(); ++c) {
      std::string cell = cells[c];
      bool last = c + 1 == cells.size();
      if (!last) cell += std::string(width[c] - VisibleWidth(cells[c]) + 2, ' ');
      out += cell;
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    if (bold && style.colour) out = "\033[1m" + out + "\033[0m";
    return out + "\n";
  };
  std::string out = line(headers, true);
  for (const auto& row : rows) out += line(row, false);
  return out;
}

std::string ColourStatus(const std::string& status, const Style& style) {
  if (!style.colour) return status;
  const char* code = nullptr;
  if (status == "Done" || status == "Uploaded") code = "32";
  if (status == "Failed") code = "31";
  if (status == "Building") code = "33";
  if (status == "Cancelled") code = "90";
  if (status == "Blocked") code = "35";
  if (code == nullptr) return status;
  return std::string("\033[") + code + "m" + status + "\033[0m";
}

std::optional<std::int64_t> ParseApiTime(std::string_view t) {
  if (t.size() < 19 || t[4] != '-' || t[7] != '-' || t[10] != ' ' || t[13] != ':' || t[16] != ':')
    return std::nullopt;
  auto num = [&](std::size_t at, std::size_t len, int& out) {
    auto r = std::from_chars(t.data() + at, t.data() + at + len, out);
    return r.ec == std::errc() && r.ptr == t.data() + at + len;
  };
  std::tm tm{};
  if (!num(0, 4, tm.tm_year) || !num(5, 2, tm.tm_mon) || !num(8, 2, tm.tm_mday) ||
      !num(11, 2, tm.tm_hour) || !num(14, 2, tm.tm_min) || !num(17, 2, tm.tm_sec))
    return std::nullopt;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<std::int64_t>(timegm(&tm));
}

std::string RelativeTime(std::int64_t now, std::int64_t then) {
  std::int64_t d = std::max<std::int64_t>(0, now - then);
  if (d < 60) return std::to_string(d) + "s ago";
  if (d < 3600) return std::to_string(d / 60) + "m ago";
  if (d < 86400) return std::to_string(d / 3600) + "h ago";
  return std::to_string(d / 86400) + "d ago";
}

std::string ShowTime(const std::string& api_time, std::int64_t now, const Style& style) {
  if (!style.terminal) return api_time;
  auto t = ParseApiTime(api_time);
  return t ? RelativeTime(now, *t) : api_time;
}

}  // namespace cbit::cli
