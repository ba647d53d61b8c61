#include "queue/store_queue.h"

#include "delivery/transaction.h"

namespace postamt::queue {
namespace {

Error missing() {
  return Error{ErrorKind::not_found, "no such message in the queue"};
}

// The store says "no such message in the queue: <id>"; the admin functions add the id
// themselves, as they do for FileQueue.
Error plain(const Error& e) {
  return e.kind == ErrorKind::not_found ? missing() : e;
}

// The entry's columns and data from a message: head + body = serialize(m).
store::QueueEntry to_entry(const QueuedMessage& m) {
  store::QueueEntry e;
  e.id = m.id;
  e.arrival = to_unix(m.arrival);
  e.next_attempt = to_unix(m.next_attempt);
  e.held = m.held;
  std::string bytes = serialize(m);
  e.head = bytes.substr(0, bytes.size() - m.message.body.size());
  e.body = m.message.body;
  return e;
}

Result<QueuedMessage> from_entry(const store::QueueEntry& e, BodyMode mode) {
  auto m =
      mode == BodyMode::include ? deserialize(e.head + e.body, mode) : deserialize(e.head, mode);
  POSTAMT_TRY(m);
  m->id = e.id;
  if (!e.claim_owner.empty()) {
    m->claim_owner = e.claim_owner;
    m->claim_until = from_unix(e.claim_until);
  }
  return m;
}

Result<void> check_savable(const QueuedMessage& m) {
  if (!m.has_body) return Error{ErrorKind::invalid, "cannot save a message loaded without body"};
  if (m.status.size() != m.message.recipients.size())
    return Error{ErrorKind::invalid, "recipient status does not match recipients"};
  return {};
}

}  // namespace

Result<void> StoreQueue::import(const QueuedMessage& m) {
  if (!valid_queue_id(m.id)) return Error{ErrorKind::invalid, "not a queue id: " + m.id};
  POSTAMT_TRY(check_savable(m));
  return store_.insert_queue_entry(to_entry(m));
}

Result<std::string> StoreQueue::enqueue(const delivery::OutboundMessage& message) {
  auto made = new_queued_message(message, clock_());
  if (!made) return made.error();
  QueuedMessage& m = *made;
  if (valid_queue_id(message.queue_id)) {
    m.id = message.queue_id;
    auto inserted = store_.insert_queue_entry(to_entry(m));
    if (inserted) return m.id;
    if (inserted.error().kind != ErrorKind::exists) return inserted.error();
  }
  // No id given, or it names another message already: a fresh one (60 random bits; a
  // collision is retried).
  for (int tries = 0;; ++tries) {
    m.id = delivery::new_queue_id();
    auto inserted = store_.insert_queue_entry(to_entry(m));
    if (inserted) return m.id;
    if (inserted.error().kind != ErrorKind::exists || tries == 3) return inserted.error();
  }
}

Result<std::vector<delivery::QueuedRecipient>> StoreQueue::queued_recipients(std::string_view id) {
  auto m = load(std::string(id), BodyMode::skip);
  if (!m) return m.error();
  return queued_recipients_of(*m);
}

Result<std::vector<std::string>> StoreQueue::list() const {
  return store_.list_queue_entries();
}

Result<QueuedMessage> StoreQueue::load(const std::string& id, BodyMode mode) const {
  if (!valid_queue_id(id)) return missing();
  auto e = store_.get_queue_entry(
      id, mode == BodyMode::include ? store::QueueRead::whole : store::QueueRead::head_only);
  if (!e) return plain(e.error());
  return from_entry(*e, mode);
}

Result<void> StoreQueue::save(const QueuedMessage& m) {
  POSTAMT_TRY(check_savable(m));
  if (!valid_queue_id(m.id)) return missing();
  store::QueueEntry wanted = to_entry(m);
  auto saved = store_.update_queue_entry(
      m.id, [&wanted](store::QueueEntry& e) -> Result<store::QueueChange> {
        e = wanted;
        return store::QueueChange::save;
      });
  if (!saved) return plain(saved.error());
  return {};
}

Result<void> StoreQueue::remove(const std::string& id) {
  if (!valid_queue_id(id)) return missing();
  auto removed = store_.remove_queue_entry(id);
  if (!removed) return plain(removed.error());
  return {};
}

Result<void> StoreQueue::update(const std::string& id,
                                const std::function<Result<Change>(QueuedMessage&)>& change) {
  if (!valid_queue_id(id)) return missing();
  auto updated =
      store_.update_queue_entry(id, [&](store::QueueEntry& e) -> Result<store::QueueChange> {
        auto m = from_entry(e, BodyMode::include);
        POSTAMT_TRY(m);
        auto wanted = change(*m);
        POSTAMT_TRY(wanted);
        switch (*wanted) {
          case Change::keep:
            return store::QueueChange::keep;
          case Change::remove:
            return store::QueueChange::remove;
          case Change::save:
            break;
        }
        m->id = id;
        POSTAMT_TRY(check_savable(*m));
        const bool quarantined = e.quarantined;
        e = to_entry(*m);
        e.quarantined = quarantined;
        return store::QueueChange::save;
      });
  if (!updated) return plain(updated.error());
  return {};
}

Result<void> StoreQueue::quarantine(const std::string& id) {
  if (!valid_queue_id(id)) return missing();
  auto marked =
      store_.update_queue_entry(id, [](store::QueueEntry& e) -> Result<store::QueueChange> {
        e.quarantined = true;
        return store::QueueChange::save;
      });
  if (!marked) return plain(marked.error());
  return {};
}

Result<SpoolStats> StoreQueue::stats() const {
  auto summary = store_.queue_summary();
  POSTAMT_TRY(summary);
  SpoolStats stats;
  stats.messages = static_cast<size_t>(summary->entries);
  if (summary->oldest_arrival) stats.oldest_arrival = from_unix(*summary->oldest_arrival);
  return stats;
}

Result<std::vector<std::string>> StoreQueue::claim_due(std::string_view owner, size_t limit,
                                                       std::chrono::seconds lease) {
  return store_.claim_queue_entries(owner, to_unix(clock_()), limit, lease);
}

Result<bool> StoreQueue::claim(const std::string& id, std::string_view owner,
                               std::chrono::seconds lease) {
  if (!valid_queue_id(id)) return missing();
  auto claimed = store_.claim_queue_entry(id, owner, lease);
  if (!claimed) return plain(claimed.error());
  return *claimed;
}

Result<bool> StoreQueue::renew_claim(const std::string& id, std::string_view owner,
                                     std::chrono::seconds lease) {
  return store_.renew_queue_claim(id, owner, lease);
}

Result<void> StoreQueue::release_claim(const std::string& id, std::string_view owner) {
  return store_.release_queue_claim(id, owner);
}

}  // namespace postamt::queue
