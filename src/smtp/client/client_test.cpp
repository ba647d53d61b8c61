// The outbound client against a scripted server on a real loopback socket.
#include "smtp/client/client.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "net/runtime.h"
#include "net/server.h"
#include "net/testing/run.h"
#include "net/tls.h"
#include "smtp/client/testing/fake_smtp_server.h"

namespace postamt::smtp::client {
namespace {

using namespace std::chrono_literals;
using testing::FakeSmtpState;

net::awaitable<Delivery> dial_and_deliver(uint16_t port, Envelope env, Options options) {
  // g++ 12: no temporaries inside a co_await expression; build the awaitable first.
  auto connect_task = net::connect("127.0.0.1", port, 5s);
  auto conn = co_await std::move(connect_task);
  if (!conn) {
    Delivery d;
    d.recipients.resize(1);
    d.recipients[0].diagnostic = "connect failed: " + conn.error().message;
    co_return d;
  }
  auto deliver_task = deliver(**conn, std::move(env), std::move(options));
  co_return co_await std::move(deliver_task);
}

class SmtpClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("postamt-client-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    ASSERT_TRUE(
        net::ensure_self_signed((dir_ / "c.pem").string(), (dir_ / "k.pem").string(), "fake.test"));
    auto tls = net::TlsContext::load((dir_ / "c.pem").string(), (dir_ / "k.pem").string());
    ASSERT_TRUE(tls);
    runtime_.start();
    server_ = std::make_unique<net::Server>(runtime_, net::Limits{}, *tls);
    state_ = std::make_shared<FakeSmtpState>();
    port_ = testing::listen_fake_smtp(*server_, state_);
    ASSERT_NE(port_, 0);
  }
  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(dir_);
  }

  Envelope envelope() {
    Envelope e;
    e.sender = "a@x.test";
    e.recipients = {{"b@y.test", "", ""}, {"c@y.test", "", ""}};
    e.body = "Subject: hi\r\n\r\n.leading dot\r\nbody\r\n";
    return e;
  }
  Delivery run(Envelope e, Options o = {}) {
    if (o.helo_name.empty()) o.helo_name = "mx.x.test";
    return net::testing::block_on(runtime_, dial_and_deliver(port_, std::move(e), std::move(o)));
  }
  std::vector<std::string> commands() {
    std::lock_guard lock(state_->mutex);
    return state_->commands;
  }

  std::filesystem::path dir_;
  net::Runtime runtime_{net::RuntimeOptions{.network_threads = 1}};
  std::unique_ptr<net::Server> server_;
  std::shared_ptr<FakeSmtpState> state_;
  uint16_t port_ = 0;
};

TEST(SmtpClientDotStuff, StuffsLeadingDotsAndTerminates) {
  EXPECT_EQ(dot_stuff(".a\r\nb\r\n..c\r\n"), "..a\r\nb\r\n...c\r\n.\r\n");
  EXPECT_EQ(dot_stuff("no newline"), "no newline\r\n.\r\n");
  EXPECT_EQ(dot_stuff(""), ".\r\n");
  EXPECT_EQ(dot_stuff("x\r\n.\r\n"), "x\r\n..\r\n.\r\n");
}

TEST_F(SmtpClientTest, SuccessSendsEveryCommandWithExtensionsAndDotStuffedData) {
  Envelope e = envelope();
  e.envid = "id+1";
  e.ret = DsnReturn::headers;
  e.recipients[0].notify = "SUCCESS,FAILURE";
  e.recipients[0].orcpt = "rfc822;B@y.test";
  Delivery d = run(e);
  ASSERT_EQ(d.recipients.size(), 2u);
  for (const auto& r : d.recipients) {
    EXPECT_EQ(r.outcome, Outcome::sent);
    EXPECT_EQ(r.status, "2.0.0");
    EXPECT_EQ(r.diagnostic, "250 2.0.0 Ok: queued as FAKE1");
  }
  EXPECT_TRUE(d.recipients[0].dsn_passed_on);
  EXPECT_FALSE(d.recipients[1].dsn_passed_on);
  EXPECT_FALSE(d.tls);
  std::vector<std::string> want = {
      "EHLO mx.x.test",
      "MAIL FROM:<a@x.test> SIZE=35 RET=HDRS ENVID=id+2B1",
      "RCPT TO:<b@y.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;B@y.test",
      "RCPT TO:<c@y.test>",
      "DATA",
      "QUIT"};
  EXPECT_EQ(commands(), want);
  std::lock_guard lock(state_->mutex);
  EXPECT_EQ(state_->data, "Subject: hi\r\n\r\n..leading dot\r\nbody\r\n");
}

