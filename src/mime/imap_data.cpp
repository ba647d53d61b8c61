#include "mime/imap_data.h"

namespace postamt::mime {
namespace {

std::optional<std::string> non_empty(const std::string& s) {
  if (s.empty()) return std::nullopt;
  return s;
}

std::vector<Address> addresses(const HeaderView& h, std::string_view name) {
  const HeaderField* f = h.find_first(name);
  if (!f) return {};
  return parse_address_list(f->raw_value(h.buffer()), NameDecoding::raw);
}

}  // namespace

Envelope envelope(const Message& msg, const Part& message) {
  HeaderView h = msg.header(message);
  Envelope e;
  e.date = h.value("date");
  e.subject = h.value("subject");
  e.from = addresses(h, "from");
  e.sender = addresses(h, "sender");
  e.reply_to = addresses(h, "reply-to");
  e.to = addresses(h, "to");
  e.cc = addresses(h, "cc");
  e.bcc = addresses(h, "bcc");
  e.in_reply_to = h.value("in-reply-to");
  e.message_id = h.value("message-id");
  // RFC 3501 §7.4.2: the server defaults sender and reply-to to from.
  if (e.sender.empty()) e.sender = e.from;
  if (e.reply_to.empty()) e.reply_to = e.from;
  return e;
}

BodyStructure body_structure(const Message& msg, const Part& part) {
  BodyStructure b;
  b.type = part.content_type.type;
  b.subtype = part.content_type.subtype;
  b.params = part.content_type.params;
  b.id = non_empty(part.content_id);
  b.description = non_empty(part.content_description);
  b.encoding = part.encoding_name.empty() ? "7bit" : part.encoding_name;
  b.size = part.body_size();
  b.size_crlf = part.body_size() + part.body_bare_lf;
  b.md5 = non_empty(part.content_md5);
  b.disposition = part.disposition;
  b.language = part.content_language;
  b.location = non_empty(part.content_location);
  if (part.is_multipart()) {
    for (uint32_t c : msg.children(part)) b.children.push_back(body_structure(msg, msg.part(c)));
  } else if (part.is_message()) {
    const Part& inner = msg.part(part.first_child);
    b.envelope = envelope(msg, inner);
    b.children.push_back(body_structure(msg, inner));
    b.lines = part.body_lines;
  } else if (b.type == "text") {
    b.lines = part.body_lines;
  }
  return b;
}

}  // namespace postamt::mime
