// CONTEXT=SEARCH and CONTEXT=SORT (RFC 5267 §4): PARTIAL results, UPDATE contexts kept
// current with ADDTO and REMOVEFROM (another session's flag change, new mail, the
// session's own STORE, an expunge told before its EXPUNGE), tag reuse, NOUPDATE, and
// CANCELUPDATE.
#include <fmt/format.h>

#include "imap/session/test_fixture.h"

namespace postamt::imap::testing {
namespace {

class ImapContext : public ImapSession {
 protected:
  // Messages 1-5 with dates that reverse their arrival order; 2 and 4 flagged.
  void five() {
    for (int i = 1; i <= 5; ++i)
      add_message(fmt::format("Date: {} Jan 2024 10:00:00 +0000\r\nSubject: m{}\r\n\r\nbody\r\n",
                              10 - i, i),
                  i % 2 == 0 ? SystemFlags{SystemFlag::flagged} : SystemFlags{});
  }
  void flag(Uid uid, SystemFlag f, FlagOperation op = FlagOperation::add) {
    FlagUpdate u;
    u.operation = op;
    u.flags = SystemFlags{f};
    ASSERT_TRUE(store_.update_flags(inbox_, {uid}, u));
  }
};

// §4.4: the results first..last in the requested order; NIL past the end; PARTIAL and
// ALL together are BAD.
TEST_F(ImapContext, PartialResults) {
  five();
  std::string out = after_login(
      "s SELECT INBOX\r\nb SEARCH RETURN (PARTIAL 2:3) ALL\r\nc UID SEARCH RETURN (PARTIAL "
      "4:9 COUNT) ALL\r\nd SEARCH RETURN (PARTIAL 6:9) ALL\r\ne UID SORT RETURN (PARTIAL 1:2) "
      "(DATE) UTF-8 ALL\r\nf SEARCH RETURN (PARTIAL 1:2 ALL) ALL\r\n");
  std::string tail =
      "* ESEARCH (TAG \"b\") PARTIAL (2:3 2:3)\r\nb OK SEARCH completed\r\n"
      "* ESEARCH (TAG \"c\") UID COUNT 5 PARTIAL (4:9 4:5)\r\nc OK UID SEARCH completed\r\n"
      "* ESEARCH (TAG \"d\") PARTIAL (6:9 NIL)\r\nd OK SEARCH completed\r\n"
      "* ESEARCH (TAG \"e\") UID PARTIAL (1:2 5,4)\r\ne OK UID SORT completed\r\n"
      "f BAD SEARCH: PARTIAL and ALL exclude each other\r\n";
  EXPECT_EQ(ending(out, tail), tail);
}

// §4.3: a SEARCH context follows another session's flag changes and new mail (ADDTO
// after the EXISTS), the session's own STORE, and an expunge (REMOVEFROM before the
// EXPUNGE, sequence numbers still valid); CANCELUPDATE ends it.
TEST_F(ImapContext, SearchContextFollowsChanges) {
  five();
  Driver session(*this);
  session("s SELECT INBOX");
  EXPECT_EQ(session("B01 SEARCH RETURN (UPDATE COUNT) FLAGGED"),
            "* ESEARCH (TAG \"B01\") COUNT 2\r\nB01 OK SEARCH completed\r\n");
  flag(3, SystemFlag::flagged);
  flag(2, SystemFlag::flagged, FlagOperation::remove);
  EXPECT_EQ(session("n1 NOOP"),
            "* 2 FETCH (FLAGS () UID 2)\r\n* 3 FETCH (FLAGS (\\Flagged) UID 3)\r\n"
            "* ESEARCH (TAG \"B01\") REMOVEFROM (0 2) ADDTO (0 3)\r\nn1 OK NOOP completed\r\n");
  add_message("Subject: new\r\n\r\nx\r\n", SystemFlags{SystemFlag::flagged});
  EXPECT_EQ(session("n2 NOOP"),
            "* 6 EXISTS\r\n* 1 RECENT\r\n* ESEARCH (TAG \"B01\") ADDTO (0 6)\r\n"
            "n2 OK NOOP completed\r\n");
  EXPECT_EQ(session("st STORE 1 +FLAGS (\\Flagged)"),
            "* 1 FETCH (FLAGS (\\Flagged))\r\n* ESEARCH (TAG \"B01\") ADDTO (0 1)\r\nst OK STORE "
            "completed\r\n");
  ASSERT_TRUE(store_.expunge(inbox_, {3}));
  EXPECT_EQ(session("n3 NOOP"),
            "* ESEARCH (TAG \"B01\") REMOVEFROM (0 3)\r\n* 3 EXPUNGE\r\nn3 OK "
            "NOOP completed\r\n");
  EXPECT_EQ(session("c CANCELUPDATE \"B01\""), "c OK CANCELUPDATE completed\r\n");
  flag(5, SystemFlag::flagged, FlagOperation::remove);
  flag(5, SystemFlag::seen);
  EXPECT_EQ(session("n4 NOOP"), "* 4 FETCH (FLAGS (\\Seen) UID 5)\r\nn4 OK NOOP completed\r\n");
}

// §4.3.3/4.3.4: a SORT context names positions in its own order: removals one by one
// as the list shrinks, then each addition at its place; UIDs for UID SORT.
TEST_F(ImapContext, SortContextUsesPositions) {
  five();
  Driver session(*this);
  session("s SELECT INBOX");
  // By date, oldest first: uids 5 4 3 2 1; flagged 4 and 2.
  EXPECT_EQ(session("S1 UID SORT RETURN (UPDATE ALL) (DATE) UTF-8 FLAGGED"),
            "* ESEARCH (TAG \"S1\") UID ALL 4,2\r\nS1 OK UID SORT completed\r\n");
  flag(5, SystemFlag::flagged);
  flag(1, SystemFlag::flagged);
  flag(4, SystemFlag::flagged, FlagOperation::remove);
  std::string out = session("n NOOP");
  EXPECT_EQ(
      ending(out,
             "* ESEARCH (TAG \"S1\") UID REMOVEFROM (1 4) ADDTO (1 5 3 1)\r\nn OK "
             "NOOP completed\r\n"),
      "* ESEARCH (TAG \"S1\") UID REMOVEFROM (1 4) ADDTO (1 5 3 1)\r\nn OK NOOP completed\r\n");
  // The result is now 5 2 1; expunging 2 removes it at position 2.
  ASSERT_TRUE(store_.expunge(inbox_, {2}));
  EXPECT_EQ(session("n2 NOOP"),
            "* ESEARCH (TAG \"S1\") UID REMOVEFROM (2 2)\r\n* 2 EXPUNGE\r\n"
            "n2 OK NOOP completed\r\n");
}

// §4.3: a tag in use by a context is BAD; §4.3.1: past the limit, NOUPDATE and the
// other return options still answered.
TEST_F(ImapContext, TagReuseAndTooManyContexts) {
  five();
  Driver session(*this);
  session("s SELECT INBOX");
  for (size_t i = 0; i < SelectedMailbox::kMaxUpdateContexts; ++i)
    EXPECT_EQ(session(fmt::format("t{} SEARCH RETURN (UPDATE) ALL", i)),
              fmt::format("* ESEARCH (TAG \"t{0}\")\r\nt{0} OK SEARCH completed\r\n", i));
  EXPECT_EQ(session("t0 SORT RETURN (UPDATE) (DATE) UTF-8 ALL"), "t0 BAD Tag reuse\r\n");
  EXPECT_EQ(session("x SEARCH RETURN (UPDATE COUNT) ALL"),
            "* ESEARCH (TAG \"x\") COUNT 5\r\n* NO [NOUPDATE \"x\"] Too many contexts\r\n"
            "x OK SEARCH completed\r\n");
  // Leaving the mailbox ends every context.
  session("u UNSELECT");
  session("s2 SELECT INBOX");
  EXPECT_EQ(session("t0 SEARCH RETURN (UPDATE) ALL"),
            "* ESEARCH (TAG \"t0\")\r\nt0 OK SEARCH completed\r\n");
}

}  // namespace
}  // namespace postamt::imap::testing
