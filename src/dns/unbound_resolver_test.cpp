// UnboundResolver against a table-driven UDP server on loopback (validation off: that
// server signs nothing). DNSSEC, NODATA and TCP fallback are tested against a real
// authoritative server in tests/integration/test_dns.py.
#include "dns/unbound_resolver.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "dns/testing/fake_dns_server.h"

namespace postamt::dns {
namespace {

using namespace std::chrono_literals;

UnboundSettings through(const testing::FakeDnsServer& server) {
  UnboundSettings s;
  s.forwarders = {"127.0.0.1:" + std::to_string(server.port())};
  s.dnssec = false;
  s.timeout = 5s;
  return s;
}

TEST(DnsUnbound, ForwarderSyntax) {
  EXPECT_EQ(*unbound_forwarder("192.0.2.53"), "192.0.2.53");
  EXPECT_EQ(*unbound_forwarder("127.0.0.1:5353"), "127.0.0.1@5353");
  EXPECT_EQ(*unbound_forwarder("[::1]:5353"), "::1@5353");
  EXPECT_EQ(*unbound_forwarder("[2001:db8::53]"), "2001:db8::53");
  EXPECT_EQ(*unbound_forwarder("2001:db8::53"), "2001:db8::53");
  struct Case {
    const char* text;
    const char* message;
  };
  const Case bad[] = {
      {"dns.example",
       "DNS forwarder \"dns.example\": not an IP address (use \"ip\", "
       "\"ip:port\" or \"[ipv6]:port\")"},
      {"127.0.0.1:0", "DNS forwarder \"127.0.0.1:0\": port must be 1-65535"},
      {"127.0.0.1:65536", "DNS forwarder \"127.0.0.1:65536\": port must be 1-65535"},
      {"127.0.0.1:", "DNS forwarder \"127.0.0.1:\": port must be 1-65535"},
      {"127.0.0.1:5x", "DNS forwarder \"127.0.0.1:5x\": port must be 1-65535"},
      {"[::1", "DNS forwarder \"[::1\": missing ']'"},
      {"[::1]53", "DNS forwarder \"[::1]53\": expected ':' and a port after ']'"},
      {"[127.0.0.1]:53", "DNS forwarder \"[127.0.0.1]:53\": not an IPv6 address"},
  };
  for (const Case& c : bad) {
    auto r = unbound_forwarder(c.text);
    ASSERT_FALSE(r) << c.text;
    EXPECT_EQ(r.error().kind, ErrorKind::invalid);
    EXPECT_EQ(r.error().message, c.message);
  }
}

TEST(DnsUnbound, CreateRejectsBadSettings) {
  UnboundSettings s;
  s.forwarders = {"127.0.0.1"};
  s.timeout = 0ms;
  EXPECT_EQ(UnboundResolver::create(s).error().message, "DNS timeout 0ms is outside 1ms-60000ms");
  s.timeout = kMaxLookupTimeout + 1ms;
  EXPECT_EQ(UnboundResolver::create(s).error().kind, ErrorKind::invalid);
  s.timeout = 1s;
  s.forwarders = {"127.0.0.1", "nope"};
  EXPECT_EQ(UnboundResolver::create(s).error().kind, ErrorKind::invalid);
  s.forwarders = {"127.0.0.1"};
  s.trust_anchor_file = "/nonexistent/root.key";
  auto no_anchor = UnboundResolver::create(s);
  ASSERT_FALSE(no_anchor);
  EXPECT_EQ(no_anchor.error().kind, ErrorKind::io);
  EXPECT_EQ(no_anchor.error().message, "cannot read the trust-anchor file /nonexistent/root.key");
  s.dnssec = false;  // no validation: the anchor file is not read
  EXPECT_TRUE(UnboundResolver::create(s));
  s.forwarders.clear();
  s.resolv_conf = "/nonexistent/resolv.conf";
  auto no_resolv = UnboundResolver::create(s);
  ASSERT_FALSE(no_resolv);
  EXPECT_EQ(no_resolv.error().kind, ErrorKind::io);
  EXPECT_EQ(no_resolv.error().message,
            "cannot read /nonexistent/resolv.conf: No such file or directory");
}

TEST(DnsUnbound, AnswersThroughAForwarder) {
  testing::FakeDnsServer server;
  server.add_mx("y.example", 20, "Backup.y.example");
  server.add_mx("y.example", 10, "mx.y.example");
  server.add_a("mx.y.example", "192.0.2.1");
  server.add("mx.y.example", 28,
             std::string("\x20\x01\x0d\xb8", 4) + std::string(11, '\0') + "\x01");
  server.add("y.example", 16,
             std::string("\x05v=spf\x03"
                         "1 -",
                         10));
  server.add("4.3.2.1.in-addr.arpa", 12, testing::FakeDnsServer::encode_name("mx.y.example"));
  server.add("_25._tcp.mx.y.example", 52, std::string("\x03\x01\x01\xab\xcd", 5));
  server.add_nxdomain("gone.example");
  auto resolver = UnboundResolver::create(through(server));
  ASSERT_TRUE(resolver) << resolver.error().message;
  UnboundResolver& dns = **resolver;

  auto mx = dns.mx("Y.example.");
  ASSERT_TRUE(mx) << mx.error().message;
  // Record order within an RRset carries no meaning (unbound rotates it).
  auto records = mx->records;
  std::sort(records.begin(), records.end(),
            [](const MxRecord& x, const MxRecord& y) { return x.preference < y.preference; });
  EXPECT_EQ(records, (std::vector<MxRecord>{{10, "mx.y.example"}, {20, "backup.y.example"}}));
  EXPECT_FALSE(mx->secure);
  EXPECT_EQ(dns.a("mx.y.example")->records, std::vector<std::string>{"192.0.2.1"});
  EXPECT_EQ(dns.aaaa("mx.y.example")->records, std::vector<std::string>{"2001:db8::1"});
  EXPECT_EQ(dns.txt("y.example")->records, std::vector<std::string>{"v=spf1 -"});
  EXPECT_EQ(dns.ptr("1.2.3.4")->records, std::vector<std::string>{"mx.y.example"});
  EXPECT_EQ(dns.tlsa("_25._tcp.mx.y.example")->records,
            (std::vector<TlsaRecord>{{3, 1, 1, "\xab\xcd"}}));

  auto gone = dns.mx("gone.example");
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().kind, ErrorKind::not_found);
  EXPECT_EQ(gone.error().message, "gone.example: NXDOMAIN");

