// A strict reader of the Prometheus text format 0.0.4, for tests: it
// refuses what Prometheus would refuse and what the format forbids even
// where Prometheus is lenient (a sample before its TYPE, a family split in
// two, a repeated series, histogram buckets out of order or not cumulative).
#pragma once

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace cbit::metrics {

struct ParsedSample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

struct Exposition {
  std::map<std::string, std::string> types;  ///< family name → type
  std::vector<ParsedSample> samples;

  /// The value of the sample with this name and exactly these labels.
  std::optional<double> Value(const std::string& name,
                              const std::map<std::string, std::string>& labels = {}) const;
  /// The sum over samples of this name whose labels include `match`.
  double Sum(const std::string& name, const std::map<std::string, std::string>& match = {}) const;
};

/// Throws std::runtime_error naming the line and what is wrong with it.
Exposition ParseExposition(const std::string& text);

}  // namespace cbit::metrics
