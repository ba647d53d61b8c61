// Server, TcpConnection and TLS over real loopback sockets.
#include "net/server.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>

#include "net/line_reader.h"
#include "net/runtime.h"
#include "net/testing/run.h"
#include "support/files.h"

namespace postamt::net {

using postamt::testing::read_file;
using postamt::testing::TempDir;
using postamt::testing::write_file;

namespace {

using namespace std::chrono_literals;
using testing::block_on;

std::atomic<size_t> g_discarded{0};
std::atomic<int> g_flood_result{-1};

std::string_view admission_name(Admission a) {
  switch (a) {
    case Admission::accepted:
      return "accepted";
    case Admission::too_many_from_ip:
      return "too_many_from_ip";
    case Admission::too_many_for_service:
      return "too_many_for_service";
    case Admission::too_many_total:
      return "too_many_total";
  }
  return "?";
}

// A tiny line protocol: greeting, then echo; STARTTLS, TLSINFO, PEER, QUIT.
awaitable<void> echo_session(std::unique_ptr<Connection> conn, SessionContext ctx) {
  if (ctx.admission != Admission::accepted) {
    char byte;
    auto r = co_await conn->read_some(std::span<char>(&byte, 1), 1s);
    (void)co_await conn->write(fmt::format("421 {} read={}\r\n", admission_name(ctx.admission),
                                           r ? "ok" : to_string(r.error().kind)),
                               5s);
    co_return;
  }
  (void)co_await conn->write(
      fmt::format("220 {} {}\r\n", ctx.service, conn->is_tls() ? "tls" : "plain"), 5s);
  LineReader reader(*conn);
  for (;;) {
    auto line = co_await reader.read_line(1000, 30s);
    if (!line) {
      if (conn->shutdown_requested()) (void)co_await conn->write("421 shutting down\r\n", 5s);
      co_return;
    }
    std::string reply;
    if (line->text == "STARTTLS") {
      (void)co_await conn->write("220 go\r\n", 5s);
      g_discarded = reader.discard_buffered();
      if (!co_await conn->start_tls(5s)) co_return;
      continue;
    } else if (line->text == "TLSINFO") {
      auto info = conn->tls_info();
      reply = info ? fmt::format("250 {} {} {}\r\n", info->version, info->cipher, info->bits)
                   : "250 none\r\n";
    } else if (line->text == "PEER") {
      reply = fmt::format("250 {} loopback={} local={}\r\n", conn->remote().address,
                          conn->remote_is_loopback() ? "yes" : "no", conn->local().to_string());
    } else if (line->text == "QUIT") {
      (void)co_await conn->write("221 bye\r\n", 5s);
      co_return;
    } else {
      reply = "250 echo " + line->text + "\r\n";
    }
    if (!co_await conn->write(reply, 5s)) co_return;
  }
}

awaitable<void> short_timeout_session(std::unique_ptr<Connection> conn, SessionContext) {
  LineReader reader(*conn);
  auto line = co_await reader.read_line(1000, 20ms);
  (void)co_await conn->write(
      fmt::format("421 {}\r\n", line ? "line" : to_string(line.error().kind)), 5s);
}

// Never reads: keeps writing until the write fails.
awaitable<void> flood_session(std::unique_ptr<Connection> conn, SessionContext) {
  std::string big(64 << 20, 'x');
  auto r = co_await conn->write(big, 60s);
  g_flood_result = r ? 100 : static_cast<int>(r.error().kind);
}

// Ignores the request to finish.
awaitable<void> stubborn_session(std::unique_ptr<Connection> conn, SessionContext) {
  char buffer[64];
  (void)co_await conn->read_some(buffer, 30s);
  co_await sleep(1h);
}

// Client side: a connection with its reader.
struct Client {
  std::unique_ptr<Connection> conn;
  std::unique_ptr<LineReader> reader;
};

awaitable<Result<Client>> dial(uint16_t port) {
  auto conn = co_await connect("127.0.0.1", port, 5s);
  if (!conn) co_return conn.error();
  Client c{std::move(*conn), nullptr};
  c.reader = std::make_unique<LineReader>(*c.conn);
  co_return c;
}

// The next line, or "error:<kind>".
awaitable<std::string> next_line(Client* c) {
  auto line = co_await c->reader->read_line(1000, 10s);
  if (!line) co_return "error:" + std::string(to_string(line.error().kind));
  co_return line->text;
}

// Sends `text`, then reads `replies` lines; returns them joined with '\n'.
awaitable<std::string> exchange(Client* c, std::string text, int replies) {
  if (!text.empty()) {
    auto w = co_await c->conn->write(text, 5s);
    if (!w) co_return "write error";
  }
  std::string out;
  for (int i = 0; i < replies; ++i) {
    if (i) out += '\n';
    out += co_await next_line(c);
  }
  co_return out;
}

awaitable<std::string> start_client_tls(Client* c, std::shared_ptr<const TlsClientContext> ctx,
                                        std::string name) {
  auto r = co_await c->conn->start_tls_client(std::move(ctx), std::move(name), 5s, PeerCheck{});
  co_return r ? "ok" : "error:" + std::string(to_string(r.error().kind));
}

// A client handshake with an explicit check; "ok", or "error:<kind>:<tls_failure>:<message>".
awaitable<std::string> checked_tls(Client* c, std::shared_ptr<const TlsClientContext> ctx,
                                   std::string name, PeerCheck check) {
  auto r =
      co_await c->conn->start_tls_client(std::move(ctx), std::move(name), 5s, std::move(check));
  if (r) co_return "ok";
  co_return fmt::format("error:{}:{}:{}", to_string(r.error().kind), c->conn->tls_failure(),
                        r.error().message);
}

// A chain for DANE-TA(2) tests: a leaf for mx.dane-ta.test (valid until 2126) and the
// test CA that issued it. Test-only key material, made with `openssl req`/`x509 -req`.
constexpr const char* kDaneTaChain =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBujCCAWCgAwIBAgIUBDvEWgkMCKNmVs8PShatlWA1UUYwCgYIKoZIzj0EAwIw\n"
    "GjEYMBYGA1UEAwwPREFORS1UQSBUZXN0IENBMCAXDTI2MTIwNzA3MTIwNFoYDzIx\n"
    "MjYxMTEzMDcxMjA0WjAaMRgwFgYDVQQDDA9teC5kYW5lLXRhLnRlc3QwWTATBgcq\n"
    "hkjOPQIBBggqhkjOPQMBBwNCAAQSxEvpA4iFrjokmK2SVeB9FxARJao0hkHVwgTA\n"
    "9pO5dNUh+0HFQgMqoziA86t4xlZHHuYPEZd9WEbo2NrsAX9eo4GBMH8wGgYDVR0R\n"
    "BBMwEYIPbXguZGFuZS10YS50ZXN0MAwGA1UdEwEB/wQCMAAwEwYDVR0lBAwwCgYI\n"
    "KwYBBQUHAwEwHQYDVR0OBBYEFNAkqGt4DMM2QezaCY1GIK2ICBBDMB8GA1UdIwQY\n"
    "MBaAFPasIEv3+JNc82Ski3QJDRMGYy0pMAoGCCqGSM49BAMCA0gAMEUCIGm8UdXB\n"
    "WldLtzGzUZfGTjBVfm7czm6sTud0pm+YvlunAiEAmuWaFv3nKqvVPmpnNSYDXTmt\n"
    "MBhHtCU1TlHU8go+q3g=\n"
    "-----END CERTIFICATE-----\n"
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBnDCCAUGgAwIBAgIULaHfYSDu3RQXNPvXQZuJe6YL514wCgYIKoZIzj0EAwIw\n"
    "GjEYMBYGA1UEAwwPREFORS1UQSBUZXN0IENBMCAXDTI2MTIwNzA3MTIwM1oYDzIx\n"
    "MjYxMTEzMDcxMjAzWjAaMRgwFgYDVQQDDA9EQU5FLVRBIFRlc3QgQ0EwWTATBgcq\n"
    "hkjOPQIBBggqhkjOPQMBBwNCAAQMOEZc6zVCGcr+gp8PCVcaGgsQkaaA4tbQkK3T\n"
    "7wfLq39kHh/J282VpKRCTUMdgpMYbqBIT65wQxjx9ps8p7BNo2MwYTAdBgNVHQ4E\n"
    "FgQU9qwgS/f4k1zzZKSLdAkNEwZjLSkwHwYDVR0jBBgwFoAU9qwgS/f4k1zzZKSL\n"
    "dAkNEwZjLSkwDwYDVR0TAQH/BAUwAwEB/zAOBgNVHQ8BAf8EBAMCAgQwCgYIKoZI\n"
    "zj0EAwIDSQAwRgIhAOcA2+yXvkkSBIlERfSNe69VrfBCtAPeKqi0F034ddtoAiEA\n"
    "8vSagXR4JeNwv3b8obO8ClM+fshdo864imLL/B7qHfU=\n"
    "-----END CERTIFICATE-----\n";
constexpr const char* kDaneTaCa =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBnDCCAUGgAwIBAgIULaHfYSDu3RQXNPvXQZuJe6YL514wCgYIKoZIzj0EAwIw\n"
    "GjEYMBYGA1UEAwwPREFORS1UQSBUZXN0IENBMCAXDTI2MTIwNzA3MTIwM1oYDzIx\n"
    "MjYxMTEzMDcxMjAzWjAaMRgwFgYDVQQDDA9EQU5FLVRBIFRlc3QgQ0EwWTATBgcq\n"
    "hkjOPQIBBggqhkjOPQMBBwNCAAQMOEZc6zVCGcr+gp8PCVcaGgsQkaaA4tbQkK3T\n"
    "7wfLq39kHh/J282VpKRCTUMdgpMYbqBIT65wQxjx9ps8p7BNo2MwYTAdBgNVHQ4E\n"
    "FgQU9qwgS/f4k1zzZKSLdAkNEwZjLSkwHwYDVR0jBBgwFoAU9qwgS/f4k1zzZKSL\n"
    "dAkNEwZjLSkwDwYDVR0TAQH/BAUwAwEB/zAOBgNVHQ8BAf8EBAMCAgQwCgYIKoZI\n"
    "zj0EAwIDSQAwRgIhAOcA2+yXvkkSBIlERfSNe69VrfBCtAPeKqi0F034ddtoAiEA\n"
    "8vSagXR4JeNwv3b8obO8ClM+fshdo864imLL/B7qHfU=\n"
    "-----END CERTIFICATE-----\n";
constexpr const char* kDaneTaKey =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgqdMXxHvkp57ZoyY2\n"
    "DJz3/FnR6MQQIEopXAY9Jjae2mahRANCAAQSxEvpA4iFrjokmK2SVeB9FxARJao0\n"
    "hkHVwgTA9pO5dNUh+0HFQgMqoziA86t4xlZHHuYPEZd9WEbo2NrsAX9e\n"
    "-----END PRIVATE KEY-----\n";

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cert_ = dir_.path("cert.pem");
    key_ = dir_.path("key.pem");
    ASSERT_TRUE(ensure_self_signed(cert_, key_, "localhost"));
    auto tls = TlsContext::load(cert_, key_);
    ASSERT_TRUE(tls);
    tls_ = *tls;
    auto verify = TlsClientContext::create(TlsVerify::verify, cert_);
    ASSERT_TRUE(verify);
    verify_ = *verify;
    auto any = TlsClientContext::create(TlsVerify::opportunistic);
    ASSERT_TRUE(any);
    opportunistic_ = *any;
    runtime_.start();
  }
  void TearDown() override { server_.reset(); }

