#include "webmail/settings.h"

#include <boost/json/parse.hpp>

#include <algorithm>

namespace postamt::webmail {

namespace json = boost::json;

namespace {

constexpr std::string_view kLanguage = "language";
constexpr std::string_view kReceiptChoice = "receipt_choice";

std::string_view to_string(ReceiptChoice c) {
  switch (c) {
    case ReceiptChoice::ask:
      return "ask";
    case ReceiptChoice::always:
      return "always";
    case ReceiptChoice::never:
      return "never";
  }
  return "ask";
}

std::optional<ReceiptChoice> parse_choice(std::string_view text) {
  for (ReceiptChoice c : {ReceiptChoice::ask, ReceiptChoice::always, ReceiptChoice::never})
    if (to_string(c) == text) return c;
  return std::nullopt;
}

bool known_language(std::string_view text) {
  return std::find(std::begin(kLanguages), std::end(kLanguages), text) != std::end(kLanguages);
}

Error invalid(std::string message) {
  return Error{ErrorKind::invalid, std::move(message)};
}

}  // namespace

Settings settings_from(const std::vector<store::WebSetting>& rows) {
  Settings s;
  for (const store::WebSetting& row : rows) {
    if (row.name == kLanguage && known_language(row.value)) s.language = row.value;
    if (row.name == kReceiptChoice)
      if (auto c = parse_choice(row.value)) s.receipt_choice = *c;
  }
  return s;
}

json::object settings_json(const Settings& settings, const mdn::Policy& policy) {
  bool locked = policy.on_download != ReceiptOnDownload::off;
  json::object receipts{{"choice", to_string(settings.receipt_choice)},
                        {"locked", locked},
                        {"lockedBy", nullptr},
                        {"lockedReason", nullptr},
                        {"serverOnDownload", mdn::to_string(policy.on_download)},
                        {"onePerRecipient", policy.one_per_recipient}};
  if (locked) {
    receipts["lockedBy"] = mdn::to_string(policy.on_download_from);
    receipts["lockedReason"] =
        "The server sends a read receipt itself when a message is first downloaded, so "
        "the webmail never asks.";
  }
  json::object out{{"language", nullptr}, {"receipts", std::move(receipts)}};
  if (settings.language) out["language"] = *settings.language;
  return out;
}

Result<std::vector<store::WebSetting>> parse_settings_update(std::string_view body) {
  json::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec || !v.is_object()) return invalid("the body must be a JSON object");
  std::vector<store::WebSetting> rows;
  for (const auto& [key, value] : v.as_object()) {
    if (key == "language") {
      if (value.is_null()) {
        rows.push_back({std::string(kLanguage), ""});
      } else if (value.is_string() && known_language(value.as_string())) {
        rows.push_back({std::string(kLanguage), std::string(value.as_string())});
      } else {
        return invalid("language must be \"en\", \"de\" or null");
      }
    } else if (key == "receiptChoice") {
      if (!value.is_string() || !parse_choice(value.as_string()))
        return invalid("receiptChoice must be \"ask\", \"always\" or \"never\"");
      rows.push_back({std::string(kReceiptChoice), std::string(value.as_string())});
    } else {
      return invalid("unknown setting \"" + std::string(key) + "\"");
    }
  }
  return rows;
}

}  // namespace postamt::webmail
