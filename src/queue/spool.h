// FileQueue: the outbound queue as one file per message under one directory, like
// Postfix's queue (docs/architecture.md, Durability).
//
// Layout under `dir` (data_dir/queue):
//   <id>         one queued message: envelope, delivery state and body
//   tmp/         files being written; renamed into place only when complete and fsynced
//   corrupt/     files that could not be read back are moved here (and logged), never
//                deleted, so an admin can look at them
//   .lock        empty; flock()ed by lock() (not a valid id, so never listed)
//
// File format (version 1), all header lines "key SP value LF", values xtext-encoded
// (RFC 3461 §4) where they may hold arbitrary octets:
//   postamt-queue 1
//   arrival <unix seconds>            (times: at most 4102444800, 2100-01-01)
//   attempts <n>                      (at most 2^32-1)
//   next <unix seconds of the next attempt>
//   held 0|1
//   warned 0|1                     (optional, default 0: a "delayed" DSN was sent)
//   sender <xtext>                 ("=" = null sender)
//   envid <xtext or =>
//   ret unspecified|full|headers
//   rcpt <state> <notify> <xtext address> <xtext orcpt> <xtext status> <xtext remote> <xtext
//   diagnostic>
//       state: pending|sent|failed; notify: "never" or letters s,f,d ("fd" = default);
//       an empty field is written as "=" (never valid xtext, so never ambiguous)
//   body <octets>
//   <exactly that many octets of the message>
// A file that does not parse exactly (wrong magic, unknown key, a number out of range,
// short body, trailing bytes) is corrupt.
//
// Every write is: write tmp/<id>.<n> -> fsync -> rename to <id> (a new message: link to
// <id>, which fails rather than replace another message) -> fsync(dir). A crash leaves
// either the old or the new file, never a mix; tmp leftovers are removed by open.
//
// Threads: every method blocks on disk; call on the blocking pool. Safe from several
// threads; several processes (server + admin CLI) may use one directory, each
// rename being atomic. load/save alone do not order a read-modify-write against
// another process's: whoever changes an existing message (admin commands, the worker
// recording an attempt) does it through update() (or holds lock() from its load to its
// save), and remove() takes lock() itself.
//
// Spool is the interface both queues implement: FileQueue (this file, one process owns
// the folder) and StoreQueue (queue/store_queue.h, the queue in the database that several
// nodes share). The worker, the admin functions and start_outbound use only Spool.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "delivery/outbound.h"
#include "queue/clock.h"

namespace postamt::queue {

enum class RecipientState { pending, sent, failed };

// Delivery state of one recipient, parallel to delivery::OutboundMessage::recipients.
struct RecipientStatus {
  RecipientState state = RecipientState::pending;
  std::string status;      // RFC 3463 code of the last result, "4.4.1"; empty before any
  std::string remote_mta;  // host name of the last server that answered, or empty
  std::string diagnostic;  // last reply, "550 5.1.1 no such user", or the local reason
};

struct QueuedMessage {
  std::string id;
  delivery::OutboundMessage message;
  std::vector<RecipientStatus> status;  // same size as message.recipients
  TimePoint arrival;
  TimePoint next_attempt;
  uint32_t attempts = 0;
  bool held = false;
  bool delay_warned = false;  // the one "delayed" DSN (NOTIFY=DELAY) has been sent
  bool has_body = true;       // false when loaded with BodyMode::skip (then body is empty)
  uint64_t body_size = 0;     // from the file, also when loaded without the body
  // Who is delivering it now (Spool claims; not part of the file format): the owner of
  // the live claim ("" when nobody holds one or its lease ended) and when its lease ends
  // (StoreQueue: by the database's clock). Filled by load(); ignored by save().
  std::string claim_owner;
  TimePoint claim_until;
};

enum class BodyMode { include, skip };

// What a change passed to Spool::update asks for.
enum class Change { save, remove, keep };

// For metrics: how many messages are queued and the oldest arrival among them.
struct SpoolStats {
  size_t messages = 0;
  std::optional<TimePoint> oldest_arrival;
};

// The outbound queue as the worker and the admin commands see it. Every method blocks
// (disk or database); call on the blocking pool. Thread-safe.
//
// Claims: a message is delivered by one claimant at a time. A claim lasts for a lease
// and is renewed while an attempt runs; a claimant that dies stops renewing, its lease
// ends and another may claim the message (StoreQueue: another node). Claims are kept
// apart from the message: save and update never change them.
class Spool : public delivery::OutboundQueue {
 public:
  // delivery::OutboundQueue: enqueue stores a new message, due at once, under
  // message.queue_id when that is a valid id no queued message has (the id the SMTP
  // server logged at MAIL), else under a new id; returns the id used. Errors: invalid (no
  // recipients, an empty recipient address), io (nothing queued). queued_recipients: the
  // recipients' state (loaded without body).

