#include <gtest/gtest.h>

#include "mailauth/dmarc/dmarc.h"

namespace postamt::dmarc {
namespace {

TEST(DmarcRecord, EveryTag) {
  auto r = parse_record(
      "v=DMARC1; p=reject; sp=quarantine; adkim=s; aspf=s; pct=50; "
      "rua=mailto:agg@example.org!10m, mailto:other@example.net; ruf=mailto:f@example.org; "
      "fo=1:d; ri=3600; rf=afrf");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->p, Policy::reject);
  EXPECT_EQ(r->sp, Policy::quarantine);
  EXPECT_EQ(r->adkim, Alignment::strict);
  EXPECT_EQ(r->aspf, Alignment::strict);
  EXPECT_EQ(r->pct, 50);
  EXPECT_EQ(r->rua,
            (std::vector<std::string>{"mailto:agg@example.org!10m", "mailto:other@example.net"}));
  EXPECT_EQ(r->ruf, (std::vector<std::string>{"mailto:f@example.org"}));
  EXPECT_EQ(r->fo, "1:d");
  EXPECT_EQ(r->ri, 3600u);
}

TEST(DmarcRecord, Defaults) {
  auto r = parse_record("v=DMARC1; p=none");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->p, Policy::none);
  EXPECT_FALSE(r->sp);
  EXPECT_EQ(r->adkim, Alignment::relaxed);
  EXPECT_EQ(r->aspf, Alignment::relaxed);
  EXPECT_EQ(r->pct, 100);
  EXPECT_TRUE(r->rua.empty());
  EXPECT_TRUE(r->ruf.empty());
  EXPECT_EQ(r->fo, "0");
  EXPECT_EQ(r->ri, 86400u);
}

TEST(DmarcRecord, WhiteSpaceCaseAndEmptyEntries) {
  // RFC 7489 §6.4: *WSP around '=' and ';'; a final separator; RFC 5234 §2.3 case.
  auto r = parse_record(" v = DMARC1 ;\tP = Reject ; ;ADKIM=S;");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->p, Policy::reject);
  EXPECT_EQ(r->adkim, Alignment::strict);
}

TEST(DmarcRecord, UnknownTagsIgnored) {
  auto r = parse_record("v=DMARC1; p=quarantine; np=reject; foo=bar; psd=y; t=y");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->p, Policy::quarantine);
}

TEST(DmarcRecord, VersionMustComeFirstAndMatchExactly) {
  EXPECT_EQ(parse_record("p=reject; v=DMARC1").error().message,
            "not a DMARC record (the first tag is not v=DMARC1)");
  EXPECT_FALSE(parse_record("v=dmarc1; p=reject"));
  EXPECT_FALSE(parse_record("v=DMARC2; p=reject"));
  EXPECT_FALSE(parse_record("v=DMARC1x; p=reject"));
  EXPECT_FALSE(parse_record("v=spf1 -all"));
  EXPECT_FALSE(parse_record(""));
  EXPECT_TRUE(is_dmarc_record("v=DMARC1"));
  EXPECT_TRUE(is_dmarc_record("v=DMARC1;p=none"));
  EXPECT_FALSE(is_dmarc_record("x=1; v=DMARC1"));
}

TEST(DmarcRecord, PRequired) {
  auto r = parse_record("v=DMARC1; adkim=s");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::invalid);
  EXPECT_EQ(r.error().message, "the DMARC record has no p tag");
  EXPECT_EQ(parse_record("v=DMARC1; p=bogus").error().message,
            "the DMARC record's p is not none, quarantine or reject");
  EXPECT_EQ(parse_record("v=DMARC1; p=reject; sp=all").error().message,
            "the DMARC record's sp is not none, quarantine or reject");
}

TEST(DmarcRecord, InvalidPolicyWithRuaIsNone) {
  // RFC 7489 §6.6.3 step 6.1: a valid rua makes it "v=DMARC1; p=none".
  auto r = parse_record("v=DMARC1; p=bogus; adkim=s; rua=mailto:r@example.org");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->p, Policy::none);
  EXPECT_FALSE(r->sp);
  EXPECT_EQ(r->rua, std::vector<std::string>{"mailto:r@example.org"});
  auto no_p = parse_record("v=DMARC1; rua=mailto:r@example.org");
  ASSERT_TRUE(no_p);
  EXPECT_EQ(no_p->p, Policy::none);
  auto bad_sp = parse_record("v=DMARC1; p=reject; sp=x; rua=mailto:r@example.org");
  ASSERT_TRUE(bad_sp);
  EXPECT_EQ(bad_sp->p, Policy::none);
  EXPECT_FALSE(bad_sp->sp);
  // No syntactically valid URI in rua: no DMARC processing.
  EXPECT_FALSE(parse_record("v=DMARC1; p=bogus; rua=not a uri"));
}

TEST(DmarcRecord, BadOptionalValuesFallBackToDefaults) {
  auto r = parse_record("v=DMARC1; p=reject; adkim=x; aspf=; pct=101; ri=4294967296; fo=2");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->adkim, Alignment::relaxed);
  EXPECT_EQ(r->aspf, Alignment::relaxed);
  EXPECT_EQ(r->pct, 100);
  EXPECT_EQ(r->ri, 86400u);
  EXPECT_EQ(r->fo, "0");
  EXPECT_EQ(parse_record("v=DMARC1; p=reject; pct=0")->pct, 0);
  EXPECT_EQ(parse_record("v=DMARC1; p=reject; pct=-1")->pct, 100);
  EXPECT_EQ(parse_record("v=DMARC1; p=reject; pct=0100")->pct, 100);  // 1*3DIGIT
  EXPECT_EQ(parse_record("v=DMARC1; p=reject; ri=4294967295")->ri, 4294967295u);
  EXPECT_EQ(parse_record("v=DMARC1; p=reject; fo=0 : S")->fo, "0:s");
}

TEST(DmarcRecord, UriList) {
  auto r = parse_record(
      "v=DMARC1; p=none; rua=mailto:a@example.org!50m,https://r.example/x, nope, "
      "mailto:b@example.org!12x, mailto:c@example.org!, :x, "
      "mailto:d@example.org!99999999999999999999");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->rua, (std::vector<std::string>{"mailto:a@example.org!50m", "https://r.example/x"}));
}

TEST(DmarcRecord, DuplicateTagInvalidatesTheRecord) {
  // RFC 6376 §3.2, the tag-value syntax RFC 7489 §6.3 uses.
  auto r = parse_record("v=DMARC1; p=none; P=reject");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "a tag appears twice in the DMARC record");
}

TEST(DmarcRecord, EntriesWithoutEqualsAreSkipped) {
  auto r = parse_record("v=DMARC1; garbage; p=reject");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->p, Policy::reject);
}

TEST(DmarcRecord, ToString) {
  EXPECT_EQ(to_string(Policy::quarantine), "quarantine");
  EXPECT_EQ(to_string(Alignment::strict), "s");
  EXPECT_EQ(to_string(Outcome::temperror), "temperror");
  EXPECT_EQ(to_string(Outcome::permerror), "permerror");
  EXPECT_EQ(to_string(Outcome::none), "none");
}

}  // namespace
}  // namespace postamt::dmarc
