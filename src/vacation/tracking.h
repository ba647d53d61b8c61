// RFC 5230 §4.2 previous response tracking: whom an account's vacation response answered
// and when, so that a sender gets at most one response per period (§4.1 :days, default
// 7). Kept as one JSON object {"<address>": seconds, ...} in the account's server-scope
// metadata entry kRepliedEntry (settings.h); addresses are compared as
// model/address.h address_key() says.
//
// Threads: pure apart from load/save, which block (store).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "model/ids.h"
#include "store/api/store.h"

namespace postamt::vacation {

// §4.1: the default :days.
inline constexpr std::chrono::seconds kReplyPeriod = std::chrono::days(7);
// §4.2: "the limit MUST NOT be less than 1000"; beyond it the oldest are forgotten.
inline constexpr size_t kMaxRemembered = 1000;

class Replied {
 public:
  static Replied decode(std::string_view json);  // empty when it does not decode
  std::string encode() const;

  // Whether `sender_key` was answered within kReplyPeriod before `now`.
  bool answered_recently(const std::string& sender_key, int64_t now) const;
  // Records an answer at `now`; forgets answers older than the period and the oldest
  // beyond kMaxRemembered.
  void remember(const std::string& sender_key, int64_t now);

  size_t size() const { return senders_.size(); }

 private:
  std::map<std::string, int64_t> senders_;
};

Result<Replied> load_replied(store::Store& store, AccountId account);
Result<void> save_replied(store::Store& store, AccountId account, const Replied& replied);

}  // namespace postamt::vacation
