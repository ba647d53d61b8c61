#include "queue/route.h"

#include <gtest/gtest.h>

#include "dns/testing/fake_resolver.h"
#include "queue/dns.h"
#include "queue/fake_dns.h"

namespace postamt::queue {
namespace {

using testing::FakeDns;

TEST(QueueDns, QueryEncoding) {
  auto q = encode_dns_query(0x1234, "mx.Example.test.", 15);
  ASSERT_TRUE(q);
  EXPECT_EQ(*q, std::string("\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00"
                            "\x02mx\x07"
                            "Example\x04test\x00\x00\x0f\x00\x01",
                            33));
  EXPECT_FALSE(encode_dns_query(1, "a..b", 1));
  EXPECT_FALSE(encode_dns_query(1, std::string(64, 'a') + ".test", 1));
}

TEST(QueueDns, MxAndAddressesFromAFakeServer) {
  FakeDns dns;
  dns.add_mx("y.test", 20, "backup.y.test");
  dns.add_mx("y.test", 10, "mx.y.test");
  dns.add_a("mx.y.test", "127.0.0.1");
  dns.add_a("mx.y.test", "127.0.0.2");
  DnsClient client("127.0.0.1", dns.port());
  auto mx = client.mx("y.test");
  ASSERT_TRUE(mx) << mx.error().message;
  std::vector<MxRecord> want = {{20, "backup.y.test"}, {10, "mx.y.test"}};
  EXPECT_EQ(*mx, want);
  auto a = client.addresses("mx.y.test");
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(*a, (std::vector<std::string>{"127.0.0.1", "127.0.0.2"}));
  // An existing name without records of the type (NODATA) is empty, not an error.
  auto none = client.addresses("y.test");
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

TEST(QueueDns, MalformedAnswersAreRejectedNotOverread) {
  // Header claims one answer; the record's RDLENGTH runs past the end.
  std::string base("\x00\x01\x81\x80\x00\x00\x00\x01\x00\x00\x00\x00", 12);
  std::string rec("\x00\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x10\x7f", 12);
  auto r = parse_dns_answer(base + rec, 1, "x.test");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::invalid);
  // A compression pointer to itself.
  std::string loop("\x00\x01\x81\x80\x00\x00\x00\x01\x00\x00\x00\x00\xc0\x0c", 14);
  EXPECT_EQ(parse_dns_answer(loop, 1, "x.test").error().kind, ErrorKind::invalid);
  EXPECT_EQ(parse_dns_answer("short", 1, "x.test").error().kind, ErrorKind::invalid);
  // Truncated (TC) is temporary: this client has no TCP fallback.
  std::string tc("\x00\x01\x83\x80\x00\x00\x00\x00\x00\x00\x00\x00", 12);
  EXPECT_EQ(parse_dns_answer(tc, 1, "x.test").error().kind, ErrorKind::temporary);
}

// An MX answer for y.test whose one record names `host` (given as its wire labels).
std::string mx_answer(std::string_view labels) {
  std::string answer("\x12\x34\x81\x80\x00\x01\x00\x01\x00\x00\x00\x00", 12);
  answer += std::string("\x01y\x04test\x00\x00\x0f\x00\x01", 12);  // the question
  std::string rdata = std::string("\x00\x0a", 2) + std::string(labels) + std::string(1, '\0');
  answer += std::string("\xc0\x0c\x00\x0f\x00\x01\x00\x00\x00\x3c", 10);  // y.test MX IN
  answer += static_cast<char>(rdata.size() >> 8);
  answer += static_cast<char>(rdata.size() & 0xff);
  return answer + rdata;
}

// Found by queue_dns_answer_fuzz: a label may hold any octet on the wire, and the MX
// host goes on into a query, the TLS server name, a "relay=" log field and a bounce's
// Remote-MTA field, so one that is not a host name makes the answer malformed.
TEST(QueueDns, MxHostThatIsNoHostNameMakesTheAnswerMalformed) {
  auto good = parse_dns_answer(mx_answer("\x02mx\x01y\x04test"), 15, "y.test");
  ASSERT_TRUE(good) << good.error().message;
  EXPECT_EQ(*good, std::vector<std::string>{"10 mx.y.test"});
  auto under = parse_dns_answer(mx_answer("\x05mx_01\x01y\x04test"), 15, "y.test");
  ASSERT_TRUE(under) << under.error().message;
  EXPECT_EQ(*under, std::vector<std::string>{"10 mx_01.y.test"});
  for (std::string_view labels :
       {std::string_view("\x02m\x87\x01y\x04test"),    // the fuzzer's 8-bit octet
        std::string_view("\x0dmx\r\nX-Evil: 1\x01y"),  // a line end into a header
        std::string_view("\x04mx.y\x04test"),          // a dot inside a label
        std::string_view("\x04mx y\x04test"),          // a space: "pref host" splits
        std::string_view("\x03mx\0\x04test", 9)}) {    // NUL
    auto r = parse_dns_answer(mx_answer(labels), 15, "y.test");
    ASSERT_FALSE(r) << (*r)[0];
    EXPECT_EQ(r.error().kind, ErrorKind::invalid);
  }
}

TEST(QueueDns, NoAnswerIsTemporaryAfterTheConfiguredTries) {
  // A port where nothing answers: bind a socket and never read it.
  int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  DnsClient client("127.0.0.1", ntohs(a.sin_port), DnsOptions{std::chrono::milliseconds(20), 2});
  auto r = client.mx("y.test");
  ::close(fd);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::temporary);
  EXPECT_EQ(r.error().message, "no answer from resolver 127.0.0.1");
}

TEST(QueueRoute, MxPreferenceOrderWithAddresses) {
  dns::testing::FakeResolver dns;
  dns.add_mx("y.test", 20, "backup.y.test");
  dns.add_mx("y.test", 10, "mx.y.test");
  dns.add_a("mx.y.test", "127.0.0.1");
  dns.add_aaaa("mx.y.test", "::1");
  dns.add_a("backup.y.test", "127.0.0.3");
  RouteOptions o;
  o.smtp_port = 2525;
  auto hops = route("y.test", o, dns);
  ASSERT_TRUE(hops) << hops.error().message;
  std::vector<Hop> want = {{"mx.y.test", "127.0.0.1", 2525},
                           {"mx.y.test", "::1", 2525},
                           {"backup.y.test", "127.0.0.3", 2525}};
  EXPECT_EQ(*hops, want);
}

TEST(QueueRoute, MaxHopsLimitsAddressesAndLookups) {
  dns::testing::FakeResolver dns;
  dns.add_mx("y.test", 10, "mx1.y.test");
  dns.add_mx("y.test", 20, "mx2.y.test");
  dns.add_a("mx1.y.test", "127.0.0.1");
  dns.add_a("mx1.y.test", "127.0.0.2");
  dns.add_a("mx2.y.test", "127.0.0.3");
  RouteOptions o;
  o.max_hops = 1;
  auto hops = route("y.test", o, dns);
  ASSERT_TRUE(hops) << hops.error().message;
  std::vector<Hop> want = {{"mx1.y.test", "127.0.0.1", 25}};
  EXPECT_EQ(*hops, want);
  EXPECT_EQ(dns.lookups("mx2.y.test"), 0);
}

TEST(QueueRoute, ImplicitMxFallsBackToTheDomainAddress) {
  dns::testing::FakeResolver dns;
  dns.add_a("z.test", "127.0.0.9");
  auto hops = route("z.test", RouteOptions{}, dns);
  ASSERT_TRUE(hops) << hops.error().message;
  std::vector<Hop> want = {{"z.test", "127.0.0.9", 25}};
  EXPECT_EQ(*hops, want);
}

// RFC 7672 §2.2.1-2.2.2: a hop is secure only when the MX answer and the hop's own
// address answer both are.
TEST(QueueRoute, HopIsSecureOnlyWhenMxAndAddressAnswersAre) {
  dns::testing::FakeResolver dns;
  dns.add_mx("signed.test", 10, "mx.signed.test");
  dns.add_mx("signed.test", 20, "mx.unsigned.test");
  dns.add_a("mx.signed.test", "127.0.0.1");
  dns.add_a("mx.unsigned.test", "127.0.0.2");
  dns.set_secure("signed.test", true);
  dns.set_secure("mx.signed.test", true);
  auto hops = route("signed.test", RouteOptions{}, dns);
  ASSERT_TRUE(hops) << hops.error().message;
  std::vector<Hop> want = {{"mx.signed.test", "127.0.0.1", 25, true},
                           {"mx.unsigned.test", "127.0.0.2", 25, false}};
  EXPECT_EQ(*hops, want);

  // An insecure MX answer makes every hop insecure, even with secure address answers.
  dns.add_mx("plain.test", 10, "mx.signed.test");
  auto plain = route("plain.test", RouteOptions{}, dns);
  ASSERT_TRUE(plain);
  EXPECT_EQ(*plain, (std::vector<Hop>{{"mx.signed.test", "127.0.0.1", 25, false}}));

  // No MX: the domain's own address answer decides.
  dns.add_a("implicit.test", "127.0.0.7");
  dns.set_secure("implicit.test", true);
  auto implicit = route("implicit.test", RouteOptions{}, dns);
  ASSERT_TRUE(implicit);
  EXPECT_EQ(*implicit, (std::vector<Hop>{{"implicit.test", "127.0.0.7", 25, true}}));

  // A relay by name: its address answer alone; a relay literal never.
  RouteOptions relay;
  relay.relay = std::pair<std::string, uint16_t>{"mx.signed.test", 587};
  auto by_name = route("anything.test", relay, dns);
  ASSERT_TRUE(by_name);
  EXPECT_EQ(*by_name, (std::vector<Hop>{{"mx.signed.test", "127.0.0.1", 587, true}}));
}

TEST(QueueRoute, NxdomainAndNullMxArePermanentServfailIsTemporary) {
  dns::testing::FakeResolver dns;
  dns.add_mx("nomail.test", 0, "");
  auto gone = route("gone.test", RouteOptions{}, dns);
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().kind, ErrorKind::not_found);
  EXPECT_EQ(gone.error().message, "gone.test: no such domain");
  auto null_mx = route("nomail.test", RouteOptions{}, dns);
  ASSERT_FALSE(null_mx);
  EXPECT_EQ(null_mx.error().kind, ErrorKind::not_found);
  EXPECT_EQ(null_mx.error().message, "nomail.test accepts no mail (null MX)");
  dns.fail("y.test", ErrorKind::temporary, "SERVFAIL y.test");
  auto broken = route("y.test", RouteOptions{}, dns);
  ASSERT_FALSE(broken);
  EXPECT_EQ(broken.error().kind, ErrorKind::temporary);
  EXPECT_EQ(broken.error().message, "SERVFAIL y.test");
}

