// SEARCH / UID SEARCH transcripts (RFC 3501 §6.4.4, RFC 9051 §6.4.4, RFC 4731 ESEARCH,
// RFC 5182 SEARCHRES, RFC 7162 §3.1.5 MODSEQ). Matching rules: mail/search.h, the keys'
// translation: commands/search_query.h.
#include <fmt/format.h>

#include "imap/proto/parse_command.h"
#include "imap/session/commands/commands.h"
#include "imap/session/test_fixture.h"
#include "mime/imap_data.h"

namespace postamt::imap::testing {
namespace {

// Seen; the Date is the 13th where it was written, the 14th in UTC.
constexpr std::string_view kLunch =
    "From: Bob <bob@example.net>\r\nTo: alice@example.org\r\nSubject: Lunch plans\r\n"
    "Date: Mon, 13 Nov 2023 23:30:00 -0500\r\n\r\nLet us meet at noon.\r\n";
// Flagged, $Important; RFC 2047 From and Subject ("Café Überraschung"), base64 UTF-8 body
// "Schöne Grüße".
constexpr std::string_view kCafe =
    "From: =?ISO-8859-1?Q?Ren=E9?= <rene@example.com>\r\nTo: alice@example.org\r\n"
    "Cc: team@example.org\r\nSubject: =?UTF-8?B?Q2Fmw6kgw5xiZXJyYXNjaHVuZw==?=\r\n"
    "Date: Mon, 20 Nov 2023 08:00:00 +0000\r\nContent-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: base64\r\n\r\nU2Now7ZuZSBHcsO8w59lDQo=\r\n";
// Answered, Deleted; no Date; quoted-printable ISO-8859-1 "Grüße aus München" and a
// base64 attachment holding "secretword".
constexpr std::string_view kReise =
    "From: carol@example.com\r\nSubject: Reise\r\n"
    "Content-Type: multipart/mixed; boundary=\"xx\"\r\n\r\n"
    "--xx\r\nContent-Type: text/plain; charset=ISO-8859-1\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n\r\nGr=FC=DFe aus M=FCnchen\r\n"
    "--xx\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n"
    "c2VjcmV0d29yZA==\r\n--xx--\r\n";
// Draft; the smallest.
constexpr std::string_view kTiny =
    "From: dave@example.org\r\nBcc: undisclosed-recipients:;\r\nX-Priority: 1 (Highest)\r\n"
    "Subject: tiny\r\nDate: 1 Jul 2023 12:00:00 +0200\r\n\r\nx\r\n";

std::string literal(std::string_view s) {
  return fmt::format("{{{}+}}\r\n{}", s.size(), s);
}

// Every search test runs twice: with the envelope header lines the server stores with
// each message, and without them (messages stored before store migration 3), where the
// same keys read the message files. Both must answer alike.
enum class EnvelopeLinesKept { yes, no };

class ImapSearch : public ImapSession, public ::testing::WithParamInterface<EnvelopeLinesKept> {
 protected:
  ImapSearch() {
    add(kLunch, {SystemFlag::seen}, {}, 1700000000);                // 14-Nov-2023 22:13:20 UTC
    add(kCafe, {SystemFlag::flagged}, {"$Important"}, 1700600000);  // 21-Nov-2023
    add(kReise, {SystemFlag::answered, SystemFlag::deleted}, {}, 1701000000);  // 26-Nov-2023
    add(kTiny, {SystemFlag::draft}, {}, 1690000000);                           // 22-Jul-2023
  }
  void add(std::string_view bytes, SystemFlags flags, Keywords keywords, int64_t date) {
    store::NewMessage message;
    message.blob = *blobs_.put(bytes);
    message.size = bytes.size();
    message.flags = flags;
    message.keywords = std::move(keywords);
    message.internal_date = store::InternalDate(std::chrono::seconds(date));
    if (GetParam() == EnvelopeLinesKept::yes)
      message.envelope_header = mime::envelope_header_to_store(bytes);
    ASSERT_TRUE(store_.append(inbox_, message));
  }
  // The transcript after SELECT's completion.
  std::string after_select(std::string_view input, size_t piece = 0) {
    std::string out = after_login("s SELECT INBOX\r\n" + std::string(input), piece);
    std::string marker = "s OK [READ-WRITE] SELECT completed\r\n";
    size_t at = out.find(marker);
    EXPECT_NE(at, std::string::npos) << out;
    return at == std::string::npos ? out : out.substr(at + marker.size());
  }
};

TEST_P(ImapSearch, FlagsKeywordsAndRecent) {
  EXPECT_EQ(after_select("b SEARCH SEEN\r\nc SEARCH UNSEEN\r\nd SEARCH KEYWORD $important\r\n"
                         "e SEARCH UNKEYWORD $IMPORTANT\r\nf SEARCH ANSWERED DELETED\r\n"
                         "g SEARCH UNANSWERED UNDELETED UNDRAFT UNFLAGGED\r\nh SEARCH DRAFT\r\n"
                         "i SEARCH FLAGGED\r\nj SEARCH NEW\r\nk SEARCH RECENT\r\n"
                         "l SEARCH OLD ALL\r\n"),
            "* SEARCH 1\r\nb OK SEARCH completed\r\n"
            "* SEARCH 2 3 4\r\nc OK SEARCH completed\r\n"
            "* SEARCH 2\r\nd OK SEARCH completed\r\n"
            "* SEARCH 1 3 4\r\ne OK SEARCH completed\r\n"
            "* SEARCH 3\r\nf OK SEARCH completed\r\n"
            "* SEARCH 1\r\ng OK SEARCH completed\r\n"
            "* SEARCH 4\r\nh OK SEARCH completed\r\n"
            "* SEARCH 2\r\ni OK SEARCH completed\r\n"
            "* SEARCH\r\nj OK SEARCH completed\r\n"
            "* SEARCH\r\nk OK SEARCH completed\r\n"
            "* SEARCH 1 2 3 4\r\nl OK SEARCH completed\r\n");
}

// Internal date by its UTC day; the Date header by the day as written, zone ignored.
TEST_P(ImapSearch, Dates) {
  EXPECT_EQ(after_select("b SEARCH BEFORE 14-Nov-2023\r\nc SEARCH ON 14-Nov-2023\r\n"
                         "d SEARCH SINCE 21-Nov-2023\r\ne SEARCH SENTON 13-Nov-2023\r\n"
                         "f SEARCH SENTBEFORE 13-Nov-2023\r\ng SEARCH SENTSINCE 14-Nov-2023\r\n"
                         "h SEARCH NOT SENTON 13-Nov-2023\r\ni SEARCH ON 13-Nov-2023\r\n"),
            "* SEARCH 4\r\nb OK SEARCH completed\r\n"
            "* SEARCH 1\r\nc OK SEARCH completed\r\n"
            "* SEARCH 2 3\r\nd OK SEARCH completed\r\n"
            "* SEARCH 1\r\ne OK SEARCH completed\r\n"
            "* SEARCH 4\r\nf OK SEARCH completed\r\n"
            "* SEARCH 2\r\ng OK SEARCH completed\r\n"
            "* SEARCH 2 3 4\r\nh OK SEARCH completed\r\n"
            "* SEARCH\r\ni OK SEARCH completed\r\n");
}

TEST_P(ImapSearch, Sizes) {
  ASSERT_LT(kTiny.size(), kLunch.size());
  ASSERT_LT(kLunch.size(), kCafe.size());
  ASSERT_LT(kLunch.size(), kReise.size());
  EXPECT_EQ(after_select(fmt::format("b SEARCH LARGER {0}\r\nc SEARCH SMALLER {0}\r\n"
                                     "d SEARCH LARGER {1} SMALLER {2}\r\n",
                                     kLunch.size(), kTiny.size() - 1, kTiny.size() + 1)),
            "* SEARCH 2 3\r\nb OK SEARCH completed\r\n"
            "* SEARCH 4\r\nc OK SEARCH completed\r\n"
            "* SEARCH 4\r\nd OK SEARCH completed\r\n");
}

// With uid 1 gone, sequence number n is uid n+1: the two kinds of set differ.
TEST_P(ImapSearch, SequenceAndUidSets) {
  ASSERT_TRUE(store_.expunge(inbox_, {1}));
  EXPECT_EQ(after_select("b SEARCH 2:*\r\nc UID SEARCH 2:*\r\nd SEARCH UID 2,4\r\n"
                         "e UID SEARCH UID 1:2\r\nf SEARCH UID 9:*\r\ng SEARCH 4\r\n"
                         "h UID SEARCH 1,3 UID 4\r\n"),
            "* SEARCH 2 3\r\nb OK SEARCH completed\r\n"
            "* SEARCH 3 4\r\nc OK UID SEARCH completed\r\n"
            "* SEARCH 1 3\r\nd OK SEARCH completed\r\n"
            "* SEARCH 2\r\ne OK UID SEARCH completed\r\n"
            "* SEARCH 3\r\nf OK SEARCH completed\r\n"
            "* SEARCH\r\ng OK SEARCH completed\r\n"
            "* SEARCH 4\r\nh OK UID SEARCH completed\r\n");
}

TEST_P(ImapSearch, OrNotNesting) {
  EXPECT_EQ(after_select("b SEARCH OR SEEN (FLAGGED KEYWORD $Important) NOT DRAFT\r\n"
                         "c SEARCH NOT (OR SEEN NOT FLAGGED)\r\n"
                         "d SEARCH OR OR DRAFT SEEN NOT (UNDELETED)\r\n"
                         "e SEARCH (SEEN) (NOT DELETED)\r\n"
                         "f SEARCH NOT NOT OR 1 4\r\n"),
            "* SEARCH 1 2\r\nb OK SEARCH completed\r\n"
            "* SEARCH 2\r\nc OK SEARCH completed\r\n"
            "* SEARCH 1 3 4\r\nd OK SEARCH completed\r\n"
            "* SEARCH 1\r\ne OK SEARCH completed\r\n"
            "* SEARCH 1 4\r\nf OK SEARCH completed\r\n");
}

// RFC 9051 §6.4.4: RFC 2047 words are decoded before comparing; case folding covers
// non-ASCII letters too.
TEST_P(ImapSearch, HeaderKeys) {
  std::string input =
      "b SEARCH FROM bob\r\nc SEARCH FROM \"RENE@EXAMPLE.COM\"\r\n"
      "d SEARCH CHARSET UTF-8 FROM " +
      literal("ren\xC3\xA9 <") +
      "\r\n"
      "e SEARCH CHARSET UTF-8 SUBJECT " +
      literal(
          "\xC3\xBC"
          "berRASCHUNG") +
      "\r\n"
      "f SEARCH SUBJECT CAF\r\ng SEARCH SUBJECT \"=?UTF-8\"\r\nh SEARCH TO alice CC team\r\n"
      "i SEARCH BCC \"\"\r\nj SEARCH HEADER X-PRIORITY \"\"\r\nk SEARCH HEADER x-priority "
      "HIGHEST\r\n"
      "l SEARCH HEADER Message-ID \"\"\r\nm SEARCH FROM CAROL SUBJECT reise\r\n"
      "n SEARCH CHARSET US-ASCII SUBJECT \"caf\xC3\x89 \"\r\n";
  EXPECT_EQ(after_select(input),
            "* SEARCH 1\r\nb OK SEARCH completed\r\n"
            "* SEARCH 2\r\nc OK SEARCH completed\r\n"
            "* SEARCH 2\r\nd OK SEARCH completed\r\n"
            "* SEARCH 2\r\ne OK SEARCH completed\r\n"
            "* SEARCH 2\r\nf OK SEARCH completed\r\n"
            "* SEARCH\r\ng OK SEARCH completed\r\n"
            "* SEARCH 2\r\nh OK SEARCH completed\r\n"
            "* SEARCH 4\r\ni OK SEARCH completed\r\n"
            "* SEARCH 4\r\nj OK SEARCH completed\r\n"
            "* SEARCH 4\r\nk OK SEARCH completed\r\n"
            "* SEARCH\r\nl OK SEARCH completed\r\n"
            "* SEARCH 3\r\nm OK SEARCH completed\r\n"
            "* SEARCH 2\r\nn OK SEARCH completed\r\n");
}

// Bodies are searched decoded (base64, quoted-printable, ISO-8859-1); only text parts.
TEST_P(ImapSearch, BodyAndText) {
  std::string input = "b SEARCH BODY noon\r\nc SEARCH CHARSET UTF-8 BODY " +
                      literal("SCH\xC3\x96NE") +
                      "\r\n"
                      "d SEARCH CHARSET UTF-8 BODY " +
                      literal(
                          "M\xC3\x9C"
                          "NCHEN") +
                      "\r\n"
                      "e SEARCH BODY secretword\r\nf SEARCH BODY lunch\r\ng SEARCH TEXT lunch\r\n"
                      "h SEARCH CHARSET UTF-8 TEXT \"ren\xC3\xA9\"\r\ni SEARCH TEXT NOON\r\n"
                      "j SEARCH BODY \"Gr=FC\"\r\nk SEARCH TEXT \"x-priority: 1\"\r\n";
  EXPECT_EQ(after_select(input),
            "* SEARCH 1\r\nb OK SEARCH completed\r\n"
            "* SEARCH 2\r\nc OK SEARCH completed\r\n"
            "* SEARCH 3\r\nd OK SEARCH completed\r\n"
            "* SEARCH\r\ne OK SEARCH completed\r\n"
            "* SEARCH\r\nf OK SEARCH completed\r\n"
            "* SEARCH 1\r\ng OK SEARCH completed\r\n"
            "* SEARCH 2\r\nh OK SEARCH completed\r\n"
            "* SEARCH 1\r\ni OK SEARCH completed\r\n"
            "* SEARCH\r\nj OK SEARCH completed\r\n"
            "* SEARCH 4\r\nk OK SEARCH completed\r\n");
}

// RFC 4731 §3.1: MIN/MAX/ALL only when something matched, COUNT always.
TEST_P(ImapSearch, ESearchForms) {
  std::string input =
      "b SEARCH RETURN (MIN MAX COUNT ALL) UNDELETED\r\nc UID SEARCH RETURN () ALL\r\n"
      "d SEARCH RETURN (MIN MAX ALL) NEW\r\ne SEARCH RETURN (COUNT) NEW\r\n"
      "f UID SEARCH RETURN (MAX) NEW\r\n";
  std::string expected =
      "* ESEARCH (TAG \"b\") MIN 1 MAX 4 ALL 1:2,4 COUNT 3\r\nb OK SEARCH completed\r\n"
      "* ESEARCH (TAG \"c\") UID ALL 1:4\r\nc OK UID SEARCH completed\r\n"
      "* ESEARCH (TAG \"d\")\r\nd OK SEARCH completed\r\n"
      "* ESEARCH (TAG \"e\") COUNT 0\r\ne OK SEARCH completed\r\n"
      "* ESEARCH (TAG \"f\") UID\r\nf OK UID SEARCH completed\r\n";
  for (size_t piece : {0, 1, 7}) EXPECT_EQ(after_select(input, piece), expected) << piece;
}

// RFC 9051 §6.4.4.1 (RFC 5182): SAVE alone answers nothing; with MIN/MAX only those are
// saved; a BAD search leaves "$" alone; a successful one that finds nothing (a number
// beyond EXISTS) saves the empty set.
TEST_P(ImapSearch, SaveThenFetchDollar) {
  std::string input =
      "b SEARCH RETURN (SAVE) FLAGGED\r\nc FETCH $ (UID)\r\n"
      "d SEARCH RETURN (SAVE MIN MAX) UNDELETED\r\ne SEARCH $\r\n"
      "f SEARCH RETURN (SAVE) FLAGGED FOO\r\ng UID SEARCH $ SEEN\r\n"
      "f2 SEARCH RETURN (SAVE) 9\r\ng2 SEARCH $\r\n"
      "h SEARCH RETURN (ALL SAVE MIN) DRAFT\r\ni SEARCH UID $\r\nj UID FETCH $ (FLAGS)\r\n";
  std::string expected =
      "b OK SEARCH completed\r\n* 2 FETCH (UID 2)\r\nc OK FETCH completed\r\n"
      "* ESEARCH (TAG \"d\") MIN 1 MAX 4\r\nd OK SEARCH completed\r\n"
      "* SEARCH 1 4\r\ne OK SEARCH completed\r\n"
      "f BAD SEARCH: unknown search key FOO\r\n"
      "* SEARCH 1\r\ng OK UID SEARCH completed\r\n"
      "f2 OK SEARCH completed\r\n* SEARCH\r\ng2 OK SEARCH completed\r\n"
      "* ESEARCH (TAG \"h\") MIN 4 ALL 4\r\nh OK SEARCH completed\r\n"
      "* SEARCH 4\r\ni OK SEARCH completed\r\n"
      "* 4 FETCH (UID 4 FLAGS (\\Draft))\r\nj OK UID FETCH completed\r\n";
  for (size_t piece : {0, 1, 7}) EXPECT_EQ(after_select(input, piece), expected) << piece;
}

// RFC 7162 §3.1.5: (MODSEQ highest) only with a MODSEQ key and a non-empty result; the
// key enables CONDSTORE (HIGHESTMODSEQ first, §3.1), so the later STORE reports MODSEQ
// (§3.1.4.1).
TEST_P(ImapSearch, ModSeq) {
  FlagUpdate update;
  update.flags = SystemFlags{SystemFlag::seen};
  ASSERT_TRUE(store_.update_flags(inbox_, {3}, update));
  ModSeq third = store_.get_message(inbox_, 3)->modseq;
  ModSeq first = store_.get_message(inbox_, 1)->modseq;
  ASSERT_LT(first, third);
  ASSERT_LT(store_.get_message(inbox_, 4)->modseq, third);
  std::string out = after_select(fmt::format(
      "b SEARCH MODSEQ {0}\r\nc SEARCH RETURN (ALL) MODSEQ 1\r\nd SEARCH RETURN (MIN) MODSEQ 1\r\n"
      "e SEARCH MODSEQ {1}\r\nf SEARCH MODSEQ \"/flags/\\\\draft\" all {0}\r\n"
      "g STORE 1 +FLAGS (\\Flagged)\r\n",
      third, third + 1));
  ModSeq stored = store_.get_message(inbox_, 1)->modseq;
  EXPECT_EQ(out, fmt::format("* OK [HIGHESTMODSEQ {0}] Highest\r\n"
                             "* SEARCH 3 (MODSEQ {0})\r\nb OK SEARCH completed\r\n"
                             "* ESEARCH (TAG \"c\") ALL 1:4 MODSEQ {0}\r\nc OK SEARCH completed\r\n"
                             "* ESEARCH (TAG \"d\") MIN 1 MODSEQ {1}\r\nd OK SEARCH completed\r\n"
                             "* SEARCH\r\ne OK SEARCH completed\r\n"
                             "* SEARCH 3 (MODSEQ {0})\r\nf OK SEARCH completed\r\n"
                             "* 1 FETCH (FLAGS (\\Seen \\Flagged) MODSEQ ({2}))\r\n"
                             "g OK STORE completed\r\n",
                             third, first, stored));
}

// RFC 9051 §6.4.4: an IMAP4rev2 client always gets ESEARCH, ALL when it named nothing.
TEST_P(ImapSearch, Imap4rev2AnswersWithESearch) {
  std::string out = after_login(
      "e ENABLE IMAP4rev2\r\ns SELECT INBOX\r\nb SEARCH SEEN\r\nc UID SEARCH NEW\r\n"
      "d SEARCH RETURN (SAVE) SEEN\r\nf SEARCH RETURN (COUNT) ALL\r\n");
  std::string tail =
      "* ESEARCH (TAG \"b\") ALL 1\r\nb OK SEARCH completed\r\n"
      "* ESEARCH (TAG \"c\") UID\r\nc OK UID SEARCH completed\r\n"
      "d OK SEARCH completed\r\n"
      "* ESEARCH (TAG \"f\") COUNT 4\r\nf OK SEARCH completed\r\n";
  ASSERT_GE(out.size(), tail.size()) << out;
  EXPECT_EQ(out.substr(out.size() - tail.size()), tail) << out;
}

// Record keys never open a blob, so a missing blob only fails searches that read text;
// a failed SAVE search empties "$" (RFC 9051 §6.4.4.1).
TEST_P(ImapSearch, MissingBlobFailsOnlyContentSearches) {
  store::NewMessage broken;
  broken.blob = blob::blob_ref_of("never stored");
  broken.size = 12;
  ASSERT_TRUE(store_.append(inbox_, broken));
  std::string out = after_select(
      "b SEARCH RETURN (SAVE) SEEN\r\nc SEARCH LARGER 1 UNSEEN UID 5\r\n"
      "d SEARCH RETURN (SAVE) SUBJECT x\r\ne SEARCH $\r\n");
  std::string begin = "b OK SEARCH completed\r\n* SEARCH 5\r\nc OK SEARCH completed\r\nd NO [";
  std::string end = "\r\n* SEARCH\r\ne OK SEARCH completed\r\n";
  ASSERT_GE(out.size(), begin.size() + end.size()) << out;
  EXPECT_EQ(out.substr(0, begin.size()), begin) << out;
  EXPECT_EQ(out.substr(out.size() - end.size()), end) << out;
}

TEST_F(ImapSession, SearchEmptyMailbox) {
  std::string out = after_login(
      "s SELECT INBOX\r\nb SEARCH ALL\r\nc UID SEARCH RETURN (MIN MAX COUNT) ALL\r\n"
      "d SEARCH 1:*\r\ne UID SEARCH UID 1:*\r\nf SEARCH BODY x\r\n");
  std::string tail =
      "* SEARCH\r\nb OK SEARCH completed\r\n"
      "* ESEARCH (TAG \"c\") UID COUNT 0\r\nc OK UID SEARCH completed\r\n"
      "* SEARCH\r\nd OK SEARCH completed\r\n"
      "* SEARCH\r\ne OK UID SEARCH completed\r\n"
      "* SEARCH\r\nf OK SEARCH completed\r\n";
  ASSERT_GE(out.size(), tail.size()) << out;
  EXPECT_EQ(out.substr(out.size() - tail.size()), tail) << out;
}

// A message another session expunged (the client not yet told) keeps its number but
// never matches; SEARCH holds the EXPUNGE back (RFC 3501 §7.4.1).
TEST_P(ImapSearch, VanishedMessagesNeverMatch) {
  auto mailbox = *store_.get_mailbox(inbox_);
  std::optional<SelectedMailbox> selected;
  selected.emplace(inbox_, mailbox.uid_validity, Access::read_write, *store_.list_messages(inbox_),
                   mailbox.highest_modseq);
  ASSERT_TRUE(store_.expunge(inbox_, {2}));
  ASSERT_TRUE(selected->refresh(store_));
  ASSERT_TRUE(selected->vanished(2));
  Enabled enabled;
  store::Account account{account_, "alice@example.org"};
  CommandContext ctx{store_, blobs_, account, selected, enabled, "t"};
  auto numbers = [&](std::string_view line) {
    auto parsed = proto::parse_command(line);
    EXPECT_TRUE(parsed.ok()) << line;
    Reply reply = commands::search(ctx, std::get<proto::SearchCmd>(parsed->body));
    EXPECT_EQ(reply.condition, proto::Condition::ok) << line;
    EXPECT_EQ(reply.untagged.size(), 1u) << line;
    return std::get<proto::SearchData>(reply.untagged.at(0)).numbers;
  };
  EXPECT_EQ(numbers("t SEARCH ALL"), (std::vector<uint32_t>{1, 3, 4}));
  EXPECT_EQ(numbers("t SEARCH NOT SEEN"), (std::vector<uint32_t>{3, 4}));
  EXPECT_EQ(numbers("t UID SEARCH 2:3"), (std::vector<uint32_t>{3}));
  EXPECT_EQ(numbers("t SEARCH FLAGGED"), (std::vector<uint32_t>{}));
}

// Counts open() calls, to show which searches read message bytes.
class CountingBlobStore final : public blob::BlobStore {
 public:
  explicit CountingBlobStore(blob::BlobStore& inner) : inner_(inner) {}
  int opens = 0;
  Result<std::unique_ptr<blob::BlobWriter>> begin_put() override { return inner_.begin_put(); }
  Result<BlobRef> put(std::string_view bytes) override { return inner_.put(bytes); }
  Result<std::string> get(const BlobRef& ref) override { return inner_.get(ref); }
  Result<blob::BlobView> open(const BlobRef& ref) override {
    ++opens;
    return inner_.open(ref);
  }
  Result<bool> exists(const BlobRef& ref) override { return inner_.exists(ref); }
  Result<blob::BlobInfo> info(const BlobRef& ref) override { return inner_.info(ref); }
  Result<void> remove(const BlobRef& ref) override { return inner_.remove(ref); }
  Result<std::vector<blob::BlobInfo>> list() override { return inner_.list(); }
  Result<size_t> remove_stale_temporaries(std::chrono::system_clock::time_point t) override {
    return inner_.remove_stale_temporaries(t);
  }

