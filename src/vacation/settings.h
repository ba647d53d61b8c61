// An account's vacation response (RFC 8621 §8 VacationResponse; the auto-reply of
// RFC 5230 §4-5), kept as one JSON value in the account's server-scope metadata (store
// set_metadata, mailbox nullopt) under kSettingsEntry, so that no schema change is
// needed and IMAP GETMETADATA shows it too. Whom was answered is kept beside it under
// kRepliedEntry (tracking.h).
//
// Stored form: {"isEnabled": bool, "fromDate": seconds|null, "toDate": seconds|null,
// "subject": str|null, "textBody": str|null, "htmlBody": str|null}, dates as seconds
// since 1970 UTC (the JMAP layer turns them into UTCDate strings).
//
// Threads: encode/decode and is_active are pure; load/save block (store).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "model/ids.h"
#include "store/api/store.h"

namespace postamt::vacation {

inline constexpr std::string_view kSettingsEntry = "/private/vendor/postamt/vacation";
inline constexpr std::string_view kRepliedEntry = "/private/vendor/postamt/vacation-replied";
// set_metadata's max_entries for the server scope: room for IMAP's own annotations
// (imap/session/commands/commands.h allows 100) and ours.
inline constexpr size_t kMaxServerEntries = 1000;

struct Settings {
  bool enabled = false;
  std::optional<int64_t> from_date;  // seconds since 1970 UTC
  std::optional<int64_t> to_date;
  std::optional<std::string> subject;
  std::optional<std::string> text_body;
  std::optional<std::string> html_body;
  friend bool operator==(const Settings&, const Settings&) = default;
};

// Metadata entry names compare ignoring ASCII case (store/api/store.h).
bool same_entry_name(std::string_view a, std::string_view b);

std::string encode_settings(const Settings& settings);
// nullopt when `json` is not the stored form above.
std::optional<Settings> decode_settings(std::string_view json);

// RFC 8621 §8: enabled, and now within [fromDate, toDate) (a null bound is open).
bool is_active(const Settings& settings, int64_t now);

// The account's settings; the defaults (disabled) when none are stored or the stored
// value does not decode (logged). Errors: those of list_metadata.
Result<Settings> load_settings(store::Store& store, AccountId account);

// Stores `settings` in one metadata transaction. When the response itself changes
// (subject, textBody or htmlBody differ from `previous`), the record of answered senders
// is dropped with it (RFC 5230 §4.2: a changed response is a new response). Errors:
// those of set_metadata.
Result<void> save_settings(store::Store& store, AccountId account, const Settings& settings,
                           const Settings& previous);

}  // namespace postamt::vacation