  Server& server(Limits limits = {}) {
    server_ = std::make_unique<Server>(runtime_, limits, tls_);
    return *server_;
  }
  uint16_t listen(TlsMode mode, Handler handler, std::string service = "echo") {
    auto bound = server_->add_listener(service, "127.0.0.1:0", mode, std::move(handler));
    EXPECT_TRUE(bound);
    return bound ? bound->port : 0;
  }
  Client dial_ok(uint16_t port) {
    auto c = block_on(runtime_, dial(port));
    if (!c) throw std::runtime_error(c.error().message);
    return std::move(*c);
  }
  std::string talk(Client& c, std::string text, int replies) {
    return block_on(runtime_, exchange(&c, std::move(text), replies));
  }
  void wait_for_sessions(size_t n) {
    for (int i = 0; i < 2000 && server_->session_count() != n; ++i) ::usleep(1000);
    ASSERT_EQ(server_->session_count(), n);
  }

  TempDir dir_;
  std::string cert_, key_;
  std::shared_ptr<TlsContext> tls_;
  std::shared_ptr<const TlsClientContext> verify_, opportunistic_;
  Runtime runtime_{RuntimeOptions{.network_threads = 2}};
  std::unique_ptr<Server> server_;
};

TEST_F(ServerTest, PlainEchoOnAFreePortAndTheListeningLogLine) {
  server();
  ::testing::internal::CaptureStderr();
  auto bound = server_->add_listener("echo", "127.0.0.1:0", TlsMode::plain, echo_session);
  std::string log = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(bound);
  EXPECT_EQ(bound->address, "127.0.0.1");
  EXPECT_NE(bound->port, 0);
  EXPECT_NE(log.find(fmt::format("postamt/master[{}]: listening: echo 127.0.0.1:{}\n", getpid(),
                                 bound->port)),
            std::string::npos)
      << log;

  Client c = dial_ok(bound->port);
  EXPECT_EQ(c.conn->remote().to_string(), fmt::format("127.0.0.1:{}", bound->port));
  EXPECT_TRUE(c.conn->remote_is_loopback());
  EXPECT_EQ(talk(c, "", 1), "220 echo plain");
  EXPECT_EQ(talk(c, "HELLO\r\nPEER\r\nQUIT\r\n", 4),
            fmt::format("250 echo HELLO\n250 127.0.0.1 loopback=yes local=127.0.0.1:{}\n221 "
                        "bye\nerror:closed",
                        bound->port));
}

