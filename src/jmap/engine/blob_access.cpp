#include "jmap/engine/blob_access.h"

#include <algorithm>

#include "jmap/email/email_view.h"
#include "jmap/engine/call_context.h"
#include "mime/message.h"
#include "model/object_ids.h"

namespace postamt::jmap {

void Uploads::add(AccountId account, Upload upload) {
  std::lock_guard lock(mutex_);
  auto& list = by_account_[account.value()];
  auto now = std::chrono::system_clock::now();
  std::erase_if(list, [&](const Upload& u) { return u.expires < now || u.blob == upload.blob; });
  list.push_back(std::move(upload));
}

std::optional<Upload> Uploads::find(AccountId account, const BlobRef& blob) {
  std::lock_guard lock(mutex_);
  auto it = by_account_.find(account.value());
  if (it == by_account_.end()) return std::nullopt;
  auto now = std::chrono::system_clock::now();
  for (const Upload& u : it->second)
    if (u.blob == blob && u.expires >= now) return u;
  return std::nullopt;
}

bool account_may_read(CallContext& context, const BlobRef& blob) {
  if (context.view().email(email_object_id(blob))) {
    // The email id is a prefix of the blob's hash: check the full hash too.
    for (const EmailCopy& c : context.view().email(email_object_id(blob))->copies)
      if (c.record->blob == blob) return true;
  }
  return context.services().uploads &&
         context.services().uploads->find(context.account().id, blob).has_value();
}

std::optional<std::string> fetch_blob_bytes(CallContext& context, const BlobIdRef& ref) {
  if (!account_may_read(context, ref.blob)) return std::nullopt;
  auto bytes = context.blobs().get(ref.blob);
  if (!bytes) return std::nullopt;
  if (ref.part_id.empty()) return std::move(*bytes);
  mime::Message parsed = mime::parse(*bytes);
  auto part = extract_part(*bytes, parsed, ref.part_id);
  if (!part) return std::nullopt;
  return std::move(part->bytes);
}

}  // namespace postamt::jmap
