// MemoryStore: the outbound queue's entries and claims (as store/sql/sql_queue.cpp). The
// store's clock for leases is the system clock.
#include <algorithm>
#include <chrono>

#include "store/memory/memory_store.h"

namespace postamt::store {

using Lock = std::lock_guard<std::mutex>;

namespace {

Error queue_entry_missing(std::string_view id) {
  return Error{ErrorKind::not_found, "no such message in the queue: " + std::string(id)};
}

int64_t store_clock() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool claim_ended(const QueueEntry& e, int64_t now) {
  return e.claim_owner.empty() || e.claim_until <= now;
}

// What a reader sees: an ended claim is no claim.
void hide_ended_claim(QueueEntry& e, int64_t now) {
  if (claim_ended(e, now)) {
    e.claim_owner.clear();
    e.claim_until = 0;
  }
}

}  // namespace

Result<void> MemoryStore::insert_queue_entry(const QueueEntry& entry) {
  if (entry.id.empty()) return Error{ErrorKind::invalid, "a queue entry needs an id"};
  Lock lock(mutex_);
  if (queue_entries_.count(entry.id))
    return Error{ErrorKind::exists, "queue id in use: " + entry.id};
  QueueEntry stored = entry;
  stored.claim_owner.clear();
  stored.claim_until = 0;
  queue_entries_.emplace(stored.id, std::move(stored));
  ++data_version_;
  return {};
}

Result<std::vector<std::string>> MemoryStore::list_queue_entries() {
  Lock lock(mutex_);
  std::vector<std::string> ids;
  for (const auto& [id, entry] : queue_entries_) ids.push_back(id);
  return ids;
}

Result<QueueEntry> MemoryStore::get_queue_entry(std::string_view id, QueueRead read) {
  Lock lock(mutex_);
  auto it = queue_entries_.find(id);
  if (it == queue_entries_.end()) return queue_entry_missing(id);
  QueueEntry e = it->second;
  if (read == QueueRead::head_only) e.body.clear();
  hide_ended_claim(e, store_clock());
  return e;
}

Result<void> MemoryStore::update_queue_entry(
    std::string_view id, const std::function<Result<QueueChange>(QueueEntry&)>& change) {
  Lock lock(mutex_);
  auto it = queue_entries_.find(id);
  if (it == queue_entries_.end()) return queue_entry_missing(id);
  QueueEntry e = it->second;
  hide_ended_claim(e, store_clock());
  auto wanted = change(e);
  if (!wanted) return wanted.error();
  switch (*wanted) {
    case QueueChange::keep:
      return {};
    case QueueChange::remove:
      queue_entries_.erase(it);
      break;
    case QueueChange::save: {
      QueueEntry& stored = it->second;
      stored.arrival = e.arrival;
      stored.next_attempt = e.next_attempt;
      stored.held = e.held;
      stored.quarantined = e.quarantined;
      stored.head = std::move(e.head);
      stored.body = std::move(e.body);
      break;
    }
  }
  ++data_version_;
  return {};
}

Result<void> MemoryStore::remove_queue_entry(std::string_view id) {
  Lock lock(mutex_);
  auto it = queue_entries_.find(id);
  if (it == queue_entries_.end()) return queue_entry_missing(id);
  queue_entries_.erase(it);
  ++data_version_;
  return {};
}

Result<std::vector<std::string>> MemoryStore::claim_queue_entries(std::string_view owner,
                                                                  int64_t due_by, size_t limit,
                                                                  std::chrono::seconds lease) {
  if (owner.empty()) return Error{ErrorKind::invalid, "a queue claim needs an owner"};
  Lock lock(mutex_);
  const int64_t now = store_clock();
  std::vector<QueueEntry*> due;
  for (auto& [id, e] : queue_entries_)
    if (e.next_attempt <= due_by && !e.held && !e.quarantined && claim_ended(e, now))
      due.push_back(&e);
  std::sort(due.begin(), due.end(), [](const QueueEntry* a, const QueueEntry* b) {
    return std::tie(a->next_attempt, a->id) < std::tie(b->next_attempt, b->id);
  });
  if (due.size() > limit) due.resize(limit);
  std::vector<std::string> ids;
  for (QueueEntry* e : due) {
    e->claim_owner = std::string(owner);
    e->claim_until = now + lease.count();
    ids.push_back(e->id);
  }
  if (!ids.empty()) ++data_version_;
  return ids;
}

Result<bool> MemoryStore::claim_queue_entry(std::string_view id, std::string_view owner,
                                            std::chrono::seconds lease) {
  if (owner.empty()) return Error{ErrorKind::invalid, "a queue claim needs an owner"};
  Lock lock(mutex_);
  auto it = queue_entries_.find(id);
  if (it == queue_entries_.end()) return queue_entry_missing(id);
  const int64_t now = store_clock();
  QueueEntry& e = it->second;
  if (!claim_ended(e, now) && e.claim_owner != owner) return false;
  e.claim_owner = std::string(owner);
  e.claim_until = now + lease.count();
  ++data_version_;
  return true;
}

Result<bool> MemoryStore::renew_queue_claim(std::string_view id, std::string_view owner,
                                            std::chrono::seconds lease) {
  Lock lock(mutex_);
  auto it = queue_entries_.find(id);
  if (it == queue_entries_.end() || it->second.claim_owner != owner || owner.empty()) return false;
  it->second.claim_until = store_clock() + lease.count();
  ++data_version_;
  return true;
}

Result<void> MemoryStore::release_queue_claim(std::string_view id, std::string_view owner) {
  Lock lock(mutex_);
  auto it = queue_entries_.find(id);
  if (it == queue_entries_.end() || it->second.claim_owner != owner || owner.empty()) return {};
  it->second.claim_owner.clear();
  it->second.claim_until = 0;
  ++data_version_;
  return {};
}

Result<QueueSummary> MemoryStore::queue_summary() {
  Lock lock(mutex_);
  QueueSummary summary;
  summary.entries = queue_entries_.size();
  for (const auto& [id, e] : queue_entries_)
    if (!summary.oldest_arrival || e.arrival < *summary.oldest_arrival)
      summary.oldest_arrival = e.arrival;
  return summary;
}

}  // namespace postamt::store
