// SORT / THREAD transcripts (RFC 5256, RFC 5267 ESORT, RFC 5957 SORT=DISPLAY, RFC 7162
// §3.1.9). The ordering and threading rules themselves are tested in mail/sort_test.cpp
// and mail/thread_test.cpp; here the commands, their responses and their errors.
#include <fmt/format.h>

#include "imap/session/test_fixture.h"
#include "mail/messages.h"

namespace postamt::imap::testing {
namespace {

// Five messages, sequence number = uid = position here.
constexpr std::string_view kMessages[] = {
    "From: Zoe <zoe@example.net>\r\nTo: bob@example.net\r\nSubject: Re: plans\r\n"
    "Date: 2 Jan 2024 10:00:00 +0000\r\nMessage-ID: <2@x>\r\nIn-Reply-To: <1@x>\r\n\r\nb\r\n",
    "From: Yves <adam@example.net>\r\nTo: \"Carl\" <carl@example.net>\r\nSubject: plans\r\n"
    "Date: 1 Jan 2024 10:00:00 +0000\r\nMessage-ID: <1@x>\r\n\r\nb\r\n",
    "From: \"Bea\" <bea@example.net>\r\nSubject: Lunch\r\nDate: 3 Jan 2024 10:00:00 +0000\r\n"
    "Message-ID: <3@x>\r\n\r\nb\r\n",
    "From: carl@example.net\r\nSubject: Re: [list] plans\r\nDate: 4 Jan 2024 10:00:00 +0000\r\n"
    "Message-ID: <4@x>\r\nReferences: <1@x>\r\n <2@x>\r\n\r\nb\r\n",
    "Subject: lunch (fwd)\r\nDate: 1 Jan 2024 09:00:00 +0000\r\n\r\nb\r\n",
};

class ImapSortThread : public ImapSession {
 protected:
  ImapSortThread() {
    for (std::string_view bytes : kMessages) {
      store::NewMessage message = mail::describe_message(bytes, store::InternalDate(1s));
      message.blob = *blobs_.put(bytes);
      EXPECT_TRUE(store_.append(inbox_, message));
    }
  }
  std::string after_select(std::string_view input) {
    std::string out = after_login("s SELECT INBOX\r\n" + std::string(input));
    std::string marker = "s OK [READ-WRITE] SELECT completed\r\n";
    size_t at = out.find(marker);
    EXPECT_NE(at, std::string::npos) << out;
    return at == std::string::npos ? out : out.substr(at + marker.size());
  }
};

TEST_F(ImapSortThread, SortByEveryKey) {
  EXPECT_EQ(after_select("b SORT (SUBJECT) UTF-8 ALL\r\n"
                         "c SORT (SUBJECT DATE) US-ASCII ALL\r\n"
                         "d SORT (DATE) UTF-8 ALL\r\n"
                         "e SORT (REVERSE DATE) UTF-8 ALL\r\n"
                         "f SORT (FROM) UTF-8 ALL\r\n"
                         "g SORT (DISPLAYFROM) UTF-8 ALL\r\n"
                         "h SORT (TO) UTF-8 ALL\r\n"
                         "i SORT (CC ARRIVAL) UTF-8 ALL\r\n"
                         "j UID SORT (REVERSE SIZE DATE) UTF-8 1:*\r\n"
                         "k SORT (DISPLAYTO REVERSE SUBJECT) UTF-8 ALL\r\n"),
            "* SORT 3 5 1 2 4\r\nb OK SORT completed\r\n"
            "* SORT 5 3 2 1 4\r\nc OK SORT completed\r\n"
            "* SORT 5 2 1 3 4\r\nd OK SORT completed\r\n"
            "* SORT 4 3 1 2 5\r\ne OK SORT completed\r\n"
            "* SORT 5 2 3 4 1\r\nf OK SORT completed\r\n"
            "* SORT 5 3 4 2 1\r\ng OK SORT completed\r\n"
            "* SORT 3 4 5 1 2\r\nh OK SORT completed\r\n"
            "* SORT 1 2 3 4 5\r\ni OK SORT completed\r\n"
            "* SORT 1 2 4 3 5\r\nj OK UID SORT completed\r\n"
            "* SORT 4 3 5 1 2\r\nk OK SORT completed\r\n");
}

TEST_F(ImapSortThread, SortOnlyWhatTheProgramMatches) {
  EXPECT_EQ(after_select("b SORT (DATE) UTF-8 SUBJECT plans\r\n"
                         "c SORT (DATE) UTF-8 SUBJECT nothing\r\n"
                         "d UID SORT (REVERSE DATE) UTF-8 OR FROM zoe UID 3:4\r\n"),
            "* SORT 2 1 4\r\nb OK SORT completed\r\n"
            "* SORT\r\nc OK SORT completed\r\n"
            "* SORT 4 3 1\r\nd OK UID SORT completed\r\n");
}

// RFC 5267 §3: RETURN options give one ESEARCH; MIN/MAX in sorted order; ALL keeps it,
// with ranges only where numbers ascend (§3.2).
TEST_F(ImapSortThread, Esort) {
  EXPECT_EQ(after_select("b SORT RETURN (MIN MAX ALL COUNT) (DATE) UTF-8 ALL\r\n"
                         "c UID SORT RETURN () (REVERSE DATE) UTF-8 ALL\r\n"
                         "d SORT RETURN (COUNT MIN) (DATE) UTF-8 SUBJECT nothing\r\n"
                         "e SORT RETURN (SAVE MIN) (REVERSE DATE) UTF-8 ALL\r\n"
                         "f FETCH $ (UID)\r\n"
                         "g SORT RETURN (SAVE) (DATE) UTF-8 SUBJECT plans\r\n"
                         "h UID FETCH $ (UID)\r\n"),
            "* ESEARCH (TAG \"b\") MIN 5 MAX 4 ALL 5,2,1,3:4 COUNT 5\r\nb OK SORT completed\r\n"
            "* ESEARCH (TAG \"c\") UID ALL 4,3,1:2,5\r\nc OK UID SORT completed\r\n"
            "* ESEARCH (TAG \"d\") COUNT 0\r\nd OK SORT completed\r\n"
            "* ESEARCH (TAG \"e\") MIN 4\r\ne OK SORT completed\r\n"
            "* 4 FETCH (UID 4)\r\nf OK FETCH completed\r\n"
            "g OK SORT completed\r\n"
            "* 1 FETCH (UID 1)\r\n* 2 FETCH (UID 2)\r\n* 4 FETCH (UID 4)\r\n"
            "h OK UID FETCH completed\r\n");
}

// RFC 7162 §3.1.9 and §3.1.10: a MODSEQ key adds the highest modseq of the result (and,
// as the first command to use CONDSTORE, brings HIGHESTMODSEQ first).
TEST_F(ImapSortThread, ModseqKey) {
  uint64_t highest = store_.get_mailbox(inbox_)->highest_modseq;
  EXPECT_EQ(after_select("b SORT (DATE) UTF-8 MODSEQ 1\r\n"
                         "c SORT RETURN (ALL) (REVERSE DATE) UTF-8 MODSEQ 1\r\n"
                         "d SORT (DATE) UTF-8 MODSEQ 999999\r\n"
                         "e THREAD ORDEREDSUBJECT UTF-8 MODSEQ 1\r\n"),
            fmt::format("* OK [HIGHESTMODSEQ {0}] Highest\r\n"
                        "* SORT 5 2 1 3 4 (MODSEQ {0})\r\nb OK SORT completed\r\n"
                        "* ESEARCH (TAG \"c\") ALL 4,3,1:2,5 MODSEQ {0}\r\nc OK SORT completed\r\n"
                        "* SORT\r\nd OK SORT completed\r\n"
                        "* THREAD (5 3)(2 (1)(4))\r\ne OK THREAD completed\r\n",
                        highest));
}

TEST_F(ImapSortThread, Threads) {
  EXPECT_EQ(after_select("b THREAD REFERENCES UTF-8 ALL\r\n"
                         "c THREAD ORDEREDSUBJECT UTF-8 ALL\r\n"
                         "d UID THREAD REFERENCES US-ASCII NOT SUBJECT lunch\r\n"
                         "e THREAD REFERENCES UTF-8 SUBJECT nothing\r\n"),
            "* THREAD (2 1 4)(3 5)\r\nb OK THREAD completed\r\n"
            "* THREAD (5 3)(2 (1)(4))\r\nc OK THREAD completed\r\n"
            "* THREAD (2 1 4)\r\nd OK UID THREAD completed\r\n"
            "* THREAD\r\ne OK THREAD completed\r\n");
}

TEST_F(ImapSortThread, ErrorsKeepTheSession) {
  EXPECT_EQ(after_select("b SORT (DATE) KOI8-R ALL\r\n"
                         "c THREAD REFERENCES ISO-8859-1 ALL\r\n"
                         "d SORT (BOGUS) UTF-8 ALL\r\n"
                         "e THREAD NOSUCH UTF-8 ALL\r\n"
                         "f SORT (DATE) UTF-8 1:* UID 9:*\r\n"
                         "g NOOP\r\n"),
            "b NO [BADCHARSET (\"US-ASCII\" \"UTF-8\")] SORT: unsupported charset\r\n"
            "c NO [BADCHARSET (\"US-ASCII\" \"UTF-8\")] THREAD: unsupported charset\r\n"
            "d BAD SORT: unknown sort key BOGUS\r\n"
            "e BAD THREAD: unknown threading algorithm NOSUCH\r\n"
            "* SORT 5\r\nf OK SORT completed\r\n"
            "g OK NOOP completed\r\n");
}

TEST_F(ImapSortThread, OnlyInTheSelectedState) {
  EXPECT_EQ(after_login("b SORT (DATE) UTF-8 ALL\r\nc THREAD REFERENCES UTF-8 ALL\r\n"),
            "b BAD Command not valid in this state\r\nc BAD Command not valid in this state\r\n");
}

}  // namespace
}  // namespace postamt::imap::testing
