// Which blobs an account may read (RFC 8620 §6): the messages in its mailboxes (and their
// parts), and what it uploaded itself. Uploads are remembered here, in memory, for
// kUploadLifetime (§6.1: at least an hour); the blob store keeps the bytes until its
// garbage collection's grace period passes. A restart forgets who uploaded what, so an
// upload must be used (Email/import, Email/set) within the process that took it.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "jmap/email/blob_ids.h"
#include "model/blob_ref.h"
#include "model/ids.h"

namespace postamt::jmap {

class CallContext;

inline constexpr std::chrono::hours kUploadLifetime{24};

struct Upload {
  BlobRef blob;
  std::string type;
  uint64_t size = 0;
  std::chrono::system_clock::time_point expires;
};

// Thread-safe.
class Uploads {
 public:
  void add(AccountId account, Upload upload);
  // The account's upload of `blob` that has not expired.
  std::optional<Upload> find(AccountId account, const BlobRef& blob);

 private:
  std::mutex mutex_;
  std::unordered_map<int64_t, std::vector<Upload>> by_account_;
};

// The bytes `ref` names if the account may read them: a part decoded, a whole message or
// upload as stored. nullopt when not found or not the account's.
std::optional<std::string> fetch_blob_bytes(CallContext& context, const BlobIdRef& ref);

// Whether the account may read the whole blob.
bool account_may_read(CallContext& context, const BlobRef& blob);

}  // namespace postamt::jmap