  // Ids of all queued messages, sorted. Errors: io.
  virtual Result<std::vector<std::string>> list() const = 0;
  // Errors: not_found (no such id, or a malformed id), invalid (does not read back:
  // corrupt), io.
  virtual Result<QueuedMessage> load(const std::string& id,
                                     BodyMode mode = BodyMode::include) const = 0;
  // Replaces the message `m.id` (loaded with its body). Not ordered against a concurrent
  // read-modify-write: for changes, use update(). Errors: invalid (has_body is false,
  // sizes differ), not_found (removed meanwhile), io.
  virtual Result<void> save(const QueuedMessage& m) = 0;
  // Deletes the message, ordered against update(). Errors: not_found, io.
  virtual Result<void> remove(const std::string& id) = 0;
  // Read-modify-write, atomic against every other update() and remove() of any process
  // or node: loads the message with its body, calls `change`, then saves, removes or
  // keeps it as `change` returns. `change` may run more than once (StoreQueue retries a
  // transaction the database refused) and must do nothing but change its argument; it
  // must not call the queue. Its error is returned and nothing changes. Errors: load's,
  // save's.
  virtual Result<void> update(const std::string& id,
                              const std::function<Result<Change>(QueuedMessage&)>& change) = 0;
  // Takes a message that does not read back out of circulation, never deleting it: it is
  // never claimed again and an admin can look at it. Errors: not_found, io.
  virtual Result<void> quarantine(const std::string& id) = 0;
  virtual Result<SpoolStats> stats() const = 0;
  // Stores `m` (loaded with its body from another queue) under its own id with its whole
  // delivery state, unclaimed: how `postamt store copy` moves a queue. Errors: invalid
  // (a malformed id, has_body false, sizes differ), exists (the id is taken), io.
  virtual Result<void> import(const QueuedMessage& m) = 0;
  // The queue's clock: arrival and next attempt times.
  virtual TimePoint now() const = 0;

  // Claims up to `limit` due (next attempt <= now()), unheld, unclaimed (or
  // lease-expired) messages for `owner` until now+lease; returns their ids, ascending by
  // (next attempt, id). FileQueue: one process owns the folder, so claims are kept in
  // memory, and a file that does not read back is claimed too (so that the worker
  // quarantines it).
  virtual Result<std::vector<std::string>> claim_due(std::string_view owner, size_t limit,
                                                     std::chrono::seconds lease) = 0;
  // Claims one message whatever its next attempt or held state: true when it was free
  // (or `owner`'s already), false when another owner's lease has not ended. Errors:
  // not_found.
  virtual Result<bool> claim(const std::string& id, std::string_view owner,
                             std::chrono::seconds lease) = 0;
  // Extends `owner`'s claim on `id`; false when the claim was lost (expired and taken
  // over, or the message is gone).
  virtual Result<bool> renew_claim(const std::string& id, std::string_view owner,
                                   std::chrono::seconds lease) = 0;
  // Drops `owner`'s claim; nothing happens when `owner` does not hold it.
  virtual Result<void> release_claim(const std::string& id, std::string_view owner) = 0;
};

// An exclusive advisory lock (flock) on the queue's .lock file, released by the
// destructor. An OS lock, so it orders the server's worker against the admin CLI, and
// threads of one process against each other (each lock opens the file anew). Move-only.
class QueueLock {
 public:
  QueueLock(QueueLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  QueueLock& operator=(QueueLock&&) = delete;
  QueueLock(const QueueLock&) = delete;
  ~QueueLock();

 private:
  friend class FileQueue;
  explicit QueueLock(int fd) : fd_(fd) {}
  int fd_;
};

class FileQueue final : public Spool {
 public:
  // Creates `dir`, tmp/ and corrupt/ if missing and removes tmp leftovers older than a
  // minute (a concurrent writer's file is younger). Errors: io.
  static Result<std::unique_ptr<FileQueue>> open(std::filesystem::path dir, Clock clock);

