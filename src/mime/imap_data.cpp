#include "mime/imap_data.h"

#include <algorithm>

#include "base/strings.h"

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

namespace {

Envelope envelope_of(const HeaderView& h) {
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

}  // namespace

Envelope envelope(const Message& msg, const Part& message) {
  return envelope_of(msg.header(message));
}

bool is_envelope_field(std::string_view name) {
  for (std::string_view field : kEnvelopeFields)
    if (iequals(field, name)) return true;
  return false;
}

std::string envelope_header_lines(const Message& msg) {
  HeaderView h = msg.header(msg.root());
  std::string out;
  for (const HeaderField& f : h.fields()) {
    if (!is_envelope_field(f.name(h.buffer()))) continue;
    out += f.raw_field(h.buffer());
    // The message's last field may end without a line end; here another may follow.
    if (out.back() != '\n') out += "\r\n";
  }
  return out;
}

std::optional<std::string> envelope_header_to_store(std::string_view message) {
  // Only the root header matters: the parts below it are not parsed.
  MimeLimits limits;
  limits.max_depth = 0;
  // Nor is the body read: a header within the byte limit ends inside the first
  // max_header_bytes + 1 octets, and one over it still trips the limit there. Parsing the
  // whole message would touch every page of a mapped blob just to count its lines.
  message = message.substr(0, std::min(message.size(), limits.max_header_bytes + 1));
  Message parsed = parse(message, limits);
  // A header cut short by a limit would hold fewer fields than a search of the file
  // sees (SEARCH scans the file's header without limits): keep no lines then.
  if (has(parsed.limits_hit(), LimitHit::header_bytes) ||
      has(parsed.limits_hit(), LimitHit::header_fields))
    return std::nullopt;
  std::string lines = envelope_header_lines(parsed);
  if (lines.size() > kMaxStoredEnvelopeHeader) return std::nullopt;
  return lines;
}

Envelope envelope_of_header(std::string_view header_block) {
  std::vector<HeaderField> fields = scan_header_block(header_block);
  return envelope_of(HeaderView(header_block, fields));
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
