// NOTIFY (RFC 5465) transcripts. The interactive ones run the session over a connection
// that waits for input, play another session's work on the store between the client's
// lines, and check that the notifications arrive while the client sends nothing: between
// commands and during IDLE. Each compares the whole transcript.
#include <fmt/format.h>

#include <chrono>
#include <functional>
#include <thread>
#include <vector>

#include "imap/session/test_fixture.h"

namespace postamt::imap::testing {
namespace {

using net::testing::MemoryConnectionOptions;
using net::testing::WhenInputEmpty;

// One step of a script: another session's work (on a store thread), then the client's
// bytes, then wait until the server has written `expect` (checked by the caller as part
// of the whole transcript).
struct Step {
  std::function<void()> other;
  std::string client;
  std::string expect;
};

struct Played {
  bool session_done = false;
  bool timed_out = false;
};

net::awaitable<void> serve(MemoryConnection* conn, const Services* services, Played* played) {
  // Named: g++ 12 can destroy temporaries in a co_await expression twice.
  net::SessionContext context{"imap", net::Admission::accepted};
  auto session = run_session(*conn, std::move(context), services);
  co_await std::move(session);
  played->session_done = true;
}

bool wrote(MemoryConnection* conn, size_t from, const std::string& expect) {
  return conn->written().find(expect, from) != std::string::npos;
}

net::awaitable<int> play(net::Runtime* runtime, MemoryConnection* conn, const Services* services,
                         std::vector<Step>* steps, Played* played) {
  runtime->spawn(serve(conn, services, played), "notify test session");
  for (auto& step : *steps) {
    const size_t from = conn->written().size();
    if (step.other) {
      auto task = runtime->run_blocking(step.other);
      co_await std::move(task);
    }
    conn->feed(step.client);
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!wrote(conn, from, step.expect)) {
      if (std::chrono::steady_clock::now() > until) {
        played->timed_out = true;
        break;
      }
      co_await net::sleep(std::chrono::milliseconds(1));
    }
  }
  conn->feed_eof();
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!played->session_done && std::chrono::steady_clock::now() < until)
    co_await net::sleep(std::chrono::milliseconds(1));
  co_return 0;
}

class ImapNotify : public ImapSession {
 protected:
  ImapNotify() { services_.limits.idle_poll_interval = 2ms; }

  // The whole transcript after the greeting and the LOGIN answer.
  std::string interact(std::vector<Step> steps) {
    settle_recent();
    MemoryConnection conn(MemoryConnectionOptions{.when_empty = WhenInputEmpty::wait_for_feed});
    steps.insert(steps.begin(), Step{nullptr, "a LOGIN alice@example.org secret\r\n", "a OK"});
    Played played;
    net::testing::block_on(runtime_, play(&runtime_, &conn, &services_, &steps, &played));
    EXPECT_FALSE(played.timed_out) << conn.written();
    EXPECT_TRUE(played.session_done);
    std::string all = conn.written();
    std::string prefix = std::string(kGreetingPlain) + std::string(kLoggedIn);
    EXPECT_EQ(all.substr(0, prefix.size()), prefix);
    return all.size() >= prefix.size() ? all.substr(prefix.size()) : all;
  }
  MailboxId create(const std::string& name) {
    return store_.create_mailbox(account_, name, MailboxRole::none)->id;
  }
  void deliver(MailboxId mailbox, std::string_view bytes, SystemFlags flags = {}) {
    auto ref = blobs_.put(bytes);
    store::NewMessage message;
    message.blob = *ref;
    message.size = bytes.size();
    message.flags = flags;
    ASSERT_TRUE(store_.append(mailbox, message));
  }
  UidValidity validity(MailboxId mailbox) { return store_.get_mailbox(mailbox)->uid_validity; }
};

constexpr std::string_view kBadEvent =
    "NO [BADEVENT (MessageNew MessageExpunge FlagChange MailboxName SubscriptionChange "
    "MailboxMetadataChange ServerMetadataChange)] Unsupported NOTIFY event\r\n";