TEST_F(ServerTest, ImplicitTlsHandshakesBeforeTheHandler) {
  server();
  uint16_t port = listen(TlsMode::implicit, echo_session, "submissions");
  Client c = dial_ok(port);
  EXPECT_EQ(block_on(runtime_, start_client_tls(&c, verify_, "localhost")), "ok");
  ASSERT_TRUE(c.conn->is_tls());
  EXPECT_EQ(c.conn->tls_info()->version, "TLSv1.3");
  EXPECT_EQ(talk(c, "", 1), "220 submissions tls");
  EXPECT_EQ(talk(c, "TLSINFO\r\n", 1),
            fmt::format("250 TLSv1.3 {} {}", c.conn->tls_info()->cipher, c.conn->tls_info()->bits));
  EXPECT_EQ(c.conn->tls_info()->cipher, "TLS_AES_256_GCM_SHA384");
  EXPECT_EQ(c.conn->tls_info()->bits, 256);
  EXPECT_EQ(talk(c, "QUIT\r\n", 2), "221 bye\nerror:closed");
}

TEST_F(ServerTest, ClientVerificationChecksTheName) {
  server();
  uint16_t port = listen(TlsMode::implicit, echo_session);
  Client wrong = dial_ok(port);
  EXPECT_EQ(block_on(runtime_, start_client_tls(&wrong, verify_, "mail.example.test")),
            "error:permission");
  Client any = dial_ok(port);
  EXPECT_EQ(block_on(runtime_, start_client_tls(&any, opportunistic_, "mail.example.test")), "ok");
  EXPECT_EQ(talk(any, "", 1), "220 echo tls");
}

