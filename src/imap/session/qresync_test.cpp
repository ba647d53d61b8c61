// QRESYNC (RFC 7162 §3.2) transcripts: ENABLE, SELECT/EXAMINE (QRESYNC ...), UID FETCH
// (CHANGEDSINCE n VANISHED), VANISHED instead of EXPUNGE, HIGHESTMODSEQ after EXPUNGE
// and MOVE, CLOSED, and the HIGHESTMODSEQ kept below a held-back removal (§3.2).
#include <fmt/format.h>

#include "imap/session/test_fixture.h"

namespace postamt::imap::testing {
namespace {

constexpr std::string_view kMessage = "Subject: hi\r\n\r\nhello\r\n";

class ImapQresync : public ImapSession {
 protected:
  // Five messages, uids 1-5; returns the mailbox's highest modseq after them.
  ModSeq five() {
    for (int i = 0; i < 5; ++i) add_message(kMessage);
    return store_.get_mailbox(inbox_)->highest_modseq;
  }
  ModSeq modseq_of(Uid uid) { return store_.get_message(inbox_, uid)->modseq; }
  ModSeq highest() { return store_.get_mailbox(inbox_)->highest_modseq; }
  void flag(Uid uid, SystemFlag f) {
    FlagUpdate u;
    u.operation = FlagOperation::add;
    u.flags = SystemFlags{f};
    ASSERT_TRUE(store_.update_flags(inbox_, {uid}, u));
  }
  // SELECT's untagged responses for INBOX after five() and the expunge of 2 and 4.
  std::string selected_three(ModSeq highest_modseq) {
    return fmt::format(
        "* FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft $MDNSent)\r\n"
        "* OK [PERMANENTFLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft $MDNSent \\*)] "
        "Flags permitted\r\n* 3 EXISTS\r\n* 0 RECENT\r\n* OK [UNSEEN 1] First unseen message\r\n"
        "* OK [UIDVALIDITY {}] UIDs valid\r\n* OK [UIDNEXT 6] Predicted next UID\r\n"
        "* OK [HIGHESTMODSEQ {}] Highest\r\n* OK [MAILBOXID (F{})] Mailbox id\r\n",
        inbox_validity(), highest_modseq, inbox_validity());
  }
  ModSeq expunged_modseq(Uid uid) {
    auto changes = store_.changes_since(inbox_, 0);
    for (const auto& e : changes->expunged)
      if (e.uid == uid) return e.modseq;
    return 0;
  }
};

// §3.2.3: ENABLE QRESYNC answers ENABLED QRESYNC and turns CONDSTORE on as well: a flag
// FETCH then carries MODSEQ. "ENABLE QRESYNC CONDSTORE" has the same effect.
TEST_F(ImapQresync, EnableTurnsCondstoreOn) {
  five();
  EXPECT_EQ(after_login("b ENABLE QRESYNC\r\nc ENABLE QRESYNC CONDSTORE\r\n"),
            "* ENABLED QRESYNC\r\nb OK ENABLE completed\r\n* ENABLED\r\nc OK ENABLE completed\r\n");
  std::string out = after_login("b ENABLE QRESYNC\r\nc SELECT INBOX\r\nd FETCH 1 (FLAGS)\r\n");
  std::string tail =
      fmt::format("* 1 FETCH (FLAGS () MODSEQ ({}))\r\nd OK FETCH completed\r\n", modseq_of(1));
  EXPECT_EQ(ending(out, tail), tail);
}

// §3.2.5.1 with the RFC's example shape: the removals since the client's modseq as
// VANISHED (EARLIER), then each changed message as FETCH (UID FLAGS MODSEQ), after the
// usual SELECT responses and before the tagged OK. EXAMINE does the same.
TEST_F(ImapQresync, SelectTellsRemovalsAndFlagChangesSinceTheClientsModseq) {
  ModSeq known = five();
  ASSERT_TRUE(store_.expunge(inbox_, {2, 4}));
  flag(3, SystemFlag::flagged);
  std::string expected =
      selected_three(highest()) +
      fmt::format("* VANISHED (EARLIER) 2,4\r\n* 2 FETCH (UID 3 FLAGS (\\Flagged) MODSEQ ({}))\r\n",
                  modseq_of(3));
  EXPECT_EQ(after_login(fmt::format("b ENABLE QRESYNC\r\nc SELECT INBOX (QRESYNC ({} {}))\r\n",
                                    inbox_validity(), known)),
            "* ENABLED QRESYNC\r\nb OK ENABLE completed\r\n" + expected +
                "c OK [READ-WRITE] SELECT completed\r\n");
  std::string examined = after_login(fmt::format(
      "b ENABLE QRESYNC\r\nc EXAMINE INBOX (QRESYNC ({} {}))\r\n", inbox_validity(), known));
  EXPECT_NE(examined.find(fmt::format("* VANISHED (EARLIER) 2,4\r\n* 2 FETCH (UID 3 FLAGS "
                                      "(\\Flagged) MODSEQ ({}))\r\nc OK [READ-ONLY] EXAMINE",
                                      modseq_of(3))),
            std::string::npos)
      << examined;
}

// §3.2.5: a UIDVALIDITY that does not match makes it a plain SELECT; a modseq that is
// current tells nothing; known uids limit both the removals and the changes (§3.2.5.1).
TEST_F(ImapQresync, UidValidityModseqAndKnownUidsLimitTheAnswer) {
  ModSeq known = five();
  ASSERT_TRUE(store_.expunge(inbox_, {2, 4}));
  flag(3, SystemFlag::flagged);
  flag(5, SystemFlag::seen);
  auto select = [&](std::string params) {
    std::string out =
        after_login("b ENABLE QRESYNC\r\nc SELECT INBOX (QRESYNC (" + params + "))\r\n");
    size_t from = out.find("* OK [MAILBOXID");
    from = out.find("\r\n", from) + 2;
    return out.substr(from);
  };
  const std::string ok = "c OK [READ-WRITE] SELECT completed\r\n";
  EXPECT_EQ(select(fmt::format("{} {}", inbox_validity() + 1, known)), ok);
  EXPECT_EQ(select(fmt::format("{} {}", inbox_validity(), highest())), ok);
  EXPECT_EQ(select(fmt::format("{} {} 3:4", inbox_validity(), known)),
            fmt::format("* VANISHED (EARLIER) 4\r\n* 2 FETCH (UID 3 FLAGS (\\Flagged) MODSEQ "
                        "({}))\r\n",
                        modseq_of(3)) +
                ok);
  // The flag change of 5 is newer than 3's: only it is told from 3's modseq on.
  EXPECT_EQ(select(fmt::format("{} {}", inbox_validity(), modseq_of(3))),
            fmt::format("* 3 FETCH (UID 5 FLAGS (\\Seen) MODSEQ ({}))\r\n", modseq_of(5)) + ok);
}

// §3.2.5.2: sequence match data. The pairs (1,1) and (2,3) match the mailbox (1 3 5
// after 2 and 4 went), so no removal at or below uid 3 is told; the pair (3,4) does not
// match, so from there on the removals are told.
TEST_F(ImapQresync, SequenceMatchDataLimitsTheRemovals) {
  five();
  ASSERT_TRUE(store_.expunge(inbox_, {2, 4}));
  auto tail = [&](std::string match) {
    std::string out = after_login(fmt::format(
        "b ENABLE QRESYNC\r\nc SELECT INBOX (QRESYNC ({} 1 1:5 {}))\r\n", inbox_validity(), match));
    size_t from = out.find("* OK [MAILBOXID");
    from = out.find("\r\n", from) + 2;
    std::string rest = out.substr(from);
    return rest.substr(0, rest.find("* 1 FETCH"));
  };
  EXPECT_EQ(tail("(1:2 1,3)"), "* VANISHED (EARLIER) 4\r\n");
  EXPECT_EQ(tail("(1:3 1,3,5)"), "");
  EXPECT_EQ(tail("(1:3 1,2,5)"), "* VANISHED (EARLIER) 2,4\r\n");
  EXPECT_EQ(tail("(9 9)"), "* VANISHED (EARLIER) 2,4\r\n");
}

// §3.2.3, §3.2.5, §3.2.6: the QRESYNC parameter and the VANISHED modifier are BAD
// without ENABLE QRESYNC; VANISHED needs UID FETCH and CHANGEDSINCE.
TEST_F(ImapQresync, WithoutEnableItIsBad) {
  five();
  EXPECT_EQ(after_login("b SELECT INBOX (QRESYNC (1 1))\r\n"), "b BAD QRESYNC is not enabled\r\n");
  std::string out = after_login(
      "b SELECT INBOX\r\nc UID FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)\r\n"
      "d ENABLE QRESYNC\r\n");
  EXPECT_EQ(ending(out,
                   "c BAD VANISHED needs ENABLE QRESYNC\r\n"
                   "d BAD ENABLE is only valid before a mailbox is selected\r\n"),
            "c BAD VANISHED needs ENABLE QRESYNC\r\n"
            "d BAD ENABLE is only valid before a mailbox is selected\r\n");
  out = after_login(
      "b ENABLE QRESYNC\r\nc SELECT INBOX\r\nd FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)\r\n"
      "e UID FETCH 1:* (FLAGS) (VANISHED)\r\n");
  EXPECT_EQ(ending(out,
                   "d BAD FETCH: VANISHED requires UID FETCH and CHANGEDSINCE\r\n"
                   "e BAD UID FETCH: VANISHED requires UID FETCH and CHANGEDSINCE\r\n"),
            "d BAD FETCH: VANISHED requires UID FETCH and CHANGEDSINCE\r\n"
            "e BAD UID FETCH: VANISHED requires UID FETCH and CHANGEDSINCE\r\n");
}

// §3.2.6 (Example 1's shape): the removals in the set come first as VANISHED (EARLIER),
// then the changed messages. '*' reaches removals above the last message.
TEST_F(ImapQresync, UidFetchVanished) {
  ModSeq known = five();
  ASSERT_TRUE(store_.expunge(inbox_, {2, 5}));
  flag(3, SystemFlag::seen);
  std::string out = after_login(fmt::format(
      "b ENABLE QRESYNC\r\nc SELECT INBOX\r\nd UID FETCH 1:* (FLAGS) (CHANGEDSINCE {} VANISHED)\r\n"
      "e UID FETCH 3:4 (FLAGS) (CHANGEDSINCE {} VANISHED)\r\n",
      known, known));
  std::string tail = fmt::format(
      "* VANISHED (EARLIER) 2,5\r\n* 2 FETCH (UID 3 FLAGS (\\Seen) MODSEQ ({0}))\r\n"
      "d OK UID FETCH completed\r\n"
      "* 2 FETCH (UID 3 FLAGS (\\Seen) MODSEQ ({0}))\r\ne OK UID FETCH completed\r\n",
      modseq_of(3));
  EXPECT_EQ(ending(out, tail), tail);
}

// §3.2.7, §3.2.10.2: once enabled, EXPUNGE answers with one VANISHED of the uids (no
// EXISTS) and HIGHESTMODSEQ in the tagged OK; UID EXPUNGE the same; CLOSE tells nothing
// (§3.2.8). Without QRESYNC it is EXPUNGE responses and no code, as before.
TEST_F(ImapQresync, ExpungeAnswersVanishedAndHighestModseq) {
  five();
  flag(2, SystemFlag::deleted);
  flag(4, SystemFlag::deleted);
  std::string out = after_login("b ENABLE QRESYNC\r\nc SELECT INBOX\r\nd EXPUNGE\r\n");
  std::string tail =
      fmt::format("* VANISHED 2,4\r\nd OK [HIGHESTMODSEQ {}] EXPUNGE completed\r\n", highest());
  EXPECT_EQ(ending(out, tail), tail);

  flag(5, SystemFlag::deleted);
  flag(3, SystemFlag::deleted);
  out = after_login("b ENABLE QRESYNC\r\nc SELECT INBOX\r\nd UID EXPUNGE 5\r\ne CLOSE\r\n");
  tail = fmt::format(
      "* VANISHED 5\r\nd OK [HIGHESTMODSEQ {}] UID EXPUNGE completed\r\ne OK CLOSE completed\r\n",
      expunged_modseq(5));
  EXPECT_EQ(ending(out, tail), tail);
  EXPECT_FALSE(store_.get_message(inbox_, 3));
}

// RFC 6851 §4.4: MOVE with QRESYNC on: COPYUID, then VANISHED, then HIGHESTMODSEQ.
TEST_F(ImapQresync, MoveAnswersVanishedAndHighestModseq) {
  five();
  ASSERT_TRUE(store_.create_mailbox(account_, "Stash", MailboxRole::none));
  auto archive = *store_.find_mailbox(account_, "Stash");
  std::string out = after_login("b ENABLE QRESYNC\r\nc SELECT INBOX\r\nd UID MOVE 2:3 Stash\r\n");
  std::string tail = fmt::format(
      "* OK [COPYUID {} 2:3 1:2] Moved\r\n* VANISHED 2:3\r\n"
      "d OK [HIGHESTMODSEQ {}] UID MOVE completed\r\n",
      archive.uid_validity, highest());
  EXPECT_EQ(ending(out, tail), tail);
}

// §3.2.11: selecting another mailbox says CLOSED first, also in an IMAP4rev1 session
// that enabled nothing (the server offers CONDSTORE and QRESYNC).
TEST_F(ImapQresync, SelectWhileSelectedSaysClosed) {
  std::string out = after_login("b SELECT INBOX\r\nc EXAMINE INBOX\r\n");
  std::string marker = "b OK [READ-WRITE] SELECT completed\r\n";
  size_t at = out.find(marker);
  ASSERT_NE(at, std::string::npos) << out;
  EXPECT_EQ(out.substr(at + marker.size(), 44), "* OK [CLOSED] Previous mailbox is now closed");
}

// Another session's removal reaches a QRESYNC client as VANISHED at NOOP; while a FETCH
// holds it back and tells a newer MODSEQ, a HIGHESTMODSEQ below the removal follows
// (§3.2), and the removal comes with the next command that may tell it.
TEST_F(ImapQresync, RemovalsByOthersAndTheHeldBackRule) {
  five();
  Driver session(*this);
  EXPECT_EQ(session("a ENABLE QRESYNC"), "* ENABLED QRESYNC\r\na OK ENABLE completed\r\n");
  session("b SELECT INBOX");
  ASSERT_TRUE(store_.expunge(inbox_, {1}));
  EXPECT_EQ(session("c NOOP"), "* VANISHED 1\r\nc OK NOOP completed\r\n");

  ASSERT_TRUE(store_.expunge(inbox_, {2}));
  ModSeq removal = highest();
  flag(5, SystemFlag::flagged);
  EXPECT_EQ(session("d FETCH 3 (FLAGS)"),
            fmt::format("* 4 FETCH (FLAGS (\\Flagged) UID 5 MODSEQ ({}))\r\n"
                        "* 3 FETCH (FLAGS () MODSEQ ({}))\r\n"
                        "* OK [HIGHESTMODSEQ {}] Highest\r\nd OK FETCH completed\r\n",
                        modseq_of(5), modseq_of(4), removal - 1));
  EXPECT_EQ(session("e NOOP"), "* VANISHED 2\r\ne OK NOOP completed\r\n");
  // Nothing held back: no extra HIGHESTMODSEQ.
  EXPECT_EQ(
      session("f FETCH 1 (FLAGS)"),
      fmt::format("* 1 FETCH (FLAGS () MODSEQ ({}))\r\nf OK FETCH completed\r\n", modseq_of(3)));
}

}  // namespace
}  // namespace postamt::imap::testing