// §5 and §6.1 rules are BAD; an unsupported event (AnnotationChange: no message
// annotations here) or an unknown one is NO [BADEVENT] listing the supported ones (§3.1).
TEST_F(ImapNotify, RefusedCommands) {
  EXPECT_EQ(
      after_login(
          "b NOTIFY SET (personal (MessageNew))\r\n"
          "c NOTIFY SET (personal (FlagChange))\r\n"
          "d NOTIFY SET (inboxes (MessageNew (UID) MessageExpunge))\r\n"
          "e NOTIFY SET (selected (MailboxName))\r\n"
          "f NOTIFY SET (selected NONE) (selected-delayed NONE)\r\n"
          "g NOTIFY SET (nowhere NONE)\r\n"
          "h NOTIFY\r\n"
          "i NOTIFY SET (selected (MessageNew MessageExpunge AnnotationChange))\r\n"
          "j NOTIFY SET (personal (MailboxName MessageRead))\r\n"
          "k NOTIFY SET (personal (SubscriptionChange)) (mailboxes (INBOX nosuch) (MessageNew "
          "MessageExpunge))\r\n"),
      "b BAD NOTIFY: MessageNew and MessageExpunge go together\r\n"
      "c BAD NOTIFY: FlagChange and AnnotationChange need MessageNew and MessageExpunge\r\n"
      "d BAD NOTIFY: fetch attributes only for SELECTED and SELECTED-DELAYED\r\n"
      "e BAD NOTIFY: only message events for the selected mailbox\r\n"
      "f BAD NOTIFY: only one SELECTED or SELECTED-DELAYED filter\r\n"
      "g BAD NOTIFY: unknown mailbox filter nowhere\r\n"
      "h BAD NOTIFY: expected a space\r\n"
      "i " +
          std::string(kBadEvent) + "j " + std::string(kBadEvent) +
          // §6.6: a name of no mailbox is fine.
          "k OK NOTIFY completed\r\n");
  EXPECT_EQ(run("a NOTIFY NONE\r\n"), std::string(kGreetingPlain) + "a BAD Log in first\r\n");
}

// §3.1: NOTIFY SET STATUS answers with STATUS for the mailboxes with message events,
// not the selected one; HIGHESTMODSEQ once CONDSTORE is on.
TEST_F(ImapNotify, StatusIndicator) {
  MailboxId lists = create("Lists");
  MailboxId lemonade = create("Lists/Lemonade");
  create("Other");
  deliver(lemonade, "Subject: a\r\n\r\nx\r\n");
  deliver(lemonade, "Subject: b\r\n\r\nx\r\n", SystemFlags{SystemFlag::seen});
  add_message("Subject: c\r\n\r\nx\r\n");
  std::string out = after_login(
      "b NOTIFY SET STATUS (subtree (Lists INBOX) (MessageNew MessageExpunge))\r\n"
      "c ENABLE CONDSTORE\r\n"
      "d SELECT INBOX\r\n"
      "e NOTIFY SET STATUS (selected (MessageNew MessageExpunge)) (subtree (Lists INBOX) "
      "(MessageNew MessageExpunge FlagChange))\r\n"
      "f NOTIFY SET (mailboxes Lists (MessageNew MessageExpunge))\r\n");
  auto lists_box = *store_.get_mailbox(lists);
  auto lemonade_box = *store_.get_mailbox(lemonade);
  std::string head = fmt::format(
      "* STATUS INBOX (MESSAGES 1 UIDNEXT 2 UIDVALIDITY {} UNSEEN 1)\r\n"
      "* STATUS Lists (MESSAGES 0 UIDNEXT 1 UIDVALIDITY {} UNSEEN 0)\r\n"
      "* STATUS Lists/Lemonade (MESSAGES 2 UIDNEXT 3 UIDVALIDITY {} UNSEEN 1)\r\n"
      "b OK NOTIFY completed\r\n"
      "* ENABLED CONDSTORE\r\nc OK ENABLE completed\r\n",
      inbox_validity(), validity(lists), validity(lemonade));
  EXPECT_EQ(out.substr(0, head.size()), head);
  std::string tail = fmt::format(
      "d OK [READ-WRITE] SELECT completed\r\n"
      "* STATUS Lists (MESSAGES 0 UIDNEXT 1 UIDVALIDITY {} UNSEEN 0 HIGHESTMODSEQ {})\r\n"
      "* STATUS Lists/Lemonade (MESSAGES 2 UIDNEXT 3 UIDVALIDITY {} UNSEEN 1 HIGHESTMODSEQ "
      "{})\r\n"
      "e OK NOTIFY completed\r\n"
      "f OK NOTIFY completed\r\n",
      validity(lists), lists_box.highest_modseq, validity(lemonade), lemonade_box.highest_modseq);
  EXPECT_EQ(ending(out, tail), tail);
}

