// StoreQueue (the queue in the database) over MemoryStore, and the delivery worker over it:
// one delivery per message, claims that keep two workers (two nodes) apart, and a claim
// lost during an attempt.
#include "queue/store_queue.h"

#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "dns/testing/fake_resolver.h"
#include "net/line_reader.h"
#include "net/server.h"
#include "net/testing/run.h"
#include "queue/admin_queue.h"
#include "queue/test_support.h"
#include "queue/worker.h"
#include "smtp/client/testing/fake_smtp_server.h"
#include "store/memory/memory_store.h"

namespace postamt::queue {
namespace {

using namespace std::chrono_literals;
using smtp::client::testing::FakeSmtpState;

delivery::OutboundMessage message(std::string queue_id = "") {
  delivery::OutboundMessage m;
  m.queue_id = std::move(queue_id);
  m.envelope_sender = "a@x.test";
  m.envid = "ENV 1";
  m.ret = delivery::Ret::headers;
  m.recipients.push_back({"b@y.test", "rfc822;b@y.test", delivery::Notify{}});
  m.recipients.push_back({"c@z.test", "", delivery::Notify{true, false, false, false}});
  m.body = std::string("Subject: t\r\n\r\nnul \0 byte\r\n", 27);
  return m;
}

class StoreQueueTest : public ::testing::Test {
 protected:
  store::MemoryStore store_;
  testing::FakeClock clock_;  // 1800000000 = Fri, 15 Jan 2027 08:00:00 +0000
  StoreQueue queue_{store_, clock_.clock()};
};

TEST_F(StoreQueueTest, EnqueueLoadRoundTripsEveryField) {
  auto id = queue_.enqueue(message("Q1abc"));
  ASSERT_TRUE(id) << id.error().message;
  EXPECT_EQ(*id, "Q1abc");
  auto m = queue_.load("Q1abc");
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->id, "Q1abc");
  EXPECT_EQ(m->message.envelope_sender, "a@x.test");
  EXPECT_EQ(m->message.envid, "ENV 1");
  EXPECT_EQ(m->message.ret, delivery::Ret::headers);
  EXPECT_EQ(m->message.queue_id, "");
  ASSERT_EQ(m->message.recipients.size(), 2u);
  EXPECT_EQ(m->message.recipients[0].orcpt, "rfc822;b@y.test");
  EXPECT_TRUE(m->message.recipients[1].notify.never);
  EXPECT_EQ(m->message.body, message().body);
  EXPECT_EQ(m->arrival, clock_.now());
  EXPECT_EQ(m->next_attempt, clock_.now());
  EXPECT_EQ(m->body_size, 27u);
  EXPECT_EQ(m->claim_owner, "");

  // The row holds exactly FileQueue's serialized form, split after the body line.
  auto row = store_.get_queue_entry("Q1abc", store::QueueRead::whole);
  ASSERT_TRUE(row);
  EXPECT_EQ(row->head + row->body, serialize(*m));
  EXPECT_EQ(row->body, message().body);
  EXPECT_EQ(row->next_attempt, 1'800'000'000);
  EXPECT_EQ(row->arrival, 1'800'000'000);

  auto header = queue_.load("Q1abc", BodyMode::skip);
  ASSERT_TRUE(header);
  EXPECT_FALSE(header->has_body);
  EXPECT_EQ(header->body_size, 27u);
  EXPECT_EQ(header->message.body, "");

  // The same id again gets a fresh one.
  auto second = queue_.enqueue(message("Q1abc"));
  ASSERT_TRUE(second);
  EXPECT_NE(*second, "Q1abc");
  EXPECT_TRUE(valid_queue_id(*second)) << *second;
  auto ids = queue_.list();
  ASSERT_TRUE(ids);
  EXPECT_EQ(ids->size(), 2u);
  auto stats = queue_.stats();
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->messages, 2u);
  EXPECT_EQ(stats->oldest_arrival, clock_.now());

  auto recipients = queue_.queued_recipients("Q1abc");
  ASSERT_TRUE(recipients);
  ASSERT_EQ(recipients->size(), 2u);
  EXPECT_EQ((*recipients)[1].address, "c@z.test");
  EXPECT_EQ((*recipients)[1].state, delivery::QueuedState::pending);
}

TEST_F(StoreQueueTest, BadInputAndMissingMessages) {
  delivery::OutboundMessage none = message();
  none.recipients.clear();
  auto refused = queue_.enqueue(none);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message, "a queued message needs at least one recipient");
  auto missing = queue_.load("Nope1");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::not_found);
  EXPECT_EQ(missing.error().message, "no such message in the queue");
  EXPECT_EQ(queue_.load("bad id!").error().kind, ErrorKind::not_found);
  EXPECT_EQ(queue_.remove("Nope1").error().kind, ErrorKind::not_found);
  auto shown = queue_show(queue_, "Nope1");
  ASSERT_FALSE(shown);
  EXPECT_EQ(shown.error().message, "no such message in the queue: Nope1");
}