TEST(QueueRoute, AddressFailuresOfTheMxHosts) {
  dns::testing::FakeResolver dns;
  dns.add_mx("y.test", 10, "broken.y.test");
  dns.add_mx("y.test", 20, "mx.y.test");
  dns.fail("broken.y.test", ErrorKind::temporary, "bogus answer for broken.y.test");
  dns.add_a("mx.y.test", "127.0.0.2");
  // A failing MX host is skipped when another one has an address.
  auto hops = route("y.test", RouteOptions{}, dns);
  ASSERT_TRUE(hops) << hops.error().message;
  EXPECT_EQ(*hops, (std::vector<Hop>{{"mx.y.test", "127.0.0.2", 25}}));
  // Only failing hosts: the temporary failure, so the message is retried.
  dns.add_mx("z.test", 10, "broken.y.test");
  auto z = route("z.test", RouteOptions{}, dns);
  ASSERT_FALSE(z);
  EXPECT_EQ(z.error().kind, ErrorKind::temporary);
  EXPECT_EQ(z.error().message, "bogus answer for broken.y.test");
  // MX hosts that do not exist: nowhere to deliver (a bounce).
  dns.add_mx("w.test", 10, "nowhere.w.test");
  auto w = route("w.test", RouteOptions{}, dns);
  ASSERT_FALSE(w);
  EXPECT_EQ(w.error().kind, ErrorKind::not_found);
  EXPECT_EQ(w.error().message, "no mail server address for w.test");
}

TEST(QueueRoute, RelayLiteralIsTheOnlyHop) {
  dns::testing::FakeResolver dns;
  RouteOptions o;
  o.relay = std::pair<std::string, uint16_t>{"127.0.0.5", 587};
  auto hops = route("anything.test", o, dns);
  ASSERT_TRUE(hops);
  std::vector<Hop> want = {{"127.0.0.5", "127.0.0.5", 587}};
  EXPECT_EQ(*hops, want);
  EXPECT_EQ(dns.lookups(), 0);
}

TEST(QueueDns, ResolvConfFirstNameserver) {
  char path[] = "/tmp/postamt-resolv-XXXXXX";
  int fd = ::mkstemp(path);
  std::string text = "# comment\nsearch x.test\nnameserver 192.0.2.53\nnameserver 192.0.2.54\n";
  ASSERT_EQ(::write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  ::close(fd);
  auto c = DnsClient::from_resolv_conf(path);
  ::unlink(path);
  ASSERT_TRUE(c);
  EXPECT_EQ((*c)->server(), "192.0.2.53");
  auto missing = DnsClient::from_resolv_conf("/nonexistent/resolv.conf");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::io);
}

}  // namespace
}  // namespace postamt::queue