// §5.2, §5.3, §5.1 in another mailbox: STATUS while the client waits between commands,
// not while it sends a literal; NOTIFY NONE ends it; the session's own APPEND is not
// told back (§5).
TEST_F(ImapNotify, StatusBetweenCommands) {
  MailboxId lists = create("Lists");
  MailboxId other_box = create("Other");
  const UidValidity v = validity(lists);
  const UidValidity other_v = validity(other_box);
  std::string out = interact({
      {nullptr, "b NOTIFY SET (personal (MessageNew MessageExpunge FlagChange))\r\n",
       "b OK NOTIFY completed\r\n"},
      {[&] { deliver(lists, "Subject: hi\r\n\r\nx\r\n"); }, "",
       fmt::format("* STATUS Lists (MESSAGES 1 UIDNEXT 2 UIDVALIDITY {} UNSEEN 1)\r\n", v)},
      {[&] {
         FlagUpdate u;
         u.flags = SystemFlags{SystemFlag::seen};
         ASSERT_TRUE(store_.update_flags(lists, {1}, u));
       },
       "", fmt::format("* STATUS Lists (MESSAGES 1 UIDNEXT 2 UIDVALIDITY {} UNSEEN 0)\r\n", v)},
      {nullptr, "c APPEND Lists {3}\r\n", "+ Ready"},
      // While the client sends the literal it is in a command: nothing is written then,
      // though the session looks at the store meanwhile.
      {[&] {
         deliver(other_box, "Subject: meanwhile\r\n\r\nx\r\n");
         std::this_thread::sleep_for(30ms);
       },
       "", ""},
      {nullptr, "x\r\n\r\n",
       fmt::format("* STATUS Other (MESSAGES 1 UIDNEXT 2 UIDVALIDITY {} UNSEEN 1)\r\n", other_v)},
      {[&] { deliver(lists, "Subject: again\r\n\r\nx\r\n"); }, "",
       fmt::format("* STATUS Lists (MESSAGES 3 UIDNEXT 4 UIDVALIDITY {} UNSEEN 2)\r\n", v)},
      {nullptr, "d NOTIFY NONE\r\n", "d OK"},
      {[&] { deliver(lists, "Subject: unheard\r\n\r\nx\r\n"); }, "e NOOP\r\n", "e OK"},
      {nullptr, "f LOGOUT\r\n", "f OK"},
  });
  EXPECT_EQ(out, fmt::format("b OK NOTIFY completed\r\n"
                             "* STATUS Lists (MESSAGES 1 UIDNEXT 2 UIDVALIDITY {0} UNSEEN 1)\r\n"
                             "* STATUS Lists (MESSAGES 1 UIDNEXT 2 UIDVALIDITY {0} UNSEEN 0)\r\n"
                             "+ Ready for literal data\r\n"
                             "c OK [APPENDUID {0} 2] APPEND completed\r\n"
                             "* STATUS Other (MESSAGES 1 UIDNEXT 2 UIDVALIDITY {1} UNSEEN 1)\r\n"
                             "* STATUS Lists (MESSAGES 3 UIDNEXT 4 UIDVALIDITY {0} UNSEEN 2)\r\n"
                             "d OK NOTIFY completed\r\ne OK NOOP completed\r\n"
                             "* BYE Logging out\r\nf OK LOGOUT completed\r\n",
                             v, other_v));
}

