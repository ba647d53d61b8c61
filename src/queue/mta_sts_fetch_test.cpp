// The product FetchFn (mta_sts_fetch.h) over the real HTTPS client, against a TLS
// listener on loopback with a certificate for the policy host.
#include "queue/mta_sts_fetch.h"

#include <gtest/gtest.h>

#include <array>
#include <mutex>

#include "net/server.h"
#include "net/testing/run.h"
#include "support/files.h"

namespace postamt::queue::mta_sts {
namespace {

using namespace std::chrono_literals;
using net::testing::block_on;

struct Peer {
  std::mutex mutex;
  std::string request;
  std::string answer;  // "" = never answer
};

// Reads one request head, answers peer->answer, closes.
net::awaitable<void> serve_one(std::unique_ptr<net::Connection> conn, Peer* peer) {
  std::string in;
  std::array<char, 1024> buffer{};
  while (in.find("\r\n\r\n") == std::string::npos) {
    auto got = co_await conn->read_some(buffer, 5s);
    if (!got) co_return;
    in.append(buffer.data(), *got);
  }
  std::string answer;
  {
    std::lock_guard lock(peer->mutex);
    peer->request = in;
    answer = peer->answer;
  }
  if (!answer.empty())
    (void)co_await conn->write(answer, 5s);
  else
    co_await net::sleep(3s);
  conn->close();
}

net::awaitable<Result<std::vector<std::string>>> to_loopback(std::string host, uint16_t,
                                                             net::Duration) {
  if (host.ends_with(".example.test")) co_return std::vector<std::string>{"127.0.0.1"};
  co_return Error{ErrorKind::not_found, "cannot resolve " + host};
}

class HttpsFetchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(
        net::ensure_self_signed(dir_.path("c.pem"), dir_.path("k.pem"), "mta-sts.example.test"));
    auto tls = net::TlsContext::load(dir_.path("c.pem"), dir_.path("k.pem"));
    ASSERT_TRUE(tls);
    options_.ca_file = dir_.path("c.pem");
    options_.private_addresses = http::PrivateAddresses::allow;
    options_.resolve = to_loopback;
    runtime_.start();
    server_ = std::make_unique<net::Server>(runtime_, net::Limits{}, *tls);
    Peer* peer = &peer_;
    auto bound =
        server_->add_listener("sts", "127.0.0.1:0", net::TlsMode::implicit,
                              [peer](std::unique_ptr<net::Connection> c, net::SessionContext) {
                                return serve_one(std::move(c), peer);
                              });
    ASSERT_TRUE(bound);
    port_ = bound->port;
  }
  void TearDown() override {
    server_.reset();
    runtime_.stop();
    runtime_.join();
  }
  std::string url(std::string host = "mta-sts.example.test") {
    return "https://" + host + ":" + std::to_string(port_) + "/.well-known/mta-sts.txt";
  }
  Result<FetchResponse> fetch(std::string target) {
    auto fn = make_https_fetch(options_);
    EXPECT_TRUE(fn) << fn.error().message;
    if (!fn) return fn.error();
    return block_on(runtime_, (*fn)(std::move(target)));
  }

  postamt::testing::TempDir dir_;
  net::Runtime runtime_{net::RuntimeOptions{}};
  std::unique_ptr<net::Server> server_;
  uint16_t port_ = 0;
  Peer peer_;
  HttpsFetchOptions options_;
};

TEST_F(HttpsFetchTest, GetsThePolicy) {
  const std::string body =
      "version: STSv1\r\nmode: enforce\r\nmx: mx.example.test\r\nmax_age: 60\r\n";
  peer_.answer = "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: " +
                 std::to_string(body.size()) + "\r\n\r\n" + body;
  auto r = fetch(url());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->content_type, "text/plain; charset=utf-8");
  EXPECT_EQ(r->body, body);
  auto policy = parse_policy(r->body);
  ASSERT_TRUE(policy);
  EXPECT_EQ(policy->mx, std::vector<std::string>{"mx.example.test"});
  std::lock_guard lock(peer_.mutex);
  EXPECT_EQ(peer_.request, "GET /.well-known/mta-sts.txt HTTP/1.1\r\nHost: mta-sts.example.test:" +
                               std::to_string(port_) + "\r\nConnection: close\r\n\r\n");
}

TEST_F(HttpsFetchTest, RedirectIsReturnedNotFollowed) {
  peer_.answer =
      "HTTP/1.1 301 Moved Permanently\r\nLocation: https://elsewhere.example.test/\r\n"
      "Content-Length: 0\r\n\r\n";
  auto r = fetch(url());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, 301);
  EXPECT_EQ(r->content_type, "");
}

TEST_F(HttpsFetchTest, SizeLimitAndTimeout) {
  options_.max_policy_bytes = 10;
  peer_.answer = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n0123456789x";
  auto big = fetch(url());
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().kind, ErrorKind::limit);
  {
    std::lock_guard lock(peer_.mutex);
    peer_.answer.clear();
  }
  options_.timeout = 1s;
  auto slow = fetch(url());
  ASSERT_FALSE(slow);
  EXPECT_EQ(slow.error().kind, ErrorKind::timeout);
}

TEST_F(HttpsFetchTest, CertificateMustNameThePolicyHost) {
  // RFC 8461 §3.3: PKIX validation for the "mta-sts" name; the certificate names
  // mta-sts.example.test, not other.example.test.
  peer_.answer = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
  auto wrong = fetch(url("other.example.test"));
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().kind, ErrorKind::permission);
  // Without our CA file, the system trust store does not know the certificate.
  options_.ca_file.clear();
  auto untrusted = fetch(url());
  ASSERT_FALSE(untrusted);
  EXPECT_EQ(untrusted.error().kind, ErrorKind::permission);
}

TEST_F(HttpsFetchTest, LoopbackRefusedByDefault) {
  options_.private_addresses = http::PrivateAddresses::refuse;
  auto r = fetch(url());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "mta-sts.example.test: 127.0.0.1 is a loopback address, not allowed");
}

TEST(HttpsFetch, BadCaFile) {
  HttpsFetchOptions options;
  options.ca_file = "/nonexistent/ca.pem";
  EXPECT_FALSE(make_https_fetch(options));
}

}  // namespace
}  // namespace postamt::queue::mta_sts
