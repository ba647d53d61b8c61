#include "vacation/tracking.h"

#include <boost/json.hpp>

#include <algorithm>
#include <vector>

#include "vacation/settings.h"

namespace postamt::vacation {
namespace {

namespace json = boost::json;

}  // namespace

Replied Replied::decode(std::string_view text) {
  Replied r;
  json::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return r;
  for (const auto& [key, value] : v.get_object())
    if (value.is_int64()) r.senders_[std::string(key)] = value.get_int64();
  return r;
}

std::string Replied::encode() const {
  json::object o;
  for (const auto& [key, at] : senders_) o[key] = at;
  return json::serialize(o);
}

bool Replied::answered_recently(const std::string& sender_key, int64_t now) const {
  auto it = senders_.find(sender_key);
  return it != senders_.end() && now - it->second < kReplyPeriod.count() && it->second <= now;
}

void Replied::remember(const std::string& sender_key, int64_t now) {
  senders_[sender_key] = now;
  std::erase_if(senders_, [now](const auto& e) { return now - e.second >= kReplyPeriod.count(); });
  if (senders_.size() <= kMaxRemembered) return;
  std::vector<std::pair<int64_t, std::string>> by_age;
  for (const auto& [key, at] : senders_) by_age.emplace_back(at, key);
  std::sort(by_age.begin(), by_age.end());
  for (size_t i = 0; i < by_age.size() - kMaxRemembered; ++i) senders_.erase(by_age[i].second);
}

Result<Replied> load_replied(store::Store& store, AccountId account) {
  auto entries = store.list_metadata(account, std::nullopt);
  if (!entries) return entries.error();
  for (const store::MetadataEntry& e : *entries)
    if (same_entry_name(e.name, kRepliedEntry)) return Replied::decode(e.value);
  return Replied{};
}

Result<void> save_replied(store::Store& store, AccountId account, const Replied& replied) {
  return store.set_metadata(account, std::nullopt,
                            {store::MetadataChange{std::string(kRepliedEntry), replied.encode()}},
                            kMaxServerEntries);
}

}  // namespace postamt::vacation
