#include "admin/maildir_codec.h"

#include <gtest/gtest.h>

namespace postamt::admin::maildir {
namespace {

TEST(MaildirFileName, StandardFlagsPassedAndKeywordLetters) {
  auto f = parse_file_name("1796614791.M432083P20243.vm,S=293,W=305:2,FRSab");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->unique, "1796614791.M432083P20243.vm,S=293,W=305");
  EXPECT_EQ(f->flags, (SystemFlags{SystemFlag::flagged, SystemFlag::answered, SystemFlag::seen}));
  EXPECT_FALSE(f->passed);
  EXPECT_EQ(f->keyword_indexes, (std::vector<uint8_t>{0, 1}));

  auto all = parse_file_name("x:2,DFPRSTz");
  ASSERT_TRUE(all);
  EXPECT_EQ(all->flags.bits(), SystemFlags::kAllBits);
  EXPECT_TRUE(all->passed);
  EXPECT_EQ(all->keyword_indexes, (std::vector<uint8_t>{25}));
}

TEST(MaildirFileName, NoInfoOtherVersionsUnknownLettersAndOrder) {
  auto bare = parse_file_name("1700000000.P1Q2.host");
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->unique, "1700000000.P1Q2.host");
  EXPECT_TRUE(bare->flags.empty());
  // maildir(5): only "2," info has flags; "1," is experimental and ignored.
  auto v1 = parse_file_name("abc:1,S");
  ASSERT_TRUE(v1);
  EXPECT_EQ(v1->unique, "abc");
  EXPECT_TRUE(v1->flags.empty());
  // Letters out of order, repeated, unknown upper case and digits: order does not matter,
  // unknown ones are ignored, duplicates count once.
  auto messy = parse_file_name("abc:2,cSXSa1c");
  ASSERT_TRUE(messy);
  EXPECT_EQ(messy->flags, (SystemFlags{SystemFlag::seen}));
  EXPECT_EQ(messy->keyword_indexes, (std::vector<uint8_t>{0, 2}));
  // The info starts at the last colon; a colon inside the unique part stays there.
  auto colons = parse_file_name("a:b:2,T");
  ASSERT_TRUE(colons);
  EXPECT_EQ(colons->unique, "a:b");
  EXPECT_EQ(colons->flags, (SystemFlags{SystemFlag::deleted}));
  // Empty info.
  auto empty = parse_file_name("abc:2,");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->flags.empty());
}

TEST(MaildirFileName, NamesNoMaildirHolds) {
  EXPECT_FALSE(parse_file_name(""));
  EXPECT_FALSE(parse_file_name(".hidden"));
  EXPECT_FALSE(parse_file_name("a/b"));
  EXPECT_FALSE(parse_file_name(std::string_view("a\0b", 3)));
  EXPECT_FALSE(parse_file_name(":2,S"));  // no unique part
}

TEST(MaildirFileName, FormatInAsciiOrderAndBack) {
  std::string name =
      format_file_name("123.U4V5.postamt,S=10",
                       SystemFlags{SystemFlag::seen, SystemFlag::draft, SystemFlag::answered,
                                   SystemFlag::deleted, SystemFlag::flagged},
                       true, {3, 0, 3});
  EXPECT_EQ(name, "123.U4V5.postamt,S=10:2,DFPRSTad");
  auto back = parse_file_name(name);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->unique, "123.U4V5.postamt,S=10");
  EXPECT_EQ(back->flags.bits(), SystemFlags::kAllBits);
  EXPECT_TRUE(back->passed);
  EXPECT_EQ(back->keyword_indexes, (std::vector<uint8_t>{0, 3}));
  EXPECT_EQ(format_file_name("u", SystemFlags{}, false, {}), "u:2,");
}

TEST(DovecotKeywords, ParseLenientlyAndFormat) {
  // As Dovecot 2.3 writes it; bad lines (index 26, not a number, not an atom, no space)
  // are ignored.
  KeywordTable t = parse_dovecot_keywords(
      "0 $Forwarded\n1 Important\r\n26 TooFar\nx Bad\n3 has space\n4\n25 $Last\n");
  EXPECT_EQ(t[0], "$Forwarded");
  EXPECT_EQ(t[1], "Important");
  EXPECT_EQ(t[2], "");
  EXPECT_EQ(t[3], "");
  EXPECT_EQ(t[25], "$Last");
  EXPECT_EQ(format_dovecot_keywords(t), "0 $Forwarded\n1 Important\n25 $Last\n");
}

