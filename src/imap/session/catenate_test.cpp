// CATENATE (RFC 4469) transcripts: a message built from TEXT literals and URLs to the
// user's own messages and parts (RFC 4469 §7's shape), relative to the selected mailbox,
// with a streamed TEXT part; NO [BADURL] for each way a URL can fail, including a URL
// that would reach another account's mail; NO [TOOBIG]; the source stays unseen.
#include <fmt/format.h>

#include "imap/session/test_fixture.h"

namespace postamt::imap::testing {
namespace {

constexpr std::string_view kSource =
    "Subject: report\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
    "Content-Type: text/plain\r\n\r\npart one\r\n--b--\r\n";

class ImapCatenate : public ImapSession {
 protected:
  ImapCatenate() {
    services_.limits.authenticated.max_inline_literal = 1024;
    services_.limits.authenticated.max_command = 8192;
    add_message(kSource);
  }
  std::string drafts_last() {
    auto drafts = store_.find_mailbox(account_, "Drafts")->id;
    auto messages = store_.list_messages(drafts);
    return messages->empty() ? "" : *blobs_.get(messages->back().blob);
  }
  UidValidity drafts_validity() { return store_.find_mailbox(account_, "Drafts")->uid_validity; }
};

// RFC 4469 §7's shape: the header of one message, new text, a part with its MIME header.
TEST_F(ImapCatenate, BuildsTheMessageFromItsParts) {
  std::string text = "\r\n--x\r\n";
  EXPECT_EQ(after_login(fmt::format("b APPEND Drafts (\\Draft) CATENATE (URL "
                                    "\"/INBOX;UIDVALIDITY={}/;UID=1/;SECTION=HEADER\" TEXT "
                                    "{{{}+}}\r\n{} URL \"/INBOX/;uid=1/;section=1.MIME\" URL "
                                    "\"/INBOX/;UID=1/;SECTION=1\" TEXT {{7+}}\r\n\r\n--x--)\r\n",
                                    inbox_validity(), text.size(), text)),
            fmt::format("b OK [APPENDUID {} 1] APPEND completed\r\n", drafts_validity()));
  EXPECT_EQ(drafts_last(),
            "Subject: report\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
            "\r\n--x\r\nContent-Type: text/plain\r\n\r\npart one\r\n--x--");
  // Reading a message to catenate it does not mark it \Seen (§3).
  EXPECT_TRUE(store_.get_message(inbox_, 1)->flags.empty());
}

// A URL without a mailbox names a message of the selected mailbox; PARTIAL cuts it.
TEST_F(ImapCatenate, RelativeToTheSelectedMailboxWithPartial) {
  std::string out = after_login(
      "s SELECT INBOX\r\nb APPEND Drafts CATENATE (URL \";UID=1/;PARTIAL=0.15\" TEXT "
      "{2+}\r\n\r\n)\r\n");
  EXPECT_EQ(ending(out, "] APPEND completed\r\n"), "] APPEND completed\r\n") << out;
  EXPECT_EQ(drafts_last(), "Subject: report\r\n");
  EXPECT_EQ(after_login("b APPEND Drafts CATENATE (URL \";UID=1\")\r\n"),
            "b NO [BADURL ;UID=1] Bad URL: no mailbox is selected\r\n");
}

// A TEXT literal over the inline limit is streamed like an APPEND message.
TEST_F(ImapCatenate, StreamedTextPart) {
  std::string big(3000, 'q');
  EXPECT_EQ(after_login(fmt::format("b APPEND Drafts CATENATE (TEXT {{16}}\r\nSubject: big\r\n\r\n"
                                    " TEXT {{{}}}\r\n{} URL \"/INBOX/;UID=1/;SECTION=1\")\r\n",
                                    big.size(), big)),
            fmt::format("+ Ready for literal data\r\n+ Ready for literal data\r\n"
                        "b OK [APPENDUID {} 1] APPEND completed\r\n",
                        drafts_validity()));
  EXPECT_EQ(drafts_last(), "Subject: big\r\n\r\n" + big + "part one");
}

// §4.1: the first URL that fails is named; nothing is stored. Another account's mailbox
// is never reached: the same name is the user's own, and its UIDVALIDITY differs.
TEST_F(ImapCatenate, BadUrls) {
  ASSERT_TRUE(store_.create_account("bob@example.org", "x"));
  auto bobs = store_.find_account("bob@example.org");
  auto bob_inbox = *store_.find_mailbox(bobs->id, "INBOX");
  UidValidity v = inbox_validity();
  std::string cases = fmt::format(
      "b APPEND Drafts CATENATE (URL \"/INBOX;UIDVALIDITY={0}/;UID=9\")\r\n"
      "c APPEND Drafts CATENATE (URL \"/INBOX;UIDVALIDITY={1}/;UID=1\")\r\n"
      "d APPEND Drafts CATENATE (URL \"/Nowhere/;UID=1\")\r\n"
      "e APPEND Drafts CATENATE (URL \"/INBOX/;UID=1/;SECTION=7\")\r\n"
      "f APPEND Drafts CATENATE (URL \"imap://bob@example.org/INBOX/;UID=1\")\r\n"
      "g APPEND Drafts CATENATE (TEXT {{2+}}\r\nhi URL \"/INBOX/;UID=1]x\")\r\n",
      v, bob_inbox.uid_validity);
  EXPECT_EQ(after_login(cases),
            fmt::format("b NO [BADURL /INBOX;UIDVALIDITY={0}/;UID=9] Bad URL: no such message\r\n"
                        "c NO [BADURL /INBOX;UIDVALIDITY={1}/;UID=1] Bad URL: UIDVALIDITY "
                        "differs\r\n"
                        "d NO [BADURL /Nowhere/;UID=1] Bad URL: no such mailbox\r\n"
                        "e NO [BADURL /INBOX/;UID=1/;SECTION=7] Bad URL: no such part\r\n"
                        "f NO [BADURL imap://bob@example.org/INBOX/;UID=1] Bad URL: not a URL to "
                        "a message here\r\n"
                        "g NO [BADURL /INBOX/;UID=1?x] Bad URL: not a URL to a message here\r\n",
                        v, bob_inbox.uid_validity));
  EXPECT_EQ(drafts_last(), "");
}

// §4.2: past APPENDLIMIT the whole is refused; an empty result is an empty message.
TEST_F(ImapCatenate, TooBigAndEmpty) {
  services_.limits.authenticated.max_literal = 150;
  std::string out = run(
      "a LOGIN alice@example.org secret\r\nb APPEND Drafts CATENATE (URL \"/INBOX/;UID=1\" URL "
      "\"/INBOX/;UID=1\")\r\nc APPEND Drafts CATENATE (URL \"/INBOX/;UID=1/;PARTIAL=500\")\r\n");
  std::string tail = "b NO [TOOBIG] Message too large\r\nc NO Empty message\r\n";
  EXPECT_EQ(ending(out, tail), tail);
  EXPECT_EQ(drafts_last(), "");
}

}  // namespace
}  // namespace postamt::imap::testing
