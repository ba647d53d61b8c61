#include "queue/route.h"

#include <gtest/gtest.h>

#include "dns/testing/fake_resolver.h"

namespace postamt::queue {
namespace {

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

}  // namespace
}  // namespace postamt::queue