  // Queue: stores a new message, due at once, under message.queue_id when that is a
  // valid id no queued message has (the id the SMTP server logged at MAIL, so that one id
  // names the message in every log line), else under a new id. Returns the id used.
  // Errors: invalid (no recipients, an empty recipient address), io (nothing queued).
  Result<std::string> enqueue(const delivery::OutboundMessage& message) override;
  // delivery::OutboundQueue: the recipients' state from the file (loaded without body).
  Result<std::vector<delivery::QueuedRecipient>> queued_recipients(std::string_view id) override;

  // Ids of all queued messages, sorted. Errors: io.
  Result<std::vector<std::string>> list() const override;

  // Errors: not_found (no such id, or a malformed id), invalid (corrupt file), io.
  Result<QueuedMessage> load(const std::string& id,
                             BodyMode mode = BodyMode::include) const override;

  // Atomically replaces the file of `m.id` (which must have been loaded with its body).
  // Errors: invalid (has_body is false, sizes differ), not_found (removed meanwhile),
  // io.
  Result<void> save(const QueuedMessage& m) override;

  // Deletes the message under lock(). Errors: not_found, io.
  Result<void> remove(const std::string& id) override;

  // lock(), load, change, then save or remove.
  Result<void> update(const std::string& id,
                      const std::function<Result<Change>(QueuedMessage&)>& change) override;

  // Blocks until this process holds the queue's lock (see QueueLock); hold it only
  // around disk work, never across a network exchange. Errors: io.
  Result<QueueLock> lock() const;

  // Moves a corrupt file to corrupt/ so it is not retried. Errors: io.
  Result<void> quarantine(const std::string& id) override;

  // Reads every file's header (files that do not read back are not counted).
  Result<SpoolStats> stats() const override;
  Result<void> import(const QueuedMessage& m) override;

  // Claims live in this process's memory, with leases on the queue's clock.
  Result<std::vector<std::string>> claim_due(std::string_view owner, size_t limit,
                                             std::chrono::seconds lease) override;
  Result<bool> claim(const std::string& id, std::string_view owner,
                     std::chrono::seconds lease) override;
  Result<bool> renew_claim(const std::string& id, std::string_view owner,
                           std::chrono::seconds lease) override;
  Result<void> release_claim(const std::string& id, std::string_view owner) override;

  const std::filesystem::path& dir() const { return dir_; }
  TimePoint now() const override { return clock_(); }

 private:
  struct Held {
    std::string owner;
    TimePoint until;
  };
  Result<void> remove_unlocked(const std::string& id);
  // The live claim on `id`, if any (caller holds claims_mutex_).
  const Held* live_claim(const std::string& id, TimePoint now) const;
  FileQueue(std::filesystem::path dir, Clock clock)
      : dir_(std::move(dir)), clock_(std::move(clock)) {}
  // create: fails with `exists` when `id` is taken; replace: takes the place of the file.
  enum class Placement { create, replace };
  Result<void> write_atomically(const std::string& id, const std::string& bytes,
                                Placement placement);
  std::string new_id();

  std::filesystem::path dir_;
  Clock clock_;
  std::mutex mutex_;
  uint64_t counter_ = 0;
  mutable std::mutex claims_mutex_;
  std::map<std::string, Held> claims_;
};

// The on-disk form, exposed for tests of the format.
std::string serialize(const QueuedMessage& m);
Result<QueuedMessage> deserialize(std::string_view bytes, BodyMode mode);

// A message as enqueue() stores it: every recipient pending, arrival and next attempt
// `now`, no id yet. Errors: invalid (no recipients, an empty recipient address).
Result<QueuedMessage> new_queued_message(const delivery::OutboundMessage& message, TimePoint now);

// Each recipient's state as delivery::OutboundQueue::queued_recipients reports it.
std::vector<delivery::QueuedRecipient> queued_recipients_of(const QueuedMessage& m);

// True for ids FileQueue makes: 1..32 characters of [0-9A-Za-z].
bool valid_queue_id(std::string_view id);

}  // namespace postamt::queue