TEST_F(SmtpClientTest, WithoutDsnOrSizeNoParametersAreSent) {
  state_->script.ehlo = "250 fake.test";
  Envelope e = envelope();
  e.envid = "x";
  e.recipients[0].notify = "NEVER";
  e.body = "Subject: \xc3\xa4\r\n\r\nx\r\n";
  Delivery d = run(e);
  EXPECT_EQ(d.recipients[0].outcome, Outcome::sent);
  EXPECT_FALSE(d.recipients[0].dsn_passed_on);
  auto c = commands();
  ASSERT_GE(c.size(), 3u);
  EXPECT_EQ(c[1], "MAIL FROM:<a@x.test>");
  EXPECT_EQ(c[2], "RCPT TO:<b@y.test>");
}

TEST_F(SmtpClientTest, EightBitBodyGetsBody8BitMime) {
  Envelope e = envelope();
  e.body = "Subject: \xc3\xa4\r\n\r\nx\r\n";
  Delivery d = run(e);
  EXPECT_EQ(d.recipients[0].outcome, Outcome::sent);
  EXPECT_EQ(commands()[1], "MAIL FROM:<a@x.test> SIZE=18 BODY=8BITMIME");
}

TEST_F(SmtpClientTest, PerRecipientTemporaryAndPermanentReplies) {
  state_->script.replies["RCPT TO:<b@y.test>"] = "450 4.2.1 mailbox busy";
  state_->script.replies["RCPT TO:<c@y.test>"] = "550 5.1.1 <c@y.test>: no such user";
  Delivery d = run(envelope());
  EXPECT_EQ(d.recipients[0].outcome, Outcome::deferred);
  EXPECT_EQ(d.recipients[0].status, "4.2.1");
  EXPECT_EQ(d.recipients[0].diagnostic, "450 4.2.1 mailbox busy");
  EXPECT_EQ(d.recipients[1].outcome, Outcome::failed);
  EXPECT_EQ(d.recipients[1].status, "5.1.1");
  EXPECT_EQ(d.recipients[1].diagnostic, "550 5.1.1 <c@y.test>: no such user");
  // No recipient accepted: no DATA.
  std::vector<std::string> want = {"EHLO mx.x.test", "MAIL FROM:<a@x.test> SIZE=35",
                                   "RCPT TO:<b@y.test>", "RCPT TO:<c@y.test>", "QUIT"};
  EXPECT_EQ(commands(), want);
}

TEST_F(SmtpClientTest, DataRejectionAppliesToAcceptedRecipientsOnly) {
  state_->script.replies["RCPT TO:<c@y.test>"] = "550 5.1.1 no";
  state_->script.data_end = "554 5.7.1 spam";
  Delivery d = run(envelope());
  EXPECT_EQ(d.recipients[0].outcome, Outcome::failed);
  EXPECT_EQ(d.recipients[0].diagnostic, "554 5.7.1 spam");
  EXPECT_EQ(d.recipients[1].diagnostic, "550 5.1.1 no");
}

TEST_F(SmtpClientTest, TemporaryGreetingDefersAllWithoutEnhancedCodeDerivesClass) {
  state_->script.greeting = "421 busy, try later";
  Delivery d = run(envelope());
  for (const auto& r : d.recipients) {
    EXPECT_EQ(r.outcome, Outcome::deferred);
    EXPECT_EQ(r.status, "4.0.0");
    EXPECT_EQ(r.diagnostic, "421 busy, try later");
  }
}

TEST_F(SmtpClientTest, MailFromPermanentFailureFailsAll) {
  state_->script.replies["MAIL"] = "553 5.1.8 sender domain does not exist";
  Delivery d = run(envelope());
  EXPECT_EQ(d.recipients[0].outcome, Outcome::failed);
  EXPECT_EQ(d.recipients[1].status, "5.1.8");
  EXPECT_EQ(commands().back(), "QUIT");
}

