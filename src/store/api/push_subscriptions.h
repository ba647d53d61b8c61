// JMAP PushSubscription records (RFC 8620 §7.2) as the Store keeps them: where to POST an
// account's state changes, for which credential they were registered, and whether the
// client proved that it reads what is POSTed there (the verification code). Plain
// values; the JMAP engine gives them their JSON form and the push sender uses them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/error.h"
#include "model/ids.h"

namespace postamt::store {

// How a request was authenticated. RFC 8620 §7.2 ties a push subscription to the
// credential that created it: only that credential sees it, and it dies with it.
enum class CredentialKind {
  password,  // HTTP Basic with the account's password; id 0 (one per account)
  token,     // a bearer token (`postamt token create`); id = ApiToken::id
  session,   // a webmail cookie session; id = the session's id
};

struct Credential {
  CredentialKind kind = CredentialKind::password;
  int64_t id = 0;
  friend bool operator==(const Credential&, const Credential&) = default;
};

// RFC 8291 keys exactly as the client sent them (URL-safe base64).
struct PushKeys {
  std::string p256dh;
  std::string auth;
  friend bool operator==(const PushKeys&, const PushKeys&) = default;
};

struct NewPushSubscription {
  AccountId account;
  Credential credential;
  std::string device_client_id;
  std::string url;
  std::optional<PushKeys> keys;
  std::string verification_code;   // server-generated, sent in the PushVerification
  std::optional<int64_t> expires;  // seconds since 1970; nullopt = never
  // The type names as a JSON array text ("[\"Email\"]"); nullopt = every type.
  std::optional<std::string> types;
  int64_t created = 0;  // seconds since 1970
  friend bool operator==(const NewPushSubscription&, const NewPushSubscription&) = default;
};

struct PushSubscription : NewPushSubscription {
  uint64_t id = 0;  // store-wide, never reused
  bool verified = false;
  friend bool operator==(const PushSubscription&, const PushSubscription&) = default;
};

// What update_push_subscription changes; an absent field stays.
struct PushSubscriptionUpdate {
  std::optional<bool> verified;
  std::optional<std::optional<int64_t>> expires;
  std::optional<std::optional<std::string>> types;
};

namespace errors {
inline Error push_subscription_missing(uint64_t id) {
  return Error{ErrorKind::not_found, "no such push subscription: " + std::to_string(id)};
}
inline Error push_subscriptions_full(uint32_t limit) {
  return Error{ErrorKind::limit,
               "the account has " + std::to_string(limit) + " push subscriptions already"};
}
}  // namespace errors

}  // namespace postamt::store
