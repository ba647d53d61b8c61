// The delivery worker's TLS policy end to end: a fake resolver (secure MX, address and
// TLSA answers), a scripted SMTP server with a real certificate on loopback, real
// handshakes (DANE through OpenSSL, PKIX), MTA-STS through a fake policy source, and the
// smart host's AUTH.
#include <gtest/gtest.h>

#include <mutex>

#include "dns/testing/fake_resolver.h"
#include "net/server.h"
#include "net/testing/run.h"
#include "net/tls.h"
#include "queue/test_support.h"
#include "queue/worker.h"
#include "smtp/client/testing/fake_smtp_server.h"
#include "support/files.h"

namespace postamt::queue {
namespace {

using namespace std::chrono_literals;
using smtp::client::testing::FakeSmtpState;

class RecordedAttempts final : public TlsAttemptSink {
 public:
  void record(const TlsAttempt& a) override {
    std::lock_guard lock(mutex_);
    lines_.push_back(fmt::format("{} {} {} {} {} {}", a.domain, a.policy_type, a.mx_host, a.address,
                                 a.success ? "success" : "failure", a.failure));
  }
  std::vector<std::string> lines() {
    std::lock_guard lock(mutex_);
    return lines_;
  }

 private:
  std::mutex mutex_;
  std::vector<std::string> lines_;
};

class FakeSts final : public StsPolicySource {
 public:
  std::optional<Policy> policy;
  net::awaitable<Result<std::optional<Policy>>> lookup(std::string) override { co_return policy; }
};

class WorkerTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cert_ = dir_.path("cert.pem");
    ASSERT_TRUE(net::ensure_self_signed(cert_, dir_.path("key.pem"), "mx.y.test"));
    auto tls = net::TlsContext::load(cert_, dir_.path("key.pem"));
    ASSERT_TRUE(tls);
    runtime_.start();
    server_ = std::make_unique<net::Server>(runtime_, net::Limits{}, *tls);
    smtp_ = std::make_shared<FakeSmtpState>();
    smtp_->script.ehlo = "250-fake.test\r\n250-STARTTLS\r\n250 8BITMIME";
    smtp_->script.ehlo_after_tls = "250-fake.test\r\n250 8BITMIME";
    port_ = smtp::client::testing::listen_fake_smtp(*server_, smtp_);
    ASSERT_NE(port_, 0);
    auto q = FileQueue::open(dir_.root() / "queue", clock_.clock());
    ASSERT_TRUE(q);
    queue_ = std::move(*q);
    options_.hostname = "mail.x.test";
    options_.retry.max_age = 1h;
    options_.connect_timeout = 5s;
    options_.route.smtp_port = port_;
    options_.tls = trusting(cert_);
    // y.test: a secure MX and address, as a validating resolver would answer.
    dns_.add_mx("y.test", 10, "mx.y.test");
    dns_.add_a("mx.y.test", "127.0.0.1");
    dns_.set_secure("y.test", true);
    dns_.set_secure("mx.y.test", true);
    digest_ = *net::spki_sha256(testing::read_file(cert_));
  }
  void TearDown() override { server_.reset(); }

