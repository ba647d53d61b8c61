// APPEND, COPY, MOVE, GETQUOTAROOT/GETQUOTA, BINARY and mailbox-name transcripts
// (RFC 3501 §6.3.11 and §6.4.7, RFC 4315, RFC 6851, RFC 9208, RFC 3516, RFC 5258,
// RFC 5819, RFC 6154).
#include <fmt/format.h>

#include "imap/session/test_fixture.h"
#include "mail/events.h"

namespace postamt::imap::testing {
namespace {

constexpr std::string_view kMessage =
    "From: Bob <bob@example.net>\r\nSubject: hi\r\nMessage-ID:  <Abc@Example.NET> "
    "\r\n\r\nhello\r\n";

class ImapMutate : public ImapSession {
 protected:
  MailboxId mailbox(std::string_view name) { return store_.find_mailbox(account_, name)->id; }
  UidValidity validity(std::string_view name) {
    return store_.find_mailbox(account_, name)->uid_validity;
  }
  std::vector<store::MessageRecord> messages(std::string_view name) {
    return *store_.list_messages(mailbox(name));
  }
  // The transcript after "s SELECT INBOX"'s completion.
  std::string after_select(std::string_view input, size_t piece = 0,
                           std::string_view select = "SELECT") {
    std::string out =
        after_login("s " + std::string(select) + " INBOX\r\n" + std::string(input), piece);
    std::string marker = select == "SELECT" ? "s OK [READ-WRITE] SELECT completed\r\n"
                                            : "s OK [READ-ONLY] EXAMINE completed\r\n";
    size_t at = out.find(marker);
    EXPECT_NE(at, std::string::npos) << out;
    return at == std::string::npos ? out : out.substr(at + marker.size());
  }
};

// ---- APPEND ----

// RFC 3501 §6.3.11 and RFC 4315 §3: flags, keywords (with $MDNSent), the client's date
// and the normalised Message-ID are stored; the answer names the new uid.
TEST_F(ImapMutate, AppendStoresEverythingAndAnswersAppendUid) {
  UidValidity v = inbox_validity();
  Uid uid = 0;
  for (size_t piece : {0, 1, 7}) {
    ++uid;
    std::string input = fmt::format(
        "b APPEND INBOX (\\Seen $MDNSent Work) \"14-Nov-2023 23:13:20 +0100\" {{{}+}}\r\n{}\r\n",
        kMessage.size(), kMessage);
    EXPECT_EQ(after_login(input, piece),
              fmt::format("b OK [APPENDUID {} {}] APPEND completed\r\n", v, uid))
        << piece;
  }
  auto list = messages("INBOX");
  ASSERT_EQ(list.size(), 3u);
  const auto& m = list[2];
  EXPECT_EQ(m.uid, 3u);
  EXPECT_TRUE(m.flags.has(SystemFlag::seen));
  EXPECT_FALSE(m.flags.has(SystemFlag::flagged));
  EXPECT_TRUE(m.keywords.contains("$MDNSent"));
  EXPECT_TRUE(m.keywords.contains("Work"));
  EXPECT_EQ(m.internal_date, store::InternalDate(std::chrono::seconds(1700000000)));
  EXPECT_EQ(m.size, kMessage.size());
  EXPECT_EQ(m.message_id, "<Abc@Example.NET>");
  EXPECT_EQ(*blobs_.get(m.blob), kMessage);
}

// RFC 3516 §4.4: a literal8 message keeps its NUL octets.
TEST_F(ImapMutate, AppendLiteral8KeepsBinary) {
  std::string body("Subject: x\r\n\r\na\0b\r\n", 19);
  EXPECT_EQ(after_login(fmt::format("b APPEND INBOX ~{{{}+}}\r\n{}\r\n", body.size(), body)),
            fmt::format("b OK [APPENDUID {} 1] APPEND completed\r\n", inbox_validity()));
  auto list = messages("INBOX");
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(*blobs_.get(list[0].blob), body);
  EXPECT_EQ(list[0].message_id, "");
  EXPECT_TRUE(list[0].keywords.items().empty());
}

TEST_F(ImapMutate, AppendRefusals) {
  EXPECT_EQ(after_login("b APPEND Nowhere {3+}\r\nabc\r\n"
                        "c APPEND INBOX {0+}\r\n\r\n"
                        "d APPEND INBOX (\\Recent) {3+}\r\nabc\r\n"
                        "f APPEND a/../b {3+}\r\nabc\r\n"),
            "b NO [TRYCREATE] Mailbox does not exist\r\n"
            "c NO Empty message\r\n"
            "d BAD APPEND: \\Recent cannot be set\r\n"
            "f NO [CANNOT] Mailbox name contains a \".\" or \"..\" level\r\n");
  EXPECT_TRUE(messages("INBOX").empty());
}

// APPEND into the selected mailbox: the dispatcher's refresh tells EXISTS, and RECENT,
// since this session is the first to hear of the message (RFC 3501 §2.3.2).
TEST_F(ImapMutate, AppendToSelectedMailboxAnnouncesExists) {
  EXPECT_EQ(after_select("b APPEND INBOX {3+}\r\nabc\r\n"),
            fmt::format("* 1 EXISTS\r\n* 1 RECENT\r\nb OK [APPENDUID {} 1] APPEND completed\r\n",
                        inbox_validity()));
}

// ---- COPY / MOVE ----

// RFC 4315 §3 COPYUID; flags and keywords ($MDNSent too) travel with the copy.
TEST_F(ImapMutate, CopyAnswersCopyUidAndKeepsKeywords) {
  add_message(kMessage, SystemFlags{SystemFlag::flagged});
  Uid second = add_message(kMessage);
  FlagUpdate mdn;
  mdn.keywords = Keywords{"$MDNSent"};
  ASSERT_TRUE(store_.update_flags(inbox_, {second}, mdn));
  UidValidity v = validity("Archive");
  Uid next = 1;
  for (size_t piece : {0, 1, 7}) {
    EXPECT_EQ(after_select("b COPY 1:* Archive\r\n", piece),
              fmt::format("b OK [COPYUID {} 1:2 {}:{}] COPY completed\r\n", v, next, next + 1))
        << piece;
    next += 2;
  }
  auto copies = messages("Archive");
  ASSERT_EQ(copies.size(), 6u);
  EXPECT_TRUE(copies[0].flags.has(SystemFlag::flagged));
  EXPECT_FALSE(copies[0].keywords.contains("$MDNSent"));
  EXPECT_TRUE(copies[1].keywords.contains("$MDNSent"));
  EXPECT_EQ(copies[1].message_id, messages("INBOX")[1].message_id);
  EXPECT_EQ(messages("INBOX").size(), 2u);
}

TEST_F(ImapMutate, CopyNothingOrNowhere) {
  add_message(kMessage);
  EXPECT_EQ(after_select("b UID COPY 7:9 Archive\r\nc COPY 1 Nowhere\r\nd COPY 2 Archive\r\n"
                         "e COPY 1 /Archive\r\n"),
            "b OK UID COPY completed\r\n"
            "c NO [TRYCREATE] Mailbox does not exist\r\n"
            "d BAD Invalid message sequence number\r\n"
            "e NO [CANNOT] Mailbox name starts or ends with the delimiter\r\n");
  EXPECT_TRUE(messages("Archive").empty());
}

// RFC 6851 §4.3: untagged OK [COPYUID] first, then EXPUNGE, then the tagged OK.
TEST_F(ImapMutate, MoveSendsCopyUidThenExpunges) {
  add_message(kMessage);
  Uid second = add_message(kMessage);
  add_message(kMessage);
  FlagUpdate mdn;
  mdn.keywords = Keywords{"$MDNSent"};
  ASSERT_TRUE(store_.update_flags(inbox_, {second}, mdn));
  UidValidity v = validity("Archive");
  EXPECT_EQ(
      after_select("b MOVE 2 Archive\r\nc UID MOVE 3 Archive\r\n"),
      fmt::format("* OK [COPYUID {0} 2 1] Moved\r\n* 2 EXPUNGE\r\nb OK MOVE completed\r\n"
                  "* OK [COPYUID {0} 3 2] Moved\r\n* 2 EXPUNGE\r\nc OK UID MOVE completed\r\n",
                  v));
  auto inbox = messages("INBOX");
  ASSERT_EQ(inbox.size(), 1u);
  EXPECT_EQ(inbox[0].uid, 1u);
  auto moved = messages("Archive");
  ASSERT_EQ(moved.size(), 2u);
  EXPECT_TRUE(moved[0].keywords.contains("$MDNSent"));
  EXPECT_FALSE(moved[1].keywords.contains("$MDNSent"));
}

TEST_F(ImapMutate, MoveInPieces) {
  for (size_t piece : {1, 7}) add_message(kMessage), (void)piece;
  UidValidity v = validity("Archive");
  EXPECT_EQ(
      after_select("b MOVE 1 Archive\r\n", 1),
      fmt::format("* OK [COPYUID {} 1 1] Moved\r\n* 1 EXPUNGE\r\nb OK MOVE completed\r\n", v));
  EXPECT_EQ(
      after_select("b MOVE 1 Archive\r\n", 7),
      fmt::format("* OK [COPYUID {} 2 2] Moved\r\n* 1 EXPUNGE\r\nb OK MOVE completed\r\n", v));
  EXPECT_TRUE(messages("INBOX").empty());
}

TEST_F(ImapMutate, MoveRefusedWhenReadOnlyOrMissing) {
  add_message(kMessage);
  EXPECT_EQ(after_select("b MOVE 1 Archive\r\n", 0, "EXAMINE"),
            "b NO [READ-ONLY] Mailbox is read-only\r\n");
  EXPECT_EQ(after_select("b MOVE 1 Nowhere\r\n"), "b NO [TRYCREATE] Mailbox does not exist\r\n");
  EXPECT_EQ(messages("INBOX").size(), 1u);
}

// RFC 6851 §3.3 allows the selected mailbox as the target: the message gets a new uid,
// the client hears COPYUID, EXPUNGE of the old one and EXISTS for the new one.
TEST_F(ImapMutate, MoveIntoTheSelectedMailbox) {
  add_message(kMessage, SystemFlags{SystemFlag::flagged});
  add_message(kMessage);
  UidValidity v = validity("INBOX");
  EXPECT_EQ(after_select("b MOVE 1 INBOX\r\nc UID FETCH 1:* (FLAGS)\r\n"),
            fmt::format("* OK [COPYUID {} 1 3] Moved\r\n* 1 EXPUNGE\r\n* 2 EXISTS\r\n"
                        "* 1 RECENT\r\nb OK MOVE completed\r\n"
                        "* 1 FETCH (UID 2 FLAGS ())\r\n"
                        "* 2 FETCH (UID 3 FLAGS (\\Flagged \\Recent))\r\n"
                        "c OK UID FETCH completed\r\n",
                        v));
  auto inbox = messages("INBOX");
  ASSERT_EQ(inbox.size(), 2u);
  EXPECT_EQ(inbox[1].uid, 3u);
}

// ---- QUOTA (RFC 9208) ----

TEST_F(ImapMutate, QuotaHasNoRoots) {
  for (size_t piece : {0, 1, 7})
    EXPECT_EQ(
        after_login("b GETQUOTAROOT inbox\r\nc GETQUOTA \"\"\r\nd GETQUOTAROOT Nowhere\r\n", piece),
        "* QUOTAROOT INBOX\r\nb OK GETQUOTAROOT completed\r\n"
        "c NO [NONEXISTENT] No such quota root\r\n"
        "d NO [NONEXISTENT] mailbox Nowhere does not exist\r\n")
        << piece;
}

// RFC 9208: with limits, one root "" over every mailbox; STORAGE in KiB (use rounded up),
// MESSAGE in messages. APPEND, COPY past a limit: NO [OVERQUOTA], nothing stored; MOVE
// adds nothing and goes through; EXPUNGE gives room.
TEST_F(ImapMutate, QuotaLimitsAppendAndCopy) {
  add_message(std::string(1500, 'a'));
  add_message(std::string(600, 'b'));
  store_.set_default_quota(store::QuotaLimits{3 * 1024, 0});
  ASSERT_TRUE(store_.set_quota("alice@example.org", store::QuotaSetting{std::nullopt, 3}));
  EXPECT_EQ(after_login("b GETQUOTAROOT Archive\r\nc GETQUOTA \"\"\r\nd GETQUOTA other\r\n"),
            "* QUOTAROOT Archive \"\"\r\n* QUOTA \"\" (STORAGE 3 3 MESSAGE 2 3)\r\n"
            "b OK GETQUOTAROOT completed\r\n"
            "* QUOTA \"\" (STORAGE 3 3 MESSAGE 2 3)\r\nc OK GETQUOTA completed\r\n"
            "d NO [NONEXISTENT] No such quota root\r\n");
  EXPECT_EQ(after_select("b COPY 1:2 Archive\r\n"
                         "c APPEND Archive {1100+}\r\n" +
                         std::string(1100, 'c') +
                         "\r\n"
                         "d MOVE 2 Archive\r\n"
                         "e APPEND Archive {5+}\r\nhello\r\n"
                         "f APPEND Archive {5+}\r\nagain\r\n"),
            "b NO [OVERQUOTA] account alice@example.org would pass its storage quota of 3072 "
            "octets\r\n"
            "c NO [OVERQUOTA] account alice@example.org would pass its storage quota of 3072 "
            "octets\r\n"
            "* OK [COPYUID " +
                std::to_string(validity("Archive")) +
                " 2 1] Moved\r\n"
                "* 2 EXPUNGE\r\nd OK MOVE completed\r\n"
                "e OK [APPENDUID " +
                std::to_string(validity("Archive")) +
                " 2] APPEND completed\r\n"
                "f NO [OVERQUOTA] account alice@example.org would pass its message quota of 3 "
                "messages\r\n");
  EXPECT_EQ(messages("Archive").size(), 2u);
  EXPECT_EQ(store_.quota(account_)->used, (store::QuotaLimits{2105, 3}));
}

// ---- mailbox names ----

TEST_F(ImapMutate, BadMailboxNamesAreRefusedEverywhere) {
  std::string longest(1000, 'x'), too_long(1001, 'x');
  std::string deepest = "d", too_deep = "e";
  for (int i = 1; i < 32; ++i) deepest += "/d", too_deep += "/e";
  too_deep += "/e";
  std::string input =
      "b CREATE \"\"\r\nc CREATE a//b\r\nd CREATE /a\r\ne CREATE a//\r\n"
      "f CREATE a/./b\r\ng CREATE ..\r\nh CREATE " +
      too_long + "\r\ni CREATE " + too_deep + "\r\nj CREATE " + longest + "\r\nk CREATE " +
      deepest +
      "\r\nl RENAME INBOX a/../b\r\nm RENAME ./x y\r\nn DELETE a//b\r\n"
      "o SELECT ./x\r\np STATUS x/ (MESSAGES)\r\nq EXAMINE \"\"\r\n";
  std::string expected =
      "b NO [CANNOT] Mailbox name is empty\r\n"
      "c NO [CANNOT] Mailbox name contains an empty level\r\n"
      "d NO [CANNOT] Mailbox name starts or ends with the delimiter\r\n"
      "e NO [CANNOT] Mailbox name starts or ends with the delimiter\r\n"
      "f NO [CANNOT] Mailbox name contains a \".\" or \"..\" level\r\n"
      "g NO [CANNOT] Mailbox name contains a \".\" or \"..\" level\r\n"
      "h NO [CANNOT] Mailbox name is longer than 1000 octets\r\n"
      "i NO [CANNOT] Mailbox name is deeper than 32 levels\r\n"
      "j OK CREATE completed\r\n"
      "k OK CREATE completed\r\n"
      "l NO [CANNOT] Mailbox name contains a \".\" or \"..\" level\r\n"
      "m NO [CANNOT] Mailbox name contains a \".\" or \"..\" level\r\n"
      "n NO [CANNOT] Mailbox name contains an empty level\r\n"
      "o NO [CANNOT] Mailbox name contains a \".\" or \"..\" level\r\n"
      "p NO [CANNOT] Mailbox name starts or ends with the delimiter\r\n"
      "q NO [CANNOT] Mailbox name is empty\r\n";
  std::string first = after_login(input);
  std::string made = expected;
  made.replace(made.find("j OK CREATE completed\r\n"), 23, created("j", validity_of(longest)));
  made.replace(made.find("k OK CREATE completed\r\n"), 23, created("k", validity_of(deepest)));
  EXPECT_EQ(first, made);
  // The second run, in pieces, finds j and k made by the first.
  std::string again = expected;
  again.replace(again.find("j OK CREATE completed"), 21,
                "j NO [ALREADYEXISTS] mailbox " + longest + " exists already");
  again.replace(again.find("k OK CREATE completed"), 21,
                "k NO [ALREADYEXISTS] mailbox " + deepest + " exists already");
  EXPECT_EQ(after_login(input, 7), again);
  EXPECT_TRUE(store_.find_mailbox(account_, longest));
  EXPECT_TRUE(store_.find_mailbox(account_, deepest));
  EXPECT_FALSE(store_.find_mailbox(account_, "a"));
  EXPECT_FALSE(store_.find_mailbox(account_, "e"));
}

// RFC 3501 §6.3.5: RENAME INBOX moves its messages to the new mailbox (superior names
// created); INBOX stays, empty, with the same UIDVALIDITY, and its children stay.
TEST_F(ImapMutate, RenameInboxMovesMessages) {
  add_message(kMessage, SystemFlags{SystemFlag::seen});
  add_message(kMessage);
  ASSERT_TRUE(store_.create_mailbox(account_, "INBOX/child", MailboxRole::none));
  UidValidity inbox_v = inbox_validity();
  EXPECT_EQ(after_login("b RENAME INBOX Archive\r\nc RENAME inbox Old/Mail\r\n", 1),
            "b NO [ALREADYEXISTS] mailbox Archive exists already\r\n"
            "c OK RENAME completed\r\n");
  EXPECT_TRUE(store_.find_mailbox(account_, "Old"));
  EXPECT_TRUE(messages("INBOX").empty());
  EXPECT_EQ(inbox_validity(), inbox_v);
  auto old = messages("Old/Mail");
  ASSERT_EQ(old.size(), 2u);
  EXPECT_TRUE(old[0].flags.has(SystemFlag::seen));
  EXPECT_FALSE(old[1].flags.has(SystemFlag::seen));
  EXPECT_TRUE(store_.find_mailbox(account_, "INBOX/child"));
  EXPECT_FALSE(store_.find_mailbox(account_, "Old/Mail/child"));
}

// RENAME INBOX while INBOX is selected: the client hears the expunges at once.
TEST_F(ImapMutate, RenameSelectedInboxExpunges) {
  add_message(kMessage);
  EXPECT_EQ(after_select("b RENAME INBOX Old\r\n"), "* 1 EXPUNGE\r\nb OK RENAME completed\r\n");
  EXPECT_EQ(messages("Old").size(), 1u);
}

// Renaming any other mailbox creates the superior names too (RFC 3501 §6.3.5), but
// only once the rename succeeded.
TEST_F(ImapMutate, RenameCreatesSuperiors) {
  EXPECT_EQ(after_login("b RENAME Archive 2024/Archive\r\nc RENAME Junk Junk/old/x\r\n"),
            "b OK RENAME completed\r\nc NO [CANNOT] mailbox Junk cannot be moved below itself\r\n");
  EXPECT_FALSE(store_.find_mailbox(account_, "Junk/old"));
  EXPECT_TRUE(store_.find_mailbox(account_, "2024"));
  EXPECT_EQ(store_.find_mailbox(account_, "2024/Archive")->role, MailboxRole::archive);
}

// RFC 6154 §3: CREATE ... (USE (\Drafts)) sets the role; a taken or unknown role fails
// before any parent is created.
TEST_F(ImapMutate, CreateSpecialUse) {
  ASSERT_TRUE(store_.delete_mailbox(mailbox("Drafts")));
  std::string out = after_login(
      "b CREATE p/Entwuerfe (USE (\\Drafts))\r\nc CREATE q/r (USE (\\Sent))\r\n"
      "d CREATE s/t (USE (\\Important))\r\n"
      "e CREATE u (USE (\\Sent \\Trash))\r\n",
      7);
  EXPECT_EQ(out, created("b", validity_of("p/Entwuerfe")) +
                     "c NO [USEATTR] A mailbox with role sent exists already\r\n"
                     "d NO [USEATTR] Unsupported special-use attribute \\Important\r\n"
                     "e NO [USEATTR] Only one special-use attribute per mailbox\r\n");
  EXPECT_EQ(store_.find_mailbox(account_, "p/Entwuerfe")->role, MailboxRole::drafts);
  EXPECT_EQ(store_.find_mailbox(account_, "p")->role, MailboxRole::none);
  EXPECT_FALSE(store_.find_mailbox(account_, "q"));
  EXPECT_FALSE(store_.find_mailbox(account_, "s"));
  EXPECT_FALSE(store_.find_mailbox(account_, "u"));
}

// ---- BINARY (RFC 3516) ----

class ImapBinary : public ImapMutate {
 protected:
  static constexpr std::string_view kMultipart =
      "From: a@example.net\r\nSubject: bin\r\nMIME-Version: 1.0\r\n"
      "Content-Type: multipart/mixed; boundary=XX\r\n\r\n"
      "--XX\r\nContent-Type: text/plain; charset=utf-8\r\n"
      "Content-Transfer-Encoding: quoted-printable\r\n\r\ncaf=C3=A9 =\r\nok\nbye\r\n"
      "--XX\r\nContent-Type: application/octet-stream\r\n"
      "Content-Transfer-Encoding: base64\r\n\r\nAGFi\r\n"
      "--XX\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: x-uuencode\r\n\r\n"
      "begin 644 x\r\n"
      "--XX\r\nContent-Type: message/rfc822\r\n\r\nSubject: inner\r\n\r\nbody\r\n"
      "--XX--\r\n";
  ImapBinary() { add_message(kMultipart); }
};

// Decoded content (QP with a soft break and a bare LF made CRLF; base64 with a NUL goes
// as literal8), decoded sizes, a message/rfc822 part as stored, a missing part as NIL.
TEST_F(ImapBinary, DecodesParts) {
  std::string expected =
      "* 1 FETCH (BINARY[1] {13}\r\ncaf\xC3\xA9 ok\r\nbye BINARY.SIZE[1] 13 BINARY[2] ~{3}\r\n" +
      std::string("\0ab", 3) +
      " BINARY.SIZE[2] 3 BINARY[4] {22}\r\nSubject: inner\r\n\r\nbody BINARY[9] NIL)\r\n"
      "b OK FETCH completed\r\n";
  for (size_t piece : {0, 1, 7})
    EXPECT_EQ(after_select("b FETCH 1 (BINARY.PEEK[1] BINARY.SIZE[1] BINARY.PEEK[2] "
                           "BINARY.SIZE[2] BINARY.PEEK[4] BINARY.PEEK[9])\r\n",
                           piece),
              expected)
        << piece;
  EXPECT_FALSE(messages("INBOX")[0].flags.has(SystemFlag::seen));
}

// A base64 text part is sent as the octets encoded, bare LFs included: BINARY.SIZE and
// partial ranges count those 30 octets (RFC 3516 §4.2), not a CRLF-converted copy.
TEST_F(ImapMutate, BinaryOfBase64TextIsTheEncodedOctets) {
  // "abcdefghijkl\nmno\r\npqrstuvqxyz\n" (one CRLF, two bare LFs)
  add_message(
      "Subject: b\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n"
      "Content-Transfer-Encoding: base64\r\n\r\nYWJjZGVmZ2hpamtsCm1ubw0KcHFyc3R1dnF4eXoK\r\n");
  EXPECT_EQ(after_select("b FETCH 1 (BINARY.SIZE[1] BINARY.PEEK[1]<10.10>)\r\n"),
            "* 1 FETCH (BINARY.SIZE[1] 30 BINARY[1]<10> {10}\r\nkl\nmno\r\npq)\r\n"
            "b OK FETCH completed\r\n");
}

// Non-PEEK BINARY sets \Seen like BODY[]; the partial range counts decoded octets.
TEST_F(ImapBinary, PartialAndSeen) {
  EXPECT_EQ(after_select("b FETCH 1 BINARY[1]<3.4>\r\nc FETCH 1 BINARY[1]<3.4>\r\n"),
            "* 1 FETCH (BINARY[1]<3> {4}\r\n\xC3\xA9 o FLAGS (\\Seen))\r\nb OK FETCH completed\r\n"
            "* 1 FETCH (BINARY[1]<3> {4}\r\n\xC3\xA9 o)\r\nc OK FETCH completed\r\n");
  EXPECT_TRUE(messages("INBOX")[0].flags.has(SystemFlag::seen));
}

// RFC 3516 §4.2: an unknown encoding fails the FETCH, and nothing is marked \Seen.
TEST_F(ImapBinary, UnknownEncoding) {
  EXPECT_EQ(after_select("b FETCH 1 (FLAGS BINARY[3])\r\nc FETCH 1 BINARY.SIZE[3]\r\n"),
            "b NO [UNKNOWN-CTE] Unknown Content-Transfer-Encoding x-uuencode\r\n"
            "c NO [UNKNOWN-CTE] Unknown Content-Transfer-Encoding x-uuencode\r\n");
  EXPECT_FALSE(messages("INBOX")[0].flags.has(SystemFlag::seen));
}

// ---- LIST-EXTENDED (RFC 5258), LIST-STATUS (RFC 5819) ----

class ImapList : public ImapMutate {
 protected:
  // Fruit (unsubscribed) with Fruit/Apple (subscribed) and Fruit/Banana (unsubscribed);
  // Tofu/Soy (subscribed) without a Tofu mailbox; Drafts unsubscribed.
  ImapList() {
    EXPECT_TRUE(store_.create_mailbox(account_, "Fruit", MailboxRole::none));
    EXPECT_TRUE(store_.create_mailbox(account_, "Fruit/Apple", MailboxRole::none));
    EXPECT_TRUE(store_.create_mailbox(account_, "Fruit/Banana", MailboxRole::none));
    EXPECT_TRUE(store_.create_mailbox(account_, "Tofu/Soy", MailboxRole::none));
    for (const char* name : {"Fruit/Apple", "Tofu/Soy"})
      EXPECT_TRUE(store_.set_subscription(account_, name, store::Subscription::subscribed));
    EXPECT_TRUE(store_.set_subscription(account_, "Drafts", store::Subscription::unsubscribed));
  }
};

// SUBSCRIBED selection lists exactly the subscribed names, with \Subscribed.
TEST_F(ImapList, SelectSubscribed) {
  for (size_t piece : {0, 1, 7})
    EXPECT_EQ(after_login("b LIST (SUBSCRIBED) \"\" (F* T*)\r\n", piece),
              "* LIST (\\HasNoChildren \\Subscribed) \"/\" Fruit/Apple\r\n"
              "* LIST (\\HasNoChildren \\Subscribed) \"/\" Tofu/Soy\r\n"
              "* LIST (\\HasNoChildren \\Subscribed \\Trash) \"/\" Trash\r\n"
              "b OK LIST completed\r\n")
        << piece;
}

// RECURSIVEMATCH: a parent that matches a pattern is listed with CHILDINFO when a
// subscribed descendant matches none; a missing parent is \NonExistent.
TEST_F(ImapList, RecursiveMatchGivesChildInfo) {
  EXPECT_EQ(after_login("b LIST (SUBSCRIBED RECURSIVEMATCH) \"\" (Fruit Tofu Drafts)\r\n"),
            "* LIST (\\HasChildren) \"/\" Fruit (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n"
            "* LIST (\\NonExistent \\HasChildren) \"/\" Tofu (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n"
            "b OK LIST completed\r\n");
  // The subscribed child is listed itself, so no CHILDINFO is needed for Fruit.
  EXPECT_EQ(after_login("b LIST (SUBSCRIBED RECURSIVEMATCH) \"\" Fruit*\r\n"),
            "* LIST (\\HasNoChildren \\Subscribed) \"/\" Fruit/Apple\r\n"
            "b OK LIST completed\r\n");
  EXPECT_EQ(after_login("b LIST (RECURSIVEMATCH) \"\" *\r\n"),
            "b BAD LIST: RECURSIVEMATCH needs a base option\r\n");
}

// RETURN (SUBSCRIBED CHILDREN) and SPECIAL-USE selection; \NonExistent for implied names
// in an extended LIST; an empty pattern is ignored there.
TEST_F(ImapList, ReturnOptionsAndSpecialUse) {
  EXPECT_EQ(after_login("b LIST \"\" (Tofu Drafts \"\") RETURN (SUBSCRIBED CHILDREN)\r\n"
                        "c LIST (SPECIAL-USE) \"\" (D* F* S*)\r\n"
                        "d LIST (SPECIAL-USE RECURSIVEMATCH) \"\" %\r\n"),
            "* LIST (\\HasNoChildren \\Drafts) \"/\" Drafts\r\n"
            "* LIST (\\NonExistent \\HasChildren) \"/\" Tofu\r\n"
            "b OK LIST completed\r\n"
            "* LIST (\\HasNoChildren \\Drafts) \"/\" Drafts\r\n"
            "* LIST (\\HasNoChildren \\Sent) \"/\" Sent\r\n"
            "c OK LIST completed\r\n"
            "* LIST (\\HasNoChildren \\Archive) \"/\" Archive\r\n"
            "* LIST (\\HasNoChildren \\Drafts) \"/\" Drafts\r\n"
            "* LIST (\\HasNoChildren \\Junk) \"/\" Junk\r\n"
            "* LIST (\\HasNoChildren \\Sent) \"/\" Sent\r\n"
            "* LIST (\\HasNoChildren \\Trash) \"/\" Trash\r\n"
            "d OK LIST completed\r\n");
}

// Subscriptions are names (RFC 3501 §6.3.6, RFC 5258 §3.1): CREATE does not subscribe;
// a deleted mailbox's subscription stays, listed \NonExistent by LIST (SUBSCRIBED) and
// in LSUB, until UNSUBSCRIBE, which takes a name that has no mailbox; SUBSCRIBE wants
// the mailbox to exist.
TEST_F(ImapList, SubscriptionsOutliveTheirMailbox) {
  std::string out = after_login(
      "b CREATE Old\r\nc SUBSCRIBE Old\r\nd DELETE Old\r\n"
      "e LIST (SUBSCRIBED) \"\" O*\r\nf LSUB \"\" O*\r\ng LIST \"\" O*\r\n"
      "h SUBSCRIBE Nowhere\r\ni UNSUBSCRIBE Old\r\nj UNSUBSCRIBE Old\r\n"
      "k LIST (SUBSCRIBED) \"\" O*\r\nl CREATE New\r\n"
      "m LIST \"\" New RETURN (SUBSCRIBED)\r\n");
  // Old, made just before New, is gone.
  const UidValidity made = validity_of("New");
  EXPECT_EQ(out, created("b", made - 1) +
                     "c OK SUBSCRIBE completed\r\nd OK DELETE completed\r\n"
                     "* LIST (\\NonExistent \\HasNoChildren \\Subscribed) \"/\" Old\r\n"
                     "e OK LIST completed\r\n"
                     "* LSUB () \"/\" Old\r\nf OK LSUB completed\r\n"
                     "g OK LIST completed\r\n"
                     "h NO [NONEXISTENT] mailbox Nowhere does not exist\r\n"
                     "i OK UNSUBSCRIBE completed\r\nj OK UNSUBSCRIBE completed\r\n"
                     "k OK LIST completed\r\n" +
                     created("l", made) +
                     "* LIST (\\HasNoChildren) \"/\" New\r\nm OK LIST completed\r\n");
}

// RFC 3501 §6.3.9: LSUB with "%" shows the parent of a subscribed name as \Noselect
// when the parent itself is not subscribed, and stops once the child is unsubscribed.
TEST_F(ImapList, LsubParentsOfSubscribedNames) {
  std::string out = after_login(
      "b CREATE m/t2/\r\nc CREATE m/t2/x\r\nd CREATE m/t3/t3\r\n"
      "e CREATE m/t1\r\nf SUBSCRIBE m/t1\r\ng SUBSCRIBE m/t2/x\r\n"
      "h SUBSCRIBE m/t3/t3\r\ni LSUB \"\" m/%\r\nj UNSUBSCRIBE m/t3/t3\r\n"
      "k LSUB \"\" m/%\r\n");
  EXPECT_EQ(
      out, created("b", validity_of("m/t2")) + created("c", validity_of("m/t2/x")) +
               created("d", validity_of("m/t3/t3")) + created("e", validity_of("m/t1")) +
               "f OK SUBSCRIBE completed\r\ng OK SUBSCRIBE completed\r\n"
               "h OK SUBSCRIBE completed\r\n"
               "* LSUB () \"/\" m/t1\r\n* LSUB (\\Noselect) \"/\" m/t2\r\n"
               "* LSUB (\\Noselect) \"/\" m/t3\r\ni OK LSUB completed\r\n"
               "j OK UNSUBSCRIBE completed\r\n"
               "* LSUB () \"/\" m/t1\r\n* LSUB (\\Noselect) \"/\" m/t2\r\nk OK LSUB completed\r\n");
}

// RFC 5258 §3: unknown selection or return options are BAD.
TEST_F(ImapList, UnknownOptionsAreBad) {
  std::string out = after_login("b LIST (FOO) \"\" \"\"\r\nc LIST \"\" \"\" RETURN (FOO)\r\n");
  EXPECT_EQ(out.substr(0, 6), "b BAD ") << out;
  EXPECT_NE(out.find("\r\nc BAD "), std::string::npos) << out;
}

// RFC 5819: each existing mailbox's STATUS follows its LIST response.
TEST_F(ImapList, ReturnStatus) {
  add_message(kMessage, SystemFlags{SystemFlag::seen});
  add_message(kMessage);
  for (size_t piece : {0, 7})
    EXPECT_EQ(after_login("b LIST \"\" (INBOX To*) RETURN (STATUS (MESSAGES UNSEEN))\r\n", piece),
              "* LIST (\\HasNoChildren) \"/\" INBOX\r\n"
              "* STATUS INBOX (MESSAGES 2 UNSEEN 1)\r\n"
              "* LIST (\\NonExistent \\HasChildren) \"/\" Tofu\r\n"
              "* LIST (\\HasNoChildren) \"/\" Tofu/Soy\r\n"
              "* STATUS Tofu/Soy (MESSAGES 0 UNSEEN 0)\r\n"
              "b OK LIST completed\r\n")
        << piece;
}

class RecordingObserver final : public mail::DownloadObserver {
 public:
  std::vector<Uid> uids;
  void on_download(const mail::DownloadEvent& event) override { uids.push_back(event.uid); }
};

// docs/read-receipts.md: BINARY[] of the whole message is a download like BODY[]; BINARY.PEEK,
// a part or a range are not.
TEST_F(ImapBinary, WholeMessageBinaryIsReported) {
  add_message(kMessage);
  RecordingObserver observer;
  services_.downloads = &observer;
  std::string out = after_select(
      "b FETCH 1:2 (BINARY.PEEK[] BINARY.PEEK[1]<0.2> BINARY.SIZE[])\r\nc FETCH 2 BINARY[]\r\n");
  EXPECT_NE(out.find(fmt::format("* 2 FETCH (BINARY[] {{{}}}\r\n{} FLAGS (\\Seen))\r\n"
                                 "c OK FETCH completed\r\n",
                                 kMessage.size(), kMessage)),
            std::string::npos)
      << out;
  EXPECT_EQ(observer.uids, (std::vector<Uid>{2}));
}

// The selected mailbox is the destination: the refresh after COPY announces EXISTS.
TEST_F(ImapMutate, CopyIntoSelectedMailboxAnnouncesExists) {
  add_message(kMessage);
  EXPECT_EQ(after_select("b COPY 1 INBOX\r\n", 7),
            fmt::format("* 2 EXISTS\r\n* 1 RECENT\r\nb OK [COPYUID {0} 1 2] COPY completed\r\n",
                        inbox_validity()));
}

}  // namespace
}  // namespace postamt::imap::testing
