#include "mdn/dmarc_refusal.h"

#include <gtest/gtest.h>

#include <string>

namespace postamt::mdn {
namespace {

std::string with_fields(std::string_view fields) {
  return std::string(fields) +
         "Return-Path: <carol@remote.test>\r\nFrom: carol@remote.test\r\n"
         "Disposition-Notification-To: carol@remote.test\r\n\r\n"
         "Authentication-Results: mx.example.org; dmarc=fail (p=reject) header.from=x\r\n";
}

TEST(DmarcRefusal, FailUnderAnEnforcingPolicyIsRefused) {
  EXPECT_EQ(dmarc_refusal(
                with_fields("Authentication-Results: mx.example.org;\r\n"
                            " dmarc=fail (p=reject dis=quarantine) header.from=remote.test\r\n"),
                "mx.example.org"),
            "sender failed DMARC (p=reject)");
  EXPECT_EQ(dmarc_refusal(with_fields("Authentication-Results: mx.example.org; dmarc=fail "
                                      "(P=Quarantine) header.from=remote.test\r\n"),
                          "MX.example.org"),
            "sender failed DMARC (p=quarantine)");
  // Only the disposition says so (a policy word the comment lacks, or p=none overridden
  // by a local policy).
  EXPECT_EQ(dmarc_refusal(with_fields("Authentication-Results: mx.example.org; dmarc=fail "
                                      "(p=none dis=reject) header.from=remote.test\r\n"),
                          "mx.example.org"),
            "sender failed DMARC (dis=reject)");
}

TEST(DmarcRefusal, EverythingElseIsNotRefused) {
  const char* fields[] = {
      // pass, monitoring-only policy, no comment, other results
      "Authentication-Results: mx.example.org; dmarc=pass (p=reject) header.from=r.test\r\n",
      "Authentication-Results: mx.example.org; dmarc=fail (p=none dis=none) header.from=r.test\r\n",
      "Authentication-Results: mx.example.org; dmarc=fail header.from=r.test\r\n",
      "Authentication-Results: mx.example.org; dmarc=temperror (p=reject)\r\n",
      "Authentication-Results: mx.example.org; dkim=fail (p=reject); spf=fail (p=reject)\r\n",
      "Authentication-Results: mx.example.org; none\r\n",
      // a forged field with another authserv-id is not ours
      "Authentication-Results: forger.example; dmarc=fail (p=reject) header.from=r.test\r\n",
      // our topmost field decides; the forged one below it is never read
      "Authentication-Results: mx.example.org; dmarc=pass header.from=r.test\r\n"
      "Authentication-Results: mx.example.org; dmarc=fail (p=reject) header.from=r.test\r\n",
      // no field at all (local submission)
      "",
  };
  for (const char* f : fields) {
    EXPECT_EQ(dmarc_refusal(with_fields(f), "mx.example.org"), std::nullopt) << f;
  }
  // The body is no header; an empty hostname names nobody.
  EXPECT_EQ(dmarc_refusal(with_fields(""), ""), std::nullopt);
}

}  // namespace
}  // namespace postamt::mdn
