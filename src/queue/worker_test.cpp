// The delivery worker end to end: FileQueue + fake clock + a scripted SMTP server on
// loopback (+ a fake resolver for MX routing).
#include "queue/worker.h"

#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "blob/memory_blob_store.h"
#include "dns/testing/fake_resolver.h"
#include "mailauth/dkim/test_keys.h"
#include "mailauth/dkim/verify.h"
#include "net/line_reader.h"
#include "net/server.h"
#include "net/testing/run.h"
#include "queue/admin_queue.h"
#include "queue/test_support.h"
#include "smtp/client/testing/fake_smtp_server.h"
#include "store/memory/memory_store.h"

namespace postamt::queue {
namespace {

using namespace std::chrono_literals;
using smtp::client::testing::FakeSmtpState;

// An SMTP server that answers RCPT (450, busy) only once the test opens the gate, so
// that the test can change the queue while the worker is in the middle of an attempt.
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

class QueueWorkerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    runtime_.start();
    server_ = std::make_unique<net::Server>(runtime_, net::Limits{}, nullptr);
    smtp_ = std::make_shared<FakeSmtpState>();
    port_ = smtp::client::testing::listen_fake_smtp(*server_, smtp_);
    ASSERT_NE(port_, 0);
    auto q = FileQueue::open(dir_.root() / "queue", clock_.clock());
    ASSERT_TRUE(q);
    queue_ = std::move(*q);
    options_.hostname = "mail.x.test";
    options_.route.relay = std::pair<std::string, uint16_t>{"127.0.0.1", port_};
    options_.retry.max_age = 1h;
    options_.connect_timeout = 5s;
  }
  void TearDown() override { server_.reset(); }

  std::string enqueue(std::string sender, std::vector<std::string> rcpts) {
    delivery::OutboundMessage m;
    m.envelope_sender = std::move(sender);
    for (auto& r : rcpts) m.recipients.push_back({r, "", delivery::Notify{}});
    m.body = "Subject: test\r\n\r\n.dot line\r\n";
    auto id = queue_->enqueue(m);
    EXPECT_TRUE(id);
    return *id;
  }
  Worker worker(store::Store* store = nullptr, blob::BlobStore* blobs = nullptr,
                const dkim::KeyRing* keys = nullptr) {
    return Worker(WorkerDeps{queue_.get(), &dns_, &runtime_,
                             delivery::Services{store, blobs, nullptr, nullptr}, keys},
                  options_);
  }
  size_t run_once(Worker& w) { return net::testing::block_on(runtime_, w.run_once()); }
  std::vector<std::string> ids() { return *queue_->list(); }

  // Starts an attempt on `id` against a gated server, runs `meanwhile` once the worker
  // waits for the RCPT reply, then opens the gate. Returns the attempt's result and log.
  template <class Meanwhile>
  std::pair<Result<void>, std::string> attempt_while(const std::string& id, Meanwhile meanwhile) {
    auto gate = std::make_shared<Gate>();
    auto bound =
        server_->add_listener("gated", "127.0.0.1:0", net::TlsMode::plain,
                              [gate](std::unique_ptr<net::Connection> c, net::SessionContext ctx) {
                                return gated_session(std::move(c), std::move(ctx), gate);
                              });
    EXPECT_TRUE(bound);
    options_.route.relay = std::pair<std::string, uint16_t>{"127.0.0.1", bound->port};
    Worker w = worker();
    ::testing::internal::CaptureStderr();
    auto done = std::async(std::launch::async,
                           [&] { return net::testing::block_on(runtime_, w.attempt(id)); });
    for (int i = 0; i < 500 && !gate->reached; ++i) std::this_thread::sleep_for(10ms);
    EXPECT_TRUE(gate->reached);
    meanwhile();
    gate->open = true;
    Result<void> r = done.get();
    return {std::move(r), ::testing::internal::GetCapturedStderr()};
  }

  testing::TempDir dir_;
  testing::FakeClock clock_;
  dns::testing::FakeResolver dns_;
  net::Runtime runtime_{net::RuntimeOptions{.network_threads = 1}};
  std::unique_ptr<net::Server> server_;
  std::shared_ptr<FakeSmtpState> smtp_;
  uint16_t port_ = 0;
  std::unique_ptr<FileQueue> queue_;
  WorkerOptions options_;
};