TEST(CourierKeywords, ListAndNewerUpdateFiles) {
  // As Courier's maildirkw 1.0.16 (Debian's courier-base) wrote them for
  // `maildirkw M 123.M1.h Important '$Label1'` and `maildirkw M 124.M2.h Work`.
  std::string list = "Work\nImportant\n$Label1\n\n123.M1.h:2 1\n124.M2.h:0\n";
  CourierKeywords k = parse_courier_keywords(
      list, {{".5988726.124.M2.h", "Work\n"}, {".5988726.123.M1.h", "$Label1\nImportant\n"}});
  EXPECT_EQ(k.at("123.M1.h"), (std::vector<std::string>{"$Label1", "Important"}));
  EXPECT_EQ(k.at("124.M2.h"), (std::vector<std::string>{"Work"}));
  // Without update files, the list; a newer update wins, an older one does not; bad
  // indexes and names that are no atoms are dropped.
  CourierKeywords from_list = parse_courier_keywords(list + "125.M3.h:7 x 0\n", {});
  EXPECT_EQ(from_list.at("123.M1.h"), (std::vector<std::string>{"$Label1", "Important"}));
  EXPECT_EQ(from_list.at("125.M3.h"), (std::vector<std::string>{"Work"}));
  CourierKeywords updated = parse_courier_keywords(list, {{".20.123.M1.h", "Later\nhas space\n"},
                                                          {".10.123.M1.h", "Earlier\n"},
                                                          {"junk", "X\n"},
                                                          {".x.124.M2.h", "Y\n"}});
  EXPECT_EQ(updated.at("123.M1.h"), (std::vector<std::string>{"Later"}));
  EXPECT_EQ(updated.at("124.M2.h"), (std::vector<std::string>{"Work"}));
  EXPECT_TRUE(parse_courier_keywords("", {}).empty());
}

TEST(DovecotUidList, Version3AndVersion1) {
  UidList v3 = parse_dovecot_uidlist(
      "3 V1796614791 N3 G3810c119872a166b134f000083ecc375\n"
      "1 :1796614791.M432083P20243.vm,S=293,W=305\n"
      "2 W12 S10 :second.name\n"
      "0 :zero.is.no.uid\n"
      "junk\n");
  EXPECT_EQ(v3.uid_validity, 1796614791u);
  ASSERT_EQ(v3.uids.size(), 2u);
  EXPECT_EQ(v3.uids.at("1796614791.M432083P20243.vm,S=293,W=305"), 1u);
  EXPECT_EQ(v3.uids.at("second.name"), 2u);
  UidList v1 = parse_dovecot_uidlist("1 17 5\n4 old.name\n");
  EXPECT_EQ(v1.uids.at("old.name"), 4u);
  EXPECT_TRUE(parse_dovecot_uidlist("9 unknown\n1 :x\n").uids.empty());
  EXPECT_TRUE(parse_dovecot_uidlist("").uids.empty());
  std::string text = format_dovecot_uidlist(7, 10, {{2, "a"}, {9, "b"}});
  EXPECT_EQ(text, "3 V7 N10\n2 :a\n9 :b\n");
  UidList back = parse_dovecot_uidlist(text);
  EXPECT_EQ(back.uid_validity, 7u);
  EXPECT_EQ(back.uids.at("b"), 9u);
}

TEST(MaildirFolders, LevelsAndModifiedUtf7) {
  EXPECT_EQ(*folder_to_mailbox(".Sent"), "Sent");
  EXPECT_EQ(*folder_to_mailbox(".Projects.2026"), "Projects/2026");
  EXPECT_EQ(*folder_to_mailbox(".Caf&AOk-"), "Caf\u00e9");
  EXPECT_EQ(*folder_to_mailbox(".A &- B"), "A & B");
  for (std::string_view bad : {"Sent", ".", ".a..b", ".a.", ".&Jjo", ".a/b", ".&AC8-"}) {
    auto r = folder_to_mailbox(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().kind, ErrorKind::invalid) << bad;
  }
  EXPECT_EQ(*mailbox_to_folder("Projects/2026"), ".Projects.2026");
  EXPECT_EQ(*mailbox_to_folder("Caf\u00e9/A & B"), ".Caf&AOk-.A &- B");
  auto dotted = mailbox_to_folder("v1.2");
  ASSERT_FALSE(dotted);
  EXPECT_EQ(dotted.error().kind, ErrorKind::invalid);
}

TEST(DovecotSubscriptions, Version2OldFormAndRoundTrip) {
  // Dovecot 2.3.19 wrote this for a subscription to "Projects/2026".
  EXPECT_EQ(parse_subscriptions("V\t2\n\nProjects\t2026\nCaf&AOk-\ninbox\n"),
            (std::vector<std::string>{"Projects/2026", "Caf\u00e9", "INBOX"}));
  EXPECT_EQ(parse_subscriptions("Sent\nLists.rust\n&AGE-\n"),
            (std::vector<std::string>{"Sent", "Lists/rust"}));
  std::vector<std::string> names = {"INBOX", "Projects/2026", "Caf\u00e9"};
  std::string text = format_subscriptions(names);
  EXPECT_EQ(text, "V\t2\n\nINBOX\nProjects\t2026\nCaf&AOk-\n");
  EXPECT_EQ(parse_subscriptions(text), names);
}

}  // namespace
}  // namespace postamt::admin::maildir
