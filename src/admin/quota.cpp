#include "admin/quota.h"

#include <fmt/format.h>

#include <boost/json.hpp>

#include "admin/quota_json.h"
#include "base/strings.h"

namespace postamt::admin {
namespace {

Error bad(std::string message) {
  return Error{ErrorKind::invalid, std::move(message)};
}

// "none" -> 0, "default" -> nullopt, else a number with an optional binary suffix.
Result<std::optional<uint64_t>> parse_value(std::string_view word, bool sizes) {
  if (iequals(word, "none")) return std::optional<uint64_t>(0);
  if (iequals(word, "default")) return std::optional<uint64_t>();
  uint64_t multiplier = 1;
  std::string_view digits = word;
  if (sizes && !digits.empty()) {
    switch (ascii_upper(std::string(1, digits.back()))[0]) {
      case 'K':
        multiplier = 1ull << 10;
        break;
      case 'M':
        multiplier = 1ull << 20;
        break;
      case 'G':
        multiplier = 1ull << 30;
        break;
      case 'T':
        multiplier = 1ull << 40;
        break;
      default:
        break;
    }
    if (multiplier != 1) digits.remove_suffix(1);
  }
  uint64_t n = 0;
  if (digits.empty() || digits.size() > 15) return bad(fmt::format("\"{}\" is not a quota", word));
  for (char c : digits) {
    if (c < '0' || c > '9') return bad(fmt::format("\"{}\" is not a quota", word));
    n = n * 10 + static_cast<uint64_t>(c - '0');
  }
  return std::optional<uint64_t>(n * multiplier);
}

std::string limit_text(uint64_t limit) {
  return limit == 0 ? "none" : std::to_string(limit);
}

}  // namespace

Result<std::string> user_quota_set(store::Store& store, std::string_view address,
                                   const std::vector<std::string>& words) {
  auto account = store.find_account(address);
  POSTAMT_TRY(account);
  if (words.empty() || words.size() % 2 != 0)
    return bad("expected RESOURCE VALUE pairs: storage SIZE|none|default, messages N|none|default");
  auto state = store.quota(account->id);
  POSTAMT_TRY(state);
  store::QuotaSetting setting = state->setting;
  for (size_t i = 0; i < words.size(); i += 2) {
    const bool storage = iequals(words[i], "storage");
    if (!storage && !iequals(words[i], "messages"))
      return bad(fmt::format("unknown quota resource \"{}\" (storage or messages)", words[i]));
    auto value = parse_value(words[i + 1], storage);
    POSTAMT_TRY(value);
    (storage ? setting.storage : setting.messages) = *value;
  }
  POSTAMT_TRY(store.set_quota(address, setting));
  return std::string();
}

boost::json::value quota_json(const store::QuotaState& state) {
  auto resource = [](uint64_t used, uint64_t limit, bool own) {
    boost::json::object o{{"used", used}, {"own", own}};
    if (limit == 0)
      o["limit"] = nullptr;
    else
      o["limit"] = limit;
    return o;
  };
  return boost::json::object{{"storage", resource(state.used.storage, state.limits.storage,
                                                  state.setting.storage.has_value())},
                             {"messages", resource(state.used.messages, state.limits.messages,
                                                   state.setting.messages.has_value())}};
}

Result<std::string> user_quota_show(store::Store& store, std::string_view address, Format format) {
  auto account = store.find_account(address);
  POSTAMT_TRY(account);
  auto state = store.quota(account->id);
  POSTAMT_TRY(state);
  if (format == Format::json) return boost::json::serialize(quota_json(*state)) + "\n";
  auto whose = [](bool own) { return own ? "own" : "default"; };
  return fmt::format("storage {} of {} octets ({})\nmessages {} of {} ({})\n", state->used.storage,
                     limit_text(state->limits.storage), whose(state->setting.storage.has_value()),
                     state->used.messages, limit_text(state->limits.messages),
                     whose(state->setting.messages.has_value()));
}

}  // namespace postamt::admin
