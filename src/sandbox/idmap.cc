#include "sandbox/idmap.h"

#include <charconv>
#include <sstream>

namespace cbit::sandbox {
namespace {

bool ParseNumber(std::string_view s, unsigned long& out) {
  if (s.empty()) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

}  // namespace

std::optional<SubIdRange> FindSubIds(std::string_view file_text, const std::string& name,
                                     unsigned long id) {
  std::string id_text = std::to_string(id);
  std::istringstream in{std::string(file_text)};
  std::string line;
  while (std::getline(in, line)) {
    auto first = line.find(':');
    auto second = first == std::string::npos ? first : line.find(':', first + 1);
    if (second == std::string::npos) continue;
    std::string owner = line.substr(0, first);
    if (owner != name && owner != id_text) continue;
    SubIdRange r;
    std::string_view rest(line);
    if (!ParseNumber(rest.substr(first + 1, second - first - 1), r.start)) continue;
    if (!ParseNumber(rest.substr(second + 1), r.count) || r.count == 0) continue;
    return r;
  }
  return std::nullopt;
}

std::string MapLine(unsigned long id, const SubIdRange& range) {
  return "0 " + std::to_string(id) + " 1 1 " + std::to_string(range.start) + " " +
         std::to_string(range.count);
}

}  // namespace cbit::sandbox
