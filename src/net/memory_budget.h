// MemoryBudget: a bound on the memory that all sessions of a kind may hold for commands
// in flight at once (an IMAP command's text and literals), so that many connections
// each within their own limits cannot add up to more than the machine can give.
// Each session reserves what it holds beyond a free allowance; a reservation that
// would pass the budget is refused, and the session sheds the load (IMAP says BYE).
//
// Thread-safe (one atomic counter); reservations are used by one session each.
#pragma once

#include <atomic>
#include <cstddef>

namespace postamt::net {

class MemoryBudget {
 public:
  // `limit` octets in all; `allowance` octets per reservation that do not count.
  MemoryBudget(size_t limit, size_t allowance) : limit_(limit), allowance_(allowance) {}

  size_t used() const { return used_.load(std::memory_order_relaxed); }
  size_t limit() const { return limit_; }
  size_t allowance() const { return allowance_; }

  // Takes `n` more octets; false (nothing taken) when that would pass the limit.
  bool take(size_t n) {
    size_t now = used_.load(std::memory_order_relaxed);
    do {
      if (n > limit_ - now) return false;
    } while (!used_.compare_exchange_weak(now, now + n, std::memory_order_relaxed));
    return true;
  }
  void give(size_t n) { used_.fetch_sub(n, std::memory_order_relaxed); }

 private:
  const size_t limit_;
  const size_t allowance_;
  std::atomic<size_t> used_{0};
};

// What one session holds of a budget. A null budget makes every resize succeed.
class MemoryReservation {
 public:
  explicit MemoryReservation(MemoryBudget* budget) : budget_(budget) {}
  ~MemoryReservation() { resize(0); }
  MemoryReservation(const MemoryReservation&) = delete;
  MemoryReservation& operator=(const MemoryReservation&) = delete;

  // The session now holds `octets`: takes or gives the difference beyond the allowance.
  // False when the budget cannot give it (the reservation stays as it was).
  bool resize(size_t octets) {
    if (!budget_) return true;
    const size_t want = octets > budget_->allowance() ? octets - budget_->allowance() : 0;
    if (want > counted_) {
      if (!budget_->take(want - counted_)) return false;
    } else if (want < counted_) {
      budget_->give(counted_ - want);
    }
    counted_ = want;
    return true;
  }

 private:
  MemoryBudget* budget_;
  size_t counted_ = 0;
};

}  // namespace postamt::net
