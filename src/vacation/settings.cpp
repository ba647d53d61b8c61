#include "vacation/settings.h"

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>

#include "base/log.h"

namespace postamt::vacation {
namespace {

namespace json = boost::json;

json::value optional_int(const std::optional<int64_t>& v) {
  return v ? json::value(*v) : json::value(nullptr);
}

json::value optional_string(const std::optional<std::string>& v) {
  return v ? json::value(*v) : json::value(nullptr);
}

// false when present with a wrong type.
bool read_int(const json::object& o, std::string_view name, std::optional<int64_t>& out) {
  auto it = o.find(name);
  if (it == o.end() || it->value().is_null()) return true;
  if (!it->value().is_int64()) return false;
  out = it->value().get_int64();
  return true;
}

bool read_string(const json::object& o, std::string_view name, std::optional<std::string>& out) {
  auto it = o.find(name);
  if (it == o.end() || it->value().is_null()) return true;
  if (!it->value().is_string()) return false;
  out = std::string(it->value().get_string());
  return true;
}

}  // namespace

bool same_entry_name(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string encode_settings(const Settings& s) {
  json::object o{{"isEnabled", s.enabled},
                 {"fromDate", optional_int(s.from_date)},
                 {"toDate", optional_int(s.to_date)},
                 {"subject", optional_string(s.subject)},
                 {"textBody", optional_string(s.text_body)},
                 {"htmlBody", optional_string(s.html_body)}};
  return json::serialize(o);
}

std::optional<Settings> decode_settings(std::string_view text) {
  json::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const json::object& o = v.get_object();
  Settings s;
  auto enabled = o.find("isEnabled");
  if (enabled == o.end() || !enabled->value().is_bool()) return std::nullopt;
  s.enabled = enabled->value().get_bool();
  if (!read_int(o, "fromDate", s.from_date) || !read_int(o, "toDate", s.to_date) ||
      !read_string(o, "subject", s.subject) || !read_string(o, "textBody", s.text_body) ||
      !read_string(o, "htmlBody", s.html_body))
    return std::nullopt;
  return s;
}

bool is_active(const Settings& s, int64_t now) {
  if (!s.enabled) return false;
  if (s.from_date && now < *s.from_date) return false;
  if (s.to_date && now >= *s.to_date) return false;
  return true;
}

Result<Settings> load_settings(store::Store& store, AccountId account) {
  auto entries = store.list_metadata(account, std::nullopt);
  if (!entries) return entries.error();
  for (const store::MetadataEntry& e : *entries) {
    if (!same_entry_name(e.name, kSettingsEntry)) continue;
    if (auto s = decode_settings(e.value)) return *s;
    log::warning("vacation", "account={} stored vacation settings do not decode; ignored",
                 account.value());
    break;
  }
  return Settings{};
}

Result<void> save_settings(store::Store& store, AccountId account, const Settings& settings,
                           const Settings& previous) {
  std::vector<store::MetadataChange> changes;
  changes.push_back({std::string(kSettingsEntry), encode_settings(settings)});
  if (settings.subject != previous.subject || settings.text_body != previous.text_body ||
      settings.html_body != previous.html_body)
    changes.push_back({std::string(kRepliedEntry), std::nullopt});
  return store.set_metadata(account, std::nullopt, changes, kMaxServerEntries);
}

}  // namespace postamt::vacation
