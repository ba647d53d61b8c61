#include "metrics/registry.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace postamt::metrics {
namespace {

bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

void check_descriptor(const Descriptor& d) {
  if (!valid_metric_name(d.name))
    throw std::invalid_argument("metrics: invalid metric name \"" + d.name + "\"");
  for (const auto& label : d.label_names) {
    if (!valid_label_name(label))
      throw std::invalid_argument("metrics: " + d.name + ": invalid label name \"" + label + "\"");
    if (d.type == Type::histogram && label == "le")
      throw std::invalid_argument("metrics: " + d.name + ": a histogram cannot have a label le");
    if (std::count(d.label_names.begin(), d.label_names.end(), label) > 1)
      throw std::invalid_argument("metrics: " + d.name + ": label \"" + label + "\" twice");
  }
  if (d.type == Type::histogram) {
    for (size_t i = 0; i < d.bounds.size(); ++i) {
      if (!std::isfinite(d.bounds[i]) || (i > 0 && d.bounds[i] <= d.bounds[i - 1]))
        throw std::invalid_argument("metrics: " + d.name +
                                    ": bucket bounds must be finite and strictly increasing");
    }
  }
}

}  // namespace

bool valid_metric_name(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if (!(is_alpha(c) || c == '_' || c == ':' || (i > 0 && is_digit(c)))) return false;
  }
  return true;
}

bool valid_label_name(std::string_view name) {
  if (name.empty() || name.starts_with("__")) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if (!(is_alpha(c) || c == '_' || (i > 0 && is_digit(c)))) return false;
  }
  return true;
}

Histogram::Histogram(const std::vector<double>* bounds)
    : bounds_(bounds), buckets_(new std::atomic<uint64_t>[bounds->size() + 1]) {
  for (size_t i = 0; i <= bounds->size(); ++i) buckets_[i].store(0, std::memory_order_relaxed);
}

void Histogram::observe(double v) {
  if (std::isnan(v)) return;
  const auto& b = *bounds_;
  // The first bound >= v: Prometheus buckets are "less than or equal".
  const size_t i = static_cast<size_t>(std::lower_bound(b.begin(), b.end(), v) - b.begin());
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot s;
  s.cumulative.resize(bounds_->size() + 1);
  uint64_t running = 0;
  for (size_t i = 0; i <= bounds_->size(); ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    s.cumulative[i] = running;
  }
  s.count = running;
  s.sum = sum_.load(std::memory_order_relaxed);
  return s;
}

void FamilyBase::check_arity(size_t n) const {
  if (n != descriptor_.label_names.size())
    throw std::invalid_argument("metrics: " + descriptor_.name + ": expected " +
                                std::to_string(descriptor_.label_names.size()) +
                                " label values, got " + std::to_string(n));
}

CounterFamily& Registry::counter(std::string name, std::string help,
                                 std::vector<std::string> labels) {
  auto family = std::make_unique<CounterFamily>(
      Descriptor{std::move(name), std::move(help), Type::counter, std::move(labels), {}});
  auto& ref = *family;
  add(std::move(family));
  return ref;
}

GaugeFamily& Registry::gauge(std::string name, std::string help, std::vector<std::string> labels) {
  auto family = std::make_unique<GaugeFamily>(
      Descriptor{std::move(name), std::move(help), Type::gauge, std::move(labels), {}});
  auto& ref = *family;
  add(std::move(family));
  return ref;
}

HistogramFamily& Registry::histogram(std::string name, std::string help, std::vector<double> bounds,
                                     std::vector<std::string> labels) {
  auto family = std::make_unique<HistogramFamily>(Descriptor{
      std::move(name), std::move(help), Type::histogram, std::move(labels), std::move(bounds)});
  auto& ref = *family;
  add(std::move(family));
  return ref;
}

void Registry::add(std::unique_ptr<FamilyBase> family) {
  const Descriptor& d = family->descriptor();
  check_descriptor(d);
  std::lock_guard lock(mutex_);
  // A histogram's series take three names; none may collide with another family.
  auto names_of = [](const Descriptor& x) {
    std::vector<std::string> out{x.name};
    if (x.type == Type::histogram) {
      out.push_back(x.name + "_bucket");
      out.push_back(x.name + "_sum");
      out.push_back(x.name + "_count");
    }
    return out;
  };
  for (const auto& existing : families_)
    for (const auto& a : names_of(existing->descriptor()))
      for (const auto& b : names_of(d))
        if (a == b) throw std::invalid_argument("metrics: " + b + " registered twice");
  families_.push_back(std::move(family));
}

void Registry::on_collect(std::function<void()> collect) {
  std::lock_guard lock(mutex_);
  collectors_.push_back(std::move(collect));
}

void Registry::collect() const {
  std::vector<std::function<void()>> collectors;
  {
    std::lock_guard lock(mutex_);
    collectors = collectors_;
  }
  for (const auto& c : collectors) c();
}

std::vector<const FamilyBase*> Registry::families() const {
  std::lock_guard lock(mutex_);
  std::vector<const FamilyBase*> out;
  for (const auto& f : families_) out.push_back(f.get());
  return out;
}

}  // namespace postamt::metrics
