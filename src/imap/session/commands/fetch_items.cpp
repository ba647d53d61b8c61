#include "imap/session/commands/fetch_items.h"

#include <chrono>

#include "base/strings.h"

namespace postamt::imap::commands {
namespace {

std::optional<std::string> opt(const std::string& s) {
  if (s.empty()) return std::nullopt;
  return s;
}

std::vector<proto::Address> addresses(const std::vector<mime::Address>& list) {
  std::vector<proto::Address> out;
  auto add = [&out](const mime::Mailbox& m) {
    proto::Address a;
    a.name = opt(m.name);
    a.adl = opt(m.route);
    a.mailbox = m.local_part;
    a.host = m.domain;
    out.push_back(std::move(a));
  };
  for (const auto& entry : list) {
    if (const auto* m = std::get_if<mime::Mailbox>(&entry)) {
      add(*m);
      continue;
    }
    // RFC 3501 §7.4.2: a group is bracketed by (NIL NIL name NIL) and (NIL NIL NIL NIL).
    const auto& group = std::get<mime::Group>(entry);
    proto::Address start;
    start.mailbox = group.name;
    out.push_back(std::move(start));
    for (const auto& m : group.members) add(m);
    out.push_back(proto::Address{});
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> params(const std::vector<mime::Parameter>& in) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& p : in) out.emplace_back(p.name, p.value);
  return out;
}

bool listed(std::string_view name, const std::vector<std::string>& fields) {
  for (const auto& f : fields)
    if (iequals(f, name)) return true;
  return false;
}

}  // namespace

std::vector<std::string> flag_list(SystemFlags flags, const Keywords& keywords, Recent recent) {
  std::vector<std::string> out;
  for (auto name : flag_names(flags)) out.emplace_back(name);
  if (recent == Recent::yes) out.emplace_back("\\Recent");
  for (const auto& k : keywords.items()) out.push_back(k);
  return out;
}

proto::DateTime to_date_time(store::InternalDate date) {
  auto days = std::chrono::floor<std::chrono::days>(date);
  std::chrono::year_month_day ymd(days);
  std::chrono::hh_mm_ss time(date - days);
  proto::DateTime dt;
  dt.date = {static_cast<int>(ymd.year()), static_cast<int>(static_cast<unsigned>(ymd.month())),
             static_cast<int>(static_cast<unsigned>(ymd.day()))};
  dt.hour = static_cast<int>(time.hours().count());
  dt.minute = static_cast<int>(time.minutes().count());
  dt.second = static_cast<int>(time.seconds().count());
  return dt;
}

proto::Envelope to_imap(const mime::Envelope& e) {
  proto::Envelope out;
  out.date = e.date;
  out.subject = e.subject;
  out.from = addresses(e.from);
  out.sender = addresses(e.sender);
  out.reply_to = addresses(e.reply_to);
  out.to = addresses(e.to);
  out.cc = addresses(e.cc);
  out.bcc = addresses(e.bcc);
  out.in_reply_to = e.in_reply_to;
  out.message_id = e.message_id;
  return out;
}

proto::BodyStructure to_imap(const mime::BodyStructure& b) {
  proto::BodyStructure out;
  out.type = ascii_upper(b.type);
  out.subtype = ascii_upper(b.subtype);
  out.params = params(b.params);
  out.id = b.id;
  out.description = b.description;
  out.encoding = ascii_upper(b.encoding);
  out.size = b.size;
  out.lines = b.lines.value_or(0);
  if (b.envelope) out.envelope = to_imap(*b.envelope);
  for (const auto& child : b.children) out.parts.push_back(to_imap(child));
  out.md5 = b.md5;
  if (b.disposition)
    out.disposition = proto::Disposition{b.disposition->type, params(b.disposition->params)};
  out.language = b.language;
  out.location = b.location;
  return out;
}

std::optional<std::string> section_bytes(const mime::Message& message,
                                         const proto::Section& section) {
  std::string_view buffer = message.buffer();
  const mime::Part* part = message.find_section(section.part);
  if (!part) return std::nullopt;
  using T = proto::SectionText;
  if (section.text == T::none) {
    if (section.part.empty()) return std::string(buffer);
    return std::string(buffer.substr(part->body_start, part->body_size()));
  }
  if (section.text == T::mime) {
    if (section.part.empty()) return std::nullopt;
    return std::string(buffer.substr(part->header_start, part->header_end - part->header_start));
  }
  // HEADER / TEXT of a part path name the enclosed message of a message/rfc822 part.
  const mime::Part* msg = part;
  if (!section.part.empty()) {
    if (!part->is_message()) return std::nullopt;
    msg = &message.part(part->first_child);
  }
  if (section.text == T::text) return std::string(buffer.substr(msg->body_start, msg->body_size()));
  if (section.text == T::header)
    return std::string(buffer.substr(msg->header_start, msg->header_end - msg->header_start));
  // HEADER.FIELDS (..) / HEADER.FIELDS.NOT (..): the matching fields and the blank line.
  bool keep_listed = section.text == T::header_fields;
  std::string out;
  const auto& fields = message.fields();
  for (uint32_t i = msg->first_field; i < msg->first_field + msg->field_count; ++i) {
    const mime::HeaderField& f = fields[i];
    if (listed(f.name(buffer), section.fields) == keep_listed) out += f.raw_field(buffer);
  }
  out += "\r\n";
  return out;
}

}  // namespace postamt::imap::commands
