#include <gtest/gtest.h>

#include "mailauth/dmarc/dmarc.h"

namespace postamt::dmarc {
namespace {

// Debian's `publicsuffix` package (scripts/install-deps).
const PublicSuffixList& debian_list() {
  // Aborts the test binary when the package is missing: every test below needs it.
  static const PublicSuffixList list = *PublicSuffixList::load(PublicSuffixList::kDebianPath);
  return list;
}

TEST(PublicSuffixList, DebianFileLoads) {
  EXPECT_GT(debian_list().size(), 5000u);
}

TEST(PublicSuffixList, OrganizationalDomainsFromTheRealList) {
  const PublicSuffixList& psl = debian_list();
  EXPECT_EQ(psl.organizational_domain("example.com"), "example.com");
  EXPECT_EQ(psl.organizational_domain("a.b.mail.Example.COM."), "example.com");
  EXPECT_EQ(psl.organizational_domain("mail.example.co.uk"), "example.co.uk");
  EXPECT_EQ(psl.organizational_domain("example.co.uk"), "example.co.uk");
  // A public suffix is its own (there is no label to add).
  EXPECT_EQ(psl.organizational_domain("co.uk"), "co.uk");
  EXPECT_EQ(psl.organizational_domain("uk"), "uk");
  // Wildcard *.ck and exception !www.ck.
  EXPECT_EQ(psl.organizational_domain("a.b.foo.ck"), "b.foo.ck");
  EXPECT_EQ(psl.organizational_domain("a.www.ck"), "www.ck");
  // The private section counts: one user's pages are not another's.
  EXPECT_EQ(psl.organizational_domain("alice.github.io"), "alice.github.io");
  EXPECT_EQ(psl.organizational_domain("x.alice.github.io"), "alice.github.io");
  // No rule: the implicit "*" (the last label is the suffix).
  EXPECT_EQ(psl.organizational_domain("mail.example.invalidtld"), "example.invalidtld");
  // A non-ASCII rule (公司.cn) matches its A-label.
  EXPECT_EQ(psl.organizational_domain("www.example.xn--55qx5d.cn"), "example.xn--55qx5d.cn");
  EXPECT_EQ(psl.organizational_domain(""), "");
}

TEST(PublicSuffixList, ParseRules) {
  auto psl = PublicSuffixList::parse(
      "// comment\n\n  uk\r\nco.uk extra words\n*.test\n!keep.test\nbad*.rule\nORG.\n");
  ASSERT_TRUE(psl);
  EXPECT_EQ(psl->size(), 5u);
  EXPECT_EQ(psl->organizational_domain("www.example.co.uk"), "example.co.uk");
  EXPECT_EQ(psl->organizational_domain("a.b.c.test"), "b.c.test");
  EXPECT_EQ(psl->organizational_domain("a.keep.test"), "keep.test");
  EXPECT_EQ(psl->organizational_domain("x.y.org"), "y.org");
}

TEST(PublicSuffixList, Errors) {
  auto empty = PublicSuffixList::parse("// only a comment\n\n");
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().kind, ErrorKind::invalid);
  EXPECT_EQ(empty.error().message, "no rule in the public suffix list");
  auto missing = PublicSuffixList::load("/nonexistent/psl.dat");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::not_found);
  EXPECT_EQ(missing.error().message,
            "/nonexistent/psl.dat: cannot read the public suffix list: No such file or directory");
}

TEST(Alignment, RelaxedAndStrictViaTheRealList) {
  const PublicSuffixList& psl = debian_list();
  // RFC 7489 §3.1 and Appendix B.1.
  EXPECT_TRUE(aligned("mail.example.co.uk", "example.co.uk", Alignment::relaxed, psl));
  EXPECT_FALSE(aligned("mail.example.co.uk", "example.co.uk", Alignment::strict, psl));
  EXPECT_TRUE(aligned("EXAMPLE.co.uk.", "example.co.uk", Alignment::strict, psl));
  EXPECT_FALSE(aligned("other.co.uk", "example.co.uk", Alignment::relaxed, psl));
  EXPECT_FALSE(aligned("example.co.uk", "co.uk", Alignment::relaxed, psl));
  EXPECT_FALSE(aligned("alice.github.io", "bob.github.io", Alignment::relaxed, psl));
  EXPECT_FALSE(aligned("", "example.com", Alignment::relaxed, psl));
}

}  // namespace
}  // namespace postamt::dmarc
