#include <chrono>

#include "auth/random.h"
#include "base/log.h"
#include "http/url.h"
#include "http/web_push.h"
#include "jmap/engine/arguments.h"
#include "jmap/engine/methods/methods.h"
#include "jmap/engine/push_sender.h"
#include "jmap/engine/push_subscription_json.h"
#include "jmap/engine/set_response.h"
#include "jmap/proto/arguments.h"

namespace postamt::jmap::methods {
namespace {

// RFC 8620 §7.2.2 "sufficient entropy": 128 bits.
constexpr size_t kVerificationCodeOctets = 16;

int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Equality that takes as long whichever octet differs (a code is a secret).
bool same_code(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

json::value keys_json(const std::optional<store::PushKeys>& keys) {
  if (!keys) return nullptr;
  return json::object{{"p256dh", keys->p256dh}, {"auth", keys->auth}};
}

// One property's problem: a SetError invalidProperties naming it.
struct Invalid {
  std::string property;
  std::string description;
};

json::object invalid_json(const Invalid& bad) {
  if (bad.property.empty()) return set_error_json("invalidProperties", bad.description);
  return set_error_json("invalidProperties", bad.description, {bad.property});
}

// `expires` of a create or update: null, or a UTCDate not in the past.
std::optional<Invalid> read_expires(const json::value& value, int64_t now,
                                    std::optional<int64_t>& out) {
  out.reset();
  if (value.is_null()) return std::nullopt;
  auto when = value.is_string() ? parse_utc_date(value.get_string()) : std::nullopt;
  if (!when) return Invalid{"expires", "expires must be null or a UTCDate"};
  if (*when <= now) return Invalid{"expires", "expires is in the past"};
  out = *when;
  return std::nullopt;
}

struct NewSubscription {
  store::NewPushSubscription record;
  std::optional<Invalid> invalid;
};

NewSubscription read_create(CallContext& context, const json::value& value, int64_t now) {
  NewSubscription out;
  auto bad = [&](std::string property, std::string description) {
    out.invalid = Invalid{std::move(property), std::move(description)};
    return out;
  };
  if (!value.is_object()) return bad("", "expected a PushSubscription object");
  const json::object& object = value.get_object();
  const Limits& limits = context.services().limits;
  store::NewPushSubscription& r = out.record;
  r.account = context.account().id;
  r.credential = context.credential();
  r.created = now;
  std::optional<int64_t> asked_expiry;
  bool has_device = false, has_url = false;
  for (const auto& [key, v] : object) {
    if (key == "deviceClientId") {
      if (!v.is_string() || v.get_string().empty() || v.get_string().size() > 255)
        return bad("deviceClientId", "deviceClientId must be a string of 1-255 octets");
      r.device_client_id = v.get_string();
      has_device = true;
    } else if (key == "url") {
      if (!v.is_string()) return bad("url", "url must be a string");
      auto url = http::parse_https_url(v.get_string(), limits.push_max_url_length);
      if (!url) return bad("url", url.error().message);
      // RFC 8620 §8.6: an address literal is checked at once; names when they resolve.
      if (url->host_is_address)
        if (auto allowed = http::check_destination(url->host, limits.push_addresses); !allowed)
          return bad("url", allowed.error().message);
      r.url = v.get_string();
      has_url = true;
    } else if (key == "keys") {
      if (v.is_null()) continue;
      const json::object* keys = v.if_object();
      const json::value* p256dh = keys ? keys->if_contains("p256dh") : nullptr;
      const json::value* auth = keys ? keys->if_contains("auth") : nullptr;
      if (!keys || keys->size() != 2 || !p256dh || !auth || !p256dh->is_string() ||
          !auth->is_string())
        return bad("keys", "keys must be null or an object with the strings p256dh and auth");
      auto parsed = http::parse_web_push_keys(p256dh->get_string(), auth->get_string());
      if (!parsed) return bad("keys", parsed.error().message);
      r.keys = store::PushKeys{std::string(p256dh->get_string()), std::string(auth->get_string())};
    } else if (key == "verificationCode") {
      if (!v.is_null())
        return bad("verificationCode", "verificationCode must be null when creating (§7.2)");
    } else if (key == "expires") {
      if (auto invalid = read_expires(v, now, asked_expiry))
        return bad("expires", invalid->description);
    } else if (key == "types") {
      TypesValue types = read_types(v);
      if (!types.error.empty()) return bad("types", types.error);
      r.types = std::move(types.stored);
    } else {
      return bad(std::string(key), "not a property a client may set");
    }
  }
  if (!has_device) return bad("deviceClientId", "deviceClientId is required");
  if (!has_url) return bad("url", "url is required");
  r.expires = bounded_expiry(asked_expiry, now, r.credential, limits.push_max_expiry);
  r.verification_code = auth::random_hex(kVerificationCodeOctets);
  return out;
}

const store::PushSubscription* find(const std::vector<store::PushSubscription>& list, uint64_t id) {
  for (const store::PushSubscription& s : list)
    if (s.id == id) return &s;
  return nullptr;
}

std::vector<store::PushSubscription> load(CallContext& context) {
  auto list = context.store().list_push_subscriptions(context.account().id, context.credential());
  if (!list) {
    log::warning("jmap", "cannot read the push subscriptions of <{}>: {}",
                 context.account().address, list.error().message);
    fail_store(list.error(), "the push subscriptions could not be read");
  }
  return std::move(*list);
}

[[noreturn]] void store_failed(CallContext& context, const Error& error) {
  log::warning("jmap", "cannot write the push subscriptions of <{}>: {}", context.account().address,
               error.message);
  fail_store(error, "the push subscriptions could not be written");
}

// The patch of one update: what it changes, or why it is refused.
struct Update {
  store::PushSubscriptionUpdate change;
  bool verifies = false;  // the right code, on a subscription not verified yet
  std::optional<Invalid> invalid;
};

Update read_update(CallContext& context, const store::PushSubscription& current,
                   const json::object& patch, int64_t now) {
  Update out;
  auto bad = [&](std::string property, std::string description) {
    out.invalid = Invalid{std::move(property), std::move(description)};
    return out;
  };
  for (const auto& [key, v] : patch) {
    if (key == "verificationCode") {
      // RFC 8620 §7.2.2: a wrong code MUST be rejected with invalidProperties.
      if (!v.is_string() || !same_code(v.get_string(), current.verification_code))
        return bad("verificationCode", "this is not the verification code");
      if (!current.verified) {
        out.change.verified = true;
        out.verifies = true;
      }
    } else if (key == "expires") {
      std::optional<int64_t> asked;
      if (auto invalid = read_expires(v, now, asked)) return bad("expires", invalid->description);
      out.change.expires =
          bounded_expiry(asked, now, current.credential, context.services().limits.push_max_expiry);
    } else if (key == "types") {
      TypesValue types = read_types(v);
      if (!types.error.empty()) return bad("types", types.error);
      out.change.types = std::move(types.stored);
    } else if (key == "id" || key == "deviceClientId" || key == "url" || key == "keys") {
      // Immutable (§7.2): only its current value may be sent.
      json::value now_value = key == "id" ? json::value(push_subscription_id(current.id))
                              : key == "deviceClientId" ? json::value(current.device_client_id)
                              : key == "url"            ? json::value(current.url)
                                                        : keys_json(current.keys);
      if (v != now_value) return bad(std::string(key), std::string(key) + " is immutable");
    } else {
      return bad(std::string(key), "not a property a client may set");
    }
  }
  return out;
}

}  // namespace

// RFC 8620 §7.2.2: no accountId, ifInState, oldState or newState. Creation sends the
// PushVerification through the push sender; only the credential's own subscriptions
// may be updated or destroyed (others are notFound).
json::object push_subscription_set(CallContext& context, const json::object& arguments) {
  const json::object& create = create_argument(arguments);
  const json::object& update = update_argument(arguments);
  std::vector<std::string> destroy = destroy_argument(context, arguments);
  if (create.size() + update.size() + destroy.size() > context.services().limits.max_objects_in_set)
    fail("requestTooLarge", "more objects than maxObjectsInSet");
  PushSender* sender = context.services().push;
  const int64_t now = now_seconds();
  SetResponse response;

  for (const auto& [creation_id, value] : create) {
    NewSubscription wanted = read_create(context, value, now);
    if (wanted.invalid) {
      response.not_created[creation_id] = invalid_json(*wanted.invalid);
      continue;
    }
    auto stored = context.store().create_push_subscription(
        wanted.record, context.services().limits.push_max_subscriptions);
    if (!stored && stored.error().kind == ErrorKind::limit) {
      // RFC 8620 §5.3 overQuota: "a server-defined limit on the number ... of objects".
      response.not_created[creation_id] = set_error_json("overQuota", stored.error().message);
      continue;
    }
    if (!stored) store_failed(context, stored.error());
    std::string id = push_subscription_id(stored->id);
    context.created_ids()[std::string(creation_id)] = id;
    response.created[creation_id] =
        json::object{{"id", id},
                     {"keys", keys_json(stored->keys)},
                     {"expires", stored->expires ? json::value(format_utc_date(*stored->expires))
                                                 : json::value(nullptr)}};
    if (sender) sender->verify(*stored);
  }

  std::vector<store::PushSubscription> mine;
  if (!update.empty() || !destroy.empty()) mine = load(context);
  for (const auto& [key, value] : update) {
    auto resolved = context.resolve_id(key);
    auto number = resolved ? parse_push_subscription_id(*resolved) : std::nullopt;
    const store::PushSubscription* current = number ? find(mine, *number) : nullptr;
    if (!current) {
      response.not_updated[key] = set_error_json("notFound");
      continue;
    }
    if (!value.is_object()) {
      response.not_updated[key] = set_error_json("invalidPatch", "expected a PatchObject");
      continue;
    }
    Update change = read_update(context, *current, value.get_object(), now);
    if (change.invalid) {
      response.not_updated[key] = invalid_json(*change.invalid);
      continue;
    }
    auto stored = context.store().update_push_subscription(
        context.account().id, context.credential(), current->id, change.change);
    if (!stored && stored.error().kind == ErrorKind::not_found) {
      response.not_updated[key] = set_error_json("notFound");
      continue;
    }
    if (!stored) store_failed(context, stored.error());
    // §7.2.3: the server-set expiry is reported back.
    response.updated[key] =
        change.change.expires
            ? json::value(json::object{
                  {"expires", stored->expires ? json::value(format_utc_date(*stored->expires))
                                              : json::value(nullptr)}})
            : json::value(nullptr);
    if (sender) {
      if (change.verifies) sender->verified(current->id, context.current_modseq());
      sender->forget(current->id);
    }
  }

  for (const std::string& id : destroy) {
    auto number = parse_push_subscription_id(id);
    if (!number || !find(mine, *number)) {
      response.not_destroyed[id] = set_error_json("notFound");
      continue;
    }
    auto gone = context.store().destroy_push_subscription(context.account().id,
                                                          context.credential(), *number);
    if (!gone && gone.error().kind == ErrorKind::not_found) {
      response.not_destroyed[id] = set_error_json("notFound");
      continue;
    }
    if (!gone) store_failed(context, gone.error());
    response.destroyed.emplace_back(id);
    if (sender) sender->forget(*number);
  }
  return response.finish_unscoped();
}

}  // namespace postamt::jmap::methods