TEST_F(StoreQueueTest, UpdateKeepsTheSelectedColumnsInStep) {
  std::string id = *queue_.enqueue(message());
  EXPECT_EQ(*queue_hold(queue_, id), id + ": held\n");
  auto row = store_.get_queue_entry(id, store::QueueRead::head_only);
  EXPECT_TRUE(row->held);
  auto claimed = queue_.claim_due("node1", 10, 60s);
  ASSERT_TRUE(claimed);
  EXPECT_TRUE(claimed->empty());  // held
  EXPECT_EQ(*queue_release(queue_, id), id + ": released\n");
  ASSERT_TRUE(queue_.update(id, [&](QueuedMessage& m) -> Result<Change> {
    m.next_attempt = clock_.now() + 1h;
    m.attempts = 3;
    return Change::save;
  }));
  row = store_.get_queue_entry(id, store::QueueRead::head_only);
  EXPECT_FALSE(row->held);
  EXPECT_EQ(row->next_attempt, 1'800'003'600);
  EXPECT_EQ(queue_.load(id)->attempts, 3u);
  EXPECT_TRUE(queue_.claim_due("node1", 10, 60s)->empty());  // not due
  clock_.advance(1h);
  EXPECT_EQ(*queue_.claim_due("node1", 10, 60s), std::vector<std::string>{id});
  EXPECT_EQ(queue_.load(id, BodyMode::skip)->claim_owner, "node1");
  EXPECT_EQ(*queue_remove(queue_, id), id + ": removed\n");
  EXPECT_TRUE(queue_.list()->empty());
}

TEST_F(StoreQueueTest, CorruptRowsAreQuarantinedAndStayListed) {
  store::QueueEntry bad;
  bad.id = "Bad1";
  bad.head = "postamt-queue 7\n";
  ASSERT_TRUE(store_.insert_queue_entry(bad));
  auto loaded = queue_.load("Bad1");
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().kind, ErrorKind::invalid);
  EXPECT_EQ(loaded.error().message, "corrupt queue file: bad magic");
  EXPECT_EQ(*queue_.claim_due("node1", 10, 60s), std::vector<std::string>{"Bad1"});
  ASSERT_TRUE(queue_.release_claim("Bad1", "node1"));
  ASSERT_TRUE(queue_.quarantine("Bad1"));
  EXPECT_TRUE(queue_.claim_due("node1", 10, 60s)->empty());
  EXPECT_EQ(*queue_list(queue_, ListFormat::text),
            "Bad1 corrupt: corrupt queue file: bad magic\n-- 1 message\n");
  EXPECT_EQ(*queue_remove(queue_, "Bad1"), "Bad1: removed\n");
}

// An SMTP server that answers RCPT (450, busy) only once the test opens the gate.
struct Gate {
  std::atomic<bool> reached{false};
  std::atomic<bool> open{false};
};

net::awaitable<void> gated_session(std::unique_ptr<net::Connection> conn, net::SessionContext,
                                   std::shared_ptr<Gate> gate) {
  if (!co_await conn->write("220 gated.test ESMTP\r\n", 5s)) co_return;
  net::LineReader reader(*conn);
  for (;;) {
    auto line = co_await reader.read_line(4096, 10s);
    if (!line) co_return;
    std::string verb = ascii_upper(line->text.substr(0, 4));
    std::string reply = "250 2.0.0 Ok";
    if (verb == "RCPT") {
      gate->reached = true;
      while (!gate->open) co_await net::sleep(10ms);
      reply = "450 4.2.1 mailbox busy";
    } else if (verb == "QUIT") {
      reply = "221 2.0.0 Bye";
    }
    if (!co_await conn->write(reply + "\r\n", 5s) || verb == "QUIT") co_return;
  }
}

class StoreQueueWorkerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    runtime_.start();
    server_ = std::make_unique<net::Server>(runtime_, net::Limits{}, nullptr);
    smtp_ = std::make_shared<FakeSmtpState>();
    port_ = smtp::client::testing::listen_fake_smtp(*server_, smtp_);
    ASSERT_NE(port_, 0);
    options_.hostname = "mail.x.test";
    options_.route.relay = std::pair<std::string, uint16_t>{"127.0.0.1", port_};
    options_.retry.max_age = 1h;
    options_.connect_timeout = 5s;
  }
  void TearDown() override { server_.reset(); }

  std::string enqueue(std::string rcpt = "b@y.test") {
    delivery::OutboundMessage m;
    m.envelope_sender = "a@x.test";
    m.recipients.push_back({std::move(rcpt), "", delivery::Notify{}});
    m.body = "Subject: test\r\n\r\nhello\r\n";
    auto id = queue_.enqueue(m);
    EXPECT_TRUE(id);
    return *id;
  }
  std::unique_ptr<Worker> worker() {
    return std::make_unique<Worker>(
        WorkerDeps{&queue_, &dns_, &runtime_, delivery::Services{}, nullptr}, options_);
  }
  size_t run_once(Worker& w) { return net::testing::block_on(runtime_, w.run_once()); }
  // Points the relay at a gated server; returns its gate.
  std::shared_ptr<Gate> gate() {
    auto gate = std::make_shared<Gate>();
    auto bound =
        server_->add_listener("gated", "127.0.0.1:0", net::TlsMode::plain,
                              [gate](std::unique_ptr<net::Connection> c, net::SessionContext ctx) {
                                return gated_session(std::move(c), std::move(ctx), gate);
                              });
    EXPECT_TRUE(bound);
    options_.route.relay = std::pair<std::string, uint16_t>{"127.0.0.1", bound->port};
    return gate;
  }
  // Opens the gate when a test ends early, so that the attempt behind it finishes.
  struct OpenAtExit {
    std::shared_ptr<Gate> gate;
    ~OpenAtExit() { gate->open = true; }
  };
  static void wait_for(const Gate& gate) {
    for (int i = 0; i < 500 && !gate.reached; ++i) std::this_thread::sleep_for(10ms);
    EXPECT_TRUE(gate.reached);
  }

  store::MemoryStore store_;
  testing::FakeClock clock_;
  StoreQueue queue_{store_, clock_.clock()};
  dns::testing::FakeResolver dns_;
  net::Runtime runtime_{net::RuntimeOptions{.network_threads = 1}};
  std::unique_ptr<net::Server> server_;
  std::shared_ptr<FakeSmtpState> smtp_;
  uint16_t port_ = 0;
  WorkerOptions options_;
};

TEST_F(StoreQueueWorkerTest, DeliversOnceRecordsAndReleases) {
  std::string sent = enqueue("b@y.test");
  smtp_->script.replies["RCPT TO:<c@y.test> NOTIFY=FAILURE,DELAY"] = "451 4.3.0 try later";
  std::string deferred = enqueue("c@y.test");
  auto w = worker();
  EXPECT_EQ(run_once(*w), 2u);
  EXPECT_EQ(*queue_.list(), std::vector<std::string>{deferred});
  auto m = queue_.load(deferred);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->attempts, 1u);
  EXPECT_EQ(m->status[0].diagnostic, "451 4.3.0 try later");
  EXPECT_EQ(m->claim_owner, "");  // released
  auto row = store_.get_queue_entry(deferred, store::QueueRead::head_only);
  EXPECT_EQ(row->next_attempt, to_unix(clock_.now() + 5min));
  EXPECT_EQ(row->claim_owner, "");
  EXPECT_EQ(run_once(*w), 0u);  // not due
  EXPECT_EQ(smtp_->sessions, 2);
  std::lock_guard lock(smtp_->mutex);
  EXPECT_EQ(smtp_->data, "Subject: test\r\n\r\nhello\r\n");
}

