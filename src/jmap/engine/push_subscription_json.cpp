#include "jmap/engine/push_subscription_json.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <charconv>

#include "jmap/proto/arguments.h"

namespace postamt::jmap {

std::string push_subscription_id(uint64_t id) {
  return "P" + std::to_string(id);
}

std::optional<uint64_t> parse_push_subscription_id(std::string_view id) {
  if (id.size() < 2 || id[0] != 'P' || id[1] == '0') return std::nullopt;
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(id.data() + 1, id.data() + id.size(), value);
  if (ec != std::errc() || end != id.data() + id.size()) return std::nullopt;
  return value;
}

json::object push_subscription_json(const store::PushSubscription& subscription,
                                    const GetArguments& get) {
  json::object out{{"id", push_subscription_id(subscription.id)}};
  if (wants(get, "deviceClientId")) out["deviceClientId"] = subscription.device_client_id;
  if (wants(get, "verificationCode"))
    out["verificationCode"] =
        subscription.verified ? json::value(subscription.verification_code) : json::value(nullptr);
  if (wants(get, "expires"))
    out["expires"] = subscription.expires ? json::value(format_utc_date(*subscription.expires))
                                          : json::value(nullptr);
  if (wants(get, "types")) out["types"] = types_json(subscription.types);
  return out;
}

TypesValue read_types(const json::value& value) {
  if (value.is_null()) return {};
  if (!value.is_array()) return {std::nullopt, "types must be null or a list of type names"};
  for (const json::value& v : value.get_array()) {
    bool ok = v.is_string() && !v.get_string().empty() && v.get_string().size() <= 255;
    if (ok)
      for (char c : v.get_string())
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
          ok = false;
    if (!ok) return {std::nullopt, "types must be null or a list of type names"};
  }
  return {json::serialize(value), ""};
}

std::optional<std::vector<std::string>> stored_types(const std::optional<std::string>& stored) {
  if (!stored) return std::nullopt;
  boost::system::error_code ec;
  json::value v = json::parse(*stored, ec);
  if (ec || !v.is_array()) return std::nullopt;
  std::vector<std::string> out;
  for (const json::value& t : v.get_array())
    if (t.is_string()) out.emplace_back(t.get_string());
  return out;
}

json::value types_json(const std::optional<std::string>& stored) {
  auto names = stored_types(stored);
  if (!names) return nullptr;
  json::array list;
  for (std::string& n : *names) list.emplace_back(std::move(n));
  return list;
}

std::optional<int64_t> bounded_expiry(std::optional<int64_t> asked, int64_t now,
                                      const Credential& credential,
                                      std::chrono::seconds max_expiry) {
  if (credential.kind == CredentialKind::session) return asked;
  const int64_t latest = now + max_expiry.count();
  if (!asked || *asked > latest) return latest;
  return asked;
}

}  // namespace postamt::jmap