TEST_F(QueueWorkerTest, SentThroughTheRelayIsRemovedAndLogged) {
  std::string id = enqueue("a@x.test", {"b@y.test"});
  Worker w = worker();
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(run_once(w), 1u);
  std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_TRUE(ids().empty());
  EXPECT_NE(
      log.find(fmt::format("postamt/smtp[{}]: {}: to=<b@y.test>, relay=127.0.0.1[127.0.0.1]:{}, "
                           "delay=0.0, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as FAKE1)\n",
                           getpid(), id, port_)),
      std::string::npos)
      << log;
  EXPECT_NE(log.find(fmt::format("{}: removed\n", id)), std::string::npos) << log;
  std::lock_guard lock(smtp_->mutex);
  EXPECT_EQ(smtp_->data, "Subject: test\r\n\r\n..dot line\r\n");
  EXPECT_EQ(smtp_->commands[0], "EHLO mail.x.test");
  EXPECT_EQ(smtp_->commands[1], "MAIL FROM:<a@x.test> SIZE=28");
  EXPECT_EQ(smtp_->commands[2], "RCPT TO:<b@y.test> NOTIFY=FAILURE,DELAY");
}

TEST_F(QueueWorkerTest, SignsWithTheKeysOfTheFromDomain) {
  dkim::KeyRing keys;
  keys.add(dkim::SigningKey{"x.test", "s1", dkim::Algorithm::rsa_sha256,
                            *dkim::PrivateKey::from_pem(dkim::test_keys::kRsaPem)});
  keys.add(dkim::SigningKey{"other.test", "s1", dkim::Algorithm::rsa_sha256,
                            *dkim::PrivateKey::from_pem(dkim::test_keys::kRsaPem)});
  delivery::OutboundMessage m;
  m.envelope_sender = "a@x.test";
  m.recipients.push_back({"b@y.test", "", delivery::Notify{}});
  m.body = "From: a@x.test\r\nTo: b@y.test\r\nSubject: signed\r\n\r\nhello\r\n";
  std::string id = *queue_->enqueue(m);
  Worker w = worker(nullptr, nullptr, &keys);
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(run_once(w), 1u);
  std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(
      log.find(fmt::format("postamt/smtp[{}]: {}: dkim-signed d=x.test s=s1\n", getpid(), id)),
      std::string::npos)
      << log;
  EXPECT_EQ(log.find("d=other.test"), std::string::npos) << log;
  std::string data;
  {
    std::lock_guard lock(smtp_->mutex);
    data = smtp_->data;
  }
  ASSERT_TRUE(data.starts_with("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=x.test;"))
      << data;
  EXPECT_TRUE(data.ends_with("\r\n" + m.body)) << data;
  dns::testing::FakeResolver dns;
  dns.add_txt("s1._domainkey.x.test", std::string(dkim::test_keys::kRsaRecord));
  auto results = dkim::verify_message(data, dns, dkim::VerifyLimits{}, clock_.now());
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].status, dkim::Status::pass) << results[0].reason;
}

TEST_F(QueueWorkerTest, NeverSignsMailRelayedFromOutside) {
  // An alias forwarding outside mail that claims one of our From domains: it leaves as it
  // came, unsigned (delivery/outbound.h, relayed).
  dkim::KeyRing keys;
  keys.add(dkim::SigningKey{"x.test", "s1", dkim::Algorithm::rsa_sha256,
                            *dkim::PrivateKey::from_pem(dkim::test_keys::kRsaPem)});
  delivery::OutboundMessage m;
  m.envelope_sender = "forger@elsewhere.test";
  m.recipients.push_back({"b@y.test", "", delivery::Notify{}});
  m.body = "From: ceo@x.test\r\nTo: b@y.test\r\nSubject: forged\r\n\r\nhello\r\n";
  m.relayed = true;
  ASSERT_TRUE(queue_->enqueue(m));
  Worker w = worker(nullptr, nullptr, &keys);
  EXPECT_EQ(run_once(w), 1u);
  std::lock_guard lock(smtp_->mutex);
  EXPECT_EQ(smtp_->data, m.body);
}

