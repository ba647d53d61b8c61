#include "http/web_push.h"

#include <gtest/gtest.h>

namespace postamt::http {
namespace {

std::string raw(std::string_view base64url) {
  auto decoded = decode_base64url(base64url);
  EXPECT_TRUE(decoded) << base64url;
  return decoded.value_or("");
}

// RFC 8291 Appendix A.
constexpr std::string_view kPlaintext = "When I grow up, I want to be a watermelon";
constexpr std::string_view kAsPrivate = "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw";
constexpr std::string_view kUaPrivate = "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94";
constexpr std::string_view kUaPublic =
    "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
constexpr std::string_view kAuth = "BTBZMqHH6r4Tts7J_aSIgg";
constexpr std::string_view kSalt = "DGv6ra1nlYgDCS1FRnbzlw";
constexpr std::string_view kBody =
    "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS"
    "6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_"
    "Qulcy4a-fN";

TEST(WebPush, Base64url) {
  EXPECT_EQ(encode_base64url("\xfb\xff\xbf"), "-_-_");
  EXPECT_EQ(encode_base64url("ab"), "YWI");
  EXPECT_EQ(decode_base64url("YWI"), std::optional<std::string>("ab"));
  EXPECT_EQ(decode_base64url("YWI="), std::optional<std::string>("ab"));
  EXPECT_EQ(decode_base64url("-_-_"), std::optional<std::string>("\xfb\xff\xbf"));
  EXPECT_EQ(decode_base64url("+/+/"), std::optional<std::string>("\xfb\xff\xbf"));
  EXPECT_EQ(decode_base64url("Y"), std::nullopt);
  EXPECT_EQ(decode_base64url("YW I"), std::nullopt);
  EXPECT_EQ(decode_base64url("YW*"), std::nullopt);
}

TEST(WebPush, Rfc8291AppendixAExactBytes) {
  auto keys = parse_web_push_keys(kUaPublic, kAuth);
  ASSERT_TRUE(keys) << keys.error().message;
  auto body = web_push_encrypt_with(*keys, kPlaintext, raw(kAsPrivate), raw(kSalt));
  ASSERT_TRUE(body) << body.error().message;
  EXPECT_EQ(encode_base64url(*body), kBody);
  auto opened = web_push_decrypt(raw(kBody), raw(kUaPrivate), *keys);
  ASSERT_TRUE(opened) << opened.error().message;
  EXPECT_EQ(*opened, kPlaintext);
}

TEST(WebPush, EachMessageHasItsOwnKeyAndSaltAndDecrypts) {
  auto keys = parse_web_push_keys(kUaPublic, kAuth);
  ASSERT_TRUE(keys);
  const std::string message = R"({"@type":"StateChange","changed":{"A1":{"Email":"s9"}}})";
  auto a = web_push_encrypt(*keys, message);
  auto b = web_push_encrypt(*keys, message);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->size(), 86 + message.size() + 1 + 16);
  EXPECT_NE(a->substr(0, 16), b->substr(0, 16));    // salt
  EXPECT_NE(a->substr(21, 65), b->substr(21, 65));  // sender key
  EXPECT_EQ(a->substr(16, 5), std::string("\x00\x00\x10\x00\x41", 5));
  auto opened = web_push_decrypt(*a, raw(kUaPrivate), *keys);
  ASSERT_TRUE(opened) << opened.error().message;
  EXPECT_EQ(*opened, message);

  std::string tampered = *a;
  tampered[100] ^= 1;
  auto refused = web_push_decrypt(tampered, raw(kUaPrivate), *keys);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message, "the record does not authenticate");
  auto other = parse_web_push_keys(kUaPublic, "AAAAAAAAAAAAAAAAAAAAAA");
  ASSERT_TRUE(other);
  EXPECT_FALSE(web_push_decrypt(*a, raw(kUaPrivate), *other));
}

TEST(WebPush, OneRecordAtMost) {
  auto keys = parse_web_push_keys(kUaPublic, kAuth);
  ASSERT_TRUE(keys);
  EXPECT_TRUE(web_push_encrypt(*keys, std::string(kMaxWebPushPlaintext, 'x')));
  auto big = web_push_encrypt(*keys, std::string(kMaxWebPushPlaintext + 1, 'x'));
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().kind, ErrorKind::limit);
}

TEST(WebPush, KeysAreChecked) {
  auto message = [](std::string_view p256dh, std::string_view auth) {
    auto keys = parse_web_push_keys(p256dh, auth);
    EXPECT_FALSE(keys);
    return keys ? std::string() : keys.error().message;
  };
  EXPECT_EQ(message("not*base64", kAuth), "p256dh is not URL-safe base64");
  // A point off the curve: the last coordinate octet changed.
  std::string off = raw(kUaPublic);
  off.back() ^= 1;
  EXPECT_EQ(message(encode_base64url(off), kAuth), "p256dh is not an uncompressed P-256 point");
  // Compressed form (0x02/0x03 || X) is not what RFC 8291 sends.
  std::string compressed = "\x02" + raw(kUaPublic).substr(1, 32);
  EXPECT_EQ(message(encode_base64url(compressed), kAuth),
            "p256dh is not an uncompressed P-256 point");
  EXPECT_EQ(message("", kAuth), "p256dh is not an uncompressed P-256 point");
  EXPECT_EQ(message(kUaPublic, "a*b"), "auth is not URL-safe base64");
  EXPECT_EQ(message(kUaPublic, "BTBZMqHH6r4Tts7J_aSI"), "auth is not 16 octets");
}

}  // namespace
}  // namespace postamt::http
