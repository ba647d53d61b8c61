// Plain value types shared by IMAP commands and responses: dates, body sections,
// status items. Pure data, no behaviour beyond comparison.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace postamt::imap::proto {

// A calendar date as used by SEARCH (RFC 9051 §9 "date").
struct Date {
  int year = 0;
  int month = 0;  // 1..12
  int day = 0;    // 1..31
  friend bool operator==(const Date&, const Date&) = default;
};

// RFC 9051 §9 "date-time": APPEND's internal date and FETCH INTERNALDATE.
struct DateTime {
  Date date;
  int hour = 0;
  int minute = 0;
  int second = 0;
  int zone_minutes = 0;  // east of UTC, e.g. -0700 -> -420
  friend bool operator==(const DateTime&, const DateTime&) = default;
};

// RFC 9051 §6.3.11 STATUS items, plus RECENT (RFC 3501) and HIGHESTMODSEQ (RFC 7162
// §3.1.4). APPENDLIMIT and MAILBOXID are not supported.
enum class StatusItem {
  messages,
  recent,
  uid_next,
  uid_validity,
  unseen,
  deleted,
  size,
  highest_mod_seq,
  append_limit,     // RFC 7889 §3.1
  mailbox_id,       // RFC 8474 §4.3
  deleted_storage,  // RFC 9208 §4.1.4
};

// RFC 9051 §9 "section-text" / "section-msgtext".
enum class SectionText { none, header, header_fields, header_fields_not, text, mime };

// BODY[<section>]: a part path (1.2.3, empty for the whole message) and a text
// specifier. `fields` holds the HEADER.FIELDS list as the client spelled it.
struct Section {
  std::vector<uint32_t> part;
  SectionText text = SectionText::none;
  std::vector<std::string> fields;
  friend bool operator==(const Section&, const Section&) = default;
};

// "<offset.length>" of a partial fetch (RFC 9051 §6.4.5).
struct Partial {
  uint64_t offset = 0;
  uint64_t length = 0;
  friend bool operator==(const Partial&, const Partial&) = default;
};

// The wire label of a section, e.g. "1.2.HEADER.FIELDS (From To)" (without brackets).
// Used when echoing BODY[...] in FETCH responses (RFC 9051 §7.5.2).
std::string section_label(const Section& section);

}  // namespace postamt::imap::proto
