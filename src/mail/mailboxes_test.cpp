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
  EXPECT_TRUE(check_mailbox_name("INBOX"));
  EXPECT_TRUE(check_mailbox_name("a/b/c"));
  EXPECT_TRUE(check_mailbox_name(std::string(1000, 'x')));
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
       }) {
    auto checked = check_mailbox_name(bad.name);
    ASSERT_FALSE(checked) << bad.name;
    EXPECT_EQ(checked.error().kind, ErrorKind::invalid);
    EXPECT_EQ(checked.error().message, bad.why);
  }
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
