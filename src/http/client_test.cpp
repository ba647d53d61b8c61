#include "http/client.h"

#include <gtest/gtest.h>

#include <mutex>

#include "net/server.h"
#include "net/testing/run.h"
#include "support/files.h"

namespace postamt::http {
namespace {

using namespace std::chrono_literals;
using net::testing::block_on;

// What the fake push service saw and answers.
struct Peer {
  std::mutex mutex;
  std::string request;  // the bytes of the last request
  std::string answer;   // written back after the request's body
};

// Reads one request (head and Content-Length body), answers peer->answer, closes.
net::awaitable<void> serve_one(std::unique_ptr<net::Connection> conn, Peer* peer) {
  std::string in;
  std::array<char, 1024> buffer{};
  for (;;) {
    auto got = co_await conn->read_some(buffer, 5s);
    if (!got) co_return;
    in.append(buffer.data(), *got);
    size_t head = in.find("\r\n\r\n");
    if (head == std::string::npos) continue;
    size_t field = in.find("Content-Length: ");
    size_t length = field == std::string::npos ? 0 : std::stoul(in.substr(field + 16));
    if (in.size() >= head + 4 + length) break;
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
    co_await net::sleep(3s);  // never answers
  conn->close();
}

net::awaitable<Result<std::vector<std::string>>> fake_resolve(std::string host, uint16_t,
                                                              net::Duration) {
  if (host == "push.test") co_return std::vector<std::string>{"127.0.0.1"};
  if (host == "inside.test") co_return std::vector<std::string>{"10.1.2.3", "::1"};
  co_return Error{ErrorKind::not_found, "cannot resolve " + host};
}

class ClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(net::ensure_self_signed(dir_.path("c.pem"), dir_.path("k.pem"), "push.test"));
    auto tls = net::TlsContext::load(dir_.path("c.pem"), dir_.path("k.pem"));
    ASSERT_TRUE(tls);
    auto verify = net::TlsClientContext::create(net::TlsVerify::verify, dir_.path("c.pem"));
    ASSERT_TRUE(verify);
    options_.tls = *verify;
    options_.resolve = fake_resolve;
    options_.private_addresses = PrivateAddresses::allow;
    runtime_.start();
    server_ = std::make_unique<net::Server>(runtime_, net::Limits{}, *tls);
    Peer* peer = &peer_;
    auto bound =
        server_->add_listener("push", "127.0.0.1:0", net::TlsMode::implicit,
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
  std::string url(std::string host = "push.test") {
    return "https://" + host + ":" + std::to_string(port_) + "/push/x?y=1";
  }
  Result<ClientResponse> post_now(OutboundRequest request) {
    return block_on(runtime_, post(options_, std::move(request)));
  }

  postamt::testing::TempDir dir_;
  net::Runtime runtime_{net::RuntimeOptions{}};
  std::unique_ptr<net::Server> server_;
  uint16_t port_ = 0;
  Peer peer_;
  ClientOptions options_;
};

TEST_F(ClientTest, PostsAndReadsTheAnswer) {
  peer_.answer = "HTTP/1.1 201 Created\r\nLocation: /m/1\r\nContent-Length: 2\r\n\r\nok";
  auto r = post_now({url(), {{"Content-Type", "application/json"}, {"TTL", "86400"}}, "{}"});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(r->header("Location"), std::optional<std::string_view>("/m/1"));
  EXPECT_EQ(r->body, "ok");
  std::lock_guard lock(peer_.mutex);
  EXPECT_EQ(peer_.request, "POST /push/x?y=1 HTTP/1.1\r\nHost: push.test:" + std::to_string(port_) +
                               "\r\nContent-Type: application/json\r\nTTL: 86400\r\n"
                               "Content-Length: 2\r\nConnection: close\r\n\r\n{}");
}

TEST_F(ClientTest, RedirectsAreNotFollowed) {
  peer_.answer = "HTTP/1.1 307 Temporary Redirect\r\nLocation: https://elsewhere.test/\r\n\r\n";
  auto r = post_now({url(), {}, "x"});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, 307);
}

TEST_F(ClientTest, OversizedAnswerAndTimeout) {
  options_.limits.response.max_body_bytes = 4;
  peer_.answer = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n12345";
  auto big = post_now({url(), {}, "x"});
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().kind, ErrorKind::limit);
  peer_.answer.clear();
  options_.limits.request_timeout = 300ms;
  auto slow = post_now({url(), {}, "x"});
  ASSERT_FALSE(slow);
  EXPECT_EQ(slow.error().kind, ErrorKind::timeout);
}

TEST_F(ClientTest, PrivateAddressesAreRefusedBeforeConnecting) {
  options_.private_addresses = PrivateAddresses::refuse;
  peer_.answer = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
  auto literal = post_now({url("127.0.0.1"), {}, "x"});
  ASSERT_FALSE(literal);
  EXPECT_EQ(literal.error().kind, ErrorKind::permission);
  EXPECT_EQ(literal.error().message, "127.0.0.1 is a loopback address, not allowed");
  auto named = post_now({url(), {}, "x"});
  ASSERT_FALSE(named);
  EXPECT_EQ(named.error().kind, ErrorKind::permission);
  EXPECT_EQ(named.error().message, "push.test: 127.0.0.1 is a loopback address, not allowed");
  auto inside = post_now({url("inside.test"), {}, "x"});
  ASSERT_FALSE(inside);
  EXPECT_EQ(inside.error().message, "inside.test: 10.1.2.3 is a private address, not allowed");
  std::lock_guard lock(peer_.mutex);
  EXPECT_EQ(peer_.request, "");  // nothing reached the listener
}

TEST_F(ClientTest, OtherRefusals) {
  auto plain = post_now({"http://push.test/", {}, "x"});
  ASSERT_FALSE(plain);
  EXPECT_EQ(plain.error().kind, ErrorKind::invalid);
  auto unknown = post_now({url("nowhere.test"), {}, "x"});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().kind, ErrorKind::not_found);
  auto injected = post_now({url(), {{"X", "a\r\nEvil: 1"}}, "x"});
  ASSERT_FALSE(injected);
  EXPECT_EQ(injected.error().kind, ErrorKind::invalid);
  // The certificate names push.test, not 127.0.0.1.
  peer_.answer = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
  auto mismatch = post_now({url("127.0.0.1"), {}, "x"});
  ASSERT_FALSE(mismatch);
  EXPECT_EQ(mismatch.error().kind, ErrorKind::permission);
}

TEST(CheckDestination, Policy) {
  EXPECT_TRUE(check_destination("8.8.8.8", PrivateAddresses::refuse));
  EXPECT_TRUE(check_destination("127.0.0.1", PrivateAddresses::allow));
  auto r = check_destination("fd00::1", PrivateAddresses::refuse);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "fd00::1 is a private address, not allowed");
}

}  // namespace
}  // namespace postamt::http