// §4: during IDLE the same events; INBOXES is INBOX (delivery files nowhere else).
TEST_F(ImapNotify, StatusDuringIdle) {
  MailboxId lists = create("Lists");
  const UidValidity v = inbox_validity();
  std::string out = interact({
      {nullptr, "b NOTIFY SET (inboxes (MessageNew MessageExpunge))\r\nc IDLE\r\n", "+ idling\r\n"},
      {[&] {
         deliver(lists, "Subject: not inbox\r\n\r\nx\r\n");
         add_message("Subject: hi\r\n\r\nx\r\n");
       },
       "", fmt::format("* STATUS INBOX (MESSAGES 1 UIDNEXT 2 UIDVALIDITY {} UNSEEN 1)\r\n", v)},
      {nullptr, "DONE\r\n", "c OK"},
  });
  EXPECT_EQ(out, fmt::format("b OK NOTIFY completed\r\n+ idling\r\n"
                             "* STATUS INBOX (MESSAGES 1 UIDNEXT 2 UIDVALIDITY {} UNSEEN 1)\r\n"
                             "c OK IDLE terminated\r\n",
                             v));
}

// §5.2 with a fetch-att list, §5.1 and §5.3 in the selected mailbox, between commands.
TEST_F(ImapNotify, SelectedMailbox) {
  add_message("Subject: one\r\n\r\nx\r\n");
  Driver other(*this);
  std::string out = interact({
      {nullptr,
       "b SELECT INBOX\r\nc NOTIFY SET (selected (MessageNew (UID BODY.PEEK[HEADER.FIELDS "
       "(Subject)]) MessageExpunge FlagChange))\r\n",
       "c OK"},
      {[&] { add_message("Subject: two\r\nFrom: x@example.org\r\n\r\nx\r\n"); }, "",
       "* 2 EXISTS\r\n* 1 RECENT\r\n* 2 FETCH (UID 2 BODY[HEADER.FIELDS (Subject)] "
       "{16}\r\nSubject: two\r\n\r\n)\r\n"},
      {[&] {
         other("o1 SELECT INBOX");
         other("o2 STORE 1 +FLAGS (\\Deleted)");
       },
       "", "* 1 FETCH (FLAGS (\\Deleted) UID 1)\r\n"},
      {[&] { other("o3 EXPUNGE"); }, "", "* 1 EXPUNGE\r\n"},
      {nullptr, "d LOGOUT\r\n", "d OK"},
  });
  std::string expected =
      "* 2 EXISTS\r\n* 1 RECENT\r\n* 2 FETCH (UID 2 BODY[HEADER.FIELDS (Subject)] {16}\r\n"
      "Subject: two\r\n\r\n)\r\n* 1 FETCH (FLAGS (\\Deleted) UID 1)\r\n* 1 EXPUNGE\r\n"
      "* BYE Logging out\r\nd OK LOGOUT completed\r\n";
  EXPECT_EQ(ending(out, expected), expected);
  EXPECT_NE(out.find("c OK NOTIFY completed\r\n* 2 EXISTS"), std::string::npos) << out;
}

// §6.1.2: SELECTED-DELAYED tells new messages at once and holds expunges for a command
// that allows them; without FlagChange no FETCH (FLAGS) between commands.
TEST_F(ImapNotify, SelectedDelayed) {
  add_message("Subject: one\r\n\r\nx\r\n");
  add_message("Subject: two\r\n\r\nx\r\n");
  Driver other(*this);
  std::string out = interact({
      {nullptr, "b SELECT INBOX\r\nc NOTIFY SET (selected-delayed (MessageNew MessageExpunge))\r\n",
       "c OK"},
      {[&] {
         other("o1 SELECT INBOX");
         other("o2 STORE 1 +FLAGS.SILENT (\\Deleted)");
         other("o3 EXPUNGE");
         add_message("Subject: three\r\n\r\nx\r\n");
       },
       "", "* 3 EXISTS\r\n* 1 RECENT\r\n"},
      {nullptr, "d NOOP\r\n", "d OK"},
      {nullptr, "e LOGOUT\r\n", "e OK"},
  });
  std::string expected =
      "c OK NOTIFY completed\r\n* 3 EXISTS\r\n* 1 RECENT\r\n* 1 EXPUNGE\r\nd OK NOOP completed\r\n"
      "* BYE Logging out\r\ne OK LOGOUT completed\r\n";
  EXPECT_EQ(ending(out, expected), expected);
}

