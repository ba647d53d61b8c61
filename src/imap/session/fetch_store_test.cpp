// FETCH and STORE transcripts (RFC 3501 §6.4.5-6, RFC 3503 $MDNSent, RFC 7162 §3.1.3).
#include <fmt/format.h>

#include "imap/session/test_fixture.h"
#include "mime/imap_data.h"

namespace postamt::imap::testing {
namespace {

constexpr std::string_view kMessage =
    "From: Bob <bob@example.net>\r\nTo: alice@example.org\r\nSubject: hi\r\n"
    "Message-ID: <1@example.net>\r\n\r\nhello\r\n";

class ImapFetch : public ImapSession {
 protected:
  ImapFetch() {
    store::NewMessage message;
    message.blob = *blobs_.put(kMessage);
    message.size = kMessage.size();
    message.internal_date = store::InternalDate(std::chrono::seconds(1700000000));
    first_ = store_.append(inbox_, message)->uid;
    message.keywords = Keywords{"$MDNSent"};
    second_ = store_.append(inbox_, message)->uid;
  }
  // The part of the transcript after SELECT's completion.
  std::string after_select(std::string_view input, size_t piece = 0) {
    std::string out = after_login("s SELECT INBOX\r\n" + std::string(input), piece);
    std::string marker = "s OK [READ-WRITE] SELECT completed\r\n";
    size_t at = out.find(marker);
    EXPECT_NE(at, std::string::npos) << out;
    return at == std::string::npos ? out : out.substr(at + marker.size());
  }
  Uid first_ = 0, second_ = 0;
};

TEST_F(ImapFetch, FlagsUidDateSize) {
  std::string expected = fmt::format(
      "* 1 FETCH (FLAGS () UID 1 INTERNALDATE \"14-Nov-2023 22:13:20 +0000\" RFC822.SIZE {0})\r\n"
      "* 2 FETCH (FLAGS ($MDNSent) UID 2 INTERNALDATE \"14-Nov-2023 22:13:20 +0000\" "
      "RFC822.SIZE {0})\r\n"
      "b OK FETCH completed\r\n",
      kMessage.size());
  for (size_t piece : {0, 1, 7})
    EXPECT_EQ(after_select("b FETCH 1:* (FLAGS UID INTERNALDATE RFC822.SIZE)\r\n", piece), expected)
        << piece;
}

TEST_F(ImapFetch, EnvelopeAndBodyStructure) {
  EXPECT_EQ(after_select("b UID FETCH 1 (ENVELOPE BODYSTRUCTURE)\r\n"),
            "* 1 FETCH (UID 1 ENVELOPE (NIL \"hi\" ((\"Bob\" NIL \"bob\" \"example.net\")) "
            "((\"Bob\" NIL \"bob\" \"example.net\")) ((\"Bob\" NIL \"bob\" \"example.net\")) "
            "((NIL NIL \"alice\" \"example.org\")) NIL NIL NIL \"<1@example.net>\") "
            "BODYSTRUCTURE (\"TEXT\" \"PLAIN\" (\"charset\" \"us-ascii\") NIL NIL \"7BIT\" 7 1 "
            "NIL NIL NIL NIL))\r\nb OK UID FETCH completed\r\n");
}

// FETCH ENVELOPE alone reads the envelope header lines the store keeps (no message
// file is opened: the blob of message 4 is missing and still answers), and gives what
// the message file gives; messages stored without lines (before store migration 3)
// read the file. A folded, encoded, grouped header shows that nothing is lost.
TEST_F(ImapFetch, EnvelopeFromStoredLinesEqualsEnvelopeFromTheMessage) {
  constexpr std::string_view kRich =
      "Date: Mon, 20 Nov 2023 08:00:00 +0000\r\nX-Other: not kept\r\n"
      "From: =?UTF-8?Q?Ren=C3=A9?= <rene@example.com>\r\nSender: s@example.com\r\n"
      "To: team: a@example.org,\r\n b@example.org;, \"Q \\\" x\" <q@example.org>\r\n"
      "Subject: a\r\n folded subject\r\nIn-Reply-To: <p@x>\r\nMessage-ID: <m@x>\r\n"
      "Subject: second subject\r\n\r\nbody\r\n";
  store::NewMessage message;
  message.blob = *blobs_.put(kRich);
  message.size = kRich.size();
  ASSERT_TRUE(store_.append(inbox_, message));  // 3: no lines, read from the file
  message.envelope_header = mime::envelope_header_to_store(kRich);
  message.blob = blob::blob_ref_of("never stored");
  ASSERT_TRUE(store_.append(inbox_, message));  // 4: lines only
  std::string out = after_select("b FETCH 3:4 ENVELOPE\r\nc FETCH 4 (ENVELOPE BODY[])\r\n");
  std::string envelope =
      "ENVELOPE (\"Mon, 20 Nov 2023 08:00:00 +0000\" \"a folded subject\" "
      "((\"=?UTF-8?Q?Ren=C3=A9?=\" NIL \"rene\" \"example.com\")) "
      "((NIL NIL \"s\" \"example.com\")) "
      "((\"=?UTF-8?Q?Ren=C3=A9?=\" NIL \"rene\" \"example.com\")) "
      "((NIL NIL \"team\" NIL)(NIL NIL \"a\" \"example.org\")(NIL NIL \"b\" \"example.org\")"
      "(NIL NIL NIL NIL)(\"Q \\\" x\" NIL \"q\" \"example.org\")) NIL NIL \"<p@x>\" \"<m@x>\")";
  std::string begin = "* 3 FETCH (" + envelope + ")\r\n* 4 FETCH (" + envelope +
                      ")\r\nb OK FETCH completed\r\nc NO ";
  ASSERT_GE(out.size(), begin.size()) << out;
  EXPECT_EQ(out.substr(0, begin.size()), begin) << out;
}

// RFC 8970: PREVIEW (LAZY too) is the readable text; it sets no \Seen.
TEST_F(ImapFetch, Preview) {
  constexpr std::string_view kHtml =
      "Content-Type: text/html; charset=utf-8\r\n\r\n<p>Caf\xC3\xA9 &amp; more</p>\r\n";
  store::NewMessage message;
  message.blob = *blobs_.put(kHtml);
  message.size = kHtml.size();
  ASSERT_TRUE(store_.append(inbox_, message));
  EXPECT_EQ(after_select("b FETCH 1:3 (PREVIEW (LAZY) UID)\r\n"),
            "* 1 FETCH (PREVIEW \"hello\" UID 1)\r\n* 2 FETCH (PREVIEW \"hello\" UID 2)\r\n"
            "* 3 FETCH (PREVIEW {12}\r\nCaf\xC3\xA9 & more UID 3)\r\nb OK FETCH completed\r\n");
  EXPECT_FALSE(store_.get_message(inbox_, first_)->flags.has(SystemFlag::seen));
}

// BODY.PEEK leaves \Seen alone; BODY[] sets it and reports the new FLAGS.
TEST_F(ImapFetch, PeekAndSeen) {
  EXPECT_EQ(after_select("b FETCH 1 (BODY.PEEK[HEADER.FIELDS (Subject)])\r\n"
                         "c FETCH 1 BODY[TEXT]<1.3>\r\nd FETCH 1 BODY[]<100.5>\r\n"),
            "* 1 FETCH (BODY[HEADER.FIELDS (Subject)] {15}\r\nSubject: hi\r\n\r\n)\r\n"
            "b OK FETCH completed\r\n"
            "* 1 FETCH (BODY[TEXT]<1> {3}\r\nell FLAGS (\\Seen))\r\nc OK FETCH completed\r\n"
            "* 1 FETCH (BODY[]<100> {3}\r\no\r\n)\r\nd OK FETCH completed\r\n");
  EXPECT_TRUE(store_.get_message(inbox_, first_)->flags.has(SystemFlag::seen));
}

class RecordingObserver final : public mail::DownloadObserver {
 public:
  std::vector<Uid> uids;
  void on_download(const mail::DownloadEvent& event) override { uids.push_back(event.uid); }
};

// docs/read-receipts.md: whole-message reads reach the read-receipt engine; PEEK, partial and
// header fetches do not.
TEST_F(ImapFetch, WholeMessageFetchIsReported) {
  RecordingObserver observer;
  services_.downloads = &observer;
  std::string out = after_select(
      "b FETCH 1:2 (BODY.PEEK[] BODY[]<0.4> BODY[HEADER])\r\nc UID FETCH 2 RFC822\r\n"
      "d FETCH 1 BODY[]\r\n");
  EXPECT_NE(out.find("d OK FETCH completed\r\n"), std::string::npos) << out;
  EXPECT_EQ(observer.uids, (std::vector<Uid>{second_, first_}));
}

TEST_F(ImapFetch, BadSequenceNumbers) {
  EXPECT_EQ(after_select("b FETCH 3 FLAGS\r\nc UID FETCH 3:9 FLAGS\r\nd FETCH 3 BINARY[]\r\n"),
            "b BAD Invalid message sequence number\r\nc OK UID FETCH completed\r\n"
            "d BAD Invalid message sequence number\r\n");
}

// $Work is new: FLAGS and PERMANENTFLAGS name it before the FETCH that carries it
// (RFC 3501 §7.2.6), once.
TEST_F(ImapFetch, StoreFlagsAndSilent) {
  EXPECT_EQ(after_select("b STORE 1 +FLAGS (\\Flagged $Work)\r\nc STORE 1 -FLAGS.SILENT "
                         "(\\Flagged)\r\nd UID STORE 1:2 FLAGS (\\Seen)\r\n"),
            "* FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft $MDNSent $Work)\r\n"
            "* OK [PERMANENTFLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft $MDNSent $Work "
            "\\*)] Flags permitted\r\n"
            "* 1 FETCH (FLAGS (\\Flagged $Work))\r\nb OK STORE completed\r\n"
            "c OK STORE completed\r\n"
            "* 1 FETCH (FLAGS (\\Seen) UID 1)\r\n* 2 FETCH (FLAGS (\\Seen $MDNSent) UID 2)\r\n"
            "d OK UID STORE completed\r\n");
}

// RFC 3503 / docs/read-receipts.md: clients cannot clear $MDNSent.
TEST_F(ImapFetch, MdnSentIsALatch) {
  EXPECT_EQ(after_select("b STORE 2 -FLAGS ($MDNSent)\r\nc STORE 1:2 +FLAGS ($MDNSent)\r\n"),
            "* 2 FETCH (FLAGS ($MDNSent))\r\nb OK STORE completed\r\n"
            "* 1 FETCH (FLAGS ($MDNSent))\r\n* 2 FETCH (FLAGS ($MDNSent))\r\n"
            "c OK STORE completed\r\n");
  EXPECT_TRUE(store_.get_message(inbox_, second_)->keywords.contains("$MDNSent"));
}

// RFC 7162 §3.1.3: messages changed since UNCHANGEDSINCE are left alone and listed. The
// first CONDSTORE enabling command gives the mailbox's HIGHESTMODSEQ first (§3.1,
// Example 4).
TEST_F(ImapFetch, UnchangedSince) {
  ModSeq first_modseq = store_.get_message(inbox_, first_)->modseq;
  ModSeq highest = store_.get_mailbox(inbox_)->highest_modseq;
  std::string out = after_select(
      fmt::format("b STORE 1:2 (UNCHANGEDSINCE {}) +FLAGS.SILENT (\\Answered)\r\n", first_modseq));
  auto after = store_.get_message(inbox_, first_);
  EXPECT_EQ(out, fmt::format("* OK [HIGHESTMODSEQ {}] Highest\r\n* 1 FETCH (MODSEQ ({}))\r\n"
                             "b OK [MODIFIED 2] STORE completed\r\n",
                             highest, after->modseq));
  EXPECT_FALSE(store_.get_message(inbox_, second_)->flags.has(SystemFlag::answered));
}

TEST_F(ImapFetch, StoreRefusesRecentAndReadOnly) {
  EXPECT_EQ(after_select("b STORE 1 +FLAGS (\\Recent)\r\n"),
            "b BAD STORE: \\Recent cannot be set\r\n");
  std::string out = after_login("b EXAMINE INBOX\r\nc STORE 1 +FLAGS (\\Seen)\r\n");
  std::string tail = "c NO [READ-ONLY] Mailbox is read-only\r\n";
  EXPECT_EQ(out.substr(out.size() - tail.size()), tail);
}

}  // namespace
}  // namespace postamt::imap::testing
