#include "metrics/registry.h"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <thread>

namespace postamt::metrics {
namespace {

TEST(Registry, CountersAndGaugesStartAtZeroAndCount) {
  Registry r;
  auto& c = r.counter("c_total", "help", {"a"});
  auto& g = r.gauge("g", "help");
  EXPECT_EQ(c.with({"x"}).value(), 0u);
  c.with({"x"}).inc();
  c.with({"x"}).inc(41);
  c.with({"y"}).inc();
  EXPECT_EQ(c.with({"x"}).value(), 42u);
  EXPECT_EQ(c.with({"y"}).value(), 1u);
  g.with({}).set(2.5);
  g.with({}).add(-1);
  EXPECT_EQ(g.with({}).value(), 1.5);
}

TEST(Registry, ChildReferencesAreStable) {
  Registry r;
  auto& c = r.counter("c_total", "help", {"a", "b"});
  Counter* first = &c.with({"ab", "c"});
  for (int i = 0; i < 500; ++i) c.with({std::to_string(i), "x"});
  EXPECT_EQ(first, &c.with({"ab", "c"}));
  // The value split differently is another child.
  EXPECT_NE(first, &c.with({"a", "bc"}));
}

TEST(Histogram, BucketsAreLessOrEqualAndCumulative) {
  Registry r;
  auto& h = r.histogram("h_seconds", "help", {0.1, 1, 10});
  auto& child = h.with({});
  for (double v : {0.05, 0.1, 0.5, 1.0, 5.0, 100.0, -1.0}) child.observe(v);
  child.observe(NAN);  // ignored
  auto s = child.snapshot();
  // <=0.1: 0.05, 0.1, -1 ; <=1: +0.5, 1.0 ; <=10: +5 ; +Inf: +100
  EXPECT_EQ(s.cumulative, (std::vector<uint64_t>{3, 5, 6, 7}));
  EXPECT_EQ(s.count, 7u);
  EXPECT_DOUBLE_EQ(s.sum, 0.05 + 0.1 + 0.5 + 1.0 + 5.0 + 100.0 - 1.0);
}

TEST(Registry, ConcurrentIncrementsAndChildCreationLoseNothing) {
  Registry r;
  auto& c = r.counter("c_total", "help", {"k"});
  auto& h = r.histogram("h_seconds", "help", {1}, {"k"});
  constexpr int kThreads = 4, kPerThread = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < kPerThread; ++i) {
        const std::string key = std::to_string(i % 50);
        c.with({key}).inc();
        h.with({key}).observe(0.5);
      }
    });
  for (auto& t : threads) t.join();
  uint64_t total = 0, observed = 0;
  size_t children = 0;
  c.for_each([&](const std::vector<std::string>&, const Counter& x) {
    total += x.value();
    ++children;
  });
  h.for_each(
      [&](const std::vector<std::string>&, const Histogram& x) { observed += x.snapshot().count; });
  EXPECT_EQ(children, 50u);
  EXPECT_EQ(total, uint64_t{kThreads} * kPerThread);
  EXPECT_EQ(observed, uint64_t{kThreads} * kPerThread);
}

TEST(Registry, RefusesBadNamesAndDuplicates) {
  Registry r;
  EXPECT_THROW(r.counter("1abc", "h"), std::invalid_argument);
  EXPECT_THROW(r.counter("a-b", "h"), std::invalid_argument);
  EXPECT_THROW(r.counter("", "h"), std::invalid_argument);
  EXPECT_THROW(r.counter("ok_total", "h", {"__reserved"}), std::invalid_argument);
  EXPECT_THROW(r.counter("ok_total", "h", {"a:b"}), std::invalid_argument);
  EXPECT_THROW(r.counter("ok_total", "h", {"a", "a"}), std::invalid_argument);
  EXPECT_THROW(r.histogram("h", "h", {1}, {"le"}), std::invalid_argument);
  EXPECT_THROW(r.histogram("h", "h", {1, 1}), std::invalid_argument);
  EXPECT_THROW(r.histogram("h", "h", {2, 1}), std::invalid_argument);
  EXPECT_THROW(r.histogram("h", "h", {1, INFINITY}), std::invalid_argument);
  r.counter("ns:sub_total", "h", {"a1"});
  EXPECT_THROW(r.gauge("ns:sub_total", "h"), std::invalid_argument);
  r.histogram("lat", "h", {1});
  EXPECT_THROW(r.counter("lat_count", "h"), std::invalid_argument);
  EXPECT_THROW(r.gauge("lat", "h"), std::invalid_argument);
  EXPECT_EQ(r.families().size(), 2u);
}

TEST(Registry, WithRefusesTheWrongNumberOfValues) {
  Registry r;
  auto& c = r.counter("c_total", "h", {"a", "b"});
  EXPECT_THROW(c.with({"x"}), std::invalid_argument);
  EXPECT_THROW(c.with({"x", "y", "z"}), std::invalid_argument);
}

TEST(Registry, CollectorsRunOnCollect) {
  Registry r;
  auto& g = r.gauge("g", "h");
  int runs = 0;
  r.on_collect([&] { g.with({}).set(++runs); });
  r.collect();
  r.collect();
  EXPECT_EQ(g.with({}).value(), 2);
}

}  // namespace
}  // namespace postamt::metrics
