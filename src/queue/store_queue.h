// StoreQueue: the outbound queue in the database (store/api/queue_entries.h), for
// `[storage] backend = "postgres"`: every node sees one queue, one node at a time
// delivers a message (claims with a lease on the database's clock, taken with
// FOR UPDATE SKIP LOCKED), a dead node's leases end and another node delivers, and
// `postamt queue ...` works from any node (docs/cluster.md).
//
// Each message is one row holding exactly FileQueue's serialized form (spool.h, "File
// format"), split after its "body <n>" line into `head` and `body`, so that listing the
// queue never reads a body. The message bodies live in the database too (no blob store
// reference): a queue of large messages makes a large table.
//
// Differences from FileQueue: quarantine() marks the row (it stays listed as corrupt
// until `postamt queue remove`) instead of moving a file; update() is one database
// transaction; claims are rows' columns, visible to every node and to the admin CLI.
//
// Threads: every method blocks on the store; thread-safe as the store is.
#pragma once

#include "queue/spool.h"
#include "store/api/store.h"

namespace postamt::queue {

class StoreQueue final : public Spool {
 public:
  // `store` must outlive the queue. `clock`: arrival and next attempt times.
  StoreQueue(store::Store& store, Clock clock) : store_(store), clock_(std::move(clock)) {}

  Result<std::string> enqueue(const delivery::OutboundMessage& message) override;
  Result<std::vector<delivery::QueuedRecipient>> queued_recipients(std::string_view id) override;
  Result<std::vector<std::string>> list() const override;
  Result<QueuedMessage> load(const std::string& id,
                             BodyMode mode = BodyMode::include) const override;
  Result<void> save(const QueuedMessage& m) override;
  Result<void> remove(const std::string& id) override;
  Result<void> update(const std::string& id,
                      const std::function<Result<Change>(QueuedMessage&)>& change) override;
  Result<void> quarantine(const std::string& id) override;
  Result<SpoolStats> stats() const override;
  Result<void> import(const QueuedMessage& m) override;
  TimePoint now() const override { return clock_(); }

  Result<std::vector<std::string>> claim_due(std::string_view owner, size_t limit,
                                             std::chrono::seconds lease) override;
  Result<bool> claim(const std::string& id, std::string_view owner,
                     std::chrono::seconds lease) override;
  Result<bool> renew_claim(const std::string& id, std::string_view owner,
                           std::chrono::seconds lease) override;
  Result<void> release_claim(const std::string& id, std::string_view owner) override;

 private:
  store::Store& store_;
  Clock clock_;
};

}  // namespace postamt::queue
