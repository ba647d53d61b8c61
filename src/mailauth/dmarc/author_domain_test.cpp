#include <gtest/gtest.h>

#include "mailauth/dmarc/dmarc.h"

namespace postamt::dmarc {
namespace {

std::string domain_of(std::string_view message) {
  auto d = from_domain(message);
  return d ? *d : "error: " + d.error().message;
}

TEST(FromDomain, SingleAddress) {
  EXPECT_EQ(domain_of("From: Alice <alice@Mail.Example.ORG>\r\nTo: b@x.test\r\n\r\nbody\r\n"),
            "mail.example.org");
  EXPECT_EQ(domain_of("from: alice@example.org\n\nbody"), "example.org");
  EXPECT_EQ(domain_of("From:\r\n  \"Smith, A\" <a@example.org> (work)\r\n\r\n"), "example.org");
  EXPECT_EQ(domain_of("From: \"x@evil.test\" <\"a@b\"@example.org>\r\n\r\n"), "example.org");
  EXPECT_EQ(domain_of("From: a@example.org.\r\n\r\n"), "example.org");
}

TEST(FromDomain, Utf8DomainBecomesALabel) {
  // RFC 7489 §6.6.1: converted to an A-label (RFC 5891).
  EXPECT_EQ(domain_of("From: a@b\xC3\xBC"
                      "cher.example\r\n\r\n"),
            "xn--bcher-kva.example");
}

TEST(FromDomain, Errors) {
  EXPECT_EQ(domain_of("To: a@example.org\r\n\r\n"), "error: the message has no From field");
  EXPECT_EQ(domain_of("From: a@example.org\r\nFrom: b@example.net\r\n\r\n"),
            "error: the message has several From fields");
  EXPECT_EQ(domain_of("From: a@example.org, b@example.net\r\n\r\n"),
            "error: the From field holds several addresses");
  EXPECT_EQ(domain_of("From: undisclosed-recipients:;\r\n\r\n"),
            "error: the From field holds no address");
  EXPECT_EQ(domain_of("From: \r\n\r\n"), "error: the From field holds no address");
  EXPECT_EQ(domain_of("From: alice\r\n\r\n"), "error: the From address has no domain");
  EXPECT_EQ(domain_of("From: a@[192.0.2.1]\r\n\r\n"),
            "error: the From address has a domain literal, not a domain");
  EXPECT_EQ(domain_of("From: a@exa_mple.org\r\n\r\n"),
            "error: the From address's domain is not a valid host name: a label holds a "
            "character other than a-z, 0-9, -");
  EXPECT_EQ(domain_of("From: a@example..org\r\n\r\n"),
            "error: the From address's domain is not a valid host name: a label is empty or "
            "longer than 63 octets");
  // No domain named at all is not_found; an ambiguous or unusable one invalid.
  auto e = from_domain("");
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().kind, ErrorKind::not_found);
  auto two = from_domain("From: a@x.example, b@y.example\r\n\r\n");
  ASSERT_FALSE(two);
  EXPECT_EQ(two.error().kind, ErrorKind::invalid);
}

TEST(FromDomain, SecondFromCannotHideBehindAMalformedLine) {
  // A reader steps over the line without a colon and shows both From fields.
  EXPECT_EQ(domain_of("From: a@example.org\r\nnot a field\r\nFrom: b@evil.test\r\n\r\n"),
            "error: the message has several From fields");
}

TEST(FromDomain, OnlyTheHeaderCounts) {
  EXPECT_EQ(domain_of("From: a@example.org\r\n\r\nFrom: b@example.net\r\n"), "example.org");
  EXPECT_EQ(domain_of("Sender: s@example.net\r\nFrom: a@example.org\r\n\r\n"), "example.org");
}

}  // namespace
}  // namespace postamt::dmarc
