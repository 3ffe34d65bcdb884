#include "metrics/test_exposition.h"

#include <cmath>
#include <cstdlib>
#include <set>
#include <sstream>

#include "metrics/exposition.h"

namespace cbit::metrics {
namespace {

struct Fail : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::size_t NameEnd(const std::string& s, std::size_t i) {
  while (i < s.size() &&
         (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '_' || s[i] == ':'))
    ++i;
  return i;
}

double ParseNumber(const std::string& t) {
  if (t == "+Inf" || t == "Inf") return INFINITY;
  if (t == "-Inf") return -INFINITY;
  if (t == "NaN") return NAN;
  if (t.empty()) throw Fail("empty value");
  char* end = nullptr;
  double v = std::strtod(t.c_str(), &end);
  // strtod also takes "inf", "nan" and hex floats, which Prometheus refuses.
  if (end != t.c_str() + t.size() || t.find_first_of("xXnNiI") != std::string::npos)
    throw Fail("bad value '" + t + "'");
  return v;
}

// name{l="v",...} value [timestamp]
ParsedSample ParseSample(const std::string& line) {
  ParsedSample s;
  std::size_t i = NameEnd(line, 0);
  s.name = line.substr(0, i);
  if (!ValidMetricName(s.name)) throw Fail("bad metric name");
  if (i < line.size() && line[i] == '{') {
    ++i;
    while (i < line.size() && line[i] != '}') {
      std::size_t e = NameEnd(line, i);
      std::string label = line.substr(i, e - i);
      if (!ValidLabelName(label)) throw Fail("bad label name '" + label + "'");
      if (line.compare(e, 2, "=\"") != 0) throw Fail("label " + label + " without =\"");
      i = e + 2;
      std::string value;
      for (;; ++i) {
        if (i >= line.size()) throw Fail("unterminated label value");
        char c = line[i];
        if (c == '"') break;
        if (c == '\\') {
          char n = i + 1 < line.size() ? line[i + 1] : '\0';
          if (n != '\\' && n != '"' && n != 'n') throw Fail("bad escape in label value");
          value += n == 'n' ? '\n' : n;
          ++i;
        } else {
          value += c;
        }
      }
      ++i;
      if (!s.labels.emplace(label, value).second) throw Fail("label " + label + " repeated");
      if (i < line.size() && line[i] == ',') ++i;
    }
    if (i >= line.size()) throw Fail("unterminated label set");
    ++i;
  }
  if (i >= line.size() || line[i] != ' ') throw Fail("no space before the value");
  std::istringstream rest(line.substr(i + 1));
  std::string value, timestamp, extra;
  rest >> value >> timestamp >> extra;
  if (!extra.empty()) throw Fail("text after the timestamp");
  s.value = ParseNumber(value);
  if (!timestamp.empty() && timestamp.find_first_not_of("-0123456789") != std::string::npos)
    throw Fail("bad timestamp");
  return s;
}

// The family a sample belongs to: histograms own name_bucket/_sum/_count.
std::string FamilyOf(const std::string& name, const std::map<std::string, std::string>& types) {
  for (const char* suffix : {"_bucket", "_sum", "_count"}) {
    std::string_view sv(name);
    if (sv.ends_with(suffix)) {
      std::string base(sv.substr(0, sv.size() - std::string_view(suffix).size()));
      auto it = types.find(base);
      if (it != types.end() && it->second == "histogram") return base;
    }
  }
  return name;
}

std::string SeriesKey(const ParsedSample& s, const std::string& skip = "") {
  std::string k = s.name;
  for (const auto& [l, v] : s.labels)
    if (l != skip) k.append("\x1f").append(l).append("=").append(v);
  return k;
}

// Buckets ascend in le, are cumulative, end with +Inf, which equals _count.
void CheckHistograms(const Exposition& e) {
  std::map<std::string, std::vector<std::pair<double, double>>> buckets;
  std::map<std::string, double> counts;
  std::set<std::string> sums;
  for (const auto& s : e.samples) {
    std::string family = FamilyOf(s.name, e.types);
    if (e.types.at(family) != "histogram") continue;
    if (s.name == family) throw Fail("histogram " + family + " has a bare sample");
    ParsedSample base = s;
    base.name = family;
    std::string key = SeriesKey(base, "le");
    if (s.name.ends_with("_bucket")) {
      auto le = s.labels.find("le");
      if (le == s.labels.end()) throw Fail(s.name + " without le");
      buckets[key].emplace_back(ParseNumber(le->second), s.value);
    } else if (s.name.ends_with("_count")) {
      counts[key] = s.value;
    } else {
      sums.insert(key);
    }
  }
  for (const auto& [key, b] : buckets) {
    for (std::size_t i = 1; i < b.size(); ++i) {
      if (!(b[i].first > b[i - 1].first)) throw Fail("buckets not ascending: " + key);
      if (b[i].second < b[i - 1].second) throw Fail("buckets not cumulative: " + key);
    }
    if (b.empty() || !std::isinf(b.back().first)) throw Fail("no +Inf bucket: " + key);
    if (!counts.contains(key) || counts[key] != b.back().second)
      throw Fail("_count differs from the +Inf bucket: " + key);
    if (!sums.contains(key)) throw Fail("no _sum: " + key);
  }
  if (counts.size() != buckets.size()) throw Fail("a histogram _count without buckets");
}

struct Reader {
  Exposition e;
  std::set<std::string> helps, series, closed;
  std::string current;  // the family whose samples are being read

