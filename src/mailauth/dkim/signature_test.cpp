#include "mailauth/dkim/signature.h"

#include <gtest/gtest.h>

namespace postamt::dkim {
namespace {

constexpr std::string_view kGood =
    " v=1; a=rsa-sha256; c=relaxed/simple; d=Example.ORG; s=Sel1;\r\n"
    "\th=From : to:Subject; bh=YWJj; b=ZGVm\r\n Z2g=; t=100; x=200; l=42;\r\n"
    " i=joe@mail.example.org; q=dns/txt; z=From:joe; future=ignored\r\n";

TEST(DkimSignature, ParsesEveryTag) {
  auto sig = parse_signature(kGood);
  ASSERT_TRUE(sig) << sig.error().message;
  EXPECT_EQ(sig->algorithm, Algorithm::rsa_sha256);
  EXPECT_EQ(sig->signature, "defgh");
  EXPECT_EQ(sig->signature_base64, "ZGVmZ2g=");
  EXPECT_EQ(sig->body_hash, "abc");
  EXPECT_EQ(sig->header_canon, Canon::relaxed);
  EXPECT_EQ(sig->body_canon, Canon::simple);
  EXPECT_EQ(sig->domain, "example.org");
  EXPECT_EQ(sig->selector, "sel1");
  EXPECT_EQ(sig->signed_headers, (std::vector<std::string>{"from", "to", "subject"}));
  EXPECT_EQ(sig->identity, "joe@mail.example.org");
  EXPECT_EQ(sig->body_length, 42u);
  EXPECT_EQ(sig->timestamp, 100u);
  EXPECT_EQ(sig->expiration, 200u);
  EXPECT_EQ(sig->copied_headers, "From:joe");
}

TEST(DkimSignature, Defaults) {
  auto sig = parse_signature("v=1; a=ed25519-sha256; d=example.org; s=s; h=from; bh=YWJj; b=ZGVm");
  ASSERT_TRUE(sig) << sig.error().message;
  EXPECT_EQ(sig->algorithm, Algorithm::ed25519_sha256);
  EXPECT_EQ(sig->header_canon, Canon::simple);  // §3.5 c= default simple/simple
  EXPECT_EQ(sig->body_canon, Canon::simple);
  EXPECT_EQ(sig->identity, "@example.org");  // §3.5 i= default
  EXPECT_FALSE(sig->body_length);
  EXPECT_FALSE(sig->timestamp);
  auto relaxed =
      parse_signature("v=1; a=rsa-sha256; c=relaxed; d=x.org; s=s; h=from; bh=YQ==; b=YQ==");
  ASSERT_TRUE(relaxed);
  EXPECT_EQ(relaxed->header_canon, Canon::relaxed);
  EXPECT_EQ(relaxed->body_canon, Canon::simple);
}

std::string error_of(std::string_view value) {
  auto sig = parse_signature(value);
  return sig ? std::string("(parsed)") : sig.error().message;
}

TEST(DkimSignature, Rejects) {
  const std::string base = "a=rsa-sha256; d=example.org; s=s; h=from; bh=YWJj; b=ZGVm";
  EXPECT_EQ(error_of(base), "missing required tag v=");
  EXPECT_EQ(error_of("v=1; d=example.org; s=s; h=from; bh=YWJj; b=ZGVm"),
            "missing required tag a=");
  EXPECT_EQ(error_of("v=2; " + base), "incompatible version");
  EXPECT_EQ(error_of("v=1; v=1; " + base), "signature syntax error: tag list: duplicate tag v");
  EXPECT_EQ(error_of("v=1; a=rsa-sha1; d=example.org; s=s; h=from; bh=YWJj; b=ZGVm"),
            "rsa-sha1 is not accepted (RFC 8301)");
  EXPECT_EQ(error_of("v=1; a=rsa-md5; d=example.org; s=s; h=from; bh=YWJj; b=ZGVm"),
            "unsupported algorithm rsa-md5");
  EXPECT_EQ(error_of("v=1; a=rsa-sha256; d=example.org; s=s; h=to:subject; bh=YWJj; b=ZGVm"),
            "From field not signed");
  EXPECT_EQ(error_of("v=1; " + base + "; i=joe@example.com"), "i= is not within d=");
  EXPECT_EQ(error_of("v=1; " + base + "; i=joe@badexample.org"), "i= is not within d=");
  EXPECT_EQ(error_of("v=1; " + base + "; i=joe"), "bad i= value");
  EXPECT_EQ(error_of("v=1; " + base + "; t=200; x=100"), "x= is not after t=");
  EXPECT_EQ(error_of("v=1; " + base + "; t=200; x=200"), "x= is not after t=");
  EXPECT_EQ(error_of("v=1; " + base + "; l=-1"), "bad l= value");
  EXPECT_EQ(error_of("v=1; " + base + "; l=99999999999999999999999"), "bad l= value");
  EXPECT_EQ(error_of("v=1; " + base + "; t=soon"), "bad t= value");
  EXPECT_EQ(error_of("v=1; " + base + "; q=http/well-known"), "no dns/txt query method");
  EXPECT_EQ(error_of("v=1; " + base + "; c=relaxed/fancy"), "bad c= value");
  EXPECT_EQ(error_of("v=1; a=rsa-sha256; d=example.org; s=s; h=from; bh=YWJj; b=!!"),
            "bad b= value");
  EXPECT_EQ(error_of("v=1; a=rsa-sha256; d=example.org; s=s; h=from; bh=; b=ZGVm"),
            "bad bh= value");
  EXPECT_EQ(error_of("v=1; a=rsa-sha256; d=exa mple.org; s=s; h=from; bh=YWJj; b=ZGVm"),
            "bad d= value");
  EXPECT_EQ(error_of("v=1; a=rsa-sha256; d=example.org; s=s; h=from::to; bh=YWJj; b=ZGVm"),
            "bad h= value");
  EXPECT_EQ(error_of("v=1; a=rsa-sha256; d=example.org; s=s; h=from; bh=YWJj; b=ZGVm; q=dns/txt:x"),
            "(parsed)");
}

TEST(DkimSignature, AlgorithmNameForReports) {
  EXPECT_EQ(algorithm_name_of("v=1; a=rsa-sha1; b=x"), "rsa-sha1");
  EXPECT_EQ(algorithm_name_of("v=1; b=x"), "");
  EXPECT_EQ(algorithm_name_of("garbage"), "");
}

}  // namespace
}  // namespace postamt::dkim
