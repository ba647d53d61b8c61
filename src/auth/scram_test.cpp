#include "auth/scram.h"

#include <gtest/gtest.h>

#include "auth/password.h"
#include "base/base64.h"

namespace postamt::auth {
namespace {

// RFC 7677 §3: user "user", password "pencil", salt W22ZaJ0SNY7soEsUEjb6gQ==, i=4096.
// StoredKey/ServerKey follow from the exchange in that section (checked end to end in
// sasl_test.cpp) and were recomputed independently with Python hashlib.pbkdf2_hmac.
constexpr std::string_view kRfc7677Stored =
    "{SCRAM-SHA-256}4096,W22ZaJ0SNY7soEsUEjb6gQ==,"
    "WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=,wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=";

// The stored form parse_scram_verifier() reads (Postamt stores none of its own).
std::string format_scram_verifier(const ScramVerifier& v) {
  return "{SCRAM-SHA-256}" + std::to_string(v.iterations) + "," + base64::encode(v.salt) + "," +
         base64::encode(as_bytes(v.stored_key)) + "," + base64::encode(as_bytes(v.server_key));
}

TEST(Scram, DeriveMatchesRfc7677Exchange) {
  auto salt = base64::decode("W22ZaJ0SNY7soEsUEjb6gQ==");
  ASSERT_TRUE(salt);
  auto v = derive_scram_verifier("pencil", *salt, 4096);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(format_scram_verifier(*v), kRfc7677Stored);
}

TEST(Scram, ParseRoundTrip) {
  auto v = parse_scram_verifier(kRfc7677Stored);
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_EQ(v->iterations, 4096u);
  EXPECT_EQ(v->salt.size(), 16u);
  EXPECT_EQ(format_scram_verifier(*v), kRfc7677Stored);
}

TEST(Scram, ParseRejectsMalformed) {
  for (std::string_view bad : {
           "{SCRAM-SHA-1}4096,W22ZaJ0SNY7soEsUEjb6gQ==,AAAA,AAAA",
           "{SCRAM-SHA-256}4096,W22ZaJ0SNY7soEsUEjb6gQ==,"
           "WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=",
           "{SCRAM-SHA-256}4095,W22ZaJ0SNY7soEsUEjb6gQ==,"
           "WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=,"
           "wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=",
           "{SCRAM-SHA-256}99999999999,W22ZaJ0SNY7soEsUEjb6gQ==,"
           "WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=,"
           "wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=",
           "{SCRAM-SHA-256}4096,,"
           "WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=,"
           "wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=",
           "{SCRAM-SHA-256}4096,W22ZaJ0SNY7soEsUEjb6gQ==,AAAA,"
           "wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=",
           "{SCRAM-SHA-256}4096,W22ZaJ0SNY7soEsUEjb6gQ==,"
           "WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=,"
           "wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU",
       }) {
    auto v = parse_scram_verifier(bad);
    ASSERT_FALSE(v.ok()) << bad;
    EXPECT_EQ(v.error().kind, ErrorKind::invalid) << bad;
  }
}

TEST(Scram, DeriveRejectsBadInput) {
  EXPECT_FALSE(derive_scram_verifier("pw", "", 4096).ok());
  EXPECT_FALSE(derive_scram_verifier("pw", "salt", 4095).ok());
  EXPECT_FALSE(derive_scram_verifier("pw", "salt", kScramMaxIterations + 1).ok());
}

TEST(Scram, StoredStringVerifiesAsPassword) {
  auto verifier = derive_scram_verifier("pencil", "sixteen byte slt", kScramMinIterations);
  ASSERT_TRUE(verifier.ok());
  const std::string stored_string = format_scram_verifier(*verifier);
  const std::string* stored = &stored_string;
  EXPECT_TRUE(stored->starts_with("{SCRAM-SHA-256}4096,"));
  auto ok = verify_password(*stored, "pencil");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, PasswordCheck::match);
  auto bad = verify_password(*stored, "pencil2");
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(*bad, PasswordCheck::mismatch);
  auto rfc = verify_password(kRfc7677Stored, "pencil");
  ASSERT_TRUE(rfc.ok());
  EXPECT_EQ(*rfc, PasswordCheck::match);
  EXPECT_TRUE(needs_rehash(kRfc7677Stored));
}

TEST(Scram, ConstantTimeEqual) {
  EXPECT_TRUE(constant_time_equal("abc", "abc"));
  EXPECT_FALSE(constant_time_equal("abc", "abd"));
  EXPECT_FALSE(constant_time_equal("abc", "ab"));
  EXPECT_TRUE(constant_time_equal("", ""));
}

}  // namespace
}  // namespace postamt::auth
