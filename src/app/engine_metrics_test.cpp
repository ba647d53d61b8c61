#include "app/engine_metrics.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "metrics/testing/text_format_parser.h"
#include "net/testing/run.h"

namespace postamt::app {
namespace {

using namespace std::chrono_literals;

class AdminHandlerTest : public ::testing::Test {
 protected:
  AdminHandlerTest() : runtime_(net::RuntimeOptions{1, 2, net::SignalHandling::none}) {
    runtime_.start();
  }

  http::Response get(AdminHandler& handler, std::string path, std::string method = "GET") {
    http::Request request;
    request.method = std::move(method);
    request.path = std::move(path);
    request.target = request.path;
    return net::testing::block_on(runtime_, handler.handle(std::move(request), http::Peer{}));
  }
  static std::string header(const http::Response& r, std::string_view name) {
    for (const auto& h : r.headers)
      if (h.name == name) return h.value;
    return "(none)";
  }

  net::Runtime runtime_;
};

TEST_F(AdminHandlerTest, HealthAndMetricsAndOtherPaths) {
  AdminHandler handler(
      runtime_, [] { return Result<void>{}; }, 1s);
  auto health = get(handler, "/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, "ok\n");
  EXPECT_EQ(get(handler, "/healthz", "HEAD").status, 200);

  auto scraped = get(handler, "/metrics");
  EXPECT_EQ(scraped.status, 200);
  EXPECT_EQ(header(scraped, "Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  auto parsed = metrics::testing::parse_text_format(scraped.body);
  EXPECT_TRUE(parsed.families.count("postamt_command_duration_seconds"));
  EXPECT_GT(parsed.value("process_resident_memory_bytes", {}), 0);

  auto post = get(handler, "/metrics", "POST");
  EXPECT_EQ(post.status, 405);
  EXPECT_EQ(header(post, "Allow"), "GET, HEAD");
  EXPECT_EQ(get(handler, "/readyz", "DELETE").status, 405);
  EXPECT_EQ(get(handler, "/", "GET").status, 404);
  EXPECT_EQ(get(handler, "/metrics/", "GET").status, 404);
  EXPECT_EQ(get(handler, "/jmap/session", "GET").status, 404);
  EXPECT_EQ(get(handler, "/nope", "POST").status, 404);
}

TEST_F(AdminHandlerTest, ReadyWhenTheProbeAnswers) {
  AdminHandler ok(
      runtime_, [] { return Result<void>{}; }, 1s);
  auto ready = get(ok, "/readyz");
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(ready.body, "ready\n");
  AdminHandler failing(
      runtime_,
      [] {
        return Result<void>(Error{ErrorKind::io, "disk on fire"});
      },
      1s);
  auto not_ready = get(failing, "/readyz");
  EXPECT_EQ(not_ready.status, 503);
  EXPECT_EQ(not_ready.body, "not ready: disk on fire\n");
}

TEST_F(AdminHandlerTest, NotReadyWhenTheProbeTakesTooLongAndOnlyOneProbeRuns) {
  std::atomic<int> calls{0};
  std::atomic<bool> release{false};
  AdminHandler stuck(
      runtime_,
      [&] {
        ++calls;
        while (!release.load()) std::this_thread::sleep_for(1ms);
        return Result<void>{};
      },
      100ms);
  const auto started = std::chrono::steady_clock::now();
  auto first = get(stuck, "/readyz");
  EXPECT_GE(std::chrono::steady_clock::now() - started, 100ms);
  EXPECT_EQ(first.status, 503);
  EXPECT_EQ(first.body, "not ready: the store did not answer within 100 ms\n");
  // Still stuck: the second request waits for the same probe.
  EXPECT_EQ(get(stuck, "/readyz").status, 503);
  EXPECT_EQ(calls.load(), 1);
  release = true;
  // Once the probe returned, the next request starts a new one and is answered.
  for (int i = 0; i < 100 && get(stuck, "/readyz").status != 200; ++i)
    std::this_thread::sleep_for(10ms);
  EXPECT_EQ(get(stuck, "/readyz").status, 200);
  EXPECT_GE(calls.load(), 2);
}

}  // namespace
}  // namespace postamt::app
