#include "jmap/engine/vacation_json.h"

#include <fmt/format.h>

#include "base/log.h"
#include "jmap/engine/arguments.h"
#include "jmap/proto/arguments.h"

namespace postamt::jmap {
namespace {

json::value date_json(const std::optional<int64_t>& seconds) {
  return seconds ? json::value(format_utc_date(*seconds)) : json::value(nullptr);
}

json::value text_json(const std::optional<std::string>& text) {
  return text ? json::value(*text) : json::value(nullptr);
}

// FNV-1a, 64 bits: a state only has to differ when the settings do.
uint64_t digest(std::string_view bytes) {
  uint64_t h = 1469598103934665603ull;
  for (char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return h;
}

}  // namespace

json::object vacation_json(const vacation::Settings& s) {
  return {{"id", kVacationId},
          {"isEnabled", s.enabled},
          {"fromDate", date_json(s.from_date)},
          {"toDate", date_json(s.to_date)},
          {"subject", text_json(s.subject)},
          {"textBody", text_json(s.text_body)},
          {"htmlBody", text_json(s.html_body)}};
}

std::optional<SetError> vacation_from_json(const json::object& object, vacation::Settings& out) {
  std::vector<std::string> bad;
  vacation::Settings s;
  for (const auto& [key, value] : object) {
    if (key == "id") {
      if (!value.is_string() || value.get_string() != kVacationId) bad.emplace_back(key);
    } else if (key == "isEnabled") {
      if (value.is_bool())
        s.enabled = value.get_bool();
      else
        bad.emplace_back(key);
    } else if (key == "fromDate" || key == "toDate") {
      std::optional<int64_t>& date = key == "fromDate" ? s.from_date : s.to_date;
      if (value.is_null()) continue;
      auto parsed = value.is_string() ? parse_utc_date(value.get_string()) : std::nullopt;
      if (parsed)
        date = *parsed;
      else
        bad.emplace_back(key);
    } else if (key == "subject" || key == "textBody" || key == "htmlBody") {
      std::optional<std::string>& text = key == "subject"    ? s.subject
                                         : key == "textBody" ? s.text_body
                                                             : s.html_body;
      if (value.is_null()) continue;
      if (value.is_string())
        text = std::string(value.get_string());
      else
        bad.emplace_back(key);
    } else {
      bad.emplace_back(key);
    }
  }
  if (!bad.empty()) return invalid_properties(std::move(bad));
  out = std::move(s);
  return std::nullopt;
}

std::string vacation_state(const vacation::Settings& settings) {
  return fmt::format("v{:016x}", digest(vacation::encode_settings(settings)));
}

vacation::Settings load_vacation(CallContext& context) {
  auto settings = vacation::load_settings(context.store(), context.account().id);
  if (!settings) {
    log::warning("jmap", "cannot read the vacation response of <{}>: {}", context.account().address,
                 settings.error().message);
    fail_store(settings.error(), "the vacation response could not be read");
  }
  return *settings;
}

void save_vacation(CallContext& context, const vacation::Settings& settings,
                   const vacation::Settings& previous) {
  auto saved = vacation::save_settings(context.store(), context.account().id, settings, previous);
  if (!saved) {
    log::warning("jmap", "cannot store the vacation response of <{}>: {}",
                 context.account().address, saved.error().message);
    fail_store(saved.error(), "the vacation response could not be stored");
  }
}

}  // namespace postamt::jmap