// RFC 7672 §3.1.1: DANE-EE(3) matches the key alone; names and the trust store do not
// matter (the client context here trusts nothing).
TEST_F(ServerTest, DaneEeMatchesTheServerKeyWhateverTheName) {
  server();
  uint16_t port = listen(TlsMode::implicit, echo_session);
  auto digest = spki_sha256(read_file(cert_));
  ASSERT_TRUE(digest);
  ASSERT_EQ(digest->size(), 32u);
  PeerCheck dane{PeerAuthentication::dane, {"mx.other.test", "other.test"}, {{3, 1, 1, *digest}}};
  Client c = dial_ok(port);
  EXPECT_EQ(block_on(runtime_, checked_tls(&c, opportunistic_, "mx.other.test", dane)), "ok");
  EXPECT_EQ(talk(c, "", 1), "220 echo tls");
}

TEST_F(ServerTest, DaneMismatchFailsWithTlsaInvalid) {
  server();
  uint16_t port = listen(TlsMode::implicit, echo_session);
  std::string wrong(32, '\x11');
  PeerCheck dane{PeerAuthentication::dane, {"localhost"}, {{3, 1, 1, wrong}}};
  Client c = dial_ok(port);
  EXPECT_EQ(block_on(runtime_, checked_tls(&c, verify_, "localhost", dane)),
            "error:permission:tlsa-invalid:certificate does not match the TLSA records");
}

