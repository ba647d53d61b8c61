#include "auth/password.h"

#include <gtest/gtest.h>

namespace postamt::auth {
namespace {

constexpr PasswordCheck kMatch = PasswordCheck::match;
constexpr PasswordCheck kMismatch = PasswordCheck::mismatch;

PasswordCheck check(std::string_view stored, std::string_view plaintext) {
  auto r = verify_password(stored, plaintext);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : kMismatch;
}

ErrorKind error_of(std::string_view stored, std::string_view plaintext) {
  auto r = verify_password(stored, plaintext);
  EXPECT_FALSE(r.ok());
  return r.ok() ? ErrorKind::internal : r.error().kind;
}

TEST(Password, HashRoundTripWithMinimumCost) {
  auto stored = hash_password("correct horse", kArgon2Minimum);
  ASSERT_TRUE(stored.ok());
  EXPECT_TRUE(stored->starts_with("{ARGON2ID}$argon2id$v=19$m=8,t=1,p=1$")) << *stored;
  EXPECT_EQ(check(*stored, "correct horse"), kMatch);
  EXPECT_EQ(check(*stored, "correct horsE"), kMismatch);
  EXPECT_EQ(check(*stored, ""), kMismatch);
  // A fresh salt each time.
  auto again = hash_password("correct horse", kArgon2Minimum);
  ASSERT_TRUE(again.ok());
  EXPECT_NE(*stored, *again);
}

TEST(Password, HashRejectsOutOfRangeParams) {
  auto r = hash_password("x", Argon2Params{0, 8192});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::invalid);
  r = hash_password("x", Argon2Params{1, 1024});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::invalid);
}

TEST(Password, EmptyAndBinaryPlaintextRoundTrip) {
  auto stored = hash_password(std::string_view("a\0b", 3), kArgon2Minimum);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(check(*stored, std::string_view("a\0b", 3)), kMatch);
  EXPECT_EQ(check(*stored, "a"), kMismatch);
}

// Reference vector of the Argon2 reference implementation (phc-winner-argon2 test.c:
// password "password", salt "somesalt", t=2, m=2^16 KiB, p=1), in Dovecot's format.
TEST(Password, PublishedArgon2idVector) {
  const std::string stored =
      "{ARGON2ID}$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$"
      "CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc";
  EXPECT_EQ(check(stored, "password"), kMatch);
  EXPECT_EQ(check(stored, "passwore"), kMismatch);
  // Scheme names are case-insensitive, as in Dovecot.
  EXPECT_EQ(check("{argon2id}" + stored.substr(10), "password"), kMatch);
}

TEST(Password, PublishedArgon2iVector) {
  const std::string stored =
      "{ARGON2I}$argon2i$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$"
      "wWKIMhR9lyDFvRz9YTZweHKfbftvj+qf+YFY4NeBbtA";
  EXPECT_EQ(check(stored, "password"), kMatch);
  EXPECT_EQ(check(stored, "Password"), kMismatch);
}

TEST(Password, ArgonSchemeMustMatchPayload) {
  EXPECT_EQ(error_of("{ARGON2I}$argon2id$v=19$m=8,t=1,p=1$c29tZXNhbHQ$AAAA", "x"),
            ErrorKind::invalid);
  EXPECT_EQ(error_of("{ARGON2ID}$argon2id$v=19$m=8,t=1,p=1$garbage", "x"), ErrorKind::invalid);
  EXPECT_EQ(error_of("{ARGON2ID}$argon2id$" + std::string(200, 'a'), "x"), ErrorKind::invalid);
}

// Ulrich Drepper's SHA-crypt specification, first test vector of each variant.
TEST(Password, PublishedShaCryptVectors) {
  EXPECT_EQ(check("{SHA512-CRYPT}$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQ"
                  "JuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1",
                  "Hello world!"),
            kMatch);
  EXPECT_EQ(check("{SHA256-CRYPT}$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5",
                  "Hello world!"),
            kMatch);
  EXPECT_EQ(check("{SHA256-CRYPT}$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5",
                  "Hello world"),
            kMismatch);
}

// Produced by OpenSSL's independent implementation: openssl passwd -6 / -5 -salt Ab1Cd2Ef3.
TEST(Password, OpensslShaCryptVectors) {
  const std::string sha512 =
      "{SHA512-CRYPT}$6$Ab1Cd2Ef3$umuCrqAemKA/rsp41zTBGbrucPk/"
      "WI9u0Uq3cdHyK784AnmBK9CjwU9I1zKGlsqbTg"
      "hqw7utK.jTp.9U1iVrT/";
  EXPECT_EQ(check(sha512, "correct horse"), kMatch);
  EXPECT_EQ(check(sha512, "correct horse "), kMismatch);
  EXPECT_EQ(check("{SHA256-CRYPT}$5$Ab1Cd2Ef3$jb43UXZXNTGRL0y4Q/dBhG.vfbxVXGzrZ.DnUnD1apA",
                  "correct horse"),
            kMatch);
}

