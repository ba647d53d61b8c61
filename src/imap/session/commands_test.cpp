// Transcripts for the mailbox commands (RFC 3501 §6.3, §6.4; RFC 6154; RFC 3691).
#include <fmt/format.h>

#include "imap/session/test_fixture.h"

namespace postamt::imap::testing {
namespace {

constexpr std::string_view kMessage = "Subject: hi\r\n\r\nbody\r\n";

// RFC 3501 §6.3.1: the required untagged data, [PERMANENTFLAGS] with \* and $MDNSent
// (RFC 3503), UNSEEN, UIDVALIDITY, UIDNEXT, HIGHESTMODSEQ (RFC 7162 §3.1.2.1).
TEST_F(ImapSession, SelectInbox) {
  add_message(kMessage, SystemFlags{SystemFlag::seen});
  add_message(kMessage);
  auto inbox = *store_.get_mailbox(inbox_);
  std::string expected = fmt::format(
      "* FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft $MDNSent)\r\n"
      "* OK [PERMANENTFLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft $MDNSent \\*)] "
      "Flags permitted\r\n"
      "* 2 EXISTS\r\n* 0 RECENT\r\n* OK [UNSEEN 2] First unseen message\r\n"
      "* OK [UIDVALIDITY {}] UIDs valid\r\n* OK [UIDNEXT 3] Predicted next UID\r\n"
      "* OK [HIGHESTMODSEQ {}] Highest\r\n* OK [MAILBOXID (F{})] Mailbox id\r\n"
      "b OK [READ-WRITE] SELECT completed\r\n",
      inbox.uid_validity, inbox.highest_modseq, inbox.uid_validity);
  for (size_t piece : {0, 1, 7}) EXPECT_EQ(after_login("b SELECT inbox\r\n", piece), expected);
}

TEST_F(ImapSession, ExamineIsReadOnly) {
  auto inbox = *store_.get_mailbox(inbox_);
  EXPECT_EQ(
      after_login("b EXAMINE INBOX\r\nc EXPUNGE\r\nd CLOSE\r\ne CLOSE\r\n"),
      fmt::format("* FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft $MDNSent)\r\n"
                  "* OK [PERMANENTFLAGS ()] Read-only mailbox\r\n"
                  "* 0 EXISTS\r\n* 0 RECENT\r\n"
                  "* OK [UIDVALIDITY {}] UIDs valid\r\n* OK [UIDNEXT 1] Predicted next UID\r\n"
                  "* OK [HIGHESTMODSEQ {}] Highest\r\n* OK [MAILBOXID (F{})] Mailbox id\r\n"
                  "b OK [READ-ONLY] EXAMINE completed\r\n"
                  "c NO [READ-ONLY] Mailbox is read-only\r\n"
                  "d OK CLOSE completed\r\n"
                  "e BAD Command not valid in this state\r\n",
                  inbox.uid_validity, inbox.highest_modseq, inbox.uid_validity));
}

// RFC 3501 §6.3.1: a failed SELECT leaves the selected state.
TEST_F(ImapSession, FailedSelectDeselects) {
  std::string out = after_login("b SELECT INBOX\r\nc SELECT Nope\r\nd CHECK\r\n");
  std::string tail =
      "c NO [NONEXISTENT] mailbox Nope does not exist\r\nd BAD Command not valid in this state\r\n";
  ASSERT_GE(out.size(), tail.size());
  EXPECT_EQ(out.substr(out.size() - tail.size()), tail);
}

// IMAP4rev1 \Recent (RFC 3501 §2.3.2, §6.3.10, §6.4.4): EXAMINE and STATUS see new
// messages as recent without taking them; the first SELECT takes them, so only it sees
// them \Recent (FETCH FLAGS, SEARCH RECENT/NEW/OLD, the RECENT count); a later session
// does not. An IMAP4rev2 session neither sees nor takes them (RFC 9051 dropped \Recent).
TEST_F(ImapSession, RecentBelongsToTheFirstSessionThatSelects) {
  keep_recent_ = true;
  add_message(kMessage);
  add_message(kMessage, SystemFlags{SystemFlag::seen});
  auto has = [](const std::string& out, std::string_view line) {
    return out.find(line) != std::string::npos;
  };
  std::string examine = after_login(
      "b STATUS INBOX (RECENT MESSAGES)\r\nc EXAMINE INBOX\r\nd FETCH 1:* FLAGS\r\n"
      "e SEARCH RECENT\r\n");
  EXPECT_TRUE(has(examine, "* STATUS INBOX (RECENT 2 MESSAGES 2)\r\n")) << examine;
  EXPECT_TRUE(has(examine, "* 2 EXISTS\r\n* 2 RECENT\r\n")) << examine;
  EXPECT_TRUE(
      has(examine, "* 1 FETCH (FLAGS (\\Recent))\r\n* 2 FETCH (FLAGS (\\Seen \\Recent))\r\n"))
      << examine;
  EXPECT_TRUE(has(examine, "* SEARCH 1 2\r\ne OK SEARCH completed\r\n")) << examine;

  std::string rev2 = after_login("b ENABLE IMAP4rev2\r\nc SELECT INBOX\r\nd FETCH 1 FLAGS\r\n");
  EXPECT_FALSE(has(rev2, "RECENT")) << rev2;
  EXPECT_TRUE(has(rev2, "* 1 FETCH (FLAGS ())\r\n")) << rev2;

  std::string first =
      after_login("b SELECT INBOX\r\nc SEARCH NEW\r\nd SEARCH OLD\r\ne FETCH 2 FLAGS\r\n");
  EXPECT_TRUE(has(first, "* 2 EXISTS\r\n* 2 RECENT\r\n")) << first;
  EXPECT_TRUE(has(first, "* SEARCH 1\r\nc OK SEARCH completed\r\n* SEARCH\r\nd OK")) << first;
  EXPECT_TRUE(has(first, "* 2 FETCH (FLAGS (\\Seen \\Recent))\r\n")) << first;

  std::string later = after_login(
      "b SELECT INBOX\r\nc SEARCH RECENT\r\nd SEARCH OLD\r\ne STATUS INBOX (RECENT)\r\n");
  EXPECT_TRUE(has(later, "* 2 EXISTS\r\n* 0 RECENT\r\n")) << later;
  EXPECT_TRUE(has(later, "* SEARCH\r\nc OK SEARCH completed\r\n* SEARCH 1 2\r\nd OK")) << later;
  EXPECT_TRUE(has(later, "* STATUS INBOX (RECENT 0)\r\n")) << later;
}

// RFC 7162 §3.2.5: SELECT (QRESYNC ...) without ENABLE QRESYNC is BAD, not a plain
// SELECT; the session stays unselected and connected.
TEST_F(ImapSession, SelectWithQresyncIsBad) {
  EXPECT_EQ(after_login("b SELECT INBOX (QRESYNC (1 1))\r\nc CHECK\r\nd NOOP\r\n"),
            "b BAD QRESYNC is not enabled\r\nc BAD Command not valid in this state\r\n"
            "d OK NOOP completed\r\n");
}

// RFC 3501 §5.1.3: a mailbox name that does not decode is legal syntax and names no
// mailbox: NO, and the session goes on (not BAD, and never a disconnect).
TEST_F(ImapSession, UndecodableMailboxNamesAreNo) {
  EXPECT_EQ(after_login("b SELECT !#$&'+,-.0123456789:;<=>?@^_`|[}\r\nc CREATE &Jjo\r\n"
                        "d NOOP\r\n"),
            "b NO [NONEXISTENT] SELECT: invalid modified UTF-7 mailbox name: bad base64 "
            "character\r\n"
            "c NO [CANNOT] CREATE: invalid modified UTF-7 mailbox name: unterminated shift\r\n"
            "d OK NOOP completed\r\n");
}

// RFC 6154 special-use attributes, RFC 3348 children, "/" delimiter, mUTF-7 names.
TEST_F(ImapSession, ListAll) {
  ASSERT_TRUE(store_.create_mailbox(account_, "Projekte/Bücher", MailboxRole::none));
  EXPECT_EQ(after_login("b LIST \"\" *\r\nc LIST \"\" \"\"\r\n"),
            "* LIST (\\HasNoChildren \\Archive) \"/\" Archive\r\n"
            "* LIST (\\HasNoChildren \\Drafts) \"/\" Drafts\r\n"
            "* LIST (\\HasNoChildren) \"/\" INBOX\r\n"
            "* LIST (\\HasNoChildren \\Junk) \"/\" Junk\r\n"
            "* LIST (\\Noselect \\HasChildren) \"/\" Projekte\r\n"
            "* LIST (\\HasNoChildren) \"/\" Projekte/B&APw-cher\r\n"
            "* LIST (\\HasNoChildren \\Sent) \"/\" Sent\r\n"
            "* LIST (\\HasNoChildren \\Trash) \"/\" Trash\r\n"
            "b OK LIST completed\r\n"
            "* LIST (\\Noselect) \"/\" \"\"\r\nc OK LIST completed\r\n");
}

TEST_F(ImapSession, ListPercentAndInboxCase) {
  ASSERT_TRUE(store_.create_mailbox(account_, "a/b/c", MailboxRole::none));
  EXPECT_EQ(after_login("b LIST \"\" a/%\r\nc LIST \"\" inBox\r\nd LIST a/ %\r\n"),
            "* LIST (\\Noselect \\HasChildren) \"/\" a/b\r\nb OK LIST completed\r\n"
            "* LIST (\\HasNoChildren) \"/\" INBOX\r\nc OK LIST completed\r\n"
            "* LIST (\\Noselect \\HasChildren) \"/\" a/b\r\nd OK LIST completed\r\n");
}

TEST_F(ImapSession, CreateRenameDeleteSubscribe) {
  std::string out = after_login(
      "b CREATE x/y/\r\nc CREATE x\r\nd RENAME x/y z\r\ne UNSUBSCRIBE z\r\n"
      "f LSUB \"\" z*\r\ng SUBSCRIBE z\r\nh LSUB \"\" z\r\ni DELETE z\r\nj DELETE z\r\n"
      "k DELETE INBOX\r\nl CREATE Stuff (USE (\\Sent))\r\n");
  // x/y, made right after x, became z and is gone.
  EXPECT_EQ(out, created("b", validity_of("x") + 1) +
                     "c NO [ALREADYEXISTS] mailbox x exists already\r\n"
                     "d OK RENAME completed\r\n"
                     "e OK UNSUBSCRIBE completed\r\n"
                     "f OK LSUB completed\r\n"
                     "g OK SUBSCRIBE completed\r\n"
                     "* LSUB () \"/\" z\r\nh OK LSUB completed\r\n"
                     "i OK DELETE completed\r\n"
                     "j NO [NONEXISTENT] mailbox z does not exist\r\n"
                     "k NO [CANNOT] INBOX cannot be deleted\r\n"
                     "l NO [USEATTR] A mailbox with role sent exists already\r\n");
  EXPECT_TRUE(store_.find_mailbox(account_, "x"));
}

// RFC 3501 §6.3.9: with "%", the parent of a subscribed child shows as \Noselect.
TEST_F(ImapSession, LsubPercentShowsParentOfSubscribedChild) {
  ASSERT_TRUE(store_.create_mailbox(account_, "p/q", MailboxRole::none));
  ASSERT_TRUE(store_.create_mailbox(account_, "p", MailboxRole::none));
  ASSERT_TRUE(store_.set_subscription(account_, "p/q", store::Subscription::subscribed));
  // Without "%" the unsubscribed parent is not listed at all.
  EXPECT_EQ(after_login("b LSUB \"\" p\r\n"), "b OK LSUB completed\r\n");
  std::string out = after_login("c LSUB \"\" %\r\n");
  EXPECT_NE(out.find("* LSUB (\\Noselect) \"/\" p\r\n"), std::string::npos) << out;
}

TEST_F(ImapSession, Status) {
  add_message(kMessage, SystemFlags{SystemFlag::seen, SystemFlag::deleted});
  add_message(kMessage);
  auto inbox = *store_.get_mailbox(inbox_);
  EXPECT_EQ(after_login("b STATUS INBOX (MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN DELETED "
                        "SIZE HIGHESTMODSEQ)\r\n"),
            fmt::format("* STATUS INBOX (MESSAGES 2 RECENT 0 UIDNEXT 3 UIDVALIDITY {} UNSEEN 1 "
                        "DELETED 1 SIZE {} HIGHESTMODSEQ {})\r\nb OK STATUS completed\r\n",
                        inbox.uid_validity, 2 * kMessage.size(), inbox.highest_modseq));
}

// RFC 9208 §4.1.4 (its example's form): DELETED-STORAGE in units of 1024 octets, what
// an EXPUNGE would free, rounded up.
TEST_F(ImapSession, StatusDeletedStorage) {
  const std::string big = "Subject: big\r\n\r\n" + std::string(2048, 'x');
  add_message(big, SystemFlags{SystemFlag::deleted});
  add_message(kMessage, SystemFlags{SystemFlag::deleted});
  add_message(kMessage);
  EXPECT_EQ(after_login("S0003 STATUS INBOX (MESSAGES DELETED DELETED-STORAGE)\r\n"
                        "b STATUS Archive (DELETED-STORAGE)\r\n"),
            "* STATUS INBOX (MESSAGES 3 DELETED 2 DELETED-STORAGE 3)\r\n"
            "S0003 OK STATUS completed\r\n"
            "* STATUS Archive (DELETED-STORAGE 0)\r\nb OK STATUS completed\r\n");
}

// RFC 3501 §6.4.3: EXPUNGE reports each removal; §6.4.2: CLOSE removes silently;
// NOOP reports what another session changed (RFC 3501 §6.1.2).
TEST_F(ImapSession, ExpungeCloseAndNoop) {
  add_message(kMessage);
  Uid deleted = add_message(kMessage, SystemFlags{SystemFlag::deleted});
  add_message(kMessage, SystemFlags{SystemFlag::deleted});
  add_message(kMessage);
  MemoryConnection conn;
  conn.feed("a LOGIN alice@example.org secret\r\nb SELECT INBOX\r\nc EXPUNGE\r\n");
  conn.feed_eof();
  std::string out = run(conn);
  std::string tail = "* 2 EXPUNGE\r\n* 2 EXPUNGE\r\nc OK EXPUNGE completed\r\n";
  ASSERT_GE(out.size(), tail.size());
  EXPECT_EQ(out.substr(out.size() - tail.size()), tail);
  EXPECT_FALSE(store_.get_message(inbox_, deleted));

  Uid third = add_message(kMessage, SystemFlags{SystemFlag::deleted});
  out = after_login("b SELECT INBOX\r\nc UID EXPUNGE 1:2\r\nd CLOSE\r\n");
  EXPECT_NE(out.find("\r\nc OK UID EXPUNGE completed\r\nd OK CLOSE completed\r\n"),
            std::string::npos)
      << out;
  EXPECT_FALSE(store_.get_message(inbox_, third));
}

}  // namespace
}  // namespace postamt::imap::testing