TEST_F(ServerTest, DaneWithoutUsableRecordsIsRefusedBeforeTheHandshake) {
  server();
  uint16_t port = listen(TlsMode::implicit, echo_session);
  auto digest = spki_sha256(read_file(cert_));
  ASSERT_TRUE(digest);
  // PKIX-EE(1) is unusable for SMTP (RFC 7672 §3.1.3), even when it would match.
  PeerCheck dane{PeerAuthentication::dane, {"localhost"}, {{1, 1, 1, *digest}}};
  Client c = dial_ok(port);
  EXPECT_EQ(block_on(runtime_, checked_tls(&c, verify_, "localhost", dane)),
            "error:invalid::no usable TLSA record");
}

// DANE-TA(2): the chain must lead to the CA in the record, and a name must match; the
// client's trust store plays no part.
TEST_F(ServerTest, DaneTaChecksTheChainAndTheNames) {
  write_file(dir_.path("chain.pem"), kDaneTaChain);
  write_file(dir_.path("chain-key.pem"), kDaneTaKey);
  auto tls = TlsContext::load(dir_.path("chain.pem"), dir_.path("chain-key.pem"));
  ASSERT_TRUE(tls) << tls.error().message;
  tls_ = *tls;
  server();
  uint16_t port = listen(TlsMode::implicit, echo_session);
  auto ca = spki_sha256(kDaneTaCa);
  ASSERT_TRUE(ca);
  Client good = dial_ok(port);
  PeerCheck ok{PeerAuthentication::dane, {"mx.other.test", "mx.dane-ta.test"}, {{2, 1, 1, *ca}}};
  EXPECT_EQ(block_on(runtime_, checked_tls(&good, opportunistic_, "mx.other.test", ok)), "ok");
  Client bad = dial_ok(port);
  PeerCheck wrong{PeerAuthentication::dane, {"mx.other.test"}, {{2, 1, 1, *ca}}};
  EXPECT_EQ(block_on(runtime_, checked_tls(&bad, opportunistic_, "mx.other.test", wrong)),
            "error:permission:certificate-host-mismatch:certificate verification failed: "
            "hostname mismatch");
  // The leaf's own key as a DANE-TA record is no trust anchor.
  auto leaf = spki_sha256(kDaneTaChain);
  ASSERT_TRUE(leaf);
  Client leaf_as_ta = dial_ok(port);
  PeerCheck not_ta{PeerAuthentication::dane, {"mx.dane-ta.test"}, {{2, 1, 1, *leaf}}};
  EXPECT_EQ(block_on(runtime_, checked_tls(&leaf_as_ta, opportunistic_, "mx.dane-ta.test", not_ta)),
            "error:permission:tlsa-invalid:certificate does not match the TLSA records");
}

