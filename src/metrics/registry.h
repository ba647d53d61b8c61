// A small Prometheus metrics registry: counters, gauges and histograms with fixed
// buckets, grouped in families that share a name, a help text and label names.
// exposition.h writes a registry in the text format 0.0.4.
//
//   Registry registry;
//   CounterFamily& logins = registry.counter("postamt_logins_total", "Logins.", {"service",
//   "result"}); logins.with({"imap", "ok"}).inc();
//
// Threads: every member function of every class here is thread-safe.
//  - Counter::inc, Gauge::set/add and Histogram::observe are lock-free (relaxed atomics).
//  - Family::with finds an existing child without a lock (a fixed table of atomic list
//    heads, each list only ever grows at its head); creating a child takes the family's
//    mutex once. A child's address never changes, so hot paths may keep the reference.
//  - Registry::counter/gauge/histogram/on_collect take the registry's mutex; call them at
//    start-up. Families and children live as long as the registry and are never removed.
// Label values must come from bounded sets (service names from the configuration,
// command names from a dispatch table, "unknown" for anything else): the registry keeps
// every label set it has seen.
//
// Contract violations are programming errors and throw std::invalid_argument: a metric
// or label name that Prometheus does not allow (name [a-zA-Z_:][a-zA-Z0-9_:]*, label
// [a-zA-Z_][a-zA-Z0-9_]* not starting with "__"), a name registered twice, a histogram
// label "le", bucket bounds that are not finite and strictly increasing, or with() given
// a different number of values than the family has label names.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace postamt::metrics {

enum class Type { counter, gauge, histogram };

