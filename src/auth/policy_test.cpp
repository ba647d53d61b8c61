#include "auth/policy.h"

#include <gtest/gtest.h>

namespace postamt::auth {
namespace {

TEST(PlaintextPolicy, Table) {
  using S = ConnectionSecurity;
  using R = RemoteLocality;
  struct Row {
    AuthPlaintext policy;
    S security;
    R remote;
    bool allowed;
  };
  for (const Row& row : {
           Row{AuthPlaintext::never, S::plain, R::remote, false},
           Row{AuthPlaintext::never, S::plain, R::loopback, false},
           Row{AuthPlaintext::never, S::tls, R::remote, true},
           Row{AuthPlaintext::never, S::tls, R::loopback, true},
           Row{AuthPlaintext::loopback, S::plain, R::remote, false},
           Row{AuthPlaintext::loopback, S::plain, R::loopback, true},
           Row{AuthPlaintext::loopback, S::tls, R::remote, true},
           Row{AuthPlaintext::always, S::plain, R::remote, true},
           Row{AuthPlaintext::always, S::tls, R::loopback, true},
       }) {
    EXPECT_EQ(plaintext_allowed(row.policy, row.security, row.remote), row.allowed)
        << to_string(row.policy) << " tls=" << (row.security == S::tls)
        << " loopback=" << (row.remote == R::loopback);
  }
}

TEST(PlaintextPolicy, ParseAndPrint) {
  for (AuthPlaintext p : {AuthPlaintext::never, AuthPlaintext::loopback, AuthPlaintext::always})
    EXPECT_EQ(parse_auth_plaintext(to_string(p)), p);
  EXPECT_EQ(to_string(AuthPlaintext::loopback), "loopback");
  EXPECT_EQ(parse_auth_plaintext("Never"), std::nullopt);
  EXPECT_EQ(parse_auth_plaintext("yes"), std::nullopt);
  EXPECT_EQ(parse_auth_plaintext(""), std::nullopt);
}

TEST(PlaintextPolicy, Locality) {
  EXPECT_EQ(locality_of("127.0.0.1"), RemoteLocality::loopback);
  EXPECT_EQ(locality_of("127.255.0.9"), RemoteLocality::loopback);
  EXPECT_EQ(locality_of("::1"), RemoteLocality::loopback);
  EXPECT_EQ(locality_of("0:0:0:0:0:0:0:1"), RemoteLocality::loopback);
  EXPECT_EQ(locality_of("::ffff:127.0.0.1"), RemoteLocality::loopback);
  EXPECT_EQ(locality_of("128.0.0.1"), RemoteLocality::remote);
  EXPECT_EQ(locality_of("10.0.0.1"), RemoteLocality::remote);
  EXPECT_EQ(locality_of("::2"), RemoteLocality::remote);
  EXPECT_EQ(locality_of("::ffff:10.0.0.1"), RemoteLocality::remote);
  EXPECT_EQ(locality_of("::127.0.0.1"), RemoteLocality::remote);
  EXPECT_EQ(locality_of("localhost"), RemoteLocality::remote);
  EXPECT_EQ(locality_of("127.0.0.1 "), RemoteLocality::remote);
  EXPECT_EQ(locality_of(""), RemoteLocality::remote);
}

}  // namespace
}  // namespace postamt::auth