TEST_F(QueueWorkerTest, TemporaryFailureBacksOffThenExpiresIntoABounce) {
  smtp_->script.replies["RCPT"] = "450 4.2.1 mailbox busy";
  std::string id = enqueue("a@x.test", {"b@y.test"});
  Worker w = worker();
  EXPECT_EQ(run_once(w), 1u);
  auto m = queue_->load(id);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->attempts, 1u);
  EXPECT_EQ(m->next_attempt, clock_.now() + 5min);
  EXPECT_EQ(m->status[0].state, RecipientState::pending);
  EXPECT_EQ(m->status[0].status, "4.2.1");
  EXPECT_EQ(m->status[0].diagnostic, "450 4.2.1 mailbox busy");
  EXPECT_EQ(m->status[0].remote_mta, "127.0.0.1");

  EXPECT_EQ(run_once(w), 0u);  // not due yet
  clock_.advance(5min);
  EXPECT_EQ(run_once(w), 1u);
  EXPECT_EQ(queue_->load(id)->next_attempt, clock_.now() + 10min);
  EXPECT_EQ(smtp_->sessions, 2);

  clock_.advance(1h);  // past max_age
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(run_once(w), 1u);
  std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(log.find(id + ": to=<b@y.test>, relay=none, delay=3900.0, dsn=4.4.7, status=bounced "
                          "(message expired; last error: 450 4.2.1 mailbox busy)"),
            std::string::npos)
      << log;
  auto left = ids();
  ASSERT_EQ(left.size(), 1u);  // the original is gone, the bounce is queued
  ASSERT_NE(left[0], id);
  auto dsn = queue_->load(left[0]);
  ASSERT_TRUE(dsn);
  EXPECT_EQ(dsn->message.envelope_sender, "");
  ASSERT_EQ(dsn->message.recipients.size(), 1u);
  EXPECT_EQ(dsn->message.recipients[0].address, "a@x.test");
  EXPECT_NE(dsn->message.body.find("Final-Recipient: rfc822; b@y.test\r\nAction: failed\r\n"
                                   "Status: 4.4.7\r\nRemote-MTA: dns; 127.0.0.1\r\n"
                                   "Diagnostic-Code: smtp; 450 4.2.1 mailbox busy\r\n"),
            std::string::npos)
      << dsn->message.body;
  // Postfix's link from a message to its bounce, then the bounce's own story.
  EXPECT_NE(log.find(id + ": sender non-delivery notification: " + left[0] + "\n"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find(fmt::format("postamt/qmgr[{}]: {}: from=<>, size={}, nrcpt=1 (queue active)\n",
                                 getpid(), left[0], dsn->message.body.size())),
            std::string::npos)
      << log;
  EXPECT_NE(log.find(fmt::format("postamt/qmgr[{}]: {}: removed\n", getpid(), id)),
            std::string::npos)
      << log;
}

TEST_F(QueueWorkerTest, OneDelayNoticeAfterTheWarningTime) {
  smtp_->script.replies["RCPT"] = "451 4.3.0 try later";
  options_.retry.delay_warning = 30min;
  std::string id = enqueue("a@x.test", {"b@y.test"});
  Worker w = worker();
  EXPECT_EQ(run_once(w), 1u);
  EXPECT_EQ(ids().size(), 1u);  // too early for a notice
  clock_.advance(30min);
  EXPECT_EQ(run_once(w), 1u);
  auto left = ids();
  ASSERT_EQ(left.size(), 2u);
  std::string notice_id = left[0] == id ? left[1] : left[0];
  auto notice = queue_->load(notice_id);
  ASSERT_TRUE(notice);
  EXPECT_EQ(notice->message.envelope_sender, "");
  EXPECT_NE(notice->message.body.find("Subject: Delayed Mail (still being retried)\r\n"),
            std::string::npos);
  EXPECT_NE(notice->message.body.find("Action: delayed\r\nStatus: 4.3.0\r\n"), std::string::npos);
  // Arrival 08:00 + max_age 1 h.
  EXPECT_NE(notice->message.body.find("Will-Retry-Until: Fri, 15 Jan 2027 09:00:00 +0000\r\n"),
            std::string::npos)
      << notice->message.body;
  EXPECT_TRUE(queue_->load(id)->delay_warned);
  ASSERT_TRUE(queue_->remove(notice_id));
  clock_.advance(20min);
  EXPECT_EQ(run_once(w), 1u);
  EXPECT_EQ(ids(), std::vector<std::string>{id});  // only one notice per message
}

