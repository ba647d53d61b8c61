#include <gtest/gtest.h>

#include "auth/sasl.h"
#include "base/base64.h"

namespace postamt::auth {
namespace {

// RFC 7677 §3 example exchange.
constexpr std::string_view kClientFirst = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
constexpr std::string_view kServerNonce = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
constexpr std::string_view kServerFirst =
    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
constexpr std::string_view kClientFinal =
    "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
    "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
constexpr std::string_view kServerFinal = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";
constexpr std::string_view kStored =
    "{SCRAM-SHA-256}4096,W22ZaJ0SNY7soEsUEjb6gQ==,"
    "WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=,wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=";

std::unique_ptr<Mechanism> make_scram(size_t max_response_bytes = 8192) {
  MechanismOptions options;
  options.scram = ScramSupport::enabled;
  options.limits.max_response_bytes = max_response_bytes;
  options.nonce = [] { return std::string(kServerNonce); };
  auto m = create_mechanism("SCRAM-SHA-256", PlaintextMechanisms::refused, options);
  EXPECT_TRUE(m.ok());
  return std::move(*m);
}

ScramVerifier rfc_verifier() {
  return *parse_scram_verifier(kStored);
}

std::string challenge_of(const SaslStep& s) {
  const auto* c = std::get_if<Challenge>(&s);
  EXPECT_NE(c, nullptr) << "step index " << s.index();
  return c ? c->data : "<no challenge>";
}

ErrorKind failure_of(const SaslStep& s) {
  const auto* f = std::get_if<Failure>(&s);
  EXPECT_NE(f, nullptr) << "step index " << s.index();
  return f ? f->error.kind : ErrorKind::internal;
}

std::string lookup_of(const SaslStep& s) {
  const auto* l = std::get_if<LookupScramVerifier>(&s);
  EXPECT_NE(l, nullptr) << "step index " << s.index();
  return l ? l->authcid : "<no lookup>";
}

TEST(SaslScram, Rfc7677ExchangeWithInitialResponse) {
  auto m = make_scram();
  EXPECT_EQ(lookup_of(m->start(kClientFirst)), "user");
  EXPECT_EQ(challenge_of(m->supply_verifier(rfc_verifier())), kServerFirst);
  EXPECT_EQ(challenge_of(m->step(kClientFinal)), kServerFinal);
  const SaslStep done = m->step("");
  const auto* ok = std::get_if<Authenticated>(&done);
  ASSERT_NE(ok, nullptr);
  EXPECT_EQ(ok->authcid, "user");
  EXPECT_EQ(failure_of(m->step("")), ErrorKind::internal);
}

TEST(SaslScram, ExchangeWithoutInitialResponse) {
  auto m = make_scram();
  EXPECT_EQ(challenge_of(m->start(std::nullopt)), "");
  EXPECT_EQ(lookup_of(m->step(kClientFirst)), "user");
  EXPECT_EQ(challenge_of(m->supply_verifier(rfc_verifier())), kServerFirst);
  EXPECT_EQ(challenge_of(m->step(kClientFinal)), kServerFinal);
  EXPECT_TRUE(std::holds_alternative<Authenticated>(m->step("")));
}

TEST(SaslScram, WrongPasswordFailsAfterProof) {
  auto salt = base64::decode("W22ZaJ0SNY7soEsUEjb6gQ==");
  auto other = derive_scram_verifier("pencil2", *salt, 4096);
  ASSERT_TRUE(other.ok());
  auto m = make_scram();
  EXPECT_EQ(lookup_of(m->start(kClientFirst)), "user");
  EXPECT_EQ(challenge_of(m->supply_verifier(*other)), kServerFirst);
  EXPECT_EQ(failure_of(m->step(kClientFinal)), ErrorKind::auth_failed);
}

TEST(SaslScram, UnknownUserLooksNormalThenFails) {
  auto m1 = make_scram();
  EXPECT_EQ(lookup_of(m1->start(kClientFirst)), "user");
  const std::string first = challenge_of(m1->supply_verifier(std::nullopt));
  EXPECT_TRUE(first.starts_with("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s="));
  EXPECT_TRUE(first.ends_with(",i=4096"));
  EXPECT_NE(first, kServerFirst);
  // The same unknown user gets the same fake salt every time.
  auto m2 = make_scram();
  (void)m2->start(kClientFirst);
  EXPECT_EQ(challenge_of(m2->supply_verifier(std::nullopt)), first);
  EXPECT_EQ(failure_of(m1->step(kClientFinal)), ErrorKind::auth_failed);
}

TEST(SaslScram, ClientFirstErrors) {
  struct Case {
    std::string_view message;
    ErrorKind kind;
  };
  for (const Case& c : {
           Case{"", ErrorKind::invalid},
           Case{"n", ErrorKind::invalid},
           Case{"n,", ErrorKind::invalid},
           Case{"n,,", ErrorKind::invalid},
           Case{"n,,n=user", ErrorKind::invalid},
           Case{"n,,n=user,r=", ErrorKind::invalid},
           Case{"n,,r=abc,n=user", ErrorKind::invalid},
           Case{"x,,n=user,r=abc", ErrorKind::invalid},
           Case{"n,,m=ext,n=user,r=abc", ErrorKind::invalid},
           Case{"n,,n=us=2Xer,r=abc", ErrorKind::invalid},
           Case{"n,,n=,r=abc", ErrorKind::invalid},
           Case{"n,,n=us\xFFr,r=abc", ErrorKind::invalid},
           Case{"n,,n=user,r=a\x7f", ErrorKind::invalid},
           Case{"n,b=x,n=user,r=abc", ErrorKind::invalid},
           Case{"n,a=admin,n=user,r=abc", ErrorKind::permission},
           Case{"p=tls-unique,,n=user,r=abc", ErrorKind::not_found},
       }) {
    auto m = make_scram();
    EXPECT_EQ(failure_of(m->start(c.message)), c.kind) << c.message;
  }
}

TEST(SaslScram, UsernameEscapesAndAuthzid) {
  auto m = make_scram();
  EXPECT_EQ(lookup_of(m->start("y,a=a=2Cb=3Dc,n=a=2Cb=3Dc,r=abc,x=ext")), "a,b=c");
}

TEST(SaslScram, ClientFinalErrors) {
  const std::string nonce = "rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
  for (const std::string& bad : {
           std::string(""),
           std::string("c=biws,r=" + nonce),              // no proof
           std::string("c=biws,r=" + nonce + ",p=AAAA"),  // short proof
           std::string("c=biws,r=" + nonce + ",p=!!!!"),  // not base64
           std::string("c=eSws,r=" + nonce + ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="),
           std::string(
               "c=biws,r=rOprNGfwEbeRWgbNEkqO,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="),
           std::string("r=" + nonce + ",c=biws,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="),
       }) {
    auto m = make_scram();
    (void)m->start(kClientFirst);
    EXPECT_EQ(challenge_of(m->supply_verifier(rfc_verifier())), kServerFirst);
    EXPECT_EQ(failure_of(m->step(bad)), ErrorKind::invalid) << bad;
  }
}

TEST(SaslScram, FinalAcknowledgementMustBeEmpty) {
  auto m = make_scram();
  (void)m->start(kClientFirst);
  (void)m->supply_verifier(rfc_verifier());
  EXPECT_EQ(challenge_of(m->step(kClientFinal)), kServerFinal);
  EXPECT_EQ(failure_of(m->step("x")), ErrorKind::invalid);
}

TEST(SaslScram, OrderAndSize) {
  auto m = make_scram();
  (void)m->start(kClientFirst);
  // A response while the verifier is outstanding is a caller bug.
  EXPECT_EQ(failure_of(m->step(kClientFinal)), ErrorKind::internal);
  auto small = make_scram(kClientFirst.size() - 1);
  EXPECT_EQ(failure_of(small->start(kClientFirst)), ErrorKind::limit);
}

TEST(SaslScram, BadNonceSourceIsInternal) {
  MechanismOptions options;
  options.scram = ScramSupport::enabled;
  options.nonce = [] { return std::string("has,comma"); };
  auto m = create_mechanism("SCRAM-SHA-256", PlaintextMechanisms::refused, options);
  ASSERT_TRUE(m.ok());
  (void)(*m)->start(kClientFirst);
  EXPECT_EQ(failure_of((*m)->supply_verifier(rfc_verifier())), ErrorKind::internal);
}

TEST(SaslScram, RandomNonceIsPrintable) {
  const std::string a = random_nonce(), b = random_nonce();
  EXPECT_EQ(a.size(), 32u);
  EXPECT_NE(a, b);
  EXPECT_EQ(a.find(','), std::string::npos);
}

}  // namespace
}  // namespace postamt::auth
