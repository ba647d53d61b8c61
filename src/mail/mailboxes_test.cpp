#include "mail/mailboxes.h"

#include <gtest/gtest.h>

#include "store/memory/memory_store.h"

namespace postamt::mail {
namespace {

class MailboxesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(store_.add_domain("example.org"));
    alice_ = *store_.create_account("alice@example.org", "{X}");
  }
  std::vector<std::string> names() {
    std::vector<std::string> out;
    auto mailboxes = store_.list_mailboxes(alice_);
    for (const auto& m : *mailboxes) out.push_back(m.name);
    return out;
  }
  void add_message(std::string_view mailbox) {
    store::NewMessage m;
    m.blob = *BlobRef::parse(std::string(64, 'c'));
    m.size = 1;
    ASSERT_TRUE(store_.append(store_.find_mailbox(alice_, mailbox)->id, m));
  }

  store::MemoryStore store_;
  AccountId alice_;
};

TEST_F(MailboxesTest, NamesClientsMayUse) {
  EXPECT_EQ(*check_mailbox_name("INBOX"), "INBOX");
  EXPECT_EQ(*check_mailbox_name("inBox"), "INBOX");
  EXPECT_EQ(*check_mailbox_name("a/b/c"), "a/b/c");
  EXPECT_EQ(*check_mailbox_name(std::string(1000, 'x')), std::string(1000, 'x'));
  EXPECT_EQ(*check_mailbox_name("a#b/c~d"), "a#b/c~d");  // only a leading # or ~ is refused
  EXPECT_EQ(*check_mailbox_name("\xEF\xBF\xBD \xEE\x80\x80"), "\xEF\xBF\xBD \xEE\x80\x80");
  EXPECT_EQ(*check_mailbox_name("\xF0\x9F\x93\xAC/\xF3\xB0\x80\x80"),  // U+1F4EC, U+F0000
            "\xF0\x9F\x93\xAC/\xF3\xB0\x80\x80");
  struct Bad {
    std::string name;
    std::string_view why;
  };
  std::string deep;
  for (size_t i = 0; i <= kMaxMailboxDepth; ++i)
    deep += (deep.empty() ? "" : "/") + std::string("d");
  for (const Bad& bad : {
           Bad{"", "Mailbox name is empty"},
           Bad{std::string(1001, 'x'), "Mailbox name is longer than 1000 octets"},
           Bad{"/a", "Mailbox name starts or ends with the delimiter"},
           Bad{"a/", "Mailbox name starts or ends with the delimiter"},
           Bad{"a//b", "Mailbox name contains an empty level"},
           Bad{"a/../b", "Mailbox name contains a \".\" or \"..\" level"},
           Bad{"./x", "Mailbox name contains a \".\" or \"..\" level"},
           Bad{deep, "Mailbox name is deeper than 32 levels"},
           Bad{"a\xFF", "Mailbox name is not valid UTF-8"},
           Bad{"a\xC0\xAF"
               "b",
               "Mailbox name is not valid UTF-8"},
           Bad{"a\x1B[2Jb", "Mailbox name contains a control character"},
           Bad{std::string("a\0b", 3), "Mailbox name contains a control character"},
           Bad{"a\x7F", "Mailbox name contains a control character"},
           Bad{"a\xC2\x80", "Mailbox name contains a control character"},  // U+0080
           Bad{"a\xC2\x85"
               "b",
               "Mailbox name contains a control character"},               // U+0085 NEL
           Bad{"a\xC2\x9F", "Mailbox name contains a control character"},  // U+009F
           Bad{"a\xE2\x80\xA8"
               "b",
               "Mailbox name contains a line or paragraph separator"},
           Bad{"a\xE2\x80\xA9"
               "b",
               "Mailbox name contains a line or paragraph separator"},
           Bad{"a\xEF\xB7\x90", "Mailbox name contains a Unicode non-character"},      // U+FDD0
           Bad{"a\xEF\xB7\xAF", "Mailbox name contains a Unicode non-character"},      // U+FDEF
           Bad{"a\xEF\xBF\xBE", "Mailbox name contains a Unicode non-character"},      // U+FFFE
           Bad{"a\xEF\xBF\xBF", "Mailbox name contains a Unicode non-character"},      // U+FFFF
           Bad{"a\xF0\x9F\xBF\xBE", "Mailbox name contains a Unicode non-character"},  // U+1FFFE
           Bad{"a\xF4\x8F\xBF\xBF", "Mailbox name contains a Unicode non-character"},  // U+10FFFF
           Bad{"a*", "Mailbox name contains a wildcard (* or %)"},
           Bad{"a/%", "Mailbox name contains a wildcard (* or %)"},
           Bad{"#shared/x", "Mailbox names starting with # or ~ are other namespaces"},
           Bad{"#news.comp", "Mailbox names starting with # or ~ are other namespaces"},
           Bad{"~bob/Sent", "Mailbox names starting with # or ~ are other namespaces"},
       }) {
    auto checked = check_mailbox_name(bad.name);
    ASSERT_FALSE(checked) << bad.name;
    EXPECT_EQ(checked.error().kind, ErrorKind::invalid);
    EXPECT_EQ(checked.error().message, bad.why);
  }
}

