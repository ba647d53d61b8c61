#include "mailauth/dkim/crypto.h"

#include <gtest/gtest.h>

#include "base/base64.h"

namespace postamt::dkim {
namespace {

// RFC 8463 Appendix A.1 and A.2.
constexpr std::string_view kEd25519Seed = "nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=";
constexpr std::string_view kEd25519Public = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";
constexpr std::string_view kRsaPem =
    "-----BEGIN RSA PRIVATE KEY-----\n"
    "MIICXQIBAAKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQi\n"
    "Y/J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqM\n"
    "KrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB\n"
    "AoGAH0cxOhFZDgzXWhDhnAJDw5s4roOXN4OhjiXa8W7Y3rhX3FJqmJSPuC8N9vQm\n"
    "6SVbaLAE4SG5mLMueHlh4KXffEpuLEiNp9Ss3O4YfLiQpbRqE7Tm5SxKjvvQoZZe\n"
    "zHorimOaChRL2it47iuWxzxSiRMv4c+j70GiWdxXnxe4UoECQQDzJB/0U58W7RZy\n"
    "6enGVj2kWF732CoWFZWzi1FicudrBFoy63QwcowpoCazKtvZGMNlPWnC7x/6o8Gc\n"
    "uSe0ga2xAkEA8C7PipPm1/1fTRQvj1o/dDmZp243044ZNyxjg+/OPN0oWCbXIGxy\n"
    "WvmZbXriOWoSALJTjExEgraHEgnXssuk7QJBALl5ICsYMu6hMxO73gnfNayNgPxd\n"
    "WFV6Z7ULnKyV7HSVYF0hgYOHjeYe9gaMtiJYoo0zGN+L3AAtNP9huqkWlzECQE1a\n"
    "licIeVlo1e+qJ6Mgqr0Q7Aa7falZ448ccbSFYEPD6oFxiOl9Y9se9iYHZKKfIcst\n"
    "o7DUw1/hz2Ck4N5JrgUCQQCyKveNvjzkkd8HjYs0SwM0fPjK16//5qDZ2UiDGnOe\n"
    "uEzxBDAr518Z8VFbR41in3W4Y3yCDgQlLlcETrS+zYcL\n"
    "-----END RSA PRIVATE KEY-----\n";
constexpr std::string_view kRsaPublic =
    "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/"
    "J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLz"
    "BfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB";

std::string hex(std::string_view s) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

TEST(DkimCrypto, Sha256) {
  EXPECT_EQ(hex(sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(to_string(Algorithm::rsa_sha256), "rsa-sha256");
  EXPECT_EQ(to_string(Algorithm::ed25519_sha256), "ed25519-sha256");
}

TEST(DkimCrypto, Rfc8463KeysGiveThePublishedPublicKeys) {
  auto ed = PrivateKey::from_ed25519_seed(*base64::decode(kEd25519Seed));
  ASSERT_TRUE(ed) << ed.error().message;
  EXPECT_EQ(ed->algorithm(), Algorithm::ed25519_sha256);
  EXPECT_EQ(base64::encode(ed->public_key_record_bytes()), kEd25519Public);
  auto rsa = PrivateKey::from_pem(kRsaPem);
  ASSERT_TRUE(rsa) << rsa.error().message;
  EXPECT_EQ(rsa->algorithm(), Algorithm::rsa_sha256);
  EXPECT_EQ(rsa->bits(), 1024u);
  EXPECT_EQ(base64::encode(rsa->public_key_record_bytes()), kRsaPublic);
  EXPECT_EQ(*public_key_bits(Algorithm::rsa_sha256, *base64::decode(kRsaPublic)), 1024u);
  EXPECT_EQ(*public_key_bits(Algorithm::ed25519_sha256, *base64::decode(kEd25519Public)), 256u);
}

TEST(DkimCrypto, SignAndVerifyBothAlgorithms) {
  auto ed = PrivateKey::from_ed25519_seed(*base64::decode(kEd25519Seed));
  auto rsa = PrivateKey::from_pem(kRsaPem);
  ASSERT_TRUE(ed && rsa);
  for (const PrivateKey* key : {&*ed, &*rsa}) {
    auto sig = sign_data(key->algorithm(), *key, "data to sign");
    ASSERT_TRUE(sig) << sig.error().message;
    std::string pub = key->public_key_record_bytes();
    EXPECT_EQ(*verify_signature(key->algorithm(), pub, "data to sign", *sig), true);
    EXPECT_EQ(*verify_signature(key->algorithm(), pub, "data to sigN", *sig), false);
    std::string bad = *sig;
    bad[3] = static_cast<char>(bad[3] ^ 1);
    EXPECT_EQ(*verify_signature(key->algorithm(), pub, "data to sign", bad), false);
    EXPECT_EQ(*verify_signature(key->algorithm(), pub, "data to sign", ""), false);
  }
  // Ed25519 is deterministic (RFC 8032 §5.1.6).
  EXPECT_EQ(*ed->sign("x"), *ed->sign("x"));
  // It signs the SHA-256 of the data (RFC 8463 §3): check against a plain Ed25519
  // verification of the hash with the SubjectPublicKeyInfo form of the key.
  std::string spki = *base64::decode("MCowBQYDK2VwAyEA" + std::string(kEd25519Public));
  EXPECT_EQ(*verify_signature(Algorithm::ed25519_sha256, spki, "x", *ed->sign("x")), true);
}

TEST(DkimCrypto, KeyAndAlgorithmMustMatch) {
  auto ed = PrivateKey::from_ed25519_seed(*base64::decode(kEd25519Seed));
  auto rsa_pub = *base64::decode(kRsaPublic);
  auto r = verify_signature(Algorithm::ed25519_sha256, rsa_pub, "x", *ed->sign("x"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "public key does not match the algorithm");
  EXPECT_FALSE(verify_signature(Algorithm::rsa_sha256, "garbage", "x", "y"));
  EXPECT_FALSE(sign_data(Algorithm::rsa_sha256, *ed, "x"));
  EXPECT_FALSE(
      PrivateKey::from_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"));
  EXPECT_FALSE(PrivateKey::from_ed25519_seed("short"));
  EXPECT_FALSE(PrivateKey::generate_rsa(512));
}

TEST(DkimCrypto, PemRoundTripOfGeneratedKeys) {
  auto ed = PrivateKey::generate_ed25519();
  ASSERT_TRUE(ed);
  std::string pem = ed->to_pem();
  EXPECT_TRUE(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"));
  auto back = PrivateKey::from_pem(pem);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->public_key_record_bytes(), ed->public_key_record_bytes());
  auto rsa = PrivateKey::from_pem(PrivateKey::from_pem(kRsaPem)->to_pem());
  ASSERT_TRUE(rsa);
  EXPECT_EQ(base64::encode(rsa->public_key_record_bytes()), kRsaPublic);
}

}  // namespace
}  // namespace postamt::dkim