TEST_F(SmtpClientTest, EhloRefusedFallsBackToHelo) {
  state_->script.replies["EHLO"] = "500 5.5.1 what";
  Delivery d = run(envelope());
  EXPECT_EQ(d.recipients[0].outcome, Outcome::sent);
  auto c = commands();
  ASSERT_GE(c.size(), 3u);
  EXPECT_EQ(c[1], "HELO mx.x.test");
  EXPECT_EQ(c[2], "MAIL FROM:<a@x.test>");
}

TEST_F(SmtpClientTest, MessageOverAdvertisedSizeFailsWithoutMail) {
  state_->script.ehlo = "250-fake.test\r\n250 SIZE 10";
  Delivery d = run(envelope());
  EXPECT_EQ(d.recipients[0].outcome, Outcome::failed);
  EXPECT_EQ(d.recipients[0].status, "5.3.4");
  EXPECT_EQ(d.recipients[0].diagnostic, "message size 35 exceeds the server's limit 10");
  std::vector<std::string> want = {"EHLO mx.x.test", "QUIT"};
  EXPECT_EQ(commands(), want);
}

TEST_F(SmtpClientTest, NonAsciiAddressWithoutSmtputf8Fails) {
  Envelope e = envelope();
  e.recipients[1].address = "j\xc3\xb6rg@y.test";
  Delivery d = run(e);
  EXPECT_EQ(d.recipients[1].outcome, Outcome::failed);
  EXPECT_EQ(d.recipients[1].status, "5.6.7");
}

TEST_F(SmtpClientTest, StartTlsWhenOfferedThenEhloAgain) {
  state_->script.ehlo = "250-fake.test\r\n250 STARTTLS";
  auto tls = net::TlsClientContext::create(net::TlsVerify::opportunistic);
  ASSERT_TRUE(tls);
  Options o;
  o.tls = *tls;
  o.server_name = "fake.test";
  Delivery d = run(envelope(), o);
  EXPECT_EQ(d.recipients[0].outcome, Outcome::sent);
  ASSERT_TRUE(d.tls);
  EXPECT_FALSE(d.tls->version.empty());
  auto c = commands();
  ASSERT_GE(c.size(), 4u);
  EXPECT_EQ(c[0], "EHLO mx.x.test");
  EXPECT_EQ(c[1], "STARTTLS");
  EXPECT_EQ(c[2], "EHLO mx.x.test");
  EXPECT_EQ(c[3], "MAIL FROM:<a@x.test> SIZE=35");
  std::lock_guard lock(state_->mutex);
  EXPECT_TRUE(state_->saw_tls);
}

TEST_F(SmtpClientTest, RefusedStartTlsContinuesInPlaintext) {
  state_->script.ehlo = "250-fake.test\r\n250 STARTTLS";
  state_->script.replies["STARTTLS"] = "454 4.7.0 TLS not available";
  auto tls = net::TlsClientContext::create(net::TlsVerify::opportunistic);
  ASSERT_TRUE(tls);
  Options o;
  o.tls = *tls;
  Delivery d = run(envelope(), o);
  EXPECT_EQ(d.recipients[0].outcome, Outcome::sent);
  EXPECT_FALSE(d.tls);
  EXPECT_EQ(commands()[2], "MAIL FROM:<a@x.test>");
}

TEST_F(SmtpClientTest, ConnectionLostMidTransactionDefers) {
  // The server answers DATA's end with nothing and closes: simulated by a greeting that
  // is not followed by anything useful (the reply line is garbage).
  state_->script.replies["MAIL"] = "garbage";
  Delivery d = run(envelope());
  EXPECT_EQ(d.recipients[0].outcome, Outcome::deferred);
  EXPECT_EQ(d.recipients[0].status, "4.4.2");
  EXPECT_TRUE(d.recipients[0].diagnostic.starts_with("bad reply to MAIL FROM: "))
      << d.recipients[0].diagnostic;
}

}  // namespace
}  // namespace postamt::smtp::client

namespace postamt::smtp::client {
namespace {

// RFC 4616 §4, first example: authzid empty, authcid "tim", password "tanstaaftanstaaf".
TEST(SmtpClientAuth, PlainInitialResponseIsRfc4616) {
  EXPECT_EQ(auth_plain_command({"tim", "tanstaaftanstaaf"}),
            "AUTH PLAIN AHRpbQB0YW5zdGFhZnRhbnN0YWFm");
}

}  // namespace
}  // namespace postamt::smtp::client