  static std::shared_ptr<const net::TlsClientContext> trusting(const std::string& ca) {
    auto c = net::TlsClientContext::create(net::TlsVerify::verify, ca);
    EXPECT_TRUE(c);
    return *c;
  }
  std::string tlsa_owner() const { return fmt::format("_{}._tcp.mx.y.test", port_); }
  void add_tlsa(dns::TlsaRecord r) {
    dns_.add_tlsa(tlsa_owner(), std::move(r));
    dns_.set_secure(tlsa_owner(), true);
  }
  std::string enqueue() {
    delivery::OutboundMessage m;
    m.envelope_sender = "a@x.test";
    m.recipients.push_back({"b@y.test", "", delivery::Notify{}});
    m.body = "Subject: test\r\n\r\nhello\r\n";
    auto id = queue_->enqueue(m);
    EXPECT_TRUE(id);
    return *id;
  }
  // One attempt; returns the log.
  std::string attempt(const std::string& id) {
    Worker w(
        WorkerDeps{queue_.get(), &dns_, &runtime_, delivery::Services{}, nullptr, &sts_, &reports_},
        options_);
    ::testing::internal::CaptureStderr();
    auto r = net::testing::block_on(runtime_, w.attempt(id));
    EXPECT_TRUE(r) << r.error().message;
    return ::testing::internal::GetCapturedStderr();
  }
  std::vector<std::string> commands() {
    std::lock_guard lock(smtp_->mutex);
    return smtp_->commands;
  }
  bool got_mail() {
    for (const auto& c : commands())
      if (c.starts_with("MAIL")) return true;
    return false;
  }
  std::string deferred_line(const std::string& id, std::string_view status,
                            std::string_view reason) {
    return fmt::format("{}: to=<b@y.test>, relay={}, delay=0.0, dsn={}, status=deferred ({})\n", id,
                       relay_, status, reason);
  }
  RecipientStatus saved(const std::string& id) { return queue_->load(id)->status.at(0); }

  testing::TempDir dir_;
  std::string cert_, digest_;
  testing::FakeClock clock_;
  dns::testing::FakeResolver dns_;
  FakeSts sts_;
  RecordedAttempts reports_;
  net::Runtime runtime_{net::RuntimeOptions{.network_threads = 1}};
  std::unique_ptr<net::Server> server_;
  std::shared_ptr<FakeSmtpState> smtp_;
  uint16_t port_ = 0;
  std::string relay_;
  std::unique_ptr<FileQueue> queue_;
  WorkerOptions options_;
};

TEST_F(WorkerTlsTest, DaneEeRecordMatchingTheKeyDelivers) {
  add_tlsa({3, 1, 1, digest_});
  options_.tls = trusting("");  // the system store: DANE-EE needs no CA at all
  std::string id = enqueue();
  std::string log = attempt(id);
  EXPECT_NE(log.find("status=sent"), std::string::npos) << log;
  EXPECT_TRUE(queue_->list()->empty());
  std::lock_guard lock(smtp_->mutex);
  EXPECT_TRUE(smtp_->saw_tls);
  EXPECT_EQ(reports_.lines(), std::vector<std::string>{"y.test tlsa mx.y.test 127.0.0.1 success "});
}

TEST_F(WorkerTlsTest, DaneMismatchDefersWithTheReasonAndSendsNothing) {
  add_tlsa({3, 1, 1, std::string(32, '\x42')});
  std::string id = enqueue();
  std::string log = attempt(id);
  relay_ = fmt::format("mx.y.test[127.0.0.1]:{}", port_);
  EXPECT_NE(log.find(deferred_line(
                id, "4.7.5",
                "TLS required by DANE for mx.y.test: certificate does not match the TLSA records")),
            std::string::npos)
      << log;
  EXPECT_FALSE(got_mail());
  EXPECT_EQ(saved(id).status, "4.7.5");
  EXPECT_EQ(saved(id).diagnostic,
            "TLS required by DANE for mx.y.test: certificate does not match the TLSA records");
  EXPECT_EQ(reports_.lines(),
            std::vector<std::string>{"y.test tlsa mx.y.test 127.0.0.1 failure tlsa-invalid"});
}

TEST_F(WorkerTlsTest, FailedTlsaLookupDefersWithoutConnecting) {
  dns_.fail(tlsa_owner(), ErrorKind::temporary, "SERVFAIL");
  std::string id = enqueue();
  std::string log = attempt(id);
  relay_ = "none";
  EXPECT_NE(log.find(deferred_line(
                id, "4.7.5", "TLS required by DANE for mx.y.test: TLSA lookup failed: SERVFAIL")),
            std::string::npos)
      << log;
  std::lock_guard lock(smtp_->mutex);
  EXPECT_EQ(smtp_->sessions, 0);
}