TEST_F(QueueWorkerTest, PermanentFailureBouncesAtOnceOnlyForThatRecipient) {
  smtp_->script.replies["RCPT TO:<c@y.test> NOTIFY=FAILURE,DELAY"] = "550 5.1.1 no such user";
  std::string id = enqueue("a@x.test", {"b@y.test", "c@y.test"});
  Worker w = worker();
  EXPECT_EQ(run_once(w), 1u);
  auto left = ids();
  ASSERT_EQ(left.size(), 1u);
  auto dsn = queue_->load(left[0]);
  ASSERT_TRUE(dsn);
  EXPECT_EQ(dsn->message.recipients[0].address, "a@x.test");
  EXPECT_NE(dsn->message.body.find("Final-Recipient: rfc822; c@y.test\r\nAction: failed\r\n"
                                   "Status: 5.1.1\r\n"),
            std::string::npos);
  EXPECT_EQ(dsn->message.body.find("rfc822; b@y.test"), std::string::npos);
}

TEST_F(QueueWorkerTest, NullSenderNeverBounces) {
  smtp_->script.replies["RCPT"] = "550 5.1.1 no such user";
  enqueue("", {"b@y.test"});
  Worker w = worker();
  EXPECT_EQ(run_once(w), 1u);
  EXPECT_TRUE(ids().empty());
}

TEST_F(QueueWorkerTest, NotifyNeverSuppressesTheBounce) {
  smtp_->script.replies["RCPT"] = "550 5.1.1 no such user";
  delivery::OutboundMessage m;
  m.envelope_sender = "a@x.test";
  m.recipients.push_back({"b@y.test", "", delivery::Notify{true, false, false, false}});
  m.body = "Subject: x\r\n\r\n";
  ASSERT_TRUE(queue_->enqueue(m));
  Worker w = worker();
  EXPECT_EQ(run_once(w), 1u);
  EXPECT_TRUE(ids().empty());
  EXPECT_EQ(smtp_->commands[2], "RCPT TO:<b@y.test> NOTIFY=NEVER");
}

TEST_F(QueueWorkerTest, SuccessNotifyToAServerWithoutDsnGivesARelayedNotice) {
  smtp_->script.ehlo = "250-fake.test\r\n250 8BITMIME";  // no DSN
  delivery::OutboundMessage m;
  m.envelope_sender = "a@x.test";
  m.recipients.push_back(
      {"b@y.test", "rfc822;b@y.test", delivery::Notify{false, true, true, false}});
  m.envid = "ENV7";
  m.body = "Subject: x\r\n\r\n";
  std::string id = *queue_->enqueue(m);
  Worker w = worker();
  EXPECT_EQ(run_once(w), 1u);
  auto left = ids();
  ASSERT_EQ(left.size(), 1u);
  auto dsn = queue_->load(left[0]);
  ASSERT_TRUE(dsn);
  EXPECT_NE(dsn->message.body.find("Subject: Delivery Status Notification\r\n"), std::string::npos);
  EXPECT_NE(dsn->message.body.find("Original-Envelope-Id: ENV7\r\n"), std::string::npos);
  EXPECT_NE(dsn->message.body.find("Original-Recipient: rfc822; b@y.test\r\nFinal-Recipient: "
                                   "rfc822; b@y.test\r\nAction: relayed\r\nStatus: 2.0.0\r\n"),
            std::string::npos)
      << dsn->message.body;
  // Without DSN at the peer, no NOTIFY/ORCPT/ENVID parameters were sent.
  EXPECT_EQ(smtp_->commands[2], "RCPT TO:<b@y.test>");
}