TEST_F(ServerTest, PkixChecksTrustAndNames) {
  server();
  uint16_t port = listen(TlsMode::implicit, echo_session);
  Client named = dial_ok(port);
  PeerCheck second{PeerAuthentication::pkix, {"mx.other.test", "localhost"}, {}};
  EXPECT_EQ(block_on(runtime_, checked_tls(&named, verify_, "mx.other.test", second)), "ok");
  Client untrusted = dial_ok(port);
  PeerCheck pkix{PeerAuthentication::pkix, {"localhost"}, {}};
  EXPECT_EQ(block_on(runtime_, checked_tls(&untrusted, opportunistic_, "localhost", pkix)),
            "error:permission:certificate-not-trusted:certificate verification failed: self-signed "
            "certificate");
  // Report only (MTA-STS testing): the handshake succeeds and the result is kept.
  Client report = dial_ok(port);
  pkix.enforce = false;
  EXPECT_EQ(block_on(runtime_, checked_tls(&report, opportunistic_, "localhost", pkix)), "ok");
  EXPECT_EQ(report.conn->tls_info()->check_failure, "certificate-not-trusted");
  Client passes = dial_ok(port);
  EXPECT_EQ(block_on(runtime_, checked_tls(&passes, verify_, "localhost", pkix)), "ok");
  EXPECT_EQ(passes.conn->tls_info()->check_failure, "");
}

TEST_F(ServerTest, StartTlsDiscardsBytesPipelinedAfterIt) {
  server();
  uint16_t port = listen(TlsMode::plain, echo_session, "smtpd");
  Client c = dial_ok(port);
  EXPECT_EQ(talk(c, "", 1), "220 smtpd plain");
  EXPECT_EQ(talk(c, "STARTTLS\r\nNOOP\r\n", 1), "220 go");
  EXPECT_EQ(c.reader->discard_buffered(), 0u);
  EXPECT_EQ(block_on(runtime_, start_client_tls(&c, verify_, "localhost")), "ok");
  EXPECT_EQ(g_discarded.load(), 6u);
  EXPECT_EQ(talk(c, "AFTER\r\n", 1), "250 echo AFTER");
  EXPECT_EQ(talk(c, "TLSINFO\r\n", 1), "250 TLSv1.3 TLS_AES_256_GCM_SHA384 256");
}

TEST_F(ServerTest, StartTlsWithoutCertificateIsInvalid) {
  server_ = std::make_unique<Server>(runtime_, Limits{}, nullptr);
  uint16_t port = listen(TlsMode::plain, echo_session);
  Client c = dial_ok(port);
  EXPECT_EQ(talk(c, "", 1), "220 echo plain");
  // The handler ends the session when start_tls fails.
  EXPECT_EQ(talk(c, "STARTTLS\r\n", 2), "220 go\nerror:closed");
  auto implicit = server_->add_listener("x", "127.0.0.1:0", TlsMode::implicit, echo_session);
  ASSERT_FALSE(implicit);
  EXPECT_EQ(implicit.error().kind, ErrorKind::invalid);
}

TEST_F(ServerTest, ReadDeadlinesFire) {
  server();
  uint16_t port = listen(TlsMode::plain, short_timeout_session);
  Client c = dial_ok(port);
  EXPECT_EQ(talk(c, "", 2), "421 timeout\nerror:closed");

  // Client side: a server that says nothing.
  uint16_t silent = listen(TlsMode::plain, stubborn_session);
  Client s = dial_ok(silent);
  auto r = block_on(runtime_, s.reader->read_line(100, 10ms));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::timeout);
}

TEST_F(ServerTest, PerIpLimitLetsTheHandlerRefuse) {
  server(Limits{.max_connections_per_ip = 2});
  uint16_t port = listen(TlsMode::plain, echo_session);
  Client a = dial_ok(port);
  Client b = dial_ok(port);
  EXPECT_EQ(talk(a, "", 1), "220 echo plain");
  EXPECT_EQ(talk(b, "", 1), "220 echo plain");
  Client c = dial_ok(port);
  EXPECT_EQ(talk(c, "", 2), "421 too_many_from_ip read=limit\nerror:closed");
  EXPECT_EQ(talk(a, "QUIT\r\n", 2), "221 bye\nerror:closed");
  wait_for_sessions(1);
  Client d = dial_ok(port);
  EXPECT_EQ(talk(d, "", 1), "220 echo plain");
}

TEST_F(ServerTest, TotalLimit) {
  server(Limits{.max_connections = 1});
  uint16_t port = listen(TlsMode::plain, echo_session);
  Client a = dial_ok(port);
  EXPECT_EQ(talk(a, "", 1), "220 echo plain");
  Client b = dial_ok(port);
  EXPECT_EQ(talk(b, "", 2), "421 too_many_total read=limit\nerror:closed");
}