// RFC 9051 §5.1, RFC 5198 §2: a name is kept in NFC, so its NFD spelling is the same
// mailbox, and the limits count the NFC octets.
TEST_F(MailboxesTest, NamesAreNormalizedToNfc) {
  const std::string nfc = "Entw\xC3\xBCrfe";   // U+00FC
  const std::string nfd = "Entwu\xCC\x88rfe";  // u + U+0308
  EXPECT_EQ(*check_mailbox_name(nfd), nfc);
  EXPECT_EQ(*check_mailbox_name("Archiv/" + nfd), "Archiv/" + nfc);
  // 400 "u" + U+0308 are 1200 octets; their NFC form, 400 U+00FC, is 800.
  std::string long_nfd;
  for (int i = 0; i < 400; ++i) long_nfd += "u\xCC\x88";
  auto fits = check_mailbox_name(long_nfd);
  ASSERT_TRUE(fits) << fits.error().message;
  EXPECT_EQ(fits->size(), 800u);

  auto made = create_mailbox(store_, alice_, "Projekte/" + nfd, MailboxRole::none);
  ASSERT_TRUE(made) << made.error().message;
  EXPECT_EQ(made->name, "Projekte/" + nfc);
  auto again = create_mailbox(store_, alice_, "Projekte/" + nfc, MailboxRole::none);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().kind, ErrorKind::exists);
  ASSERT_TRUE(rename_mailbox(store_, alice_, "Projekte/" + nfd, nfd + "/alt"));
  EXPECT_TRUE(store_.find_mailbox(alice_, nfc + "/alt"));
  EXPECT_TRUE(store_.find_mailbox(alice_, nfc));  // the superior, also in NFC
  auto deleted = delete_mailbox(store_, alice_, nfd + "/alt");
  ASSERT_TRUE(deleted) << deleted.error().message;
  EXPECT_FALSE(store_.find_mailbox(alice_, nfc + "/alt"));

  EXPECT_EQ(mailbox_pattern_nfc(nfd + "/*"), nfc + "/*");
  EXPECT_EQ(mailbox_pattern_nfc("%"), "%");
  EXPECT_EQ(mailbox_pattern_nfc("a\xFF"), "a\xFF");
}

// Mailboxes named before the rules were tightened (stored in NFD, or with a leading
// "#"), straight through the store as an older version would have: RENAME and DELETE
// still find them by their exact name, so a user can clean them up.
TEST_F(MailboxesTest, OldNamesCanStillBeRenamedAndDeleted) {
  const std::string nfd = "Entwu\xCC\x88rfe";
  ASSERT_TRUE(store_.create_mailbox(alice_, nfd, MailboxRole::none));
  ASSERT_TRUE(store_.create_mailbox(alice_, "#old", MailboxRole::none));
  ASSERT_TRUE(rename_mailbox(store_, alice_, nfd, nfd + "2"));
  EXPECT_TRUE(store_.find_mailbox(alice_, "Entw\xC3\xBCrfe2"));  // renamed into NFC
  EXPECT_FALSE(store_.find_mailbox(alice_, nfd));
  auto deleted = delete_mailbox(store_, alice_, "#old");
  ASSERT_TRUE(deleted) << deleted.error().message;
  EXPECT_FALSE(store_.find_mailbox(alice_, "#old"));
  // A refused name that names nothing is still refused as a name.
  auto refused = delete_mailbox(store_, alice_, "#never");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::invalid);
  auto missing = delete_mailbox(store_, alice_, "Nothing");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::not_found);
}