  void Comment(const std::string& line) {
    std::istringstream in(line);
    std::string hash, kind, name;
    in >> hash >> kind >> name;
    if (kind != "HELP" && kind != "TYPE") return;  // other comments are allowed
    if (!ValidMetricName(name)) throw Fail("bad metric name in " + kind);
    if (kind == "HELP" && !helps.insert(name).second) throw Fail("second HELP for " + name);
    if (kind == "TYPE") {
      std::string type, extra;
      in >> type >> extra;
      static const std::set<std::string> kTypes = {"counter", "gauge", "histogram", "summary",
                                                   "untyped"};
      if (!kTypes.contains(type) || !extra.empty()) throw Fail("bad TYPE line");
      if (e.types.contains(name)) throw Fail("second TYPE for " + name);
      if (closed.contains(name)) throw Fail("TYPE after samples of " + name);
      e.types[name] = type;
    }
    Enter(name);
  }

  void Enter(const std::string& family) {
    if (family == current) return;
    if (closed.contains(family)) throw Fail("family " + family + " split in two");
    if (!current.empty()) closed.insert(current);
    current = family;
  }

  void Sample(const std::string& line) {
    ParsedSample s = ParseSample(line);
    std::string family = FamilyOf(s.name, e.types);
    if (!e.types.contains(family)) throw Fail("sample of " + s.name + " before its TYPE");
    Enter(family);
    if (!series.insert(SeriesKey(s)).second) throw Fail("series repeated: " + s.name);
    e.samples.push_back(std::move(s));
  }
};

}  // namespace

std::optional<double> Exposition::Value(const std::string& name,
                                        const std::map<std::string, std::string>& labels) const {
  for (const auto& s : samples)
    if (s.name == name && s.labels == labels) return s.value;
  return std::nullopt;
}

double Exposition::Sum(const std::string& name,
                       const std::map<std::string, std::string>& match) const {
  double total = 0;
  for (const auto& s : samples) {
    if (s.name != name) continue;
    bool all = true;
    for (const auto& [l, v] : match) {
      auto it = s.labels.find(l);
      all = all && it != s.labels.end() && it->second == v;
    }
    if (all) total += s.value;
  }
  return total;
}

Exposition ParseExposition(const std::string& text) {
  if (!text.empty() && text.back() != '\n') throw std::runtime_error("text does not end in \\n");
  Reader r;
  std::istringstream in(text);
  std::string line;
  int number = 0;
  try {
    while (std::getline(in, line)) {
      ++number;
      if (line.empty()) continue;
      if (line[0] == '#') {
        r.Comment(line);
      } else {
        r.Sample(line);
      }
    }
    CheckHistograms(r.e);
  } catch (const Fail& f) {
    throw std::runtime_error("line " + std::to_string(number) + ": " + f.what() + ": " + line);
  }
  return std::move(r.e);
}

}  // namespace cbit::metrics
