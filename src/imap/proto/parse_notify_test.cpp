// NOTIFY (RFC 5465 §8) parsing: the RFC's examples, case-insensitivity, the rules of
// §5 and §6.1 that make a command BAD, and what the parser leaves to the session.
#include <gtest/gtest.h>

#include "imap/proto/parse_command.h"

namespace postamt::imap::proto {
namespace {

NotifyCmd notify(std::string_view text, const ParseOptions& options = {}) {
  auto r = parse_command(text, options);
  if (!r.ok()) {
    ADD_FAILURE() << text << " -> " << r.error().message;
    return {};
  }
  auto* body = std::get_if<NotifyCmd>(&r->body);
  if (!body) {
    ADD_FAILURE() << text << " parsed as another command";
    return {};
  }
  return *body;
}

std::string bad(std::string_view text) {
  auto r = parse_command(text);
  if (r.ok()) {
    ADD_FAILURE() << text << " parsed";
    return {};
  }
  EXPECT_EQ(r.error().kind, ParseErrorKind::syntax) << text;
  return r.error().message;
}

using E = NotifyEvent;
using F = NotifyFilter;

TEST(ImapParseNotify, NoneAndTheRfcExample) {
  EXPECT_TRUE(notify("a NOTIFY NONE").none);
  EXPECT_TRUE(notify("a notify none").none);
  // §3.1's example as written is BAD: its "(subtree Lists MessageNew)" lacks
  // MessageExpunge (§5). Its events without parentheses are taken as the examples
  // write them.
  EXPECT_EQ(bad("b notify set status (selected MessageNew (uid body.peek[header.fields (from "
                "to subject)]) MessageExpunge) (subtree Lists MessageNew)"),
            "NOTIFY: MessageNew and MessageExpunge go together");
  NotifyCmd cmd = notify(
      "b notify set status (selected MessageNew (uid body.peek[header.fields (from to "
      "subject)]) MessageExpunge) (subtree Lists (MessageNew MessageExpunge))");
  EXPECT_FALSE(cmd.none);
  EXPECT_TRUE(cmd.status);
  ASSERT_EQ(cmd.groups.size(), 2u);
  EXPECT_EQ(cmd.groups[0].filter, F::selected);
  EXPECT_EQ(cmd.groups[0].events, (std::vector<E>{E::message_new, E::message_expunge}));
  ASSERT_EQ(cmd.groups[0].fetch.size(), 2u);
  EXPECT_EQ(cmd.groups[0].fetch[0].kind, FetchItem::Kind::uid);
  EXPECT_EQ(cmd.groups[0].fetch[1].kind, FetchItem::Kind::body_section);
  EXPECT_EQ(cmd.groups[0].fetch[1].peek, Peek::yes);
  EXPECT_EQ(cmd.groups[1].filter, F::subtree);
  EXPECT_EQ(cmd.groups[1].mailboxes, (std::vector<std::string>{"Lists"}));
}

TEST(ImapParseNotify, FiltersAndEvents) {
  NotifyCmd cmd = notify(
      "a NOTIFY SET (Selected-Delayed (MessageNew MessageExpunge FlagChange)) "
      "(inboxes (messagenew messageexpunge)) (PERSONAL (MailboxName SubscriptionChange "
      "MailboxMetadataChange ServerMetadataChange)) (subscribed NONE) "
      "(SUBTREE (INBOX \"a b\" &AOQ-) (MessageNew MessageExpunge)) (mailboxes inbox NONE)");
  EXPECT_FALSE(cmd.status);
  ASSERT_EQ(cmd.groups.size(), 6u);
  EXPECT_EQ(cmd.groups[0].filter, F::selected_delayed);
  EXPECT_EQ(cmd.groups[0].events,
            (std::vector<E>{E::message_new, E::message_expunge, E::flag_change}));
  EXPECT_EQ(cmd.groups[1].filter, F::inboxes);
  EXPECT_EQ(cmd.groups[2].filter, F::personal);
  EXPECT_EQ(cmd.groups[2].events,
            (std::vector<E>{E::mailbox_name, E::subscription_change, E::mailbox_metadata_change,
                            E::server_metadata_change}));
  EXPECT_EQ(cmd.groups[3].filter, F::subscribed);
  EXPECT_TRUE(cmd.groups[3].events.empty());
  EXPECT_EQ(cmd.groups[4].filter, F::subtree);
  // Modified UTF-7 decoded, INBOX normalised.
  EXPECT_EQ(cmd.groups[4].mailboxes, (std::vector<std::string>{"INBOX", "a b", "\xC3\xA4"}));
  EXPECT_EQ(cmd.groups[5].filter, F::mailboxes);
  EXPECT_EQ(cmd.groups[5].mailboxes, (std::vector<std::string>{"INBOX"}));
  EXPECT_TRUE(cmd.groups[5].events.empty());
}

// UTF-8 names once IMAP4rev2 or UTF8=ACCEPT is on; an undecodable name is left out
// (§3.1: a name that refers to no mailbox is ignored).
TEST(ImapParseNotify, MailboxNames) {
  ParseOptions utf8;
  utf8.mailbox_encoding = MailboxEncoding::utf8;
  EXPECT_EQ(notify("a NOTIFY SET (mailboxes \"\xC3\xA4\" NONE)", utf8).groups[0].mailboxes,
            (std::vector<std::string>{"\xC3\xA4"}));
  EXPECT_EQ(notify("a NOTIFY SET (mailboxes (&Jjo x) NONE)").groups[0].mailboxes,
            (std::vector<std::string>{"x"}));
}

// Unknown and unsupported events are the session's (NO [BADEVENT]), not syntax.
TEST(ImapParseNotify, UnknownEventsAreKept) {
  NotifyCmd cmd =
      notify("a NOTIFY SET (personal (MessageNew MessageExpunge AnnotationChange MessageRead))");
  EXPECT_EQ(cmd.groups[0].events,
            (std::vector<E>{E::message_new, E::message_expunge, E::annotation_change}));
  EXPECT_EQ(cmd.groups[0].unknown_events, (std::vector<std::string>{"MessageRead"}));
}

TEST(ImapParseNotify, BadCommands) {
  EXPECT_EQ(bad("a NOTIFY"), "NOTIFY: expected a space");
  EXPECT_EQ(bad("a NOTIFY NONE x"), "NOTIFY: unexpected characters at end of command");
  EXPECT_EQ(bad("a NOTIFY SET"), "NOTIFY: expected a space");
  EXPECT_EQ(bad("a NOTIFY SET STATUS"), "NOTIFY: expected a space");
  EXPECT_EQ(bad("a NOTIFY GET (personal NONE)"), "NOTIFY: expected SET or NONE");
  EXPECT_EQ(bad("a NOTIFY SET (everything NONE)"), "NOTIFY: unknown mailbox filter everything");
  EXPECT_EQ(bad("a NOTIFY SET (personal)"), "NOTIFY: expected a space");
  EXPECT_EQ(bad("a NOTIFY SET (personal ())"), "NOTIFY: expected an event");
  EXPECT_EQ(bad("a NOTIFY SET (subtree Lists MessageNew MessageExpunge"),
            "NOTIFY: expected a space");
  EXPECT_EQ(bad("a NOTIFY SET (personal (MailboxName)"),
            "NOTIFY: expected ')' closing the event group");
  EXPECT_EQ(bad("a NOTIFY SET (personal NONE) "), "NOTIFY: expected '(' opening an event group");
  // §5: MessageNew and MessageExpunge only together; FlagChange and AnnotationChange
  // only with both.
  EXPECT_EQ(bad("a NOTIFY SET (personal (MessageNew))"),
            "NOTIFY: MessageNew and MessageExpunge go together");
  EXPECT_EQ(bad("a NOTIFY SET (selected (MessageExpunge))"),
            "NOTIFY: MessageNew and MessageExpunge go together");
  EXPECT_EQ(bad("a NOTIFY SET (personal (FlagChange))"),
            "NOTIFY: FlagChange and AnnotationChange need MessageNew and MessageExpunge");
  EXPECT_EQ(bad("a NOTIFY SET (selected (AnnotationChange))"),
            "NOTIFY: FlagChange and AnnotationChange need MessageNew and MessageExpunge");
  // §8: fetch-att only for the selected filters; §6.1: only message events there, and
  // only one of SELECTED and SELECTED-DELAYED.
  EXPECT_EQ(bad("a NOTIFY SET (personal (MessageNew (UID) MessageExpunge))"),
            "NOTIFY: fetch attributes only for SELECTED and SELECTED-DELAYED");
  EXPECT_EQ(bad("a NOTIFY SET (selected (MailboxName))"),
            "NOTIFY: only message events for the selected mailbox");
  EXPECT_EQ(bad("a NOTIFY SET (selected-delayed (SubscriptionChange))"),
            "NOTIFY: only message events for the selected mailbox");
  EXPECT_EQ(bad("a NOTIFY SET (selected NONE) (selected-delayed NONE)"),
            "NOTIFY: only one SELECTED or SELECTED-DELAYED filter");
  EXPECT_EQ(bad("a NOTIFY SET (selected (MessageNew (NOSUCH) MessageExpunge))"),
            "NOTIFY: unknown data item NOSUCH");
}

}  // namespace
}  // namespace postamt::imap::proto