TEST_F(MailboxesTest, CreateMakesTheSuperiorsAndRefusesATakenRoleFirst) {
  auto made = create_mailbox(store_, alice_, "Projects/2026/Q1", MailboxRole::none);
  ASSERT_TRUE(made) << made.error().message;
  EXPECT_EQ(made->name, "Projects/2026/Q1");
  for (std::string_view n : {"Projects", "Projects/2026", "Projects/2026/Q1"})
    EXPECT_TRUE(store_.find_mailbox(alice_, n)) << n;
  const auto before = names();
  auto taken = create_mailbox(store_, alice_, "Old/Sent", MailboxRole::sent);
  ASSERT_FALSE(taken);
  EXPECT_EQ(taken.error().kind, ErrorKind::exists);
  EXPECT_EQ(names(), before);  // not even "Old" was created
  auto bad = create_mailbox(store_, alice_, "a/../b", MailboxRole::none);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, ErrorKind::invalid);
  auto role = mailbox_with_role(store_, alice_, MailboxRole::sent);
  ASSERT_TRUE(role);
  ASSERT_TRUE(role->has_value());
  EXPECT_EQ((*role)->name, "Sent");
  ASSERT_TRUE(store_.delete_mailbox((*role)->id));
  role = mailbox_with_role(store_, alice_, MailboxRole::sent);
  ASSERT_TRUE(role);
  EXPECT_FALSE(role->has_value());
}

TEST_F(MailboxesTest, RenameMovesChildrenAndCreatesSuperiors) {
  ASSERT_TRUE(create_mailbox(store_, alice_, "a/x", MailboxRole::none));
  ASSERT_TRUE(rename_mailbox(store_, alice_, "a", "b/c"));
  EXPECT_TRUE(store_.find_mailbox(alice_, "b"));
  EXPECT_TRUE(store_.find_mailbox(alice_, "b/c"));
  EXPECT_TRUE(store_.find_mailbox(alice_, "b/c/x"));
  EXPECT_FALSE(store_.find_mailbox(alice_, "a"));
  auto missing = rename_mailbox(store_, alice_, "nope", "x");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::not_found);
  auto exists = rename_mailbox(store_, alice_, "b", "Sent");
  ASSERT_FALSE(exists);
  EXPECT_EQ(exists.error().kind, ErrorKind::exists);
}

// RFC 3501 §6.3.5: INBOX's messages move to the new name; INBOX stays, empty.
TEST_F(MailboxesTest, RenamingInboxMovesItsMessages) {
  add_message("INBOX");
  add_message("INBOX");
  ASSERT_TRUE(rename_mailbox(store_, alice_, "inbox", "Old/Inbox"));
  auto inbox = store_.find_mailbox(alice_, "INBOX");
  ASSERT_TRUE(inbox);
  EXPECT_EQ(inbox->messages, 0u);
  auto old = store_.find_mailbox(alice_, "Old/Inbox");
  ASSERT_TRUE(old);
  EXPECT_EQ(old->messages, 2u);
  EXPECT_TRUE(store_.find_mailbox(alice_, "Old"));
  // A taken name leaves everything as it was.
  add_message("INBOX");
  auto taken = rename_mailbox(store_, alice_, "INBOX", "Sent");
  ASSERT_FALSE(taken);
  EXPECT_EQ(taken.error().kind, ErrorKind::exists);
  EXPECT_EQ(store_.find_mailbox(alice_, "INBOX")->messages, 1u);
}

TEST_F(MailboxesTest, DeleteKeepsChildrenAndProtectsInbox) {
  ASSERT_TRUE(create_mailbox(store_, alice_, "a/b", MailboxRole::none));
  auto id = delete_mailbox(store_, alice_, "a");
  ASSERT_TRUE(id);
  EXPECT_FALSE(store_.find_mailbox(alice_, "a"));
  EXPECT_TRUE(store_.find_mailbox(alice_, "a/b"));
  auto inbox = delete_mailbox(store_, alice_, "INBOX");
  ASSERT_FALSE(inbox);
  EXPECT_EQ(inbox.error().kind, ErrorKind::invalid);
  auto missing = delete_mailbox(store_, alice_, "a");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::not_found);
}

}  // namespace
}  // namespace postamt::mail