// Published crypt_blowfish / OpenBSD test vectors ("U*U" etc.), $2a$ as published and
// re-labelled $2y$/$2b$ (identical output for these ASCII inputs).
TEST(Password, PublishedBcryptVectors) {
  EXPECT_EQ(check("{BLF-CRYPT}$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", "U*U"),
            kMatch);
  EXPECT_EQ(
      check("{BLF-CRYPT}$2a$05$CCCCCCCCCCCCCCCCCCCCC.VGOzA784oUp/Z0DY336zx7pLYAy0lwK", "U*U*"),
      kMatch);
  EXPECT_EQ(
      check("{BLF-CRYPT}$2a$05$XXXXXXXXXXXXXXXXXXXXXOAcXxm9kjPGEMsLznoKqmqw7tc8WCx4a", "U*U*U"),
      kMatch);
  EXPECT_EQ(check("{BLF-CRYPT}$2y$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", "U*U"),
            kMatch);
  EXPECT_EQ(check("{BLF-CRYPT}$2b$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", "U*U"),
            kMatch);
  EXPECT_EQ(check("{BLF-CRYPT}$2y$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", "U*V"),
            kMismatch);
  // Computed with libxcrypt (Python crypt.crypt("secret", "$2y$04$abcdefghijklmnopqrstuu")).
  EXPECT_EQ(
      check("{BLF-CRYPT}$2y$04$abcdefghijklmnopqrstuu2r9OfJnfCsdneAXAGHnS4UpFFP8WIrW", "secret"),
      kMatch);
}

TEST(Password, CryptSchemeMustMatchPayload) {
  // A DES crypt ("ab" salt) under a SHA512 label must not be accepted as weak crypt.
  EXPECT_EQ(error_of("{SHA512-CRYPT}abJnggxhB/yWI", "test"), ErrorKind::invalid);
  EXPECT_EQ(error_of("{SHA512-CRYPT}$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5",
                     "Hello world!"),
            ErrorKind::invalid);
  EXPECT_EQ(
      error_of("{BLF-CRYPT}$2x$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", "U*U"),
      ErrorKind::invalid);
  EXPECT_EQ(error_of("{BLF-CRYPT}$2y$05$short", "U*U"), ErrorKind::invalid);
}

TEST(Password, NulInPlaintextNeverMatchesCrypt) {
  // crypt(3) would see only "Hello world!" and match; the NUL must make it a mismatch.
  EXPECT_EQ(check("{SHA512-CRYPT}$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQ"
                  "JuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1",
                  std::string_view("Hello world!\0x", 14)),
            kMismatch);
}

TEST(Password, UnknownOrMissingSchemeIsAnError) {
  EXPECT_EQ(error_of("{PLAIN}secret", "secret"), ErrorKind::invalid);
  EXPECT_EQ(error_of("{CRYPT}abJnggxhB/yWI", "test"), ErrorKind::invalid);
  EXPECT_EQ(error_of("{MD5-CRYPT}$1$abc$def", "x"), ErrorKind::invalid);
  EXPECT_EQ(error_of("$6$saltstring$svn8Uo", "x"), ErrorKind::invalid);
  EXPECT_EQ(error_of("", ""), ErrorKind::invalid);
  EXPECT_EQ(error_of("{}x", "x"), ErrorKind::invalid);
  EXPECT_EQ(error_of("{ARGON2ID", "x"), ErrorKind::invalid);
}

TEST(Password, SplitScheme) {
  auto r = split_scheme("{blf-crypt}$2y$x");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->scheme, "BLF-CRYPT");
  EXPECT_EQ(r->payload, "$2y$x");
}

TEST(Password, NeedsRehash) {
  auto minimum = hash_password("pw", kArgon2Minimum);
  ASSERT_TRUE(minimum.ok());
  EXPECT_FALSE(needs_rehash(*minimum, kArgon2Minimum));
  EXPECT_TRUE(needs_rehash(*minimum, kArgon2Interactive));
  EXPECT_TRUE(
      needs_rehash("{ARGON2I}$argon2i$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$"
                   "wWKIMhR9lyDFvRz9YTZweHKfbftvj+qf+YFY4NeBbtA",
                   kArgon2Interactive));
  EXPECT_TRUE(needs_rehash("{SHA512-CRYPT}$6$saltstring$x"));
  EXPECT_TRUE(needs_rehash("{BLF-CRYPT}$2y$05$x"));
  EXPECT_TRUE(needs_rehash("garbage"));
  EXPECT_TRUE(needs_rehash("{ARGON2ID}$argon2id$v=19$broken"));
  EXPECT_FALSE(
      needs_rehash("{ARGON2ID}$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$"
                   "CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
                   Argon2Params{2, 64u * 1024u * 1024u}));
}

}  // namespace
}  // namespace postamt::auth
