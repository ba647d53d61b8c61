// Session-level extensions: ID (RFC 2971), ENABLE (RFC 5161), NAMESPACE (RFC 2342) and
// IDLE (RFC 2177), as transcripts.
#include "imap/session/test_fixture.h"

namespace postamt::imap::testing {
namespace {

using ImapExtensions = ImapSession;

TEST_F(ImapExtensions, IdBeforeAndAfterLogin) {
  std::string expected = std::string(kGreetingPlain) +
                         "* ID (\"name\" \"Postamt\" \"vendor\" \"Postamt\")\r\n"
                         "x OK ID completed\r\n";
  for (size_t piece : {0, 1, 7})
    EXPECT_EQ(run("x ID (\"name\" \"mutt\" \"version\" \"2.2\")\r\n", piece), expected);
  EXPECT_EQ(after_login("b ID NIL\r\n"),
            "* ID (\"name\" \"Postamt\" \"vendor\" \"Postamt\")\r\nb OK ID completed\r\n");
}

TEST_F(ImapExtensions, EnableNamesOnlyWhatItTurnsOn) {
  EXPECT_EQ(after_login("b ENABLE CONDSTORE X-UNKNOWN\r\nc ENABLE CONDSTORE IMAP4rev2\r\n"),
            "* ENABLED CONDSTORE\r\nb OK ENABLE completed\r\n"
            "* ENABLED IMAP4rev2\r\nc OK ENABLE completed\r\n");
}

TEST_F(ImapExtensions, EnableAfterSelectIsBad) {
  std::string out = after_login("b SELECT INBOX\r\nc ENABLE CONDSTORE\r\n");
  std::string tail = "c BAD ENABLE is only valid before a mailbox is selected\r\n";
  EXPECT_EQ(ending(out, tail), tail);
}

// After ENABLE IMAP4rev2, SELECT sends neither RECENT nor the UNSEEN code (RFC 9051
// Appendix E).
TEST_F(ImapExtensions, Imap4rev2SelectHasNoRecent) {
  add_message("Subject: x\r\n\r\nbody\r\n");
  std::string out = after_login("b ENABLE IMAP4rev2\r\nc SELECT INBOX\r\n");
  EXPECT_EQ(out.find("RECENT"), std::string::npos) << out;
  EXPECT_EQ(out.find("UNSEEN"), std::string::npos) << out;
  EXPECT_NE(out.find("* 1 EXISTS\r\n"), std::string::npos) << out;
  // RFC 9051 §6.3.1: an untagged LIST names the mailbox first.
  EXPECT_EQ(out.substr(0, out.find("* FLAGS")),
            "* ENABLED IMAP4rev2\r\nb OK ENABLE completed\r\n* LIST () \"/\" INBOX\r\n");
}

// RFC 9051 §7.1: SELECT while a mailbox is selected says CLOSED first; mailbox names are
// UTF-8 on the wire (§5.1), so "Entwürfe" needs no modified UTF-7.
TEST_F(ImapExtensions, Imap4rev2ClosedAndUtf8Names) {
  std::string out = after_login(
      "b ENABLE IMAP4rev2\r\nc SELECT INBOX\r\nd CREATE \"Entw\xc3\xbcrfe\"\r\n"
      "e SELECT \"Entw\xc3\xbcrfe\"\r\n");
  size_t select = out.find("d OK");
  ASSERT_NE(select, std::string::npos) << out;
  EXPECT_EQ(out.substr(select, out.find("* FLAGS", select) - select),
            created("d", validity_of("Entw\xc3\xbcrfe")) +
                "* OK [CLOSED] Previous mailbox is now closed\r\n"
                "* LIST () \"/\" \"Entw\xc3\xbcrfe\"\r\n");
  EXPECT_TRUE(store_.find_mailbox(account_, "Entw\xc3\xbcrfe"));
}

TEST_F(ImapExtensions, CondstoreAddsModseqToStoreResponses) {
  Uid uid = add_message("Subject: x\r\n\r\nbody\r\n");
  std::string out =
      after_login("b ENABLE CONDSTORE\r\nc SELECT INBOX\r\nd STORE 1 +FLAGS (\\Seen)\r\n");
  ModSeq modseq = store_.get_message(inbox_, uid)->modseq;
  std::string tail = "* 1 FETCH (FLAGS (\\Seen) MODSEQ (" + std::to_string(modseq) +
                     "))\r\nd OK STORE completed\r\n";
  EXPECT_EQ(ending(out, tail), tail);
}

TEST_F(ImapExtensions, Namespace) {
  EXPECT_EQ(after_login("b NAMESPACE\r\n"),
            "* NAMESPACE ((\"\" \"/\")) NIL NIL\r\nb OK NAMESPACE completed\r\n");
}

TEST_F(ImapExtensions, IdleUntilDone) {
  const std::string input = "b SELECT INBOX\r\nc IDLE\r\nDONE\r\nd NOOP\r\n";
  std::string whole = after_login(input);
  EXPECT_NE(whole.find("b OK [READ-WRITE] SELECT completed\r\n+ idling\r\nc OK IDLE terminated\r\n"
                       "d OK NOOP completed\r\n"),
            std::string::npos)
      << whole;
  for (size_t piece : {1, 7}) EXPECT_EQ(after_login(input, piece), whole);
  EXPECT_EQ(after_login("c IDLE\r\ndone\r\nd NOOP\r\n"),
            "+ idling\r\nc OK IDLE terminated\r\nd OK NOOP completed\r\n");
}

TEST_F(ImapExtensions, IdleEndsOnlyWithDone) {
  EXPECT_EQ(after_login("c IDLE\r\nd NOOP\r\n"), "+ idling\r\nc BAD Expected DONE to end IDLE\r\n");
}

TEST_F(ImapExtensions, IdleNeedsLogin) {
  EXPECT_EQ(run("c IDLE\r\n"), std::string(kGreetingPlain) + "c BAD Log in first\r\n");
}

}  // namespace
}  // namespace postamt::imap::testing

