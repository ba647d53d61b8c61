// NOTIFY (RFC 5465 §8):
//   notify     = "NOTIFY" SP (notify-set / notify-none)
//   notify-set = "SET" [SP "STATUS"] SP event-group *(SP event-group)
//   event-group = "(" filter-mailboxes SP events ")"
//   events     = "(" event *(SP event) ")" / "NONE"   (the parentheses optional, see
//                events())
#include <algorithm>
#include <array>
#include <utility>

#include "base/strings.h"
#include "imap/proto/parser.h"

namespace postamt::imap::proto {
namespace {

bool has(const std::vector<NotifyEvent>& events, NotifyEvent e) {
  return std::find(events.begin(), events.end(), e) != events.end();
}

bool is_selected(NotifyFilter f) {
  return f == NotifyFilter::selected || f == NotifyFilter::selected_delayed;
}

Result<NotifyFilter> filter_name(std::string_view word) {
  static constexpr std::array<std::pair<std::string_view, NotifyFilter>, 7> kFilters = {{
      {"SELECTED", NotifyFilter::selected},
      {"SELECTED-DELAYED", NotifyFilter::selected_delayed},
      {"INBOXES", NotifyFilter::inboxes},
      {"PERSONAL", NotifyFilter::personal},
      {"SUBSCRIBED", NotifyFilter::subscribed},
      {"SUBTREE", NotifyFilter::subtree},
      {"MAILBOXES", NotifyFilter::mailboxes},
  }};
  for (const auto& [name, filter] : kFilters)
    if (iequals(name, word)) return filter;
  return syntax_error("unknown mailbox filter " + std::string(word.substr(0, 32)));
}

std::optional<NotifyEvent> event_name(std::string_view word) {
  static constexpr std::array<std::pair<std::string_view, NotifyEvent>, 8> kEvents = {{
      {"MessageNew", NotifyEvent::message_new},
      {"MessageExpunge", NotifyEvent::message_expunge},
      {"FlagChange", NotifyEvent::flag_change},
      {"AnnotationChange", NotifyEvent::annotation_change},
      {"MailboxName", NotifyEvent::mailbox_name},
      {"SubscriptionChange", NotifyEvent::subscription_change},
      {"MailboxMetadataChange", NotifyEvent::mailbox_metadata_change},
      {"ServerMetadataChange", NotifyEvent::server_metadata_change},
  }};
  for (const auto& [name, event] : kEvents)
    if (iequals(name, word)) return event;
  return std::nullopt;
}

// one-or-more-mailbox = mailbox / "(" mailbox *(SP mailbox) ")"
Result<void> mailbox_names(Parser& p, std::vector<std::string>& out) {
  auto one = [&p, &out]() -> Result<void> {
    auto raw = p.sc.astring();
    if (!raw) return raw.error();
    // §3.1: a name that refers to no mailbox is ignored; one that does not decode
    // cannot refer to any.
    if (auto name = mailbox_from_wire(*raw, p.options.mailbox_encoding))
      out.push_back(std::move(*name));
    return {};
  };
  if (!p.sc.consume('(')) return one();
  for (;;) {
    POSTAMT_TRY(one());
    if (p.sc.consume(')')) return {};
    POSTAMT_TRY(p.sc.sp());
  }
}

// §8 puts the events in parentheses; §3.1's and §6's examples leave them out
// ("(selected MessageNew (uid) MessageExpunge)"), and some clients copy those: without
// the parenthesis the events run to the group's ')'.
Result<void> events(Parser& p, NotifyGroup& group) {
  if (p.sc.consume_word("NONE")) return {};
  const bool parenthesised = p.sc.consume('(');
  for (;;) {
    auto word = p.sc.atom();
    if (!word) return syntax_error("expected an event");
    auto event = event_name(*word);
    if (!event) {
      group.unknown_events.emplace_back(word->substr(0, 64));
    } else {
      if (!has(group.events, *event)) group.events.push_back(*event);
      if (*event == NotifyEvent::message_new && p.sc.peek() == ' ' && p.sc.rest().size() > 1 &&
          p.sc.rest()[1] == '(') {
        POSTAMT_TRY(p.sc.sp());
        POSTAMT_TRY(p.sc.expect('(', "'(' opening the fetch attributes"));
        for (;;) {
          POSTAMT_TRY(parse_fetch_att(p, group.fetch));
          if (p.sc.consume(')')) break;
          POSTAMT_TRY(p.sc.sp());
        }
      }
    }
    if (parenthesised ? p.sc.consume(')') : p.sc.peek() == ')') return {};
    POSTAMT_TRY(p.sc.sp());
  }
}

// The rules of §5, §6.1 and §8's comments; each breach is BAD.
Result<void> check(const NotifyGroup& group) {
  const auto& e = group.events;
  const bool message_new = has(e, NotifyEvent::message_new);
  const bool message_expunge = has(e, NotifyEvent::message_expunge);
  if (message_new != message_expunge)
    return syntax_error("MessageNew and MessageExpunge go together");
  if ((has(e, NotifyEvent::flag_change) || has(e, NotifyEvent::annotation_change)) && !message_new)
    return syntax_error("FlagChange and AnnotationChange need MessageNew and MessageExpunge");
  if (!group.fetch.empty() && !is_selected(group.filter))
    return syntax_error("fetch attributes only for SELECTED and SELECTED-DELAYED");
  if (is_selected(group.filter)) {
    for (NotifyEvent event : e)
      if (event != NotifyEvent::message_new && event != NotifyEvent::message_expunge &&
          event != NotifyEvent::flag_change && event != NotifyEvent::annotation_change)
        return syntax_error("only message events for the selected mailbox");
  }
  return {};
}

Result<NotifyGroup> event_group(Parser& p) {
  NotifyGroup group;
  POSTAMT_TRY(p.sc.expect('(', "'(' opening an event group"));
  auto word = p.sc.atom();
  if (!word) return syntax_error("expected a mailbox filter");
  auto filter = filter_name(*word);
  if (!filter) return filter.error();
  group.filter = *filter;
  if (group.filter == NotifyFilter::subtree || group.filter == NotifyFilter::mailboxes) {
    POSTAMT_TRY(p.sc.sp());
    POSTAMT_TRY(mailbox_names(p, group.mailboxes));
  }
  POSTAMT_TRY(p.sc.sp());
  POSTAMT_TRY(events(p, group));
  POSTAMT_TRY(p.sc.expect(')', "')' closing the event group"));
  POSTAMT_TRY(check(group));
  return group;
}

}  // namespace

Result<NotifyCmd> parse_notify(Parser& p) {
  NotifyCmd cmd;
  POSTAMT_TRY(p.sc.sp());
  if (p.sc.consume_word("NONE")) {
    POSTAMT_TRY(p.sc.end());
    cmd.none = true;
    return cmd;
  }
  if (!p.sc.consume_word("SET")) return syntax_error("expected SET or NONE");
  POSTAMT_TRY(p.sc.sp());
  if (p.sc.consume_word("STATUS")) {
    cmd.status = true;
    POSTAMT_TRY(p.sc.sp());
  }
  bool selected_seen = false;
  for (;;) {
    auto group = event_group(p);
    if (!group) return group.error();
    if (is_selected(group->filter)) {
      // §6.1: only one of SELECTED and SELECTED-DELAYED per command.
      if (selected_seen) return syntax_error("only one SELECTED or SELECTED-DELAYED filter");
      selected_seen = true;
    }
    cmd.groups.push_back(std::move(*group));
    if (p.sc.at_end()) break;
    POSTAMT_TRY(p.sc.sp());
  }
  return cmd;
}

}  // namespace postamt::imap::proto