// One service's clients cannot take the connections another service needs.
TEST_F(ServerTest, PerServiceLimitLeavesOtherServicesTheirShare) {
  server(Limits{.max_connections_per_ip = 100, .max_connections_per_service = 2});
  uint16_t imap = listen(TlsMode::plain, echo_session, "imap");
  uint16_t smtp = listen(TlsMode::plain, echo_session, "smtp");
  Client a = dial_ok(imap);
  Client b = dial_ok(imap);
  EXPECT_EQ(talk(a, "", 1), "220 imap plain");
  EXPECT_EQ(talk(b, "", 1), "220 imap plain");
  Client c = dial_ok(imap);
  EXPECT_EQ(talk(c, "", 2), "421 too_many_for_service read=limit\nerror:closed");
  Client mx = dial_ok(smtp);
  EXPECT_EQ(talk(mx, "", 1), "220 smtp plain");
  EXPECT_EQ(talk(a, "QUIT\r\n", 2), "221 bye\nerror:closed");
  wait_for_sessions(2);
  Client d = dial_ok(imap);
  EXPECT_EQ(talk(d, "", 1), "220 imap plain");
}

TEST_F(ServerTest, OverLimitOnImplicitTlsIsClosedWithoutHandshake) {
  server(Limits{.max_connections_per_ip = 1});
  uint16_t port = listen(TlsMode::implicit, echo_session);
  Client a = dial_ok(port);
  EXPECT_EQ(block_on(runtime_, start_client_tls(&a, verify_, "localhost")), "ok");
  EXPECT_EQ(talk(a, "", 1), "220 echo tls");
  Client b = dial_ok(port);
  EXPECT_NE(block_on(runtime_, start_client_tls(&b, verify_, "localhost")), "ok");
}

TEST_F(ServerTest, StopLetsSessionsSayGoodbye) {
  server();
  uint16_t port = listen(TlsMode::plain, echo_session, "imap");
  Client a = dial_ok(port);
  Client b = dial_ok(port);
  EXPECT_EQ(talk(a, "", 1), "220 imap plain");
  EXPECT_EQ(talk(b, "", 1), "220 imap plain");
  EXPECT_EQ(block_on(runtime_, server_->stop(10s)), 0u);
  EXPECT_EQ(server_->session_count(), 0u);
  EXPECT_EQ(talk(a, "", 2), "421 shutting down\nerror:closed");
  EXPECT_EQ(talk(b, "", 2), "421 shutting down\nerror:closed");
  auto late = block_on(runtime_, dial(port));
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().kind, ErrorKind::io);
  auto more = server_->add_listener("imap", "127.0.0.1:0", TlsMode::plain, echo_session);
  ASSERT_FALSE(more);
  EXPECT_EQ(more.error().kind, ErrorKind::closed);
}

TEST_F(ServerTest, StopForceClosesAfterGrace) {
  server(Limits{.force_close_wait = 10s});
  uint16_t port = listen(TlsMode::plain, flood_session);
  Client a = dial_ok(port);
  wait_for_sessions(1);
  EXPECT_EQ(block_on(runtime_, server_->stop(1ms)), 0u);
  EXPECT_EQ(g_flood_result.load(), static_cast<int>(ErrorKind::closed));
}

TEST_F(ServerTest, StopGivesUpOnSessionsThatIgnoreIt) {
  server(Limits{.force_close_wait = 1ms});
  uint16_t port = listen(TlsMode::plain, stubborn_session);
  Client a = dial_ok(port);
  wait_for_sessions(1);
  EXPECT_EQ(block_on(runtime_, server_->stop(1ms)), 1u);
}

