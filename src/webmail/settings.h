// The webmail settings of a user (docs/protocols/webmail.md, Settings) as JSON: what GET
// /webmail/settings answers and what PUT /webmail/settings may change. Stored per user
// in the store (web_setting), so every device of the user sees the same choice. Pure
// functions, no I/O.
#pragma once

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "mdn/policy.h"
#include "store/api/web_sessions.h"

namespace postamt::webmail {

// What the webmail does when the user opens a message that asks for a read receipt.
enum class ReceiptChoice { ask, always, never };

// The languages the webmail has dictionaries for.
inline constexpr std::string_view kLanguages[] = {"en", "de"};

struct Settings {
  std::optional<std::string> language;  // nullopt: follow the browser
  ReceiptChoice receipt_choice = ReceiptChoice::ask;
};

// From the stored rows; names or values it does not know are ignored (a stored row can
// never make the webmail misbehave).
Settings settings_from(const std::vector<store::WebSetting>& rows);

// {"language": "de"|null,
//  "receipts": {"choice": "ask"|"always"|"never", "locked": bool,
//               "lockedBy": "server"|"domain"|"user"|null, "lockedReason": text|null,
//               "serverOnDownload": "off"|"dispatched"|"displayed",
//               "onePerRecipient": bool}}
// `policy` is the user's effective receipt policy (mdn/policy.h). The choice is locked
// when the server sends a receipt itself on the first download: the webmail's first read
// of the message is such a download, so the receipt has gone before any prompt.
boost::json::object settings_json(const Settings& settings, const mdn::Policy& policy);

// The rows a PUT body changes: {"language": "en"|"de"|null, "receiptChoice":
// "ask"|"always"|"never"}, both optional; null language removes it. invalid (message
// for the page) for a body that is not such an object, an unknown member or value.
Result<std::vector<store::WebSetting>> parse_settings_update(std::string_view body);

}  // namespace postamt::webmail
