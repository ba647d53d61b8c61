// RFC 5322 §3.3 date-time parsing (obsolete forms of §4.3 tolerated) and formatting as
// RFC 5322 dates and IMAP INTERNALDATE (RFC 3501 §9 date-time). Pure, thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace postamt::mime {

struct DateTime {
  int64_t utc_seconds = 0;     // seconds since 1970-01-01T00:00:00Z
  int32_t offset_minutes = 0;  // the zone as written: -420 for "-0700"
  bool operator==(const DateTime&) const = default;
};

// Parses "[Day,] DD Mon YYYY HH:MM[:SS] zone" with comments and folding whitespace.
// Tolerated: 2-digit years (00-49 -> 20xx, 50-99 -> 19xx) and 3-digit years (+1900)
// (RFC 5322 §4.3), missing seconds, named zones UT/GMT/EST/EDT/CST/CDT/MST/MDT/PST/PDT,
// military letters and a missing zone (all -0000, i.e. UTC). A wrong day name is
// ignored. Returns nullopt if day, month, year or time are missing or out of range.
std::optional<DateTime> parse_date(std::string_view value);

// "Tue, 17 Jul 1996 02:44:25 -0700" for the instant at its original offset.
std::string format_rfc5322_date(const DateTime& dt);

}  // namespace postamt::mime
