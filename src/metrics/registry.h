// A registry of metric families, rendered as one exposition text. A family
// has fixed label names; its series are made on first use, at most
// `max_series` of them: past that, new label values all go into one series
// whose labels are "other", so a caller that forgets to bound a label
// cannot grow the registry (or a scrape) without limit.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "metrics/exposition.h"
#include "metrics/metric.h"

namespace cbit::metrics {

inline constexpr std::size_t kDefaultMaxSeries = 1000;
/// The label value of the series that takes the overflow.
inline constexpr const char* kOverflowLabel = "other";

class FamilyBase {
 public:
  FamilyBase(std::string name, std::string help, std::vector<std::string> labels,
             std::size_t max_series);
  virtual ~FamilyBase() = default;
  virtual void Render(Writer& w) const = 0;
  const std::string& name() const { return name_; }

 protected:
  Labels LabelsOf(const std::vector<std::string>& values) const;
  /// `values`, or all "other" once the family is full (`size` series).
  std::vector<std::string> Admit(std::vector<std::string> values, std::size_t size) const;

  std::string name_, help_;
  std::vector<std::string> labels_;
  std::size_t max_series_;
};

template <class M>
class Family final : public FamilyBase {
 public:
  Family(std::string name, std::string help, std::vector<std::string> labels,
         std::size_t max_series, std::function<std::unique_ptr<M>()> make, std::string type)
      : FamilyBase(std::move(name), std::move(help), std::move(labels), max_series),
        make_(std::move(make)),
        type_(std::move(type)) {}

  /// The series of these label values (as many as the family's labels).
  M& With(std::vector<std::string> values) {
    std::lock_guard lock(mu_);
    if (auto it = series_.find(values); it != series_.end()) return *it->second;
    values = Admit(std::move(values), series_.size());
    auto& slot = series_[values];
    if (!slot) slot = make_();
    return *slot;
  }

  void Render(Writer& w) const override {
    w.Begin(name_, help_, type_);
    std::lock_guard lock(mu_);
    for (const auto& [values, m] : series_) RenderOne(w, LabelsOf(values), *m);
  }

 private:
  void RenderOne(Writer& w, const Labels& l, const Counter& c) const {
    w.Sample(name_, l, c.value());
  }
  void RenderOne(Writer& w, const Labels& l, const Gauge& g) const {
    w.Sample(name_, l, g.value());
  }
  void RenderOne(Writer& w, const Labels& l, const Histogram& h) const {
    w.HistogramSamples(name_, l, h.snapshot());
  }

  std::function<std::unique_ptr<M>()> make_;
  std::string type_;
  mutable std::mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<M>> series_;
};

class Registry {
 public:
  /// Names must be valid and unique (std::invalid_argument otherwise).
  Family<Counter>& AddCounter(const std::string& name, const std::string& help,
                              std::vector<std::string> labels = {},
                              std::size_t max_series = kDefaultMaxSeries);
  Family<Gauge>& AddGauge(const std::string& name, const std::string& help,
                          std::vector<std::string> labels = {},
                          std::size_t max_series = kDefaultMaxSeries);
  Family<Histogram>& AddHistogram(const std::string& name, const std::string& help,
                                  std::vector<std::string> labels, std::vector<double> bounds,
                                  std::size_t max_series = kDefaultMaxSeries);
  /// Writes families computed at scrape time (from the database, say),
  /// after the registered ones; they must not reuse a registered name.
  void AddCollector(std::function<void(Writer&)> collect);

  /// Every family, then every collector's.
  std::string Render() const;

 private:
  void CheckNames(const std::string& name, const std::vector<std::string>& labels);

  mutable std::mutex mu_;
  std::vector<std::unique_ptr<FamilyBase>> families_;
  std::vector<std::function<void(Writer&)>> collectors_;
};

}  // namespace cbit::metrics
