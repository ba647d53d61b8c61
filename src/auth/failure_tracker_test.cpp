#include "auth/failure_tracker.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace postamt::auth {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

struct FakeClock {
  std::chrono::steady_clock::time_point now{};
  SteadyClock fn() {
    return [this] { return now; };
  }
};

TEST(FailureTracker, DelaySequenceWithDefaults) {
  FakeClock clock;
  FailureTracker tracker({}, clock.fn());
  const std::vector<milliseconds> want = {
      milliseconds(0),    milliseconds(1000),  milliseconds(2000), milliseconds(4000),
      milliseconds(8000), milliseconds(15000), milliseconds(15000)};
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(tracker.record_failure("192.0.2.1", "alice"), want[i]) << "failure " << i + 1;
    clock.now += seconds(1);
  }
  EXPECT_EQ(tracker.failures(FailureKey::remote, "192.0.2.1"), 7u);
  EXPECT_EQ(tracker.failures(FailureKey::account, "ALICE"), 7u);
}

TEST(FailureTracker, DelayForIsBoundedForHugeCounts) {
  const FailureLimits limits;
  EXPECT_EQ(FailureTracker::delay_for(limits, 0), milliseconds(0));
  EXPECT_EQ(FailureTracker::delay_for(limits, UINT32_MAX), milliseconds(15000));
  FailureLimits no_delay;
  no_delay.first_delay = milliseconds(0);
  EXPECT_EQ(FailureTracker::delay_for(no_delay, UINT32_MAX), milliseconds(0));
}

TEST(FailureTracker, SuccessResetsBothKeys) {
  FakeClock clock;
  FailureTracker tracker({}, clock.fn());
  (void)tracker.record_failure("192.0.2.1", "alice");
  EXPECT_EQ(tracker.record_failure("192.0.2.1", "alice"), milliseconds(1000));
  tracker.record_success("192.0.2.1", "Alice");
  EXPECT_EQ(tracker.failures(FailureKey::remote, "192.0.2.1"), 0u);
  EXPECT_EQ(tracker.failures(FailureKey::account, "alice"), 0u);
  EXPECT_EQ(tracker.record_failure("192.0.2.1", "alice"), milliseconds(0));
}

TEST(FailureTracker, AccountCountsAcrossAddresses) {
  FakeClock clock;
  FailureTracker tracker({}, clock.fn());
  EXPECT_EQ(tracker.record_failure("192.0.2.1", "alice"), milliseconds(0));
  EXPECT_EQ(tracker.record_failure("192.0.2.2", "alice"), milliseconds(1000));
  EXPECT_EQ(tracker.record_failure("192.0.2.3", "ALICE"), milliseconds(2000));
  // Another account from a fresh address owes nothing.
  EXPECT_EQ(tracker.record_failure("192.0.2.4", "bob"), milliseconds(0));
  // Unknown account name (empty): only the address counts.
  EXPECT_EQ(tracker.record_failure("192.0.2.4", ""), milliseconds(1000));
  EXPECT_EQ(tracker.failures(FailureKey::account, ""), 0u);
}

// A client's name of kilobytes keeps a key of kMaxAccountKeyOctets: names that differ
// only beyond it count together, and no entry holds the whole name.
TEST(FailureTracker, LongAccountNamesShareABoundedKey) {
  FakeClock clock;
  FailureTracker tracker({}, clock.fn());
  const std::string prefix(kMaxAccountKeyOctets, 'a');
  EXPECT_EQ(tracker.record_failure("192.0.2.1", prefix + std::string(7000, 'x')), milliseconds(0));
  EXPECT_EQ(tracker.record_failure("192.0.2.2", prefix + std::string(7000, 'y')),
            milliseconds(1000));
  EXPECT_EQ(tracker.failures(FailureKey::account, prefix), 2u);
  EXPECT_EQ(tracker.failures(FailureKey::account, prefix + "z"), 2u);
  EXPECT_EQ(tracker.failures(FailureKey::account, prefix.substr(1)), 0u);
  EXPECT_EQ(tracker.tracked_keys(), 3u);  // two addresses, one account key
}

TEST(FailureTracker, RemoteAndAccountKeysAreSeparate) {
  FakeClock clock;
  FailureTracker tracker({}, clock.fn());
  (void)tracker.record_failure("x", "");
  EXPECT_EQ(tracker.failures(FailureKey::remote, "x"), 1u);
  EXPECT_EQ(tracker.failures(FailureKey::account, "x"), 0u);
}

TEST(FailureTracker, EntriesExpire) {
  FakeClock clock;
  FailureLimits limits;
  limits.entry_lifetime = seconds(600);
  FailureTracker tracker(limits, clock.fn());
  (void)tracker.record_failure("192.0.2.1", "alice");
  (void)tracker.record_failure("192.0.2.1", "alice");
  clock.now += seconds(599);
  EXPECT_EQ(tracker.failures(FailureKey::remote, "192.0.2.1"), 2u);
  EXPECT_EQ(tracker.tracked_keys(), 2u);
  clock.now += seconds(1);
  EXPECT_EQ(tracker.failures(FailureKey::remote, "192.0.2.1"), 0u);
  EXPECT_EQ(tracker.tracked_keys(), 0u);
  EXPECT_EQ(tracker.record_failure("192.0.2.1", "alice"), milliseconds(0));
}

TEST(FailureTracker, MaxEntriesEvictsOldest) {
  FakeClock clock;
  FailureLimits limits;
  limits.max_entries = 3;
  FailureTracker tracker(limits, clock.fn());
  (void)tracker.record_failure("a", "");
  clock.now += seconds(1);
  (void)tracker.record_failure("b", "");
  clock.now += seconds(1);
  (void)tracker.record_failure("a", "");  // "a" is now the most recent
  clock.now += seconds(1);
  (void)tracker.record_failure("c", "");
  (void)tracker.record_failure("d", "");  // evicts "b"
  EXPECT_EQ(tracker.tracked_keys(), 3u);
  EXPECT_EQ(tracker.failures(FailureKey::remote, "a"), 2u);
  EXPECT_EQ(tracker.failures(FailureKey::remote, "b"), 0u);
  EXPECT_EQ(tracker.failures(FailureKey::remote, "d"), 1u);
}

TEST(FailureTracker, ConcurrentFailuresAreAllCounted) {
  FakeClock clock;
  FailureTracker tracker({}, clock.fn());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 250; ++i) (void)tracker.record_failure("192.0.2.9", "carol");
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(tracker.failures(FailureKey::remote, "192.0.2.9"), 1000u);
  EXPECT_EQ(tracker.failures(FailureKey::account, "carol"), 1000u);
}

}  // namespace
}  // namespace postamt::auth
