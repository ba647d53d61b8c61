#include "http/web_push.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>

#include <array>
#include <cstdint>
#include <memory>

#include "base/base64.h"

namespace postamt::http {

namespace {

constexpr size_t kPointSize = 65;
constexpr size_t kSaltSize = 16;
constexpr size_t kTagSize = 16;
constexpr uint32_t kRecordSize = 4096;
constexpr size_t kHeaderSize = kSaltSize + 4 + 1 + kPointSize;

struct Free {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
  void operator()(EVP_CIPHER_CTX* p) const { EVP_CIPHER_CTX_free(p); }
  void operator()(EC_GROUP* p) const { EC_GROUP_free(p); }
  void operator()(EC_POINT* p) const { EC_POINT_free(p); }
  void operator()(BIGNUM* p) const { BN_free(p); }
  void operator()(OSSL_PARAM_BLD* p) const { OSSL_PARAM_BLD_free(p); }
  void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
};
template <class T>
using Owned = std::unique_ptr<T, Free>;

Error crypto_failure(std::string_view what) {
  return Error{ErrorKind::internal, "web push encryption: " + std::string(what) + " failed"};
}

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// True when `point` is an uncompressed point on P-256.
bool on_curve(std::string_view point) {
  if (point.size() != kPointSize || point[0] != 0x04) return false;
  Owned<EC_GROUP> group(EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1));
  if (!group) return false;
  Owned<EC_POINT> p(EC_POINT_new(group.get()));
  return p && EC_POINT_oct2point(group.get(), p.get(), bytes(point), point.size(), nullptr) == 1 &&
         EC_POINT_is_on_curve(group.get(), p.get(), nullptr) == 1;
}

// A P-256 key from its public point and, when given, its private scalar.
Owned<EVP_PKEY> ec_key(std::string_view public_point, std::string_view private_scalar = {}) {
  Owned<OSSL_PARAM_BLD> build(OSSL_PARAM_BLD_new());
  Owned<BIGNUM> scalar;
  if (!build) return nullptr;
  if (!OSSL_PARAM_BLD_push_utf8_string(build.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) ||
      !OSSL_PARAM_BLD_push_octet_string(build.get(), OSSL_PKEY_PARAM_PUB_KEY, public_point.data(),
                                        public_point.size()))
    return nullptr;
  if (!private_scalar.empty()) {
    scalar.reset(
        BN_bin2bn(bytes(private_scalar), static_cast<int>(private_scalar.size()), nullptr));
    if (!scalar || !OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_PRIV_KEY, scalar.get()))
      return nullptr;
  }
  Owned<OSSL_PARAM> params(OSSL_PARAM_BLD_to_param(build.get()));
  Owned<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* key = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &key,
                        private_scalar.empty() ? EVP_PKEY_PUBLIC_KEY : EVP_PKEY_KEYPAIR,
                        params.get()) != 1)
    return nullptr;
  return Owned<EVP_PKEY>(key);
}

// The uncompressed public point of the private scalar.
std::optional<std::string> public_point_of(std::string_view private_scalar) {
  Owned<EC_GROUP> group(EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1));
  Owned<BIGNUM> scalar(
      BN_bin2bn(bytes(private_scalar), static_cast<int>(private_scalar.size()), nullptr));
  if (!group || !scalar || BN_is_zero(scalar.get())) return std::nullopt;
  Owned<EC_POINT> point(EC_POINT_new(group.get()));
  if (!point ||
      EC_POINT_mul(group.get(), point.get(), scalar.get(), nullptr, nullptr, nullptr) != 1)
    return std::nullopt;
  std::string out(kPointSize, '\0');
  if (EC_POINT_point2oct(group.get(), point.get(), POINT_CONVERSION_UNCOMPRESSED,
                         reinterpret_cast<unsigned char*>(out.data()), out.size(),
                         nullptr) != kPointSize)
    return std::nullopt;
  return out;
}

std::optional<std::string> ecdh(EVP_PKEY* own, EVP_PKEY* peer) {
  Owned<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new(own, nullptr));
  size_t size = 0;
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 ||
      EVP_PKEY_derive_set_peer(ctx.get(), peer) != 1 ||
      EVP_PKEY_derive(ctx.get(), nullptr, &size) != 1)
    return std::nullopt;
  std::string secret(size, '\0');
  if (EVP_PKEY_derive(ctx.get(), reinterpret_cast<unsigned char*>(secret.data()), &size) != 1)
    return std::nullopt;
  secret.resize(size);
  return secret;
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  std::string out(32, '\0');
  unsigned int size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), bytes(data), data.size(),
       reinterpret_cast<unsigned char*>(out.data()), &size);
  out.resize(size);
  return out;
}

