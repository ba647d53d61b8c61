// The data IMAP needs for ENVELOPE and BODYSTRUCTURE (RFC 3501 §7.4.2, RFC 9051 §7.5.2),
// computed from a parsed message as plain values. The IMAP codec turns these into wire
// text (NIL for absent values, quoting, literals); nothing here is wire syntax.
// Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mime/address.h"
#include "mime/message.h"

namespace postamt::mime {

// Values are unfolded but not decoded: RFC 3501 sends them as written (encoded words
// included), clients decode. Absent fields are nullopt / empty lists (NIL).
struct Envelope {
  std::optional<std::string> date;
  std::optional<std::string> subject;
  std::vector<Address> from;
  std::vector<Address> sender;    // defaults to from (RFC 3501 §7.4.2)
  std::vector<Address> reply_to;  // defaults to from
  std::vector<Address> to;
  std::vector<Address> cc;
  std::vector<Address> bcc;
  std::optional<std::string> in_reply_to;
  std::optional<std::string> message_id;

  bool operator==(const Envelope&) const = default;
};

// `message` is the root or the enclosed message (child) of a message/rfc822 part.
// Address display names are kept raw (NameDecoding::raw).
Envelope envelope(const Message& msg, const Part& message);

// The header fields ENVELOPE reads (RFC 3501 §7.4.2), lowercase.
inline constexpr std::string_view kEnvelopeFields[] = {"date",        "subject",   "from", "sender",
                                                       "reply-to",    "to",        "cc",   "bcc",
                                                       "in-reply-to", "message-id"};
bool is_envelope_field(std::string_view name);  // ignoring ASCII case

// The top-level fields of `message` named in kEnvelopeFields, raw and in their order,
// each ending in a line end: a small header block that stores keep beside the message
// so that ENVELOPE and searches of these fields need not read the message.
// envelope_of_header(envelope_header_lines(m)) == envelope(parse(m), root) for every m.
std::string envelope_header_lines(const Message& msg);

// What a store keeps for a message being stored: envelope_header_lines of its root
// header, or nullopt when they exceed kMaxStoredEnvelopeHeader bytes (huge address
// lists) or the header hit a MimeLimits limit; such messages are read from the file.
inline constexpr size_t kMaxStoredEnvelopeHeader = 16 * 1024;
std::optional<std::string> envelope_header_to_store(std::string_view message);

// ENVELOPE of a bare header block, such as envelope_header_lines made.
Envelope envelope_of_header(std::string_view header_block);

struct BodyStructure {
  std::string type;     // lowercased; the codec may upper-case
  std::string subtype;  // lowercased
  std::vector<Parameter> params;
  std::optional<std::string> id;
  std::optional<std::string> description;
  std::string encoding;              // as written, lowercased; "7bit" when the field is absent
  uint64_t size = 0;                 // body octets as stored
  uint64_t size_crlf = 0;            // body octets with every bare LF sent as CRLF
  std::optional<uint64_t> lines;     // text/* and message/rfc822 only
  std::optional<Envelope> envelope;  // message/rfc822 only
  // multipart: the parts (may be empty for a multipart without any boundary line);
  // message/rfc822: exactly one, the enclosed message's body.
  std::vector<BodyStructure> children;
  std::optional<std::string> md5;
  std::optional<Disposition> disposition;
  std::vector<std::string> language;
  std::optional<std::string> location;
};

// The structure of `part` and everything below it. Recursion depth is bounded by the
// depth limit the message was parsed with.
BodyStructure body_structure(const Message& msg, const Part& part);

}  // namespace postamt::mime
