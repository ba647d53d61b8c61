// What the store keeps for the webmail (docs/protocols/webmail.md): cookie sessions and
// each user's webmail settings.
#pragma once

#include <cstdint>
#include <string>

#include "store/api/types.h"

namespace postamt::store {

// A signed-in browser. The cookie holds a random secret; the store keeps only its
// SHA-256 (`hash`, lowercase hex, rules.h check_token_hash), so a leaked database does
// not leak sessions. Times are seconds since the epoch.
struct WebSession {
  uint64_t id = 0;
  AccountId account;
  std::string hash;
  std::string csrf_token;  // sent back by the page in X-CSRF-Token
  int64_t created = 0;
  int64_t last_used = 0;
  friend bool operator==(const WebSession&, const WebSession&) = default;
};

// One webmail setting of a user ("language", "receipt_choice"); name and value are
// checked by the webmail, the store keeps text of at most 256 octets.
struct WebSetting {
  std::string name;
  std::string value;
  friend bool operator==(const WebSetting&, const WebSetting&) = default;
};

}  // namespace postamt::store