// HKDF (RFC 5869) with SHA-256 for at most one block of output, as RFC 8291 uses it.
std::string hkdf(std::string_view salt, std::string_view ikm, std::string_view info, size_t size) {
  std::string prk = hmac_sha256(salt, ikm);
  std::string t = hmac_sha256(prk, std::string(info) + '\x01');
  return t.substr(0, size);
}

struct RecordKeys {
  std::string cek;    // 16 octets
  std::string nonce;  // 12 octets
};

// RFC 8291 §3.3-3.4 and RFC 8188 §2.2-2.3.
RecordKeys derive(std::string_view ecdh_secret, std::string_view auth, std::string_view ua_public,
                  std::string_view as_public, std::string_view salt) {
  std::string key_info =
      std::string("WebPush: info") + '\0' + std::string(ua_public) + std::string(as_public);
  std::string ikm = hkdf(auth, ecdh_secret, key_info, 32);
  return {hkdf(salt, ikm, std::string("Content-Encoding: aes128gcm") + '\0', 16),
          hkdf(salt, ikm, std::string("Content-Encoding: nonce") + '\0', 12)};
}

std::optional<std::string> aes_gcm(bool encrypt, const RecordKeys& keys, std::string_view input,
                                   std::string_view tag = {}) {
  Owned<EVP_CIPHER_CTX> ctx(EVP_CIPHER_CTX_new());
  if (!ctx || EVP_CipherInit_ex(ctx.get(), EVP_aes_128_gcm(), nullptr, bytes(keys.cek),
                                bytes(keys.nonce), encrypt ? 1 : 0) != 1)
    return std::nullopt;
  std::string out(input.size() + kTagSize, '\0');
  int size = 0;
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  if (EVP_CipherUpdate(ctx.get(), o, &size, bytes(input), static_cast<int>(input.size())) != 1)
    return std::nullopt;
  int total = size;
  if (!encrypt && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagSize),
                                      const_cast<char*>(tag.data())) != 1)
    return std::nullopt;
  if (EVP_CipherFinal_ex(ctx.get(), o + total, &size) != 1) return std::nullopt;
  total += size;
  if (encrypt) {
    if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagSize),
                            o + total) != 1)
      return std::nullopt;
    total += static_cast<int>(kTagSize);
  }
  out.resize(static_cast<size_t>(total));
  return out;
}

}  // namespace

std::string encode_base64url(std::string_view raw) {
  std::string text = base64::encode(raw);
  while (!text.empty() && text.back() == '=') text.pop_back();
  for (char& c : text) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return text;
}

std::optional<std::string> decode_base64url(std::string_view text) {
  std::string standard(text);
  while (!standard.empty() && standard.back() == '=') standard.pop_back();
  for (char& c : standard) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  if (standard.size() % 4 == 1) return std::nullopt;
  while (standard.size() % 4 != 0) standard.push_back('=');
  return base64::decode(standard);
}

Result<WebPushKeys> parse_web_push_keys(std::string_view p256dh, std::string_view auth) {
  auto point = decode_base64url(p256dh);
  if (!point) return Error{ErrorKind::invalid, "p256dh is not URL-safe base64"};
  if (!on_curve(*point))
    return Error{ErrorKind::invalid, "p256dh is not an uncompressed P-256 point"};
  auto secret = decode_base64url(auth);
  if (!secret) return Error{ErrorKind::invalid, "auth is not URL-safe base64"};
  if (secret->size() != 16) return Error{ErrorKind::invalid, "auth is not 16 octets"};
  return WebPushKeys{std::move(*point), std::move(*secret)};
}