TEST_F(QueueWorkerTest, LocalSenderGetsTheBounceInItsInbox) {
  store::MemoryStore store;
  blob::MemoryBlobStore blobs;
  ASSERT_TRUE(store.add_domain("x.test"));
  ASSERT_TRUE(store.create_account("a@x.test", "{X}"));
  smtp_->script.replies["RCPT"] = "550 5.1.1 no such user";
  enqueue("a@x.test", {"b@y.test"});
  Worker w = worker(&store, &blobs);
  EXPECT_EQ(run_once(w), 1u);
  EXPECT_TRUE(ids().empty());
  auto account = store.find_account("a@x.test");
  auto inbox = store.find_mailbox_by_role(account->id, MailboxRole::inbox);
  auto messages = store.list_messages(inbox->id);
  ASSERT_EQ(messages->size(), 1u);
  std::string bytes = *blobs.get((*messages)[0].blob);
  EXPECT_TRUE(
      bytes.starts_with("Return-Path: <>\r\nFrom: Mail Delivery System "
                        "<MAILER-DAEMON@mail.x.test>\r\nTo: <a@x.test>\r\n"))
      << bytes;
}

TEST_F(QueueWorkerTest, MxLookupThroughTheConfiguredResolver) {
  options_.route.relay.reset();
  options_.route.smtp_port = port_;
  dns_.add_mx("y.test", 10, "mx.y.test");
  dns_.add_a("mx.y.test", "127.0.0.1");
  std::string id = enqueue("a@x.test", {"b@y.test"});
  Worker w = worker();
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(run_once(w), 1u);
  std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_TRUE(ids().empty());
  EXPECT_NE(log.find(fmt::format("{}: to=<b@y.test>, relay=mx.y.test[127.0.0.1]:{}, delay=0.0, "
                                 "dsn=2.0.0, status=sent",
                                 id, port_)),
            std::string::npos)
      << log;
}

TEST_F(QueueWorkerTest, NonexistentDomainBouncesWithoutConnecting) {
  options_.route.relay.reset();
  // gone.test is unknown to the resolver: NXDOMAIN.
  enqueue("a@x.test", {"b@gone.test"});
  Worker w = worker();
  EXPECT_EQ(run_once(w), 1u);
  auto left = ids();
  ASSERT_EQ(left.size(), 1u);
  auto dsn = queue_->load(left[0]);
  EXPECT_NE(dsn->message.body.find("Status: 5.1.2\r\nDiagnostic-Code: X-Postamt; gone.test: no "
                                   "such domain\r\n"),
            std::string::npos)
      << dsn->message.body;
  EXPECT_EQ(smtp_->sessions, 0);
}

TEST_F(QueueWorkerTest, ConnectionRefusedDefers) {
  // Port 1 (tcpmux) has no listener on a test machine: the kernel refuses at once.
  std::string id = enqueue("a@x.test", {"b@y.test"});
  options_.route.relay = std::pair<std::string, uint16_t>{"127.0.0.1", 1};
  Worker w = worker();
  EXPECT_EQ(run_once(w), 1u);
  auto m = queue_->load(id);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->status[0].state, RecipientState::pending);
  EXPECT_EQ(m->status[0].status, "4.4.1");
  EXPECT_TRUE(m->status[0].diagnostic.starts_with("connect to 127.0.0.1[127.0.0.1]:1: "))
      << m->status[0].diagnostic;
}

TEST_F(QueueWorkerTest, HeldMessagesWaitAndCorruptFilesAreQuarantined) {
  std::string id = enqueue("a@x.test", {"b@y.test"});
  auto m = queue_->load(id);
  m->held = true;
  ASSERT_TRUE(queue_->save(*m));
  testing::write_file(dir_.root() / "queue" / "Broken1", "not a queue file");
  Worker w = worker();
  EXPECT_EQ(run_once(w), 0u);
  EXPECT_EQ(ids(), std::vector<std::string>{id});
  EXPECT_TRUE(std::filesystem::exists(dir_.root() / "queue" / "corrupt" / "Broken1"));
  EXPECT_EQ(smtp_->sessions, 0);
}