  auto not_address = dns.ptr("mx.y.example");
  ASSERT_FALSE(not_address);
  EXPECT_EQ(not_address.error().kind, ErrorKind::invalid);
  for (std::string_view bad :
       {std::string_view(""), std::string_view("."), std::string_view("a..b"),
        std::string_view("a b.example"), std::string_view("a\0b", 3)}) {
    auto r = dns.a(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().kind, ErrorKind::invalid) << bad;
  }
  EXPECT_EQ(dns.a(std::string(64, 'a') + ".example").error().kind, ErrorKind::invalid);
}

// RFC 6761 §6.2: .test is answered locally unless the admin opts in.
TEST(DnsUnbound, TestNamesStayLocalUnlessEnabled) {
  testing::FakeDnsServer server;
  server.add_a("mx.y.test", "192.0.2.1");
  auto local = UnboundResolver::create(through(server));
  ASSERT_TRUE(local);
  auto r = (*local)->a("mx.y.test");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "mx.y.test: NXDOMAIN");
  EXPECT_EQ(server.queries(), 0);
  UnboundSettings s = through(server);
  s.resolve_test_names = true;
  auto upstream = UnboundResolver::create(s);
  ASSERT_TRUE(upstream);
  auto answered = (*upstream)->a("mx.y.test");
  ASSERT_TRUE(answered) << answered.error().message;
  EXPECT_EQ(answered->records, std::vector<std::string>{"192.0.2.1"});
}

TEST(DnsUnbound, ServfailIsTemporary) {
  testing::FakeDnsServer server;
  server.set_servfail(true);
  auto resolver = UnboundResolver::create(through(server));
  ASSERT_TRUE(resolver);
  auto r = (*resolver)->mx("y.example");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::temporary);
  EXPECT_EQ(r.error().message, "DNS MX lookup of y.example: SERVFAIL");
}

TEST(DnsUnbound, MalformedRecordMakesTheAnswerInvalid) {
  testing::FakeDnsServer server;
  server.add("odd.example", 16, std::string("\x09short", 6));  // length runs past the end
  auto resolver = UnboundResolver::create(through(server));
  ASSERT_TRUE(resolver);
  auto r = (*resolver)->txt("odd.example");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::invalid);
  EXPECT_EQ(
      r.error().message,
      "DNS TXT lookup of odd.example: malformed TXT record: character-string runs past the end");
}

// The named limit: a server that never answers costs one timeout, not unbound's retries.
TEST(DnsUnbound, SilentServerTimesOutWithinTheLimit) {
  int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  UnboundSettings s;
  s.forwarders = {"127.0.0.1:" + std::to_string(ntohs(a.sin_port))};
  s.dnssec = false;
  s.timeout = 300ms;
  auto resolver = UnboundResolver::create(s);
  ASSERT_TRUE(resolver);
  const auto start = std::chrono::steady_clock::now();
  auto r = (*resolver)->mx("y.example");
  const auto took = std::chrono::steady_clock::now() - start;
  ::close(fd);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::temporary);
  EXPECT_EQ(r.error().message, "DNS MX lookup of y.example: no answer within 300ms");
  EXPECT_GE(took, 300ms);
  EXPECT_LT(took, 3s);
}

// One instance, many threads (libunbound(3): the functions are thread-safe).
TEST(DnsUnbound, ConcurrentLookupsShareOneInstance) {
  testing::FakeDnsServer server;
  for (int i = 0; i < 8; ++i)
    server.add_a("h" + std::to_string(i) + ".example", "192.0.2." + std::to_string(i + 1));
  auto resolver = UnboundResolver::create(through(server));
  ASSERT_TRUE(resolver);
  std::atomic<int> right{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      for (int round = 0; round < 25; ++round) {
        const int i = (t + round) % 8;
        auto r = (*resolver)->a("h" + std::to_string(i) + ".example");
        if (r && r->records == std::vector<std::string>{"192.0.2." + std::to_string(i + 1)})
          ++right;
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(right.load(), 8 * 25);
}

}  // namespace
}  // namespace postamt::dns