TEST_F(ServerTest, ListenerAddressErrors) {
  server();
  for (std::string_view bad : {"nonsense", "127.0.0.1:99999", "mail.example.test:25", "[::1:25"}) {
    auto r = server_->add_listener("x", bad, TlsMode::plain, echo_session);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().kind, ErrorKind::invalid) << bad;
  }
  uint16_t port = listen(TlsMode::plain, echo_session);
  auto taken =
      server_->add_listener("x", fmt::format("127.0.0.1:{}", port), TlsMode::plain, echo_session);
  ASSERT_FALSE(taken);
  EXPECT_EQ(taken.error().kind, ErrorKind::io);
  auto v6 = server_->add_listener("x", "[::1]:0", TlsMode::plain, echo_session);
  if (v6) {
    EXPECT_EQ(v6->address, "::1");
  }
}

// serve binds before the Server (and its threads) exist, then hands the sockets over.
TEST_F(ServerTest, SocketBoundBeforeTheServerServesOnceAdded) {
  auto socket = ListeningSocket::bind("127.0.0.1:0");
  ASSERT_TRUE(socket) << socket.error().message;
  const uint16_t port = socket->endpoint().port;
  EXPECT_NE(port, 0);
  EXPECT_EQ(socket->endpoint().address, "127.0.0.1");
  EXPECT_FALSE(socket->is_v6());
  // Bound and listening: the port is taken, and a second bind says so with the address.
  auto again = ListeningSocket::bind(fmt::format("127.0.0.1:{}", port));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().kind, ErrorKind::io);
  EXPECT_EQ(again.error().message,
            fmt::format("cannot listen on 127.0.0.1:{}: Address already in use", port));
  EXPECT_EQ(ListeningSocket::bind("mail.example.test:25").error().kind, ErrorKind::invalid);

  server();
  ::testing::internal::CaptureStderr();
  auto bound = server_->add_listener("echo", std::move(*socket), TlsMode::plain, echo_session);
  std::string log = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(bound);
  EXPECT_EQ(bound->port, port);
  EXPECT_NE(log.find(fmt::format("listening: echo 127.0.0.1:{}\n", port)), std::string::npos)
      << log;
  Client c = dial_ok(port);
  EXPECT_EQ(talk(c, "", 1), "220 echo plain");
  EXPECT_EQ(talk(c, "QUIT\r\n", 2), "221 bye\nerror:closed");
}

// A socket that is never added closes with its owner: the port is free again.
TEST(ListeningSocket, ClosesWhenDropped) {
  uint16_t port = 0;
  {
    auto socket = ListeningSocket::bind("127.0.0.1:0");
    ASSERT_TRUE(socket);
    port = socket->endpoint().port;
    ListeningSocket moved = std::move(*socket);
    EXPECT_EQ(moved.endpoint().port, port);
  }
  auto again = ListeningSocket::bind(fmt::format("127.0.0.1:{}", port));
  EXPECT_TRUE(again) << again.error().message;
}

TEST_F(ServerTest, ReloadedCertificateIsUsedByNewHandshakes) {
  server();
  uint16_t port = listen(TlsMode::implicit, echo_session);
  Client before = dial_ok(port);
  EXPECT_EQ(block_on(runtime_, start_client_tls(&before, verify_, "localhost")), "ok");

  std::filesystem::remove(cert_);
  std::filesystem::remove(key_);
  ASSERT_TRUE(ensure_self_signed(cert_, key_, "127.0.0.1"));
  ASSERT_TRUE(tls_->reload());
  auto new_ca = TlsClientContext::create(TlsVerify::verify, cert_);
  ASSERT_TRUE(new_ca);
  Client old_name = dial_ok(port);
  EXPECT_EQ(block_on(runtime_, start_client_tls(&old_name, verify_, "localhost")),
            "error:permission");
  Client after = dial_ok(port);
  EXPECT_EQ(block_on(runtime_, start_client_tls(&after, *new_ca, "127.0.0.1")), "ok");
  EXPECT_EQ(talk(after, "", 1), "220 echo tls");
  // The connection that started before the reload keeps its session.
  EXPECT_EQ(talk(before, "", 1), "220 echo tls");
}

TEST_F(ServerTest, ConnectErrors) {
  server();
  uint16_t port = listen(TlsMode::plain, echo_session);
  (void)block_on(runtime_, server_->stop(1s));
  auto refused = block_on(runtime_, dial(port));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::io);
}

}  // namespace
}  // namespace postamt::net