TEST_F(QueueWorkerTest, DamagedFilesAreQuarantinedNeverTriedNorDeleted) {
  std::string id = enqueue("a@x.test", {"b@y.test"});
  const std::string good = testing::read_file(dir_.root() / "queue" / id);
  ASSERT_TRUE(queue_->remove(id));
  // A time that overflowed the TimePoint (seeds/spool/next-overflow), and a body cut short
  // behind a header that parses.
  const size_t next = good.find("\nnext ") + 1;
  const std::string huge_next =
      good.substr(0, next) + "next 7777777777400" + good.substr(good.find('\n', next));
  const std::string short_body = good.substr(0, good.size() - 1);
  testing::write_file(dir_.root() / "queue" / "HugeNext", huge_next);
  testing::write_file(dir_.root() / "queue" / "ShortBody", short_body);
  Worker w = worker();
  ::testing::internal::CaptureStderr();
  run_once(w);
  std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_TRUE(ids().empty());
  EXPECT_EQ(testing::read_file(dir_.root() / "queue" / "corrupt" / "HugeNext"), huge_next);
  EXPECT_EQ(testing::read_file(dir_.root() / "queue" / "corrupt" / "ShortBody"), short_body);
  EXPECT_NE(log.find("HugeNext: corrupt queue file: next 7777777777400 is after the year 2100; "
                     "moved to corrupt/\n"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("ShortBody: corrupt queue file: body size mismatch; moved to corrupt/\n"),
            std::string::npos)
      << log;
  EXPECT_EQ(smtp_->sessions, 0);
  run_once(w);  // nothing left to try
  EXPECT_EQ(smtp_->sessions, 0);
}

TEST_F(QueueWorkerTest, RemoveDuringAnAttemptStaysRemoved) {
  std::string id = enqueue("a@x.test", {"b@y.test"});
  auto [r, log] = attempt_while(id, [&] { EXPECT_TRUE(queue_remove(*queue_, id)); });
  EXPECT_TRUE(r) << r.error().message;
  EXPECT_TRUE(ids().empty());
  EXPECT_NE(log.find(id + ": to=<b@y.test>, relay=127.0.0.1"), std::string::npos) << log;
  EXPECT_NE(
      log.find(id + ": removed by the admin during delivery; results of this attempt dropped"),
      std::string::npos)
      << log;
}

TEST_F(QueueWorkerTest, HoldDuringAnAttemptStaysHeldAndKeepsTheResults) {
  std::string id = enqueue("a@x.test", {"b@y.test"});
  auto [r, log] = attempt_while(id, [&] { EXPECT_TRUE(queue_hold(*queue_, id)); });
  EXPECT_TRUE(r) << r.error().message;
  auto m = queue_->load(id);
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->held);
  EXPECT_EQ(m->attempts, 1u);
  EXPECT_EQ(m->status[0].state, RecipientState::pending);
  EXPECT_EQ(m->status[0].diagnostic, "450 4.2.1 mailbox busy");
}

TEST_F(QueueWorkerTest, RetryDuringAnAttemptKeepsTheMessageDue) {
  std::string id = enqueue("a@x.test", {"b@y.test"});
  clock_.advance(1min);
  // The admin CLI is another process: its FileQueue does not see the server's claims.
  auto cli = FileQueue::open(dir_.root() / "queue", clock_.clock());
  ASSERT_TRUE(cli);
  auto [r, log] = attempt_while(id, [&] { EXPECT_TRUE(queue_retry(**cli, id)); });
  EXPECT_TRUE(r) << r.error().message;
  auto m = queue_->load(id);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->next_attempt, clock_.now());  // not pushed back by the attempt's backoff
  EXPECT_EQ(m->attempts, 1u);
}

TEST_F(QueueWorkerTest, RetryOfAMessageBeingDeliveredIsRefused) {
  std::string id = enqueue("a@x.test", {"b@y.test"});
  Result<std::string> retried = std::string();
  std::string owner;
  auto [r, log] = attempt_while(id, [&] {
    owner = queue_->load(id, BodyMode::skip)->claim_owner;
    retried = queue_retry(*queue_, id);
  });
  EXPECT_TRUE(r) << r.error().message;
  EXPECT_TRUE(owner.starts_with(fmt::format("mail.x.test:{}:", getpid()))) << owner;
  ASSERT_FALSE(retried);
  EXPECT_EQ(retried.error().kind, ErrorKind::temporary);
  // The lease (claim_lease, 2 minutes) from the fake clock's 2027-01-15 08:00:00.
  EXPECT_EQ(retried.error().message,
            fmt::format("{}: being delivered by {} until Fri, 15 Jan 2027 08:02:00 +0000; not "
                        "rescheduled",
                        id, owner));
  auto m = queue_->load(id, BodyMode::skip);
  EXPECT_EQ(m->claim_owner, "");  // released after recording
  EXPECT_EQ(m->next_attempt, clock_.now() + 5min);
}

}  // namespace
}  // namespace postamt::queue
