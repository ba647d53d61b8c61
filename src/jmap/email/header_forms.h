// The parsed forms of header fields (RFC 8621 §4.1.2) and "header:{name}[:as{form}][:all]"
// property names (§4.1.3), shared by Email/get, Email/parse and Email/set create.
//
// Threads: pure functions, any thread.
#pragma once

#include <boost/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "mime/header.h"
#include "mime/message.h"

namespace postamt::jmap {

namespace json = boost::json;

struct HeaderProperty {
  enum class Form { raw, text, addresses, grouped_addresses, message_ids, date, urls };
  std::string name;  // the field name as requested (matched case-insensitively)
  Form form = Form::raw;
  bool all = false;
  std::string property;  // the property name exactly as requested, the key of the answer
};

// Parses "header:{name}[:as{Form}][:all]": name is 1+ printable ASCII (33-126) without
// ':'; the form names are case-sensitive as §4.1.3 spells them. nullopt when malformed,
// and when the form is forbidden for that field (§4.1.2: e.g. "header:Subject:asDate").
std::optional<HeaderProperty> parse_header_property(std::string_view property);

// Whether §4.1.2 allows `form` on the field `name` (case-insensitive).
bool form_allowed(std::string_view name, HeaderProperty::Form form);

// One field value (the raw bytes after the colon, folding included) in a parsed form:
//   raw        the bytes as a string, invalid UTF-8 as U+FFFD, NUL dropped (§4.1.2.1)
//   text       unfolded, RFC 2047 decoded, leading spaces trimmed, NFC (§4.1.2.2)
//   addresses  [{name|null, email}] (§4.1.2.3); grouped_addresses [{name|null,
//              addresses}] (§4.1.2.4)
//   message_ids  ids without "<>", null when there is none (§4.1.2.5)
//   date       RFC 3339 with the field's own offset ("Z" for +0000), null when
//              unparsable (§4.1.2.6)
//   urls       the <...> items of RFC 2369 without brackets or whitespace, null when
//              there is none (§4.1.2.7)
json::value header_value(std::string_view raw_value, HeaderProperty::Form form);

// The value of a header property on one header block: the last instance, or null when
// there is none; with :all an array of every instance in order (§4.1.3).
json::value header_property_value(const mime::HeaderView& header, const HeaderProperty& property);

// "headers": [{name, value (Raw)}] of every field in order (§4.1.3).
json::array raw_headers(const mime::HeaderView& header);

// Text as §4.1.2.1 wants it: invalid UTF-8 runs become U+FFFD and NUL octets go.
std::string sanitize_utf8(std::string_view bytes);

// "2014-10-30T06:12:00+01:00" from seconds since the epoch and an offset in minutes;
// "Z" when the offset is 0.
std::string format_rfc3339(int64_t utc_seconds, int32_t offset_minutes);

// Parses an RFC 3339 date-time (RFC 8620 §1.4 Date: "T" and "Z" upper case, fraction
// allowed and ignored). nullopt when malformed.
struct ParsedDate {
  int64_t utc_seconds = 0;
  int32_t offset_minutes = 0;
};
std::optional<ParsedDate> parse_rfc3339(std::string_view text);

}  // namespace postamt::jmap
