// Conversation threads for every protocol: IMAP THREAD (RFC 5256 §3, ORDEREDSUBJECT and
// REFERENCES), and the threads JMAP and the webmail show later.
//
// The algorithms are pure (thread_ordered_subject, thread_by_references) over what they
// read of each message; thread_messages() loads that from the store (mail/header_walk.h:
// envelope lines and thread references kept beside the messages) and runs one. Every
// pass over the tree is iterative, so a reply chain as long as the mailbox needs no
// deeper stack than a short one.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "blob/blob_store.h"
#include "store/api/store.h"

namespace postamt::mail {

enum class ThreadAlgorithm { ordered_subject, references };

// A forest over message indexes. A node without a message (kNoMessage) is a dummy that
// stands for a message not in the input (RFC 5256: its children are siblings in one
// thread); the algorithms only leave dummies at the top level, each with two or more
// children.
struct ThreadForest {
  static constexpr uint32_t kNoMessage = UINT32_MAX;
  struct Node {
    uint32_t message = kNoMessage;
    std::vector<uint32_t> children;  // node indexes, in order
  };
  std::vector<Node> nodes;
  std::vector<uint32_t> roots;  // node indexes of the threads, in order
};

// What the algorithms read of one message. The input is in mailbox order: the index is
// the tie-breaker of equal sent dates and decides which of two messages with one
// Message-ID keeps it.
struct ThreadInput {
  int64_t sent = 0;     // RFC 5256 §2.2 (mail/sort_keys.h sent_date)
  std::string subject;  // casemap_key of the base subject
  bool reply_or_forward = false;
  std::string message_id;  // normalised; "" for none
  // Normalised ids, oldest first, separated by single spaces (mime::thread_references):
  // one string per message, not one per id, since a mailbox holds many.
  std::string references;
};

ThreadForest thread_ordered_subject(std::span<const ThreadInput> messages);
ThreadForest thread_by_references(std::span<const ThreadInput> messages);

// What threading read of a mailbox's messages, by uid, so that threading it again reads
// only messages it has not seen (as mail/sort.h SortCache does for SORT). Messages never
// change, so an entry never goes stale. At most max_bytes are kept; entries beyond that
// are read every time. One per mailbox; one thread at a time.
class ThreadCache {
 public:
  explicit ThreadCache(size_t max_bytes) : max_bytes_(max_bytes) {}
  void set_max_bytes(size_t max_bytes) { max_bytes_ = max_bytes; }
  size_t bytes() const { return bytes_; }

 private:
  friend struct ThreadCacheAccess;
  std::vector<Uid> uids_;  // ascending
  std::vector<ThreadInput> inputs_;
  size_t max_bytes_;
  size_t bytes_ = 0;
};

// Threads `messages` (all of `mailbox`, ascending uid) with `algorithm`; the forest's
// message numbers index `messages`. With a `cache` (of this mailbox), inputs found there
// are not read again and new ones are added. Errors: the store's or the blob store's;
// the cache then holds what it held before.
Result<ThreadForest> thread_messages(store::Store& store, blob::BlobStore& blobs, MailboxId mailbox,
                                     std::span<const store::MessageRecord* const> messages,
                                     ThreadAlgorithm algorithm, ThreadCache* cache = nullptr);

}  // namespace postamt::mail
