#include "queue/retry.h"

#include <gtest/gtest.h>

namespace postamt::queue {
namespace {

using namespace std::chrono_literals;

TEST(QueueRetry, DoublesFromFirstDelayUpToTheCap) {
  RetryPolicy p;  // 5 min, doubling, capped at 1 h
  TimePoint now = from_unix(1000);
  EXPECT_EQ(to_unix(next_attempt_after(1, now, p)), 1000 + 300);
  EXPECT_EQ(to_unix(next_attempt_after(2, now, p)), 1000 + 600);
  EXPECT_EQ(to_unix(next_attempt_after(3, now, p)), 1000 + 1200);
  EXPECT_EQ(to_unix(next_attempt_after(4, now, p)), 1000 + 2400);
  EXPECT_EQ(to_unix(next_attempt_after(5, now, p)), 1000 + 3600);
  EXPECT_EQ(to_unix(next_attempt_after(1000000, now, p)), 1000 + 3600);
}

TEST(QueueRetry, ExpiresExactlyAtMaxAge) {
  RetryPolicy p;
  p.max_age = 30min;
  TimePoint arrival = from_unix(0);
  EXPECT_FALSE(expired(arrival, from_unix(1799), p));
  EXPECT_TRUE(expired(arrival, from_unix(1800), p));
}

}  // namespace
}  // namespace postamt::queue
