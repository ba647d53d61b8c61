#include "queue/admin_queue.h"

#include <fmt/format.h>

#include "mime/date.h"

namespace postamt::queue {
namespace {

std::string_view state_word(RecipientState s) {
  switch (s) {
    case RecipientState::pending:
      return "pending";
    case RecipientState::sent:
      return "sent";
    case RecipientState::failed:
      return "failed";
  }
  return "pending";
}

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) {
      out += fmt::format("\\u{:04x}", u);
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string date(TimePoint t) {
  return mime::format_rfc5322_date({to_unix(t), 0});
}

Error with_id(const Error& e, std::string_view id) {
  if (e.kind == ErrorKind::not_found)
    return Error{ErrorKind::not_found, fmt::format("no such message in the queue: {}", id)};
  return Error{e.kind, fmt::format("{}: {}", id, e.message)};
}

// The read-modify-write of every changing command, one Spool::update, so that it cannot
// interleave with the worker recording an attempt (spool.h, worker.h).
template <class Edit>
Result<void> change_message(Spool& queue, std::string_view id, Edit edit) {
  auto changed = queue.update(std::string(id), [&edit](QueuedMessage& m) -> Result<Change> {
    POSTAMT_TRY(edit(m));
    return Change::save;
  });
  if (!changed) return with_id(changed.error(), id);
  return {};
}

}  // namespace

Result<std::string> queue_list(Spool& queue, ListFormat format) {
  auto ids = queue.list();
  POSTAMT_TRY(ids);
  std::string out;
  size_t count = 0;
  if (format == ListFormat::json) out += "[";
  for (const std::string& id : *ids) {
    auto m = queue.load(id, BodyMode::skip);
    if (!m && m.error().kind == ErrorKind::not_found) continue;  // delivered meanwhile
    if (format == ListFormat::json && count) out += ",";
    ++count;
    if (!m) {
      if (format == ListFormat::text)
        out += fmt::format("{} corrupt: {}\n", id, m.error().message);
      else
        out += fmt::format("\n  {{\"id\": {}, \"state\": \"corrupt\", \"error\": {}}}",
                           json_string(id), json_string(m.error().message));
      continue;
    }
    const std::string& sender = m->message.envelope_sender;
    if (format == ListFormat::text) {
      out += fmt::format("{} {} {} <{}>{}\n", id, m->body_size, date(m->arrival), sender,
                         m->held ? " held" : "");
      for (size_t i = 0; i < m->message.recipients.size(); ++i) {
        const RecipientStatus& s = m->status[i];
        out += fmt::format("  {} {}", m->message.recipients[i].address, state_word(s.state));
        if (!s.status.empty()) out += fmt::format(" {} ({})", s.status, s.diagnostic);
        out += "\n";
      }
      continue;
    }
    out += fmt::format(
        "\n  {{\"id\": {}, \"size\": {}, \"arrival\": {}, \"next_attempt\": {}, \"attempts\": {}, "
        "\"held\": {}, \"sender\": {}, \"recipients\": [",
        json_string(id), m->body_size, to_unix(m->arrival), to_unix(m->next_attempt), m->attempts,
        m->held ? "true" : "false", json_string(sender));
    for (size_t i = 0; i < m->message.recipients.size(); ++i) {
      const RecipientStatus& s = m->status[i];
      out += fmt::format(
          "{}{{\"address\": {}, \"state\": \"{}\", \"status\": {}, \"diagnostic\": {}}}",
          i ? ", " : "", json_string(m->message.recipients[i].address), state_word(s.state),
          json_string(s.status), json_string(s.diagnostic));
    }
    out += "]}";
  }
  if (format == ListFormat::json) return out + (count ? "\n]\n" : "]\n");
  return out + fmt::format("-- {} message{}\n", count, count == 1 ? "" : "s");
}

Result<std::string> queue_show(Spool& queue, std::string_view id) {
  auto m = queue.load(std::string(id));
  if (!m) return with_id(m.error(), id);
  std::string out;
  out +=
      fmt::format("id: {}\nsender: <{}>\narrival: {}\nattempts: {}\nnext attempt: {}\nheld: {}\n",
                  id, m->message.envelope_sender, date(m->arrival), m->attempts,
                  date(m->next_attempt), m->held ? "yes" : "no");
  if (!m->message.envid.empty()) out += fmt::format("envid: {}\n", m->message.envid);
  if (!m->claim_owner.empty())
    out += fmt::format("delivering: {} until {}\n", m->claim_owner, date(m->claim_until));
  for (size_t i = 0; i < m->message.recipients.size(); ++i) {
    const RecipientStatus& s = m->status[i];
    out += fmt::format("recipient: <{}> {}", m->message.recipients[i].address, state_word(s.state));
    if (!s.status.empty()) out += fmt::format(" {} ({})", s.status, s.diagnostic);
    out += "\n";
  }
  out += "\n";
  out += m->message.body;
  return out;
}

Result<std::string> queue_retry(Spool& queue, std::string_view id) {
  TimePoint now = queue.now();
  auto changed = queue.update(std::string(id), [now](QueuedMessage& m) -> Result<Change> {
    // A worker holds it: it is being attempted right now (on this node or another), and
    // the attempt's results decide what comes next.
    if (!m.claim_owner.empty())
      return Error{ErrorKind::temporary,
                   fmt::format("being delivered by {} until {}; not rescheduled", m.claim_owner,
                               date(m.claim_until))};
    m.next_attempt = now;
    m.held = false;
    return Change::save;
  });
  if (!changed) return with_id(changed.error(), id);
  return fmt::format("{}: scheduled for delivery\n", id);
}

Result<std::string> queue_remove(Spool& queue, std::string_view id) {
  auto r = queue.remove(std::string(id));
  if (!r) return with_id(r.error(), id);
  return fmt::format("{}: removed\n", id);
}

Result<std::string> queue_hold(Spool& queue, std::string_view id) {
  POSTAMT_TRY(change_message(queue, id, [](QueuedMessage& m) -> Result<void> {
    m.held = true;
    return {};
  }));
  return fmt::format("{}: held\n", id);
}

Result<std::string> queue_release(Spool& queue, std::string_view id) {
  POSTAMT_TRY(change_message(queue, id, [](QueuedMessage& m) -> Result<void> {
    m.held = false;
    return {};
  }));
  return fmt::format("{}: released\n", id);
}

}  // namespace postamt::queue
