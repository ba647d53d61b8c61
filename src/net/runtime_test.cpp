#include "net/runtime.h"

#include <gtest/gtest.h>

#include <atomic>
#include <csignal>
#include <stdexcept>
#include <thread>

#include "net/testing/run.h"

namespace postamt::net {
namespace {

using namespace std::chrono_literals;
using testing::block_on;

struct ThreadIds {
  std::thread::id before, work, after;
  int value = 0;
};

awaitable<ThreadIds> blocking_round_trip(Runtime* runtime) {
  ThreadIds ids;
  ids.before = std::this_thread::get_id();
  ids.value = co_await runtime->run_blocking([&ids] {
    ids.work = std::this_thread::get_id();
    return 42;
  });
  ids.after = std::this_thread::get_id();
  co_return ids;
}

awaitable<std::string> blocking_throw(Runtime* runtime) {
  try {
    co_await runtime->run_blocking([] { throw std::runtime_error("disk on fire"); });
  } catch (const std::runtime_error& e) {
    co_return e.what();
  }
  co_return "no exception";
}

awaitable<int> sleep_then(int v) {
  co_await sleep(1ms);
  co_return v;
}

TEST(Runtime, RunBlockingUsesThePoolAndReturnsToTheNetworkThread) {
  Runtime runtime(RuntimeOptions{.network_threads = 1, .blocking_threads = 1});
  runtime.start();
  ThreadIds ids = block_on(runtime, blocking_round_trip(&runtime));
  EXPECT_EQ(ids.value, 42);
  EXPECT_NE(ids.work, ids.before);
  EXPECT_EQ(ids.after, ids.before);
  EXPECT_NE(ids.work, std::this_thread::get_id());
  EXPECT_EQ(block_on(runtime, blocking_throw(&runtime)), "disk on fire");
  EXPECT_EQ(block_on(runtime, sleep_then(7)), 7);
}

awaitable<void> slow_blocking(Runtime* runtime, std::atomic<int>* state) {
  co_await runtime->run_blocking([state] {
    state->store(1);
    std::this_thread::sleep_for(50ms);
    state->store(2);
  });
}

// What serve() relies on at shutdown: after stop() and join() a blocking task may still
// run; stop_blocking() returns only when it has finished.
TEST(Runtime, StopBlockingWaitsForRunningWork) {
  std::atomic<int> state{0};
  {
    Runtime runtime(RuntimeOptions{.network_threads = 1, .blocking_threads = 1});
    runtime.spawn(slow_blocking(&runtime, &state), "slow");
    runtime.start();
    while (state.load() == 0) std::this_thread::sleep_for(1ms);
    runtime.stop();
    runtime.join();
    runtime.stop_blocking();
    EXPECT_EQ(state.load(), 2);
  }
}

awaitable<std::string> signal_name(Runtime* runtime) {
  auto s = co_await runtime->wait_signal();
  if (!s) co_return "error:" + std::string(to_string(s.error().kind));
  switch (*s) {
    case Signal::interrupt:
      co_return "interrupt";
    case Signal::terminate:
      co_return "terminate";
    case Signal::hangup:
      co_return "hangup";
  }
  co_return "?";
}

TEST(Runtime, Signals) {
  Runtime plain;
  plain.start();
  EXPECT_EQ(block_on(plain, signal_name(&plain)), "error:invalid");

  Runtime runtime(RuntimeOptions{.signals = SignalHandling::install});
  runtime.start();
  // Queued by the signal set until someone waits.
  ASSERT_EQ(::raise(SIGHUP), 0);
  EXPECT_EQ(block_on(runtime, signal_name(&runtime)), "hangup");
  ASSERT_EQ(::raise(SIGTERM), 0);
  EXPECT_EQ(block_on(runtime, signal_name(&runtime)), "terminate");
}

}  // namespace
}  // namespace postamt::net
