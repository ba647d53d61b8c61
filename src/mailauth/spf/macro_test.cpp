#include "mailauth/spf/macro.h"

#include <gtest/gtest.h>

namespace postamt::spf {
namespace {

// RFC 7208 §7.4: sender strong-bad@email.example.com, IPv4 192.0.2.3, IPv6
// 2001:db8::cb01, PTR name mx.example.org.
MacroValues rfc_values(std::string_view ip = "192.0.2.3") {
  MacroValues v;
  v.sender = "strong-bad@email.example.com";
  v.local_part = "strong-bad";
  v.sender_domain = "email.example.com";
  v.domain = "email.example.com";
  v.ip = *Address::parse(ip);
  v.helo = "mx.example.org";
  v.receiver = "mx.postamt.example";
  v.now = 1700000000;
  v.validated_name = [] { return std::string("mx.example.org"); };
  return v;
}

std::string expand(std::string_view text, const MacroValues& v = rfc_values(),
                   MacroUse use = MacroUse::domain_spec) {
  auto r = expand_macros(text, v, use);
  return r ? *r : "ERROR: " + r.error().message;
}

TEST(SpfMacro, Rfc7208Section74SingleMacros) {
  EXPECT_EQ(expand("%{s}"), "strong-bad@email.example.com");
  EXPECT_EQ(expand("%{o}"), "email.example.com");
  EXPECT_EQ(expand("%{d}"), "email.example.com");
  EXPECT_EQ(expand("%{d4}"), "email.example.com");
  EXPECT_EQ(expand("%{d3}"), "email.example.com");
  EXPECT_EQ(expand("%{d2}"), "example.com");
  EXPECT_EQ(expand("%{d1}"), "com");
  EXPECT_EQ(expand("%{dr}"), "com.example.email");
  EXPECT_EQ(expand("%{d2r}"), "example.email");
  EXPECT_EQ(expand("%{l}"), "strong-bad");
  EXPECT_EQ(expand("%{l-}"), "strong.bad");
  EXPECT_EQ(expand("%{lr}"), "strong-bad");
  EXPECT_EQ(expand("%{lr-}"), "bad.strong");
  EXPECT_EQ(expand("%{l1r-}"), "strong");
}

TEST(SpfMacro, Rfc7208Section74MacroStrings) {
  EXPECT_EQ(expand("%{ir}.%{v}._spf.%{d2}"), "3.2.0.192.in-addr._spf.example.com");
  EXPECT_EQ(expand("%{lr-}.lp._spf.%{d2}"), "bad.strong.lp._spf.example.com");
  EXPECT_EQ(expand("%{lr-}.lp.%{ir}.%{v}._spf.%{d2}"),
            "bad.strong.lp.3.2.0.192.in-addr._spf.example.com");
  EXPECT_EQ(expand("%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}"),
            "3.2.0.192.in-addr.strong.lp._spf.example.com");
  EXPECT_EQ(expand("%{d2}.trusted-domains.example.net"), "example.com.trusted-domains.example.net");
  EXPECT_EQ(expand("%{ir}.%{v}._spf.%{d2}", rfc_values("2001:db8::cb01")),
            "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com");
}

TEST(SpfMacro, OtherLetters) {
  EXPECT_EQ(expand("%{h}"), "mx.example.org");
  EXPECT_EQ(expand("%{p}"), "mx.example.org");
  MacroValues no_ptr = rfc_values();
  no_ptr.validated_name = nullptr;
  EXPECT_EQ(expand("%{p}", no_ptr), "unknown");
  EXPECT_EQ(expand("%{i}", rfc_values("2001:db8::cb01")),
            "2.0.0.1.0.d.b.8.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.c.b.0.1");
  EXPECT_EQ(expand("%{v}", rfc_values("2001:db8::cb01")), "ip6");
  // c, r, t: explanation only (§7.2).
  EXPECT_EQ(expand("%{c} %{r} %{t}", rfc_values("2001:db8::cb01"), MacroUse::explanation),
            "2001:db8::cb01 mx.postamt.example 1700000000");
  MacroValues no_receiver = rfc_values();
  no_receiver.receiver.clear();
  EXPECT_EQ(expand("%{r}", no_receiver, MacroUse::explanation), "unknown");
}

TEST(SpfMacro, EscapesAndSpecials) {
  EXPECT_EQ(expand("a%%b%_c%-d"), "a%b c%20d");
  MacroValues v = rfc_values();
  v.local_part = "~jack&jill=up-a_b3.c";
  // §7.3: upper-case letters are URL-escaped after expansion (RFC 3986 unreserved kept).
  EXPECT_EQ(expand("%{L}", v), "~jack%26jill%3Dup-a_b3.c");
  EXPECT_EQ(expand("%{S}"), "strong-bad%40email.example.com");
  // More digits than parts: all parts; splitting on several delimiters, rejoined by ".".
  EXPECT_EQ(expand("%{d127}"), "email.example.com");
  v.local_part = "foo-bar+zip+quux";
  EXPECT_EQ(expand("%{l2r+-}", v), "bar.foo");
  EXPECT_EQ(expand("%{l+-}", v), "foo.bar.zip.quux");
  // Empty parts are kept (§7.3 "no special treatment").
  v.local_part = "a..b";
  EXPECT_EQ(expand("%{lr}", v), "b..a");
}

TEST(SpfMacro, SyntaxErrors) {
  EXPECT_EQ(expand("%(ir).sbl.example.org"), "ERROR: '%' followed by '('");
  EXPECT_EQ(expand("foo%"), "ERROR: '%' at the end of a macro-string");
  EXPECT_EQ(expand("%{a}.example.com"), "ERROR: unknown macro letter 'a'");
  EXPECT_EQ(expand("%{d0}"), "ERROR: zero digit transformer");
  EXPECT_EQ(expand("%{d2x}"), "ERROR: malformed macro");
  EXPECT_EQ(expand("%{d"), "ERROR: malformed macro");
  EXPECT_EQ(expand("%{r}.example.com"), "ERROR: macro letter 'r' outside exp text");
  EXPECT_EQ(expand("%{C}"), "ERROR: macro letter 'C' outside exp text");
  EXPECT_EQ(expand("a b"), "ERROR: character not allowed in a macro-string");
  EXPECT_EQ(expand("a b", rfc_values(), MacroUse::explanation), "a b");
  EXPECT_FALSE(check_macro_string("caf\xc3\xa9", MacroUse::explanation));
  EXPECT_TRUE(check_macro_string("%{d}.%{ir}.x", MacroUse::domain_spec));
}

TEST(SpfMacro, DomainSpecEnd) {
  EXPECT_TRUE(check_domain_spec("example.com"));
  EXPECT_TRUE(check_domain_spec("example.com."));
  EXPECT_TRUE(check_domain_spec("_spf.%{d}"));
  EXPECT_TRUE(check_domain_spec("%{d}"));
  EXPECT_TRUE(check_domain_spec("%{ir}.example.co-op"));
  EXPECT_TRUE(check_domain_spec("foo:bar/baz.example.com"));
  EXPECT_FALSE(check_domain_spec(""));
  EXPECT_FALSE(check_domain_spec("museum"));        // no "." toplabel
  EXPECT_FALSE(check_domain_spec("abc.123"));       // toplabel needs a letter
  EXPECT_FALSE(check_domain_spec("example.-com"));  // nor a leading hyphen
  EXPECT_FALSE(check_domain_spec("example.com-"));
  EXPECT_TRUE(check_domain_spec("%{d}.ex%{d}"));    // ends in a macro-expand
  EXPECT_FALSE(check_domain_spec("%{d}.ex%{d}x"));  // toplabel partly a macro
}

TEST(SpfMacro, TruncatesLongNamesFromTheLeft) {
  // §7.3: drop whole labels from the left until 253 octets or fewer remain.
  std::string label(60, 'x');
  std::string name = "a." + label + "." + label + "." + label + "." + label + ".example";
  ASSERT_EQ(name.size(), 2u + 4 * 61 + 7);  // 253
  EXPECT_EQ(truncate_domain(name), name);
  EXPECT_EQ(truncate_domain("bb" + name), name.substr(2));
  EXPECT_EQ(truncate_domain("example.com."), "example.com");
}

}  // namespace
}  // namespace postamt::spf