Result<std::string> web_push_encrypt(const WebPushKeys& keys, std::string_view plaintext) {
  std::array<unsigned char, 32> scalar{};
  std::array<unsigned char, kSaltSize> salt{};
  // A scalar of 32 random octets is below the group order but for a chance of 2^-32;
  // public_point_of refuses zero, and the retry covers the rest.
  for (int attempt = 0; attempt < 4; ++attempt) {
    if (RAND_bytes(scalar.data(), scalar.size()) != 1 || RAND_bytes(salt.data(), salt.size()) != 1)
      return crypto_failure("random");
    std::string_view s(reinterpret_cast<const char*>(scalar.data()), scalar.size());
    Owned<BIGNUM> value(BN_bin2bn(scalar.data(), scalar.size(), nullptr));
    Owned<EC_GROUP> group(EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1));
    if (!value || !group) return crypto_failure("key generation");
    if (BN_is_zero(value.get()) || BN_cmp(value.get(), EC_GROUP_get0_order(group.get())) >= 0)
      continue;
    return web_push_encrypt_with(
        keys, plaintext, s,
        std::string_view(reinterpret_cast<const char*>(salt.data()), salt.size()));
  }
  return crypto_failure("key generation");
}

Result<std::string> web_push_encrypt_with(const WebPushKeys& keys, std::string_view plaintext,
                                          std::string_view sender_private, std::string_view salt) {
  if (plaintext.size() > kMaxWebPushPlaintext)
    return Error{ErrorKind::limit, "the push message is larger than one record"};
  if (salt.size() != kSaltSize || sender_private.size() != 32)
    return Error{ErrorKind::invalid,
                 "web push encryption needs a 16-octet salt and a 32-octet key"};
  auto as_public = public_point_of(sender_private);
  if (!as_public) return Error{ErrorKind::invalid, "the sender key is not a P-256 scalar"};
  Owned<EVP_PKEY> own = ec_key(*as_public, sender_private);
  Owned<EVP_PKEY> peer = ec_key(keys.p256dh);
  if (!own || !peer) return crypto_failure("key import");
  auto secret = ecdh(own.get(), peer.get());
  if (!secret) return crypto_failure("ECDH");
  RecordKeys record = derive(*secret, keys.auth, keys.p256dh, *as_public, salt);
  // RFC 8188 §2: the last (and only) record ends with the delimiter 0x02, no padding.
  auto sealed = aes_gcm(true, record, std::string(plaintext) + '\x02');
  if (!sealed) return crypto_failure("AES-128-GCM");
  std::string body(salt);
  body.push_back(static_cast<char>(kRecordSize >> 24));
  body.push_back(static_cast<char>((kRecordSize >> 16) & 0xff));
  body.push_back(static_cast<char>((kRecordSize >> 8) & 0xff));
  body.push_back(static_cast<char>(kRecordSize & 0xff));
  body.push_back(static_cast<char>(kPointSize));
  body += *as_public;
  body += *sealed;
  return body;
}

Result<std::string> web_push_decrypt(std::string_view body, std::string_view receiver_private,
                                     const WebPushKeys& keys) {
  auto bad = [](std::string_view why) { return Error{ErrorKind::invalid, std::string(why)}; };
  if (body.size() < kHeaderSize + kTagSize + 1) return bad("the body is shorter than one record");
  std::string_view salt = body.substr(0, kSaltSize);
  uint32_t rs = 0;
  for (size_t i = 0; i < 4; ++i) rs = (rs << 8) | static_cast<unsigned char>(body[kSaltSize + i]);
  if (static_cast<unsigned char>(body[kSaltSize + 4]) != kPointSize)
    return bad("the key id is not a P-256 point");
  std::string_view as_public = body.substr(kSaltSize + 5, kPointSize);
  std::string_view record = body.substr(kHeaderSize);
  if (rs < 18 || record.size() > rs) return bad("the body is not one record");
  if (!on_curve(as_public)) return bad("the key id is not a P-256 point");
  Owned<EVP_PKEY> own = ec_key(keys.p256dh, receiver_private);
  Owned<EVP_PKEY> peer = ec_key(as_public);
  if (!own || !peer) return bad("the receiver key does not match");
  auto secret = ecdh(own.get(), peer.get());
  if (!secret) return crypto_failure("ECDH");
  RecordKeys derived = derive(*secret, keys.auth, keys.p256dh, as_public, salt);
  auto opened = aes_gcm(false, derived, record.substr(0, record.size() - kTagSize),
                        record.substr(record.size() - kTagSize));
  if (!opened) return bad("the record does not authenticate");
  // RFC 8188 §2: strip zero padding back to the delimiter, which must be 0x02.
  while (!opened->empty() && opened->back() == '\0') opened->pop_back();
  if (opened->empty() || opened->back() != '\x02') return bad("the record's padding is malformed");
  opened->pop_back();
  return std::move(*opened);
}

}  // namespace postamt::http