TEST_F(WorkerTlsTest, InsecureMxIgnoresTlsaAndDeliversOpportunistically) {
  dns_.set_secure("y.test", false);
  add_tlsa({3, 1, 1, std::string(32, '\x42')});  // would fail; must not be looked at
  options_.tls = trusting("");                   // the certificate is not trusted
  std::string id = enqueue();
  std::string log = attempt(id);
  EXPECT_NE(log.find("status=sent"), std::string::npos) << log;
  EXPECT_EQ(dns_.lookups(tlsa_owner()), 0);
}

TEST_F(WorkerTlsTest, VerifyPolicyWithAnUntrustedCertificateDefers) {
  dns_.set_secure("y.test", false);
  options_.tls_policy.domains["y.test"] = TlsMode::verify;
  options_.tls = trusting("");
  std::string id = enqueue();
  std::string log = attempt(id);
  relay_ = fmt::format("mx.y.test[127.0.0.1]:{}", port_);
  EXPECT_NE(log.find(deferred_line(id, "4.7.5",
                                   "TLS required by policy for mx.y.test: certificate "
                                   "verification failed: self-signed certificate")),
            std::string::npos)
      << log;
  EXPECT_FALSE(got_mail());
}

TEST_F(WorkerTlsTest, VerifyPolicyWithoutStarttlsNeverFallsBackToPlaintext) {
  smtp_->script.ehlo = "250-fake.test\r\n250 8BITMIME";
  options_.tls_policy.domains["y.test"] = TlsMode::verify;
  std::string id = enqueue();
  std::string log = attempt(id);
  relay_ = fmt::format("mx.y.test[127.0.0.1]:{}", port_);
  EXPECT_NE(log.find(deferred_line(id, "4.7.4",
                                   "TLS required by policy for mx.y.test: STARTTLS not offered")),
            std::string::npos)
      << log;
  EXPECT_EQ(commands(), (std::vector<std::string>{"EHLO mail.x.test", "QUIT"}));
  EXPECT_EQ(reports_.lines(),
            std::vector<std::string>{"y.test no-policy-found mx.y.test 127.0.0.1 failure "
                                     "starttls-not-supported"});
}

TEST_F(WorkerTlsTest, MtaStsEnforceSkipsUnlistedMxAndVerifiesListedOnes) {
  dns_.set_secure("y.test", false);
  options_.tls_policy.default_mode = TlsMode::opportunistic;
  sts_.policy = StsPolicySource::Policy{StsMode::enforce,
                                        [](std::string_view h) { return h == "other.y.test"; }};
  std::string id = enqueue();
  std::string log = attempt(id);
  relay_ = "none";
  EXPECT_NE(log.find(deferred_line(
                id, "4.7.5", "TLS required by MTA-STS: mx.y.test is not an MX host of the policy")),
            std::string::npos)
      << log;
  EXPECT_EQ(smtp_->sessions, 0);

  sts_.policy->mx_matches = [](std::string_view h) { return h == "mx.y.test"; };
  log = attempt(id);
  EXPECT_NE(log.find("status=sent"), std::string::npos) << log;
  EXPECT_EQ(reports_.lines().back(), "y.test sts mx.y.test 127.0.0.1 success ");
}

TEST_F(WorkerTlsTest, MtaStsTestingReportsAFailedCheckButDelivers) {
  dns_.set_secure("y.test", false);
  options_.tls = trusting("");
  sts_.policy = StsPolicySource::Policy{StsMode::testing, [](std::string_view) { return true; }};
  std::string id = enqueue();
  std::string log = attempt(id);
  EXPECT_NE(log.find("status=sent"), std::string::npos) << log;
  EXPECT_EQ(
      reports_.lines(),
      std::vector<std::string>{"y.test sts mx.y.test 127.0.0.1 failure certificate-not-trusted"});
}

