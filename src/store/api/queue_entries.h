// The outbound queue's rows as the Store keeps them when the queue lives in the
// database (`[storage] backend = "postgres"`, queue/store_queue.h), so that every node
// sees one queue. Plain values; the store never parses a message.
//
// An entry holds the queue's own serialized form of a message (queue/spool.h, "File
// format") split in two: `head`, its lines up to and including "body <n>\n", and `body`,
// the n octets after it; head + body is exactly what FileQueue writes to a file. The
// columns the store selects on (next_attempt, held, quarantined) are copies of values in
// `head` that the queue keeps in sync on every write.
//
// Claims: a node that delivers an entry claims it for a lease. Lease times come from the
// store's clock (the database server's, dialect {NOW}; MemoryStore: the system clock),
// so that nodes with skewed clocks agree on when a lease ends. Due times
// (next_attempt) are the queue's own (its injected clock), compared with the `due_by`
// the caller passes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace postamt::store {

struct QueueEntry {
  std::string id;            // the queue id (queue::valid_queue_id), unique
  int64_t arrival = 0;       // seconds since 1970
  int64_t next_attempt = 0;  // seconds since 1970
  bool held = false;
  bool quarantined = false;  // could not be read back; never claimed by claim_queue_entries
  std::string head;
  std::string body;  // empty when read with QueueRead::head_only
  // The live claim: "" and 0 when nobody holds one (never claimed, released, or its
  // lease ended by the store's clock). claim_until is in store clock seconds.
  std::string claim_owner;
  int64_t claim_until = 0;
  friend bool operator==(const QueueEntry&, const QueueEntry&) = default;
};

enum class QueueRead { whole, head_only };

// What update_queue_entry's function asks for.
enum class QueueChange { save, remove, keep };

struct QueueSummary {
  uint64_t entries = 0;                   // quarantined ones included
  std::optional<int64_t> oldest_arrival;  // nullopt when empty
  friend bool operator==(const QueueSummary&, const QueueSummary&) = default;
};

}  // namespace postamt::store