// §5.3 with QRESYNC on: VANISHED instead of EXPUNGE, MODSEQ in FETCH (FLAGS).
TEST_F(ImapNotify, SelectedMailboxWithQresync) {
  add_message("Subject: one\r\n\r\nx\r\n");
  add_message("Subject: two\r\n\r\nx\r\n");
  Driver other(*this);
  std::string out = interact({
      {nullptr,
       "b ENABLE QRESYNC\r\nc SELECT INBOX\r\nd NOTIFY SET (selected (MessageNew MessageExpunge "
       "FlagChange))\r\n",
       "d OK"},
      {[&] {
         other("o1 SELECT INBOX");
         other("o2 STORE 2 +FLAGS (\\Flagged)");
       },
       "", "* 2 FETCH ("},
      {[&] {
         other("o3 STORE 1 +FLAGS.SILENT (\\Deleted)");
         other("o4 EXPUNGE");
       },
       "", "* VANISHED 1\r\n"},
      {nullptr, "e LOGOUT\r\n", "e OK"},
  });
  const ModSeq flagged = store_.get_message(inbox_, 2)->modseq;
  std::string expected = fmt::format(
      "d OK NOTIFY completed\r\n* 2 FETCH (FLAGS (\\Flagged) UID 2 MODSEQ ({}))\r\n"
      "* VANISHED 1\r\n* BYE Logging out\r\ne OK LOGOUT completed\r\n",
      flagged);
  EXPECT_EQ(ending(out, expected), expected);
}

// §5: the session's own changes are not told back: a mailbox it selected, changed and
// closed gets no STATUS, nor does its own SUBSCRIBE a LIST; another session's change
// right after still does.
TEST_F(ImapNotify, OwnChangesAreNotTold) {
  MailboxId lists = create("Lists");
  deliver(lists, "Subject: one\r\n\r\nx\r\n");
  const UidValidity v = validity(lists);
  std::string out = interact({
      {nullptr,
       "b NOTIFY SET (personal (MessageNew MessageExpunge FlagChange SubscriptionChange))\r\n",
       "b OK"},
      {nullptr, "c SELECT Lists\r\nd STORE 1 +FLAGS (\\Deleted \\Seen)\r\ne CLOSE\r\n", "e OK"},
      {nullptr, "f SUBSCRIBE Lists\r\n", "f OK"},
      {[&] { deliver(lists, "Subject: two\r\n\r\nx\r\n"); }, "",
       fmt::format("* STATUS Lists (MESSAGES 1 UIDNEXT 3 UIDVALIDITY {} UNSEEN 1)\r\n", v)},
      {nullptr, "g LOGOUT\r\n", "g OK"},
  });
  std::string expected = fmt::format(
      "* 1 FETCH (FLAGS (\\Seen \\Deleted))\r\nd OK STORE completed\r\n"
      "e OK CLOSE completed\r\nf OK SUBSCRIBE completed\r\n"
      "* STATUS Lists (MESSAGES 1 UIDNEXT 3 UIDVALIDITY {} UNSEEN 1)\r\n"
      "* BYE Logging out\r\ng OK LOGOUT completed\r\n",
      v);
  EXPECT_EQ(ending(out, expected), expected);
}

