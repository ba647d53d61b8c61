#include "mailauth/arc/header_set.h"

#include <gtest/gtest.h>

namespace postamt::arc {
namespace {

std::string seal(int i, std::string_view cv, std::string_view extra = "") {
  return "ARC-Seal: i=" + std::to_string(i) + "; a=rsa-sha256; cv=" + std::string(cv) + "; d=seal" +
         std::to_string(i) + ".example; s=s" + std::string(extra) + ";\r\n b=AAAA\r\n";
}
std::string ams(int i, std::string_view extra = "") {
  return "ARC-Message-Signature: i=" + std::to_string(i) +
         "; a=rsa-sha256; c=relaxed/relaxed; d=ams.example; s=s;\r\n h=from:to; bh=AAAA;" +
         std::string(extra) + " b=AAAA\r\n";
}
std::string aar(int i) {
  return "ARC-Authentication-Results: i=" + std::to_string(i) + "; mx.example; spf=pass\r\n";
}
std::string arc_set(int i) {
  return seal(i, i == 1 ? "none" : "pass") + ams(i) + aar(i);
}

constexpr std::string_view kRest =
    "From: a@origin.example\r\nTo: b@dest.example\r\nSubject: hi\r\n\r\nbody\r\n";

// The chain of a message, or the reason it fails.
Result<Chain> chain_of(const std::string& message, int max_instances = 50) {
  return collect_chain(dkim::split_header(message), max_instances);
}
std::string reason(const std::string& message, int max_instances = 50) {
  auto chain = chain_of(message, max_instances);
  if (chain) return "(no failure)";
  EXPECT_EQ(chain.error().kind, ErrorKind::invalid);
  return chain.error().message;
}

TEST(ArcHeaderSet, NoArcFieldsIsAnEmptyChain) {
  const std::string message(kRest);
  auto chain = chain_of(message);
  ASSERT_TRUE(chain);
  EXPECT_TRUE(chain->sets.empty());
}

TEST(ArcHeaderSet, GroupsThreeSetsByInstanceWhateverTheOrder) {
  // Set 2 is written out of order and with lower-case field names.
  std::string two = "arc-authentication-results: i=2; b.example; arc=pass\r\n" + ams(2) +
                    "arc-seal: i=2; a=rsa-sha256; cv=pass; d=seal2.example; s=s; b=AAAA\r\n";
  const std::string message = arc_set(3) + arc_set(1) + two + std::string(kRest);
  auto chain = chain_of(message);
  ASSERT_TRUE(chain) << chain.error().message;
  ASSERT_EQ(chain->sets.size(), 3u);
  for (int k = 0; k < 3; ++k) EXPECT_EQ(chain->sets[k].instance, k + 1);
  EXPECT_EQ(chain->sets[0].aar, aar(1));
  EXPECT_EQ(chain->sets[0].ams, ams(1));
  EXPECT_EQ(chain->sets[0].seal, seal(1, "none"));
  EXPECT_EQ(chain->sets[0].cv, "none");
  EXPECT_EQ(chain->sets[1].aar, "arc-authentication-results: i=2; b.example; arc=pass\r\n");
  EXPECT_EQ(chain->sets[1].cv, "pass");
  EXPECT_EQ(chain->sets[1].seal_tags.get("d"), "seal2.example");
  EXPECT_EQ(chain->sets[2].ams_tags.get("h"), "from:to");
  EXPECT_EQ(chain->sets[2].seal_tags.get("b"), "AAAA");
}

TEST(ArcHeaderSet, AMissingInstanceFails) {
  EXPECT_EQ(reason(arc_set(3) + arc_set(1) + std::string(kRest)),
            "ARC set 2 is missing (the highest is 3)");
  // A chain that does not start at 1.
  EXPECT_EQ(reason(seal(2, "pass") + ams(2) + aar(2) + std::string(kRest)),
            "ARC set 1 is missing (the highest is 2)");
}

TEST(ArcHeaderSet, ASetWithoutOneOfItsFieldsFails) {
  EXPECT_EQ(reason(arc_set(2) + seal(1, "none") + aar(1) + std::string(kRest)),
            "ARC set 1 has no ARC-Message-Signature");
  EXPECT_EQ(reason(arc_set(2) + ams(1) + aar(1) + std::string(kRest)), "ARC set 1 has no ARC-Seal");
  EXPECT_EQ(reason(arc_set(2) + seal(1, "none") + ams(1) + std::string(kRest)),
            "ARC set 1 has no ARC-Authentication-Results");
}

TEST(ArcHeaderSet, ADuplicateFieldInASetFails) {
  EXPECT_EQ(reason(arc_set(2) + arc_set(1) + seal(1, "none") + std::string(kRest)),
            "ARC set 1 has more than one ARC-Seal");
  EXPECT_EQ(reason(arc_set(2) + aar(2) + arc_set(1) + std::string(kRest)),
            "ARC set 2 has more than one ARC-Authentication-Results");
  // The same set twice: a repeated instance (§5.2 step 3 B).
  EXPECT_EQ(reason(arc_set(1) + arc_set(1) + std::string(kRest)),
            "ARC set 1 has more than one ARC-Seal");
}

TEST(ArcHeaderSet, InstancesAboveFiftyOrTheLimitFail) {
  EXPECT_EQ(reason(seal(51, "pass") + std::string(kRest)),
            "ARC-Seal: instance 51 is outside 1..50");
  EXPECT_EQ(reason(aar(0) + std::string(kRest)),
            "ARC-Authentication-Results: instance 0 is outside 1..50");
  // position = 1*2DIGIT (RFC 8617 §3.9).
  EXPECT_EQ(reason(ams(100) + std::string(kRest)),
            "ARC-Message-Signature: instance \"100\" is not 1 or 2 digits");
  // The configured limit (Limits::max_instances): 3 sets with a limit of 2.
  const std::string three = arc_set(3) + arc_set(2) + arc_set(1) + std::string(kRest);
  EXPECT_TRUE(chain_of(three, 3));
  EXPECT_EQ(reason(three, 2), "ARC-Seal i=3: more than 2 ARC sets");
  // A limit above 50 counts as 50; 50 sets are fine.
  std::string fifty;
  for (int i = 50; i >= 1; --i) fifty += arc_set(i);
  fifty += kRest;
  auto chain = chain_of(fifty, 1000);
  ASSERT_TRUE(chain) << chain.error().message;
  EXPECT_EQ(chain->sets.size(), 50u);
}

TEST(ArcHeaderSet, TheNewestSealSayingFailFailsBeforeTheStructureIsChecked) {
  // RFC 8617 §5.2 step 2; set 1 lacks its AMS, which step 3 would report.
  EXPECT_EQ(
      reason(seal(2, "fail") + ams(2) + aar(2) + seal(1, "none") + aar(1) + std::string(kRest)),
      "ARC-Seal i=2 says cv=fail");
}

TEST(ArcHeaderSet, CvMustBeNoneAtOneAndPassAbove) {
  // cv=fail in an earlier set (§5.2 step 3 C).
  EXPECT_EQ(
      reason(arc_set(3) + seal(2, "fail") + ams(2) + aar(2) + arc_set(1) + std::string(kRest)),
      "ARC-Seal i=2 says cv=fail (must be pass)");
  EXPECT_EQ(reason(seal(1, "pass") + ams(1) + aar(1) + std::string(kRest)),
            "ARC-Seal i=1 says cv=pass (must be none)");
  EXPECT_EQ(
      reason(arc_set(3) + seal(2, "none") + ams(2) + aar(2) + arc_set(1) + std::string(kRest)),
      "ARC-Seal i=2 says cv=none (must be pass)");
  EXPECT_EQ(reason(seal(1, "maybe") + ams(1) + aar(1) + std::string(kRest)),
            "ARC-Seal i=1 has cv=maybe (not none, pass or fail)");
}

TEST(ArcHeaderSet, RequiredTagsAndTheForbiddenHTag) {
  // §4.1.3: h= in an ARC-Seal MUST make the chain fail.
  EXPECT_EQ(reason(seal(1, "none", "; h=from") + ams(1) + aar(1) + std::string(kRest)),
            "ARC-Seal i=1 has an h= tag");
  EXPECT_EQ(reason("ARC-Seal: i=1; a=rsa-sha256; cv=none; s=s; b=AAAA\r\n" + ams(1) + aar(1) +
                   std::string(kRest)),
            "ARC-Seal i=1 has no d= tag");
  EXPECT_EQ(reason(seal(1, "none") +
                   "ARC-Message-Signature: i=1; a=rsa-sha256; d=a.example; s=s; h=from; b=AA\r\n" +
                   aar(1) + std::string(kRest)),
            "ARC-Message-Signature i=1 has no bh= tag");
  EXPECT_EQ(
      reason("ARC-Seal: a=rsa-sha256; cv=none; d=a.example; s=s; b=AAAA\r\n" + std::string(kRest)),
      "ARC-Seal: no instance tag i=");
  // RFC 6376 §3.2: a tag given twice invalidates the list.
  EXPECT_EQ(reason(seal(1, "none", "; s=t") + ams(1) + aar(1) + std::string(kRest)),
            "ARC-Seal: tag list: duplicate tag s");
}

TEST(ArcHeaderSet, AarInstance) {
  EXPECT_EQ(aar_instance(" i=1; mx.example; spf=pass").value(), 1);
  EXPECT_EQ(aar_instance("i=50;").value(), 50);
  EXPECT_EQ(aar_instance("i=07;").value(), 7);
  // CFWS around every token (RFC 8617 §3.9), nested comments included.
  EXPECT_EQ(aar_instance(" (first (hop)) i\r\n = (x) 12\t; mx.example").value(), 12);
  EXPECT_EQ(aar_instance(" i=1").error().message, "no ';' after the instance");
  EXPECT_EQ(aar_instance(" mx.example; i=1;").error().message,
            "does not start with the instance i=");
  EXPECT_EQ(aar_instance(" I=1;").error().message, "does not start with the instance i=");
  EXPECT_EQ(aar_instance(" i 1;").error().message, "does not start with the instance i=");
  EXPECT_EQ(aar_instance(" i=;").error().message, "instance \"\" is not 1 or 2 digits");
  EXPECT_EQ(aar_instance(" i=(open;").error().message, "unterminated comment");
}

TEST(ArcHeaderSet, ChainTopForASealer) {
  auto top = [](const std::string& message) { return chain_top(dkim::split_header(message)); };
  EXPECT_EQ(top(std::string(kRest)).highest, 0);
  EXPECT_FALSE(top(std::string(kRest)).newest_seal_failed);
  EXPECT_EQ(top(arc_set(2) + arc_set(1) + std::string(kRest)).highest, 2);
  // Broken chains too: a gap, an unreadable field (ignored), a failed newest seal.
  EXPECT_EQ(top(arc_set(3) + "ARC-Seal: i=x\r\n" + std::string(kRest)).highest, 3);
  const ChainTop failed = top(seal(2, "fail") + arc_set(1) + std::string(kRest));
  EXPECT_EQ(failed.highest, 2);
  EXPECT_TRUE(failed.newest_seal_failed);
  // cv=fail in an older seal is not the newest one's.
  EXPECT_FALSE(top(arc_set(3) + seal(2, "fail") + std::string(kRest)).newest_seal_failed);
}

TEST(ArcHeaderSet, FieldTypeAndValue) {
  EXPECT_EQ(field_type("ARC-Seal"), FieldType::seal);
  EXPECT_EQ(field_type("arc-message-signature"), FieldType::message_signature);
  EXPECT_EQ(field_type("Arc-Authentication-Results"), FieldType::authentication_results);
  EXPECT_EQ(field_type("Authentication-Results"), FieldType::none);
  EXPECT_EQ(field_type("ARC-Seal-X"), FieldType::none);
  EXPECT_EQ(field_value("ARC-Seal: i=1;\r\n b=x\r\n"), " i=1;\r\n b=x");
  EXPECT_EQ(field_value("ARC-Seal:"), "");
  EXPECT_EQ(field_value("no colon\r\n"), "");
}

}  // namespace
}  // namespace postamt::arc
