// Prometheus text exposition format 0.0.4, written by hand: HELP and TYPE
// lines, then the family's samples, each `name{label="value",…} value`.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "metrics/metric.h"

namespace cbit::metrics {

using Labels = std::vector<std::pair<std::string, std::string>>;

/// A metric or label name: [a-zA-Z_:][a-zA-Z0-9_:]* (labels: no ':' and
/// not starting with "__", which Prometheus reserves).
bool ValidMetricName(std::string_view name);
bool ValidLabelName(std::string_view name);

/// A sample value: integers up to 2^53 without exponent, +Inf, -Inf, NaN,
/// otherwise the shortest text that reads back as the same double.
std::string FormatValue(double v);
/// A label value with \, " and newline escaped.
std::string EscapeLabelValue(std::string_view v);

/// Appends families to a text; each family's samples must follow its Begin.
class Writer {
 public:
  /// HELP and TYPE lines; `type` is counter, gauge or histogram.
  void Begin(std::string_view name, std::string_view help, std::string_view type);
  void Sample(std::string_view name, const Labels& labels, double value);
  /// The _bucket, _sum and _count samples of one histogram series.
  void HistogramSamples(std::string_view name, const Labels& labels, const Histogram::Snapshot& s);
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

}  // namespace cbit::metrics