// Monotonic count (Prometheus counters may be fractional; ours count events or bytes).
class Counter {
 public:
  void inc(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

class Gauge {
 public:
  void set(double v) { value_.store(v, std::memory_order_relaxed); }
  void add(double v) { value_.fetch_add(v, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Adds 1 to a gauge now and 1 less when it goes out of scope (sessions open, work in
// flight).
class GaugeHold {
 public:
  explicit GaugeHold(Gauge& gauge) : gauge_(gauge) { gauge_.add(1); }
  ~GaugeHold() { gauge_.add(-1); }
  GaugeHold(const GaugeHold&) = delete;
  GaugeHold& operator=(const GaugeHold&) = delete;

 private:
  Gauge& gauge_;
};

// Observations counted into fixed buckets. A value v falls into the first bucket whose
// upper bound b satisfies v <= b (Prometheus "le"), else into the implicit +Inf bucket.
// NaN observations are ignored.
class Histogram {
 public:
  explicit Histogram(const std::vector<double>* bounds);
  void observe(double v);

  struct Snapshot {
    std::vector<uint64_t> cumulative;  // bounds().size() + 1 entries; the last is +Inf
    double sum = 0;
    uint64_t count = 0;  // == cumulative.back()
  };
  // Counts and sum read one after another: an observation racing with it may be in the
  // buckets but not yet in the sum. The count is always the +Inf bucket.
  Snapshot snapshot() const;
  const std::vector<double>& bounds() const { return *bounds_; }

 private:
  const std::vector<double>* bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // bounds_->size() + 1, not cumulative
  std::atomic<double> sum_{0};
};

// What a family needs to know to write its children; one per family.
struct Descriptor {
  std::string name;
  std::string help;
  Type type;
  std::vector<std::string> label_names;
  std::vector<double> bounds;  // histograms only
};

namespace detail {

// The children of one family: a fixed table of lock-free singly linked lists.
template <class M>
class Children {
 public:
  struct Node {
    template <class... A>
    Node(std::vector<std::string> v, A&&... args)
        : values(std::move(v)), metric(std::forward<A>(args)...) {}
    std::vector<std::string> values;
    M metric;
    Node* next = nullptr;
  };

  ~Children() {
    for (auto& head : heads_) {
      for (Node* n = head.load(); n;) {
        Node* next = n->next;
        delete n;
        n = next;
      }
    }
  }

  template <class... A>
  M& find_or_add(std::initializer_list<std::string_view> values, A&&... args) {
    const size_t slot = hash(values) % kSlots;
    if (Node* n = find(heads_[slot].load(std::memory_order_acquire), values)) return n->metric;
    std::lock_guard lock(mutex_);
    if (Node* n = find(heads_[slot].load(std::memory_order_acquire), values)) return n->metric;
    auto node =
        new Node(std::vector<std::string>(values.begin(), values.end()), std::forward<A>(args)...);
    node->next = heads_[slot].load(std::memory_order_relaxed);
    heads_[slot].store(node, std::memory_order_release);
    return node->metric;
  }

  // Every child, in no particular order.
  template <class F>
  void for_each(F f) const {
    for (const auto& head : heads_)
      for (const Node* n = head.load(std::memory_order_acquire); n; n = n->next)
        f(n->values, n->metric);
  }

 private:
  static constexpr size_t kSlots = 64;
  static size_t hash(std::initializer_list<std::string_view> values) {
    size_t h = 1469598103934665603ull;
    for (std::string_view v : values) {
      for (unsigned char c : v) h = (h ^ c) * 1099511628211ull;
      h = (h ^ 0xff) * 1099511628211ull;  // separates {"ab","c"} from {"a","bc"}
    }
    return h;
  }
  static Node* find(Node* n, std::initializer_list<std::string_view> values) {
    for (; n; n = n->next) {
      if (n->values.size() != values.size()) continue;
      bool same = true;
      size_t i = 0;
      for (std::string_view v : values) same = same && n->values[i++] == v;
      if (same) return n;
    }
    return nullptr;
  }

  std::array<std::atomic<Node*>, kSlots> heads_{};
  std::mutex mutex_;
};

}  // namespace detail

class FamilyBase {
 public:
  explicit FamilyBase(Descriptor d) : descriptor_(std::move(d)) {}
  virtual ~FamilyBase() = default;
  const Descriptor& descriptor() const { return descriptor_; }

 protected:
  void check_arity(size_t n) const;
  Descriptor descriptor_;
};

// One family of counters or gauges: M is Counter or Gauge.
template <class M>
class Family final : public FamilyBase {
 public:
  using FamilyBase::FamilyBase;
  // The child with these label values (in label-name order), created at 0 on first use.
  M& with(std::initializer_list<std::string_view> values) {
    check_arity(values.size());
    return children_.find_or_add(values);
  }
  template <class F>
  void for_each(F f) const {
    children_.for_each(f);
  }

 private:
  detail::Children<M> children_;
};

using CounterFamily = Family<Counter>;
using GaugeFamily = Family<Gauge>;

class HistogramFamily final : public FamilyBase {
 public:
  using FamilyBase::FamilyBase;
  Histogram& with(std::initializer_list<std::string_view> values) {
    check_arity(values.size());
    return children_.find_or_add(values, &descriptor_.bounds);
  }
  template <class F>
  void for_each(F f) const {
    children_.for_each(f);
  }

 private:
  detail::Children<Histogram> children_;
};

class Registry {
 public:
  CounterFamily& counter(std::string name, std::string help, std::vector<std::string> labels = {});
  GaugeFamily& gauge(std::string name, std::string help, std::vector<std::string> labels = {});
  HistogramFamily& histogram(std::string name, std::string help, std::vector<double> bounds,
                             std::vector<std::string> labels = {});

  // `collect` runs before every exposition (on the scraping thread), to set gauges that
  // are computed at scrape time (process memory, open files). It must be thread-safe.
  void on_collect(std::function<void()> collect);
  void collect() const;

  // Every family, in registration order.
  std::vector<const FamilyBase*> families() const;

 private:
  void add(std::unique_ptr<FamilyBase> family);

  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<FamilyBase>> families_;
  std::vector<std::function<void()>> collectors_;
};

// True for names Prometheus accepts (see the contract above).
bool valid_metric_name(std::string_view name);
bool valid_label_name(std::string_view name);

}  // namespace postamt::metrics
