#include "auth/policy.h"

#include <gtest/gtest.h>

namespace postamt::auth {
namespace {

TEST(PlaintextPolicy, Table) {
  using S = ConnectionSecurity;
  using R = RemoteLocality;
  using P = PlaintextAuth;
  struct Row {
    P policy;
    S security;
    R remote;
    PlaintextMechanisms expected;
  };
  constexpr auto yes = PlaintextMechanisms::allowed;
  constexpr auto no = PlaintextMechanisms::refused;
  for (const Row& row : {
           Row{P::never, S::plain, R::remote, no},
           Row{P::never, S::plain, R::loopback, no},
           Row{P::never, S::tls, R::remote, yes},
           Row{P::never, S::tls, R::loopback, yes},
           Row{P::loopback, S::plain, R::remote, no},
           Row{P::loopback, S::plain, R::loopback, yes},
           Row{P::loopback, S::tls, R::remote, yes},
           Row{P::always, S::plain, R::remote, yes},
           Row{P::always, S::tls, R::loopback, yes},
       }) {
    EXPECT_EQ(plaintext_mechanisms(row.policy, ConnectionTrust{row.security, row.remote}),
              row.expected)
        << "policy=" << static_cast<int>(row.policy) << " tls=" << (row.security == S::tls)
        << " loopback=" << (row.remote == R::loopback);
  }
}

}  // namespace
}  // namespace postamt::auth
