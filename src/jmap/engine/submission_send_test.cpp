// The pure parts of EmailSubmission sending: the envelope derived from a message
// (RFC 8621 §7.5) and the Bcc field removed from what travels.
#include "jmap/engine/submission_send.h"

#include <gtest/gtest.h>

namespace postamt::jmap {
namespace {

std::vector<std::string> emails(const Envelope& e) {
  std::vector<std::string> out;
  for (const auto& r : e.rcpt_to) out.push_back(r.email);
  return out;
}

TEST(SubmissionSend, EnvelopeFromFromAndEveryRecipientFieldOnce) {
  auto e = derive_envelope(
      "From: Alice <alice@example.org>\r\nTo: bob@example.org, Carol <carol@x.test>\r\n"
      "Cc: BOB@example.org\r\nBcc: team: dave@x.test, eve@x.test;\r\nSubject: s\r\n\r\n"
      "To: not@header.test\r\n");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->mail_from.email, "alice@example.org");
  EXPECT_EQ(e->mail_from.parameters, "null");
  EXPECT_EQ(emails(*e), (std::vector<std::string>{"bob@example.org", "carol@x.test", "dave@x.test",
                                                  "eve@x.test"}));
}

TEST(SubmissionSend, SenderWinsOverFrom) {
  auto e = derive_envelope(
      "From: a@example.org, b@example.org\r\nSender: sec@example.org\r\nTo: c@x.test\r\n\r\n");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->mail_from.email, "sec@example.org");
}

TEST(SubmissionSend, NoFromIsNoEnvelope) {
  EXPECT_FALSE(derive_envelope("To: c@x.test\r\nSubject: no author\r\n\r\nbody\r\n"));
  EXPECT_FALSE(derive_envelope(""));
  EXPECT_FALSE(derive_envelope("From: \r\n\r\n"));
  EXPECT_FALSE(derive_envelope("\r\nFrom: a@example.org\r\n"));  // in the body
}

TEST(SubmissionSend, NoRecipientFieldsGiveAnEmptyList) {
  auto e = derive_envelope("From: a@example.org\r\n\r\n");
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->rcpt_to.empty());
}

TEST(SubmissionSend, OversizedRecipientListIsKeptWhole) {
  std::string to = "To: r0@x.test";
  for (int i = 1; i < 150; ++i) to += ", r" + std::to_string(i) + "@x.test";
  auto e = derive_envelope("From: a@example.org\r\n" + to + "\r\n\r\n");
  ASSERT_TRUE(e);
  ASSERT_EQ(e->rcpt_to.size(), 150u);  // send_message answers tooManyRecipients
  EXPECT_EQ(e->rcpt_to.back().email, "r149@x.test");
}

TEST(SubmissionSend, BccFieldsAreRemovedFoldedOrNot) {
  EXPECT_EQ(without_bcc("From: a@x\r\nBcc: b@x,\r\n c@x\r\nTo: d@x\r\nbcc: e@x\r\n\r\n"
                        "Bcc: in the body\r\n"),
            "From: a@x\r\nTo: d@x\r\n\r\nBcc: in the body\r\n");
  EXPECT_EQ(without_bcc("Bcc:\r\n\r\nx"), "\r\nx");
  EXPECT_EQ(without_bcc("Subject: no bcc\r\n\r\n"), "Subject: no bcc\r\n\r\n");
  EXPECT_EQ(without_bcc(""), "");
  EXPECT_EQ(without_bcc("Bcc: a@x"), "");  // a header without its end
  EXPECT_EQ(without_bcc("X-Bcc: kept\r\nBccx: kept\r\n\r\n"), "X-Bcc: kept\r\nBccx: kept\r\n\r\n");
}

// The message arrives whole (an Email's blob), but every split of a header must give the
// same envelope as the whole: prefixes up to each byte never yield a recipient that the
// whole header does not have.
TEST(SubmissionSend, EveryPrefixYieldsOnlyKnownRecipients) {
  const std::string message =
      "From: a@example.org\r\nTo: b@x.test,\r\n c@x.test\r\nBcc: d@x.test\r\n\r\nbody\r\n";
  auto whole = derive_envelope(message);
  ASSERT_TRUE(whole);
  std::vector<std::string> all = emails(*whole);
  for (size_t n = 0; n <= message.size(); ++n) {
    auto part = derive_envelope(message.substr(0, n));
    if (!part) continue;
    for (const std::string& r : emails(*part)) {
      bool prefix_of_known = false;
      for (const std::string& k : all) prefix_of_known |= k.starts_with(r);
      EXPECT_TRUE(prefix_of_known) << n << ": " << r;
    }
  }
}

}  // namespace
}  // namespace postamt::jmap
