// start_outbound as serve uses it, and durability of enqueue across kill -9.
#include "queue/outbound.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dns/testing/fake_resolver.h"
#include "net/server.h"
#include "queue/test_support.h"
#include "smtp/client/testing/fake_smtp_server.h"

namespace postamt::queue {
namespace {

delivery::OutboundMessage message(std::string rcpt) {
  delivery::OutboundMessage m;
  m.envelope_sender = "a@x.test";
  m.recipients.push_back({std::move(rcpt), "", delivery::Notify{}});
  m.body = "Subject: via service\r\n\r\nhi\r\n";
  return m;
}

TEST(QueueOutbound, StartOutboundRunsTheWorkerAndDeliversThroughTheRelay) {
  testing::TempDir dir;
  net::Runtime runtime(net::RuntimeOptions{.network_threads = 1});
  runtime.start();
  net::Server server(runtime, net::Limits{}, nullptr);
  auto smtp = std::make_shared<smtp::client::testing::FakeSmtpState>();
  uint16_t port = smtp::client::testing::listen_fake_smtp(server, smtp);
  ASSERT_NE(port, 0);

  Config config;
  config.hostname = "mail.x.test";
  config.data_dir = dir.root();
  config.outbound.relay = ListenAddress{"127.0.0.1", port, "127.0.0.1:" + std::to_string(port)};
  // A relay literal needs no lookup: the resolver knows nothing and is never asked.
  auto resolver = std::make_shared<dns::testing::FakeResolver>();
  auto service = start_outbound(config, runtime, delivery::Services{}, resolver);
  ASSERT_TRUE(service) << service.error().message;
  delivery::OutboundQueue& queue = **service;  // what SMTP sees
  auto id = queue.enqueue(message("b@y.test"));
  ASSERT_TRUE(id);
  EXPECT_TRUE(std::filesystem::exists(dir.root() / "queue" / *id));
  // Wait (bounded) for the worker; the assertion is on the outcome, not the time.
  for (int i = 0; i < 1000 && std::filesystem::exists(dir.root() / "queue" / *id); ++i)
    ::usleep(10'000);
  EXPECT_FALSE(std::filesystem::exists(dir.root() / "queue" / *id));
  {
    std::lock_guard lock(smtp->mutex);
    EXPECT_EQ(smtp->data, "Subject: via service\r\n\r\nhi\r\n");
  }
  EXPECT_EQ(resolver->lookups(), 0);
  (*service)->stop();
}

TEST(QueueOutbound, EnqueuedMessagesSurviveKill9) {
  testing::TempDir dir;
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(fds[0]);
    auto q = FileQueue::open(dir.root(), system_clock_now);
    if (!q) ::_exit(2);
    for (int i = 0; i < 20; ++i) {
      auto id = (*q)->enqueue(message("r" + std::to_string(i) + "@y.test"));
      if (!id) ::_exit(3);
      // Reported only after enqueue returned: what SMTP would have answered 250 for.
      std::string line = *id + "\n";
      if (::write(fds[1], line.data(), line.size()) < 0) ::_exit(4);
    }
    ::raise(SIGKILL);
    ::_exit(5);
  }
  ::close(fds[1]);
  std::string reported;
  char buf[512];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) reported.append(buf, n);
  ::close(fds[0]);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGKILL);

  auto q = FileQueue::open(dir.root(), system_clock_now);
  ASSERT_TRUE(q);
  size_t count = 0;
  for (std::string_view id : split(reported, '\n')) {
    if (id.empty()) continue;
    auto m = (*q)->load(std::string(id));
    ASSERT_TRUE(m) << id << ": " << m.error().message;
    EXPECT_EQ(m->message.recipients[0].address, fmt::format("r{}@y.test", count));
    EXPECT_EQ(m->message.body, "Subject: via service\r\n\r\nhi\r\n");
    ++count;
  }
  EXPECT_EQ(count, 20u);
  EXPECT_EQ((*q)->list()->size(), 20u);
}

}  // namespace
}  // namespace postamt::queue
