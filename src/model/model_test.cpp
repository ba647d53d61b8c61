#include <gtest/gtest.h>

#include "model/address.h"
#include "model/blob_ref.h"
#include "model/flags.h"
#include "model/ids.h"
#include "model/mailbox_role.h"
#include "model/object_ids.h"

namespace postamt {
namespace {

TEST(Ids, StrongAndOrdered) {
  EXPECT_FALSE(AccountId().valid());
  EXPECT_TRUE(AccountId(3).valid());
  EXPECT_LT(MailboxId(2), MailboxId(10));
  EXPECT_EQ(MailboxId(7).value(), 7);
  static_assert(!std::is_convertible_v<AccountId, MailboxId>);
}

TEST(SystemFlags, BitsetOperations) {
  SystemFlags f{SystemFlag::seen, SystemFlag::draft};
  EXPECT_EQ(f.bits(), 17);
  EXPECT_TRUE(f.has(SystemFlag::seen));
  EXPECT_FALSE(f.has(SystemFlag::deleted));
  f.remove(SystemFlag::seen);
  EXPECT_EQ(f.bits(), 16);
  EXPECT_EQ((f | SystemFlags{SystemFlag::flagged}).bits(), 20);
  EXPECT_EQ(SystemFlags::from_bits(0xff).bits(), 31);
  EXPECT_EQ(SystemFlags({SystemFlag::seen, SystemFlag::flagged}).without({SystemFlag::seen}),
            SystemFlags{SystemFlag::flagged});
  auto names = flag_names(SystemFlags{SystemFlag::deleted, SystemFlag::seen});
  ASSERT_EQ(names.size(), 2u);
  EXPECT_EQ(names[0], "\\Seen");
  EXPECT_EQ(names[1], "\\Deleted");
  EXPECT_EQ(parse_system_flag("\\ANSWERED"), SystemFlag::answered);
  EXPECT_EQ(parse_system_flag("\\Recent"), std::nullopt);
}

TEST(Keywords, CaseInsensitiveAndFirstSpellingKept) {
  Keywords k;
  EXPECT_TRUE(k.add("$Forwarded"));
  EXPECT_FALSE(k.add("$FORWARDED"));
  EXPECT_TRUE(k.add("Work"));
  ASSERT_EQ(k.items().size(), 2u);
  EXPECT_EQ(k.items()[0], "$Forwarded");
  EXPECT_EQ(*k.find("$forwarded"), "$Forwarded");
  EXPECT_EQ(k, (Keywords{"work", "$forwarded"}));
  EXPECT_NE(k, (Keywords{"work"}));
  EXPECT_TRUE(k.remove("WORK"));
  EXPECT_FALSE(k.remove("WORK"));
  EXPECT_EQ(k.items(), std::vector<std::string>{"$Forwarded"});
}

TEST(Keywords, Validity) {
  EXPECT_TRUE(is_valid_keyword("$MDNSent"));
  EXPECT_TRUE(is_valid_keyword("a"));
  EXPECT_FALSE(is_valid_keyword(""));
  EXPECT_FALSE(is_valid_keyword("\\Seen"));
  EXPECT_FALSE(is_valid_keyword("two words"));
  EXPECT_FALSE(is_valid_keyword("a]"));
  EXPECT_FALSE(is_valid_keyword("caf\xc3\xa9"));
  EXPECT_FALSE(is_valid_keyword(std::string(256, 'x')));
}

TEST(MailboxRole, Names) {
  EXPECT_EQ(special_use(MailboxRole::junk), "\\Junk");
  EXPECT_EQ(special_use(MailboxRole::inbox), "");
  EXPECT_EQ(role_from_special_use("\\sent"), MailboxRole::sent);
  EXPECT_EQ(role_from_special_use("\\All"), std::nullopt);
  EXPECT_EQ(role_name(MailboxRole::archive), "archive");
  EXPECT_EQ(role_from_name("Trash"), MailboxRole::trash);
  EXPECT_EQ(default_mailbox_name(MailboxRole::inbox), "INBOX");
  EXPECT_EQ(default_mailbox_name(MailboxRole::drafts), "Drafts");
}

TEST(Address, NormalisationKeepsLocalPart) {
  EXPECT_EQ(*normalize_address("Alice.B@Example.ORG"), "Alice.B@example.org");
  EXPECT_EQ(*address_key("Alice.B@Example.ORG"), "alice.b@example.org");
  auto p = parse_address("\"odd@local\"@x.test");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->local_part, "\"odd@local\"");
  EXPECT_EQ(p->domain, "x.test");
  for (std::string_view bad :
       {"", "alice", "@x.test", "alice@", "a b@x.test", "<a@x.test>", "a@x..test", "a@x!.test"}) {
    auto r = normalize_address(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().kind, ErrorKind::invalid);
  }
  EXPECT_EQ(normalize_address("a@x.test").value(), "a@x.test");
  EXPECT_EQ(normalize_address("a@x").value(), "a@x");
  EXPECT_EQ(normalize_address("a@x..y").error().message, "address \"a@x..y\" is not valid");
  EXPECT_EQ(*normalize_domain("Mail.Example.ORG"), "mail.example.org");
}

TEST(BlobRef, ParseStrictHex) {
  std::string hex(64, 'a');
  ASSERT_TRUE(BlobRef::parse(hex));
  EXPECT_EQ(BlobRef::parse(hex)->hex(), hex);
  EXPECT_FALSE(BlobRef::parse(std::string(63, 'a')));
  EXPECT_FALSE(BlobRef::parse(std::string(64, 'A')));
  EXPECT_FALSE(BlobRef::parse(std::string(64, 'g')));
}

TEST(BlobRef, EveryPositionAndEveryByteIsChecked) {
  std::string digits = "0123456789abcdef";
  std::string hex;
  for (int i = 0; i < 4; ++i) hex += digits;
  ASSERT_TRUE(BlobRef::parse(hex));
  EXPECT_EQ(BlobRef::parse(hex)->digits(), hex);
  for (int c = 0; c < 256; ++c) {
    bool valid = digits.find(static_cast<char>(c)) != std::string::npos;
    for (size_t at : {size_t{0}, size_t{31}, size_t{63}}) {
      std::string bad = hex;
      bad[at] = static_cast<char>(c);
      EXPECT_EQ(BlobRef::parse(bad).has_value(), valid) << "byte " << c << " at " << at;
    }
  }
}

TEST(BlobRef, EmptyHasNoDigitsAndOrdersFirst) {
  BlobRef none;
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(none.hex(), "");
  EXPECT_EQ(none.digits(), "");
  auto zero = BlobRef::parse(std::string(64, '0'));
  auto one = BlobRef::parse(std::string(63, '0') + "1");
  ASSERT_TRUE(zero && one);
  EXPECT_FALSE(zero->empty());
  EXPECT_LT(none, *zero);
  EXPECT_LT(*zero, *one);
  EXPECT_EQ(std::hash<BlobRef>{}(*one), std::hash<std::string_view>{}(one->digits()));
}

}  // namespace
}  // namespace postamt

