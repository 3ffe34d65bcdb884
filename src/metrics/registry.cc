#include "metrics/registry.h"

#include <stdexcept>

namespace cbit::metrics {

FamilyBase::FamilyBase(std::string name, std::string help, std::vector<std::string> labels,
                       std::size_t max_series)
    : name_(std::move(name)),
      help_(std::move(help)),
      labels_(std::move(labels)),
      max_series_(max_series < 1 ? 1 : max_series) {}

Labels FamilyBase::LabelsOf(const std::vector<std::string>& values) const {
  Labels out;
  for (std::size_t i = 0; i < labels_.size(); ++i) out.emplace_back(labels_[i], values[i]);
  return out;
}

std::vector<std::string> FamilyBase::Admit(std::vector<std::string> values,
                                           std::size_t size) const {
  if (values.size() != labels_.size())
    throw std::invalid_argument(name_ + ": " + std::to_string(values.size()) +
                                " label values for " + std::to_string(labels_.size()) + " labels");
  // The last slot is kept for the overflow series.
  if (size + 1 >= max_series_) values.assign(labels_.size(), kOverflowLabel);
  return values;
}

void Registry::CheckNames(const std::string& name, const std::vector<std::string>& labels) {
  if (!ValidMetricName(name)) throw std::invalid_argument("bad metric name: " + name);
  for (const auto& l : labels)
    if (!ValidLabelName(l) || l == "le") throw std::invalid_argument("bad label name: " + l);
  for (const auto& f : families_)
    if (f->name() == name) throw std::invalid_argument("metric registered twice: " + name);
}

Family<Counter>& Registry::AddCounter(const std::string& name, const std::string& help,
                                      std::vector<std::string> labels, std::size_t max_series) {
  std::lock_guard lock(mu_);
  CheckNames(name, labels);
  auto f = std::make_unique<Family<Counter>>(
      name, help, std::move(labels), max_series, [] { return std::make_unique<Counter>(); },
      "counter");
  auto& ref = *f;
  families_.push_back(std::move(f));
  return ref;
}

Family<Gauge>& Registry::AddGauge(const std::string& name, const std::string& help,
                                  std::vector<std::string> labels, std::size_t max_series) {
  std::lock_guard lock(mu_);
  CheckNames(name, labels);
  auto f = std::make_unique<Family<Gauge>>(
      name, help, std::move(labels), max_series, [] { return std::make_unique<Gauge>(); }, "gauge");
  auto& ref = *f;
  families_.push_back(std::move(f));
  return ref;
}

Family<Histogram>& Registry::AddHistogram(const std::string& name, const std::string& help,
                                          std::vector<std::string> labels,
                                          std::vector<double> bounds, std::size_t max_series) {
  std::lock_guard lock(mu_);
  CheckNames(name, labels);
  Histogram probe(bounds);  // checks the bounds now, not at first use
  auto f = std::make_unique<Family<Histogram>>(
      name, help, std::move(labels), max_series,
      [bounds = std::move(bounds)] { return std::make_unique<Histogram>(bounds); }, "histogram");
  auto& ref = *f;
  families_.push_back(std::move(f));
  return ref;
}

void Registry::AddCollector(std::function<void(Writer&)> collect) {
  std::lock_guard lock(mu_);
  collectors_.push_back(std::move(collect));
}

std::string Registry::Render() const {
  Writer w;
  std::lock_guard lock(mu_);
  for (const auto& f : families_) f->Render(w);
  for (const auto& c : collectors_) c(w);
  return w.Take();
}

}  // namespace cbit::metrics