TEST_F(StoreQueueWorkerTest, TwoWorkersNeverAttemptTheSameMessageAtOnce) {
  std::string id = enqueue();
  auto g = gate();
  auto first = worker();
  auto second = worker();
  EXPECT_NE(first->owner(), second->owner());
  auto done = std::async(std::launch::async, [&] { return run_once(*first); });
  OpenAtExit open_at_exit{g};
  wait_for(*g);
  // The first holds the claim: the second finds nothing to do, also when asked for it.
  EXPECT_EQ(run_once(*second), 0u);
  auto direct = net::testing::block_on(runtime_, second->attempt(id));
  ASSERT_FALSE(direct);
  EXPECT_EQ(direct.error().kind, ErrorKind::temporary);
  EXPECT_EQ(direct.error().message, id + " is being delivered by " + first->owner());
  auto shown = queue_show(queue_, id);
  ASSERT_TRUE(shown);
  EXPECT_NE(shown->find("\ndelivering: " + first->owner() + " until "), std::string::npos)
      << *shown;
  auto retried = queue_retry(queue_, id);
  ASSERT_FALSE(retried);
  EXPECT_TRUE(retried.error().message.starts_with(id + ": being delivered by " + first->owner()))
      << retried.error().message;
  g->open = true;
  EXPECT_EQ(done.get(), 1u);
  auto m = queue_.load(id);
  EXPECT_EQ(m->attempts, 1u);
  EXPECT_EQ(m->claim_owner, "");
}

TEST_F(StoreQueueWorkerTest, TwoWorkersShareTheQueueAndDeliverEachMessageOnce) {
  options_.claim_batch = 1;
  std::vector<std::string> ids;
  for (int i = 0; i < 6; ++i) ids.push_back(enqueue("r" + std::to_string(i) + "@y.test"));
  auto first = worker();
  auto second = worker();
  auto drain = [&](Worker& w) {
    size_t attempts = 0;
    while (!queue_.list()->empty()) attempts += run_once(w);
    return attempts;
  };
  auto a = std::async(std::launch::async, [&] { return drain(*first); });
  auto b = std::async(std::launch::async, [&] { return drain(*second); });
  EXPECT_EQ(a.get() + b.get(), 6u);
  std::lock_guard lock(smtp_->mutex);
  EXPECT_EQ(smtp_->sessions, 6);
  size_t rcpts = 0;
  for (const std::string& c : smtp_->commands) rcpts += c.starts_with("RCPT TO:");
  EXPECT_EQ(rcpts, 6u);
}

TEST_F(StoreQueueWorkerTest, ResultsOfALostClaimAreDroppedWhenAnotherRecorded) {
  options_.claim_lease = 3s;  // renewed every second
  std::string id = enqueue();
  auto g = gate();
  auto w = worker();
  ::testing::internal::CaptureStderr();
  auto done = std::async(std::launch::async, [&] { return run_once(*w); });
  OpenAtExit open_at_exit{g};
  wait_for(*g);
  // Another node takes the message over (as after this one's lease ended) and records an
  // attempt of its own.
  ASSERT_TRUE(store_.release_queue_claim(id, w->owner()));
  ASSERT_TRUE(*store_.claim_queue_entry(id, "node-b", 60s));
  ASSERT_TRUE(queue_.update(id, [](QueuedMessage& m) -> Result<Change> {
    m.attempts = 1;
    m.status[0].diagnostic = "node b was here";
    return Change::save;
  }));
  std::this_thread::sleep_for(1500ms);  // the renewal finds the claim lost
  g->open = true;
  EXPECT_EQ(done.get(), 1u);
  std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(log.find(id + ": delivery claim lost to another node; stopping this attempt\n"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find(id + ": claim lost to another node during delivery; results of this attempt "
                          "dropped\n"),
            std::string::npos)
      << log;
  auto m = queue_.load(id);
  EXPECT_EQ(m->attempts, 1u);
  EXPECT_EQ(m->status[0].diagnostic, "node b was here");
  EXPECT_EQ(m->claim_owner, "node-b");  // not released by the loser
}

TEST_F(StoreQueueWorkerTest, ResultsOfALostClaimAreKeptWhenNobodyRecorded) {
  std::string id = enqueue();
  auto g = gate();
  auto w = worker();
  auto done = std::async(std::launch::async, [&] { return run_once(*w); });
  OpenAtExit open_at_exit{g};
  wait_for(*g);
  ASSERT_TRUE(store_.release_queue_claim(id, w->owner()));
  ASSERT_TRUE(*store_.claim_queue_entry(id, "node-b", 60s));
  g->open = true;
  EXPECT_EQ(done.get(), 1u);
  auto m = queue_.load(id);
  EXPECT_EQ(m->attempts, 1u);
  EXPECT_EQ(m->status[0].diagnostic, "450 4.2.1 mailbox busy");
  EXPECT_EQ(m->claim_owner, "node-b");
}

}  // namespace
}  // namespace postamt::queue