class RelayAuthTest : public WorkerTlsTest {
 protected:
  void SetUp() override {
    WorkerTlsTest::SetUp();
    smtp_->script.ehlo_after_tls = "250-fake.test\r\n250-AUTH LOGIN PLAIN\r\n250 8BITMIME";
    options_.route.relay = std::pair<std::string, uint16_t>{"mx.y.test", port_};
    options_.relay_tls_required = true;
    options_.relay_credentials = smtp::client::Credentials{"user", "secret"};
    relay_ = fmt::format("mx.y.test[127.0.0.1]:{}", port_);
  }
};

TEST_F(RelayAuthTest, PlainOverVerifiedTlsIsSentAsRfc4616Says) {
  smtp_->script.replies["AUTH"] = "235 2.7.0 Authentication successful";
  std::string id = enqueue();
  std::string log = attempt(id);
  EXPECT_NE(log.find("status=sent"), std::string::npos) << log;
  // base64("\0user\0secret"), RFC 4616 §2 with an empty authzid.
  EXPECT_EQ(commands(),
            (std::vector<std::string>{"EHLO mail.x.test", "STARTTLS", "EHLO mail.x.test",
                                      "AUTH PLAIN AHVzZXIAc2VjcmV0", "MAIL FROM:<a@x.test>",
                                      "RCPT TO:<b@y.test>", "DATA", "QUIT"}));
  EXPECT_EQ(log.find("secret"), std::string::npos);
}

TEST_F(RelayAuthTest, LoginWhenOnlyLoginIsOffered) {
  smtp_->script.ehlo_after_tls = "250-fake.test\r\n250 AUTH LOGIN";
  smtp_->script.replies["AUTH LOGIN"] = "334 VXNlcm5hbWU6";
  smtp_->script.replies["dXNlcg=="] = "334 UGFzc3dvcmQ6";
  smtp_->script.replies["c2VjcmV0"] = "235 2.7.0 Authentication successful";
  std::string id = enqueue();
  std::string log = attempt(id);
  EXPECT_NE(log.find("status=sent"), std::string::npos) << log;
  auto c = commands();
  ASSERT_GE(c.size(), 6u);
  EXPECT_EQ(c[3], "AUTH LOGIN");
  EXPECT_EQ(c[4], "dXNlcg==");
  EXPECT_EQ(c[5], "c2VjcmV0");
}

TEST_F(RelayAuthTest, RefusedCredentialsAreDeferred) {
  smtp_->script.replies["AUTH"] = "535 5.7.8 Authentication credentials invalid";
  std::string id = enqueue();
  std::string log = attempt(id);
  EXPECT_NE(log.find(deferred_line(id, "4.7.8",
                                   "mx.y.test refused the credentials: 535 5.7.8 Authentication "
                                   "credentials invalid")),
            std::string::npos)
      << log;
  EXPECT_FALSE(got_mail());
  EXPECT_EQ(saved(id).state, RecipientState::pending);
}

TEST_F(RelayAuthTest, RelayWithoutStarttlsNeverSeesThePassword) {
  smtp_->script.ehlo = "250-fake.test\r\n250 AUTH PLAIN";
  std::string id = enqueue();
  std::string log = attempt(id);
  EXPECT_NE(
      log.find(deferred_line(
          id, "4.7.4", "TLS required by the relay settings for mx.y.test: STARTTLS not offered")),
      std::string::npos)
      << log;
  EXPECT_EQ(commands(), (std::vector<std::string>{"EHLO mail.x.test", "QUIT"}));
}

TEST_F(RelayAuthTest, RelayWithoutAuthIsDeferred) {
  smtp_->script.ehlo_after_tls = "250-fake.test\r\n250 8BITMIME";
  std::string id = enqueue();
  std::string log = attempt(id);
  EXPECT_NE(log.find(deferred_line(id, "4.7.0", "mx.y.test offers no AUTH PLAIN or LOGIN")),
            std::string::npos)
      << log;
  EXPECT_FALSE(got_mail());
}

}  // namespace
}  // namespace postamt::queue