namespace postamt::imap::testing {
namespace {

// A FETCH over more messages than one batch holds is answered in several writes, in
// order, with one tagged OK at the end, and its \Seen changes and downloads cover all.
TEST_F(ImapExtensions, LargeFetchIsAnsweredInBatches) {
  constexpr int kMessages = 2345;
  for (int i = 0; i < kMessages; ++i) add_message("Subject: x\r\n\r\nbody\r\n");
  std::string out = after_login("b SELECT INBOX\r\nc FETCH 1:* (UID BODY[TEXT])\r\n");
  size_t at = out.find("b OK [READ-WRITE] SELECT completed\r\n");
  ASSERT_NE(at, std::string::npos);
  std::string expected;
  for (int i = 1; i <= kMessages; ++i)
    expected += "* " + std::to_string(i) + " FETCH (UID " + std::to_string(i) +
                " BODY[TEXT] {6}\r\nbody\r\n FLAGS (\\Seen))\r\n";
  expected += "c OK FETCH completed\r\n";
  EXPECT_EQ(out.substr(at + std::string_view("b OK [READ-WRITE] SELECT completed\r\n").size()),
            expected);
  EXPECT_EQ(store_.get_mailbox(inbox_)->unseen, 0u);
}

}  // namespace
}  // namespace postamt::imap::testing

namespace postamt::imap::testing {
namespace {

// RFC 7162 §3.1: after CONDSTORE is enabled, FETCH responses carrying flags carry MODSEQ.
TEST_F(ImapExtensions, CondstoreAddsModseqToFlagsFetch) {
  Uid uid = add_message("Subject: x\r\n\r\nbody\r\n");
  ModSeq modseq = store_.get_message(inbox_, uid)->modseq;
  std::string out = after_login(
      "b ENABLE CONDSTORE\r\nc SELECT INBOX\r\nd FETCH 1 (FLAGS)\r\ne FETCH 1 (UID)\r\n");
  std::string tail = "* 1 FETCH (FLAGS () MODSEQ (" + std::to_string(modseq) +
                     "))\r\nd OK FETCH completed\r\n* 1 FETCH (UID 1)\r\ne OK FETCH completed\r\n";
  EXPECT_EQ(ending(out, tail), tail);
}

}  // namespace
}  // namespace postamt::imap::testing

namespace postamt::imap::testing {
namespace {

// One FETCH line cannot multiply the answer: repeats are answered once, and more than
// 16 content items are refused (kMaxContentItems).
TEST_F(ImapExtensions, FetchItemRepeatsAndLimits) {
  add_message("Subject: x\r\n\r\nbody\r\n");
  std::string many;
  for (int i = 1; i <= 17; ++i) many += " BODY.PEEK[TEXT]<" + std::to_string(i) + ".1>";
  std::string out = after_login(
      "b SELECT INBOX\r\nc FETCH 1 (UID UID BODY.PEEK[TEXT] BODY.PEEK[TEXT])\r\n"
      "d FETCH 1 (" +
      many.substr(1) + ")\r\n");
  std::string tail =
      "* 1 FETCH (UID 1 BODY[TEXT] {6}\r\nbody\r\n)\r\nc OK FETCH completed\r\n"
      "d BAD Too many FETCH body sections in one command\r\n";
  EXPECT_EQ(ending(out, tail), tail);
}

}  // namespace
}  // namespace postamt::imap::testing