// §5.4: CREATE (with the parent it made), RENAME (OLDNAME, not the children), DELETE
// (\NonExistent; the direct parent too, existing or not) by another session; the
// session's own CREATE is not told back.
TEST_F(ImapNotify, MailboxNames) {
  Driver other(*this);
  std::string out = interact({
      {nullptr, "b NOTIFY SET (personal (MailboxName))\r\n", "b OK"},
      {[&] { other("o1 CREATE a/b"); }, "",
       "* LIST (\\HasChildren) \"/\" a\r\n* LIST (\\HasNoChildren) \"/\" a/b\r\n"},
      {[&] { other("o2 RENAME a z"); }, "", "* LIST (\\HasChildren) \"/\" z (\"OLDNAME\" (a))\r\n"},
      {[&] { other("o3 DELETE z"); }, "", "* LIST (\\NonExistent \\HasChildren) \"/\" z\r\n"},
      {[&] { other("o4 DELETE z/b"); }, "",
       "* LIST (\\NonExistent \\HasNoChildren) \"/\" z/b\r\n"
       "* LIST (\\NonExistent \\HasNoChildren) \"/\" z\r\n"},
      {nullptr, "c CREATE mine\r\n", "c OK"},
      {nullptr, "d LOGOUT\r\n", "d OK"},
  });
  EXPECT_EQ(out,
            "b OK NOTIFY completed\r\n"
            "* LIST (\\HasChildren) \"/\" a\r\n* LIST (\\HasNoChildren) \"/\" a/b\r\n"
            "* LIST (\\HasChildren) \"/\" z (\"OLDNAME\" (a))\r\n"
            "* LIST (\\NonExistent \\HasChildren) \"/\" z\r\n"
            "* LIST (\\NonExistent \\HasNoChildren) \"/\" z/b\r\n"
            "* LIST (\\NonExistent \\HasNoChildren) \"/\" z\r\n" +
                created("c", validity_of("mine")) +
                "* BYE Logging out\r\nd OK LOGOUT completed\r\n");
}

// §5.5: LIST with \Subscribed iff subscribed after the change; §5.6, §5.7: METADATA
// with the changed entries' names.
TEST_F(ImapNotify, SubscriptionsAndMetadata) {
  create("Lists");
  Driver other(*this);
  std::string out = interact({
      {nullptr,
       "b NOTIFY SET (subtree Lists (SubscriptionChange MailboxMetadataChange)) (personal "
       "(ServerMetadataChange))\r\n",
       "b OK"},
      {[&] { other("o1 SUBSCRIBE Lists"); }, "",
       "* LIST (\\HasNoChildren \\Subscribed) \"/\" Lists\r\n"},
      {[&] {
         other("o2 SUBSCRIBE INBOX");
         other("o3 UNSUBSCRIBE Lists");
       },
       "", "* LIST (\\HasNoChildren) \"/\" Lists\r\n"},
      {[&] {
         other("o4 SETMETADATA INBOX (/private/comment \"not watched\")");
         other("o5 SETMETADATA Lists (/private/comment \"x\" /shared/comment \"y\")");
       },
       "", "* METADATA Lists /private/comment /shared/comment\r\n"},
      {[&] {
         other("o6 SETMETADATA Lists (/private/comment NIL)");
         other("o7 SETMETADATA \"\" (/private/vendor/postamt/theme \"dark\")");
       },
       "", "* METADATA \"\" /private/vendor/postamt/theme\r\n"},
      {nullptr, "c LOGOUT\r\n", "c OK"},
  });
  EXPECT_EQ(out,
            "b OK NOTIFY completed\r\n"
            "* LIST (\\HasNoChildren \\Subscribed) \"/\" Lists\r\n"
            "* LIST (\\HasNoChildren) \"/\" Lists\r\n"
            "* METADATA Lists /private/comment /shared/comment\r\n"
            "* METADATA Lists /private/comment\r\n"
            "* METADATA \"\" /private/vendor/postamt/theme\r\n"
            "* BYE Logging out\r\nc OK LOGOUT completed\r\n");
}

// §5.8: more changes at once than notify_max_changes: NOTIFICATIONOVERFLOW, then
// nothing more, as after NOTIFY NONE.
TEST_F(ImapNotify, Overflow) {
  services_.limits.notify_max_changes = 1;
  Driver other(*this);
  std::string out = interact({
      {nullptr, "b NOTIFY SET (personal (MailboxName))\r\n", "b OK"},
      {[&] {
         other("o1 CREATE one");
         other("o2 CREATE two");
       },
       "", "NOTIFICATIONOVERFLOW"},
      {[&] { other("o3 CREATE three"); }, "c NOOP\r\n", "c OK"},
      {nullptr, "d LOGOUT\r\n", "d OK"},
  });
  EXPECT_EQ(out,
            "b OK NOTIFY completed\r\n"
            "* OK [NOTIFICATIONOVERFLOW] Too many changes at once; notifications are off\r\n"
            "c OK NOOP completed\r\n* BYE Logging out\r\nd OK LOGOUT completed\r\n");
}

}  // namespace
}  // namespace postamt::imap::testing
