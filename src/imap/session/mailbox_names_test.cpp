// Transcripts for mailbox names: kept in NFC (RFC 9051 §5.1), refused with CANNOT and a
// fixed text (RFC 5530) when they hold what no name may (the hardening issue, item 13).
#include <fmt/format.h>

#include <string>
#include <vector>

#include "imap/session/test_fixture.h"

namespace postamt::imap::testing {
namespace {

// RFC 9051 §5.1: a name is stored in NFC, and every command that takes a name accepts
// its NFD spelling for the same mailbox. "Entwu&Awg-rfe" is "Entwu" U+0308 "rfe" (NFD),
// "Entw&APw-rfe" is "Entw" U+00FC "rfe" (NFC).
TEST_F(ImapSession, NfdAndNfcSpellingsAreOneMailbox) {
  const std::string out = after_login(
      "b CREATE Entwu&Awg-rfe\r\n"
      "c CREATE Entw&APw-rfe\r\n"
      "d LIST \"\" Entwu&Awg-*\r\n"
      "e STATUS Entwu&Awg-rfe (MESSAGES)\r\n"
      "f APPEND Entwu&Awg-rfe {3}\r\nx\r\n\r\n"
      "g UNSUBSCRIBE Entwu&Awg-rfe\r\n"
      "h GETQUOTAROOT Entwu&Awg-rfe\r\n"
      "i SELECT Entw&APw-rfe\r\n"
      "j COPY 1 Entwu&Awg-rfe\r\n"
      "k RENAME Entwu&Awg-rfe Alt/Entwu&Awg-rfe\r\n");
  auto moved = store_.find_mailbox(account_, "Alt/Entw\xC3\xBCrfe");
  ASSERT_TRUE(moved);
  EXPECT_EQ(moved->messages, 2u);
  EXPECT_TRUE(store_.find_mailbox(account_, "Alt"));
  EXPECT_FALSE(store_.find_mailbox(account_, "Entw\xC3\xBCrfe"));
  const UidValidity validity = moved->uid_validity;
  const std::string head = fmt::format(
      "b OK [MAILBOXID (F{0})] CREATE completed\r\n"
      "c NO [ALREADYEXISTS] mailbox Entw??rfe exists already\r\n"
      "* LIST (\\HasNoChildren) \"/\" Entw&APw-rfe\r\nd OK LIST completed\r\n"
      "* STATUS Entw&APw-rfe (MESSAGES 0)\r\ne OK STATUS completed\r\n"
      "+ Ready for literal data\r\nf OK [APPENDUID {0} 1] APPEND completed\r\n"
      "g OK UNSUBSCRIBE completed\r\n"
      "* QUOTAROOT Entw&APw-rfe\r\nh OK GETQUOTAROOT completed\r\n"
      "* FLAGS ",
      validity);
  EXPECT_EQ(out.substr(0, head.size()), head);
  EXPECT_NE(out.find("* 1 EXISTS\r\n"), std::string::npos) << out;
  EXPECT_NE(out.find(fmt::format("* OK [UIDVALIDITY {}] UIDs valid\r\n", validity)),
            std::string::npos)
      << out;
  const std::string tail = fmt::format(
      "i OK [READ-WRITE] SELECT completed\r\n* 2 EXISTS\r\n* 2 RECENT\r\n"
      "j OK [COPYUID {} 1 2] COPY completed\r\nk OK RENAME completed\r\n",
      validity);
  EXPECT_EQ(ending(out, tail), tail);
  EXPECT_EQ(after_login("b DELETE Alt/Entwu&Awg-rfe\r\nc LIST \"\" *Entw*\r\n"),
            "b OK DELETE completed\r\nc OK LIST completed\r\n");
  EXPECT_FALSE(store_.find_mailbox(account_, "Alt/Entw\xC3\xBCrfe"));
}

// The hardening issue, item 13: control characters (C0, C1, NEL), U+2028/U+2029,
// non-characters, wildcards and other namespaces' prefixes are refused with CANNOT and
// a fixed text, never the name; whichever command names the mailbox.
TEST_F(ImapSession, RefusedMailboxNames) {
  constexpr std::string_view control = "NO [CANNOT] Mailbox name contains a control character\r\n";
  constexpr std::string_view other =
      "NO [CANNOT] Mailbox names starting with # or ~ are other namespaces\r\n";
  auto no = [](std::string_view tag, std::string_view text) {
    return std::string(tag) + " " + std::string(text);
  };
  EXPECT_EQ(after_login("b CREATE a&ABs-[2J\r\n"
                        "c CREATE a&AIU-b\r\n"
                        "d CREATE a&ICg-b\r\n"
                        "e CREATE a&,dA-\r\n"
                        "f CREATE a&,,8-\r\n"
                        "g CREATE \"a*b\"\r\n"
                        "h CREATE #shared/x\r\n"
                        "i SELECT ~bob\r\n"
                        "j EXAMINE #news\r\n"
                        "k STATUS #news (MESSAGES)\r\n"
                        "l SUBSCRIBE ~bob/Sent\r\n"
                        "m DELETE #x\r\n"
                        "n RENAME INBOX #x\r\n"
                        "o RENAME ~x y\r\n"
                        "p GETQUOTAROOT ~x\r\n"
                        "q APPEND #x {1}\r\nx\r\n"
                        "r ENABLE IMAP4rev2\r\n"
                        "s CREATE \"a\xC2\x85"
                        "b\"\r\n"
                        "t CREATE \"x\xE2\x80\xA9\"\r\n"
                        "u CREATE \"\xEF\xBF\xBE\"\r\n"),
            no("b", control) + no("c", control) +
                "d NO [CANNOT] Mailbox name contains a line or paragraph separator\r\n"
                "e NO [CANNOT] Mailbox name contains a Unicode non-character\r\n"
                "f NO [CANNOT] Mailbox name contains a Unicode non-character\r\n"
                "g NO [CANNOT] Mailbox name contains a wildcard (* or %)\r\n" +
                no("h", other) + no("i", other) + no("j", other) + no("k", other) + no("l", other) +
                no("m", other) + no("n", other) + no("o", other) + no("p", other) +
                "+ Ready for literal data\r\n" + no("q", other) +
                "* ENABLED IMAP4rev2\r\nr OK ENABLE completed\r\n" + no("s", control) +
                "t NO [CANNOT] Mailbox name contains a line or paragraph separator\r\n"
                "u NO [CANNOT] Mailbox name contains a Unicode non-character\r\n");
  add_message("Subject: x\r\n\r\nbody\r\n");
  const std::string tail = no("c", other) + no("d", other);
  EXPECT_EQ(ending(after_login("b SELECT INBOX\r\nc COPY 1 #x\r\nd MOVE 1 ~x\r\n"), tail), tail);
  std::vector<std::string> names;
  auto mailboxes = store_.list_mailboxes(account_);
  ASSERT_TRUE(mailboxes);
  for (const auto& m : *mailboxes) names.push_back(m.name);
  EXPECT_EQ(names,
            (std::vector<std::string>{"Archive", "Drafts", "INBOX", "Junk", "Sent", "Trash"}));
}

}  // namespace
}  // namespace postamt::imap::testing