 private:
  blob::BlobStore& inner_;
};

// Record keys never read a message; AND and OR try them first, so text keys only read
// the messages that are still in question.
TEST_P(ImapSearch, ReadsMessagesOnlyForTextKeys) {
  auto mailbox = *store_.get_mailbox(inbox_);
  std::optional<SelectedMailbox> selected;
  selected.emplace(inbox_, mailbox.uid_validity, Access::read_write, *store_.list_messages(inbox_),
                   mailbox.highest_modseq);
  CountingBlobStore counting(blobs_);
  Enabled enabled;
  store::Account account{account_, "alice@example.org"};
  CommandContext ctx{store_, counting, account, selected, enabled, "t"};
  auto opens = [&](std::string_view line) {
    counting.opens = 0;
    auto parsed = proto::parse_command(line);
    EXPECT_TRUE(parsed.ok()) << line;
    Reply reply = commands::search(ctx, std::get<proto::SearchCmd>(parsed->body));
    EXPECT_EQ(reply.condition, proto::Condition::ok) << line;
    return counting.opens;
  };
  EXPECT_EQ(opens("t SEARCH LARGER 1 UID 1:* OR SEEN NOT KEYWORD x SINCE 1-Jan-2000 MODSEQ 1"), 0);
  EXPECT_EQ(opens("t SEARCH BODY noon SEEN"), 1);
  EXPECT_EQ(opens("t SEARCH OR FLAGGED (TEXT x) 1:3"), 2);
  // Envelope fields come from the stored lines when there are any; other header
  // fields, BODY and TEXT always read the message.
  const bool kept = GetParam() == EnvelopeLinesKept::yes;
  EXPECT_EQ(opens("t SEARCH SUBJECT x"), kept ? 0 : 4);
  EXPECT_EQ(opens("t SEARCH OR SENTON 1-Jul-2023 HEADER Message-ID x"), kept ? 0 : 4);
  EXPECT_EQ(opens("t SEARCH HEADER X-Priority 1"), 4);
  EXPECT_EQ(opens("t SEARCH NOT DELETED SENTBEFORE 1-Jan-2024 FROM x BODY y"), 3);
  EXPECT_EQ(opens("t SEARCH NOT DELETED SENTBEFORE 1-Jan-2024 FROM dave BODY y"), kept ? 1 : 3);
}

INSTANTIATE_TEST_SUITE_P(EnvelopeLines, ImapSearch,
                         ::testing::Values(EnvelopeLinesKept::yes, EnvelopeLinesKept::no),
                         [](const ::testing::TestParamInfo<EnvelopeLinesKept>& info) {
                           return info.param == EnvelopeLinesKept::yes ? "kept" : "absent";
                         });

}  // namespace
}  // namespace postamt::imap::testing