namespace postamt::imap::testing {
namespace {

// RFC 5182: "$" works in UID EXPUNGE too; only \Deleted messages in it go.
TEST_F(ImapExtensions, UidExpungeOfSavedResult) {
  add_message("Subject: a\r\n\r\n1\r\n", SystemFlags{SystemFlag::deleted});
  add_message("Subject: b\r\n\r\n2\r\n", SystemFlags{SystemFlag::deleted});
  add_message("Subject: c\r\n\r\n3\r\n");
  std::string out =
      after_login("b SELECT INBOX\r\nc UID SEARCH RETURN (SAVE) SUBJECT b\r\nd UID EXPUNGE $\r\n");
  std::string tail = "c OK UID SEARCH completed\r\n* 2 EXPUNGE\r\nd OK UID EXPUNGE completed\r\n";
  EXPECT_EQ(ending(out, tail), tail);
  EXPECT_EQ(store_.get_mailbox(inbox_)->messages, 2u);
}

// Deleting the selected mailbox leaves the selected state and says CLOSED.
TEST_F(ImapExtensions, DeletingTheSelectedMailbox) {
  ASSERT_TRUE(store_.create_mailbox(account_, "Job", MailboxRole::none));
  std::string out = after_login("b SELECT Job\r\nc DELETE Job\r\nd FETCH 1 FLAGS\r\n");
  std::string tail =
      "* OK [CLOSED] The selected mailbox was deleted\r\nc OK DELETE completed\r\n"
      "d BAD Command not valid in this state\r\n";
  EXPECT_EQ(ending(out, tail), tail);
}

}  // namespace
}  // namespace postamt::imap::testing

namespace postamt::imap::testing {
namespace {

TEST_F(ImapExtensions, SearchKeyLimits) {
  add_message("Subject: a\r\n\r\n1\r\n");
  std::string sets, keys;
  for (int i = 0; i < 33; ++i) sets += " 1:*";
  for (int i = 0; i < 1001; ++i) keys += " SEEN";
  std::string out =
      after_login("b SELECT INBOX\r\nc SEARCH" + sets + "\r\nd SEARCH" + keys + "\r\n");
  std::string tail =
      "c BAD The search has more than 32 message sets\r\nd BAD The search has more than 1000 "
      "keys\r\n";
  EXPECT_EQ(ending(out, tail), tail);
}

}  // namespace
}  // namespace postamt::imap::testing

namespace postamt::imap::testing {
namespace {

TEST_F(ImapExtensions, ListPatternLimits) {
  std::string out = after_login("b LIST \"\" \"" + std::string(2001, '*') + "\"\r\n");
  EXPECT_EQ(out, "b BAD LIST pattern too long\r\n");
}

}  // namespace
}  // namespace postamt::imap::testing

namespace postamt::imap::testing {
namespace {

TEST_F(ImapExtensions, KeywordsPerMessageLimit) {
  add_message("Subject: a\r\n\r\n1\r\n");
  std::string sixty, ten, sixty_five;
  for (int i = 0; i < 60; ++i) sixty += " k" + std::to_string(i);
  for (int i = 60; i < 70; ++i) ten += " k" + std::to_string(i);
  for (int i = 0; i < 65; ++i) sixty_five += " x" + std::to_string(i);
  std::string out =
      after_login("b SELECT INBOX\r\nc STORE 1 +FLAGS.SILENT (" + sixty.substr(1) +
                  ")\r\nd STORE 1 +FLAGS.SILENT (" + ten.substr(1) + ")\r\ne APPEND INBOX (" +
                  sixty_five.substr(1) + ") {3}\r\nx\r\n\r\n");
  std::string tail =
      "c OK STORE completed\r\n"
      "d NO [LIMIT] A message may carry at most 64 keywords\r\n"
      "+ Ready for literal data\r\n"
      "e NO [LIMIT] A message may carry at most 64 keywords\r\n";
  EXPECT_EQ(ending(out, tail), tail);
}

}  // namespace
}  // namespace postamt::imap::testing

namespace postamt::imap::testing {
namespace {

// The autologout timer keeps running during IDLE (RFC 2177 §3); the session ends with
// the usual BYE.
TEST_F(ImapExtensions, AutologoutDuringIdle) {
  services_.limits.idle_timeout_authenticated = 1ms;
  services_.limits.idle_poll_interval = 1ms;
  MemoryConnection conn;  // scripted: an empty input queue times out at once
  conn.feed("a LOGIN alice@example.org secret\r\nc IDLE\r\n");
  std::string out = run(conn);
  std::string tail = "+ idling\r\n* BYE Autologout; idle for too long\r\n";
  EXPECT_EQ(ending(out, tail), tail);
}

}  // namespace
}  // namespace postamt::imap::testing
