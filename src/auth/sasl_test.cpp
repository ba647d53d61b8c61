#include "auth/sasl.h"

#include <gtest/gtest.h>

#include "base/base64.h"

namespace postamt::auth {
namespace {

using namespace std::string_literals;

std::unique_ptr<Mechanism> make(std::string_view name, MechanismOptions options = {}) {
  auto m = create_mechanism(name, PlaintextMechanisms::allowed, options);
  EXPECT_TRUE(m.ok()) << name;
  return m.ok() ? std::move(*m) : nullptr;
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

void expect_password(const SaslStep& s, std::string_view authcid, std::string_view password) {
  const auto* c = std::get_if<CheckPassword>(&s);
  ASSERT_NE(c, nullptr) << "step index " << s.index();
  EXPECT_EQ(c->authcid, authcid);
  EXPECT_EQ(c->password, password);
}

// ---- PLAIN (RFC 4616) ----

TEST(SaslPlain, InitialResponse) {
  auto m = make("PLAIN");
  expect_password(m->start("\0alice@example.org\0pencil"s), "alice@example.org", "pencil");
}

TEST(SaslPlain, EmptyChallengeThenResponse) {
  auto m = make("plain");
  EXPECT_EQ(m->name(), "PLAIN");
  EXPECT_EQ(challenge_of(m->start(std::nullopt)), "");
  expect_password(m->step("alice\0alice\0p\xC3\xA4ss"s), "alice", "p\xC3\xA4ss");
}

TEST(SaslPlain, AuthzidMustEqualAuthcid) {
  auto m = make("PLAIN");
  EXPECT_EQ(failure_of(m->start("bob\0alice\0pencil"s)), ErrorKind::permission);
}

TEST(SaslPlain, MalformedMessages) {
  for (const std::string& bad : {
           ""s,                   // "=" initial response: zero-length message
           "alice"s,              // no NUL
           "\0alice"s,            // truncated after authcid
           "\0alice\0"s,          // empty password
           "\0\0pencil"s,         // empty authcid
           "\0alice\0pen\0cil"s,  // NUL inside password
       }) {
    auto m = make("PLAIN");
    EXPECT_EQ(failure_of(m->start(bad)), ErrorKind::invalid) << testing::PrintToString(bad);
  }
}

// A name no account can have is the login check's to refuse, as a failed login
// (mail::verify_login); an authzid that differs is proxy authorisation, refused as such.
TEST(SaslPlain, UserNamesPassThroughAsSent) {
  expect_password(make("PLAIN")->start("\0al\xFFice\0pencil"s), "al\xFFice", "pencil");
  expect_password(make("PLAIN")->start("\0\x1B[2J*\0pencil"s), "\x1B[2J*", "pencil");
  EXPECT_EQ(failure_of(make("PLAIN")->start("\xC0\xAF\0alice\0pencil"s)), ErrorKind::permission);
}

TEST(SaslPlain, LegacyNonUtf8PasswordPassesThrough) {
  auto m = make("PLAIN");
  expect_password(m->start("\0alice\0p\xE4ss"s), "alice", "p\xE4ss");
}

TEST(SaslPlain, SizeLimitIsExact) {
  MechanismOptions options;
  options.limits.max_response_bytes = 20;
  const std::string at_limit = "\0alice\0"s + std::string(13, 'x');  // 20 bytes
  ASSERT_EQ(at_limit.size(), 20u);
  expect_password(make("PLAIN", options)->start(at_limit), "alice", std::string(13, 'x'));
  auto m = make("PLAIN", options);
  EXPECT_EQ(challenge_of(m->start(std::nullopt)), "");
  EXPECT_EQ(failure_of(m->step(at_limit + "x")), ErrorKind::limit);
}

TEST(SaslPlain, Accepts255OctetFields) {
  const std::string name(255, 'n'), pass(255, 'p');
  auto m = make("PLAIN");
  expect_password(m->start(name + '\0' + name + '\0' + pass), name, pass);
}

TEST(SaslPlain, CallsAfterTheEndFail) {
  auto m = make("PLAIN");
  expect_password(m->start("\0a\0b"s), "a", "b");
  EXPECT_EQ(failure_of(m->step("\0a\0b"s)), ErrorKind::internal);
  EXPECT_EQ(failure_of(m->start("\0a\0b"s)), ErrorKind::internal);
  EXPECT_EQ(failure_of(m->supply_verifier(std::nullopt)), ErrorKind::internal);
}

TEST(SaslPlain, StepBeforeStartFails) {
  auto m = make("PLAIN");
  EXPECT_EQ(failure_of(m->step("\0a\0b"s)), ErrorKind::internal);
  EXPECT_EQ(failure_of(m->start("\0a\0b"s)), ErrorKind::internal);
}

// ---- LOGIN (draft-murchison-sasl-login) ----

TEST(SaslLogin, TwoChallenges) {
  auto m = make("LOGIN");
  EXPECT_EQ(challenge_of(m->start(std::nullopt)), "Username:");
  EXPECT_EQ(challenge_of(m->step("alice@example.org")), "Password:");
  expect_password(m->step("pencil"), "alice@example.org", "pencil");
}

TEST(SaslLogin, InitialResponseIsTheUsername) {
  auto m = make("LOGIN");
  EXPECT_EQ(challenge_of(m->start("alice")), "Password:");
  expect_password(m->step("pencil"), "alice", "pencil");
}

TEST(SaslLogin, EmptyInitialResponseAsksForUsername) {
  auto m = make("LOGIN");
  EXPECT_EQ(challenge_of(m->start("")), "Username:");
}

TEST(SaslLogin, UserNamesPassThroughAsSent) {
  auto m = make("LOGIN");
  EXPECT_EQ(challenge_of(m->start("al\0ice\x7F"s)), "Password:");
  expect_password(m->step("pencil"), "al\0ice\x7F"s, "pencil");
  auto n = make("LOGIN");
  EXPECT_EQ(challenge_of(n->start("al\xFF")), "Password:");
  expect_password(n->step("pencil"), "al\xFF", "pencil");
}

TEST(SaslLogin, RejectsEmptyAndBinaryPasswords) {
  EXPECT_EQ(failure_of([] {
              auto m = make("LOGIN");
              (void)m->start(std::nullopt);
              return m->step("");
            }()),
            ErrorKind::invalid);
  auto m = make("LOGIN");
  EXPECT_EQ(challenge_of(m->start("alice")), "Password:");
  EXPECT_EQ(failure_of(m->step("")), ErrorKind::invalid);
  auto n = make("LOGIN");
  EXPECT_EQ(challenge_of(n->start("alice")), "Password:");
  EXPECT_EQ(failure_of(n->step("pen\0cil"s)), ErrorKind::invalid);
}

TEST(SaslLogin, Oversize) {
  MechanismOptions options;
  options.limits.max_response_bytes = 8;
  auto m = make("LOGIN", options);
  EXPECT_EQ(challenge_of(m->start("12345678")), "Password:");
  EXPECT_EQ(failure_of(m->step("123456789")), ErrorKind::limit);
  EXPECT_EQ(failure_of(make("LOGIN", options)->start("123456789")), ErrorKind::limit);
}

// ---- client line framing ----

TEST(SaslFraming, ContinuationLines) {
  auto cancel = decode_sasl_line("*");
  ASSERT_TRUE(cancel.ok());
  EXPECT_TRUE(std::holds_alternative<SaslCancel>(*cancel));
  auto empty = decode_sasl_line("");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(std::get<std::string>(*empty), "");
  auto plain = decode_sasl_line("AGFsaWNlAHBlbmNpbA==");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(std::get<std::string>(*plain), "\0alice\0pencil"s);
  for (std::string_view bad : {"**", "AGFsaWNl AHBlbmNpbA==", "AGFsaWNlAHBlbmNpbA=", "=", "*\r"}) {
    auto r = decode_sasl_line(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().kind, ErrorKind::invalid);
  }
}

TEST(SaslFraming, InitialResponses) {
  auto empty = decode_initial_response("=");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(*empty, "");
  auto user = decode_initial_response("YWxpY2U=");
  ASSERT_TRUE(user.ok());
  EXPECT_EQ(*user, "alice");
  EXPECT_FALSE(decode_initial_response("").ok());
  EXPECT_FALSE(decode_initial_response("==").ok());
  EXPECT_FALSE(decode_initial_response("*").ok());
}

// ---- registry ----

TEST(SaslRegistry, OfferedMechanisms) {
  using V = std::vector<std::string_view>;
  EXPECT_EQ(offered_mechanisms(PlaintextMechanisms::allowed, ScramSupport::enabled),
            (V{"SCRAM-SHA-256", "PLAIN", "LOGIN"}));
  EXPECT_EQ(offered_mechanisms(PlaintextMechanisms::allowed, ScramSupport::disabled),
            (V{"PLAIN", "LOGIN"}));
  EXPECT_EQ(offered_mechanisms(PlaintextMechanisms::refused, ScramSupport::enabled),
            (V{"SCRAM-SHA-256"}));
  EXPECT_EQ(offered_mechanisms(PlaintextMechanisms::refused, ScramSupport::disabled), V{});
}

TEST(SaslRegistry, Create) {
  MechanismOptions scram_on;
  scram_on.scram = ScramSupport::enabled;
  auto login = create_mechanism("LoGiN", PlaintextMechanisms::allowed, {});
  ASSERT_TRUE(login.ok());
  EXPECT_EQ((*login)->name(), "LOGIN");
  auto refused = create_mechanism("PLAIN", PlaintextMechanisms::refused, scram_on);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().kind, ErrorKind::permission);
  auto scram = create_mechanism("scram-sha-256", PlaintextMechanisms::refused, scram_on);
  ASSERT_TRUE(scram.ok());
  EXPECT_EQ((*scram)->name(), "SCRAM-SHA-256");
  for (std::string_view name : {"SCRAM-SHA-256", "CRAM-MD5", "SCRAM-SHA-256-PLUS", "", "PLAIN "}) {
    auto r = create_mechanism(name, PlaintextMechanisms::allowed, {});
    ASSERT_FALSE(r.ok()) << name;
    EXPECT_EQ(r.error().kind, ErrorKind::not_found) << name;
  }
}

TEST(Utf8, Validation) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("J\xC3\xBCrgen \xE2\x82\xAC \xF0\x9F\x93\xAE"));
  EXPECT_TRUE(is_valid_utf8("\xF4\x8F\xBF\xBF"));   // U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // U+110000
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(is_valid_utf8("\xE0\x80\xAF"));      // overlong
  EXPECT_FALSE(is_valid_utf8("\xC3"));              // truncated
  EXPECT_FALSE(is_valid_utf8("\x80"));
  EXPECT_FALSE(is_valid_utf8("\xFF"));
}

}  // namespace
}  // namespace postamt::auth