namespace postamt {
namespace {

TEST(ObjectIds, FormAndInverse) {
  EXPECT_EQ(mailbox_object_id(1521475658), "F1521475658");
  EXPECT_EQ(thread_object_id(42), "T42");
  EXPECT_EQ(parse_thread_object_id("T42"), 42u);
  EXPECT_EQ(parse_thread_object_id("T18446744073709551615"), 18446744073709551615u);
  EXPECT_EQ(parse_thread_object_id("T18446744073709551616"), std::nullopt);
  EXPECT_EQ(parse_thread_object_id("T-1"), std::nullopt);
  EXPECT_EQ(parse_thread_object_id("T042"), std::nullopt);
  EXPECT_EQ(parse_thread_object_id("T"), std::nullopt);
  EXPECT_EQ(parse_thread_object_id("M42"), std::nullopt);

  auto blob = *BlobRef::parse("6d99ac3275bb4e0123456789abcdef0123456789abcdef0123456789abcdef01");
  EXPECT_EQ(email_object_id(blob), "M6d99ac3275bb4e0123456789");
  EXPECT_TRUE(is_email_object_id_of("M6d99ac3275bb4e0123456789", blob));
  EXPECT_FALSE(is_email_object_id_of("M6D99AC3275BB4E0123456789", blob));  // case matters
  EXPECT_FALSE(is_email_object_id_of("M6d99ac3275bb4e012345678", blob));
  EXPECT_FALSE(is_email_object_id_of("M6d99ac3275bb4e0123456789a", blob));
  EXPECT_FALSE(is_email_object_id_of("X6d99ac3275bb4e0123456789", blob));
  EXPECT_FALSE(is_email_object_id_of("M", BlobRef()));
}

}  // namespace
}  // namespace postamt
