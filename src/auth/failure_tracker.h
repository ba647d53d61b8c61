// Slows down password guessing: every failed login makes the next answer to the same
// remote address, and to the same account from anywhere, wait longer.
//
// Delay for the n-th consecutive failure of one key (defaults):
//   n <= free_failures (1) : 0 s       (a single typo costs nothing)
//   then first_delay doubling: 1 s, 2 s, 4 s, 8 s, then max_delay 15 s for every later one.
// record_failure() returns the larger of the remote's and the account's delay. A success
// forgets both keys. A key forgets its failures entry_lifetime after its last failure.
// At most max_entries keys are kept; when full, the key with the oldest failure is dropped.
// The account key is case-insensitive (ASCII) so "Alice" and "alice" count together,
// and only its first kMaxAccountKeyOctets count: a name is whatever a client sent (up to
// kilobytes), and no address is longer than 254 octets (model/address.h), so longer
// names may share a key without merging two accounts, and max_entries bounds memory.
// Keying by account means an attacker can slow a victim's own logins, never lock them out.
// Callers that want IPv6 clients counted per /64 pass the prefix as the remote key.
//
// Threads: all member functions are thread-safe (one mutex; O(1) per call amortised).
// The session waits for the returned delay itself (a timer, never a sleeping thread).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace postamt::auth {

struct FailureLimits {
  uint32_t free_failures = 1;
  std::chrono::milliseconds first_delay{1000};
  std::chrono::milliseconds max_delay{15000};
  std::chrono::seconds entry_lifetime{600};
  size_t max_entries = 100'000;
};

// Returns "now"; tests pass a fake (docs/architecture.md, Tests). Must never go backwards.
using SteadyClock = std::function<std::chrono::steady_clock::time_point()>;

enum class FailureKey { remote, account };

inline constexpr size_t kMaxAccountKeyOctets = 256;

class FailureTracker {
 public:
  explicit FailureTracker(
      FailureLimits limits = {},
      SteadyClock clock = [] { return std::chrono::steady_clock::now(); });

  // Counts one failed login for `remote_ip` and `account` (empty account: remote only)
  // and returns how long to wait before sending the failure reply.
  std::chrono::milliseconds record_failure(std::string_view remote_ip, std::string_view account);

  // Forgets the failures of `remote_ip` and of `account`.
  void record_success(std::string_view remote_ip, std::string_view account);

  // Consecutive unexpired failures of one key (0 if unknown).
  uint32_t failures(FailureKey kind, std::string_view key);
  // Number of keys currently remembered.
  size_t tracked_keys();

  // The delay owed for the n-th consecutive failure under `limits`.
  static std::chrono::milliseconds delay_for(const FailureLimits& limits, uint32_t failures);

 private:
  struct Entry {
    std::string key;
    uint32_t failures = 0;
    std::chrono::steady_clock::time_point last;
  };
  using Lru = std::list<Entry>;

  static std::string make_key(FailureKey kind, std::string_view key);
  void expire_locked(std::chrono::steady_clock::time_point now);
  uint32_t bump_locked(std::string key, std::chrono::steady_clock::time_point now);

  const FailureLimits limits_;
  const SteadyClock clock_;
  std::mutex mutex_;
  Lru lru_;  // least recently failed first
  std::unordered_map<std::string, Lru::iterator> index_;
};

}  // namespace postamt::auth
