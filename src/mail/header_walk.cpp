#include "mail/header_walk.h"

#include <algorithm>
#include <vector>

#include "mail/envelope_lines.h"
#include "mime/message_id.h"

namespace postamt::mail {
namespace {

// Messages whose lines are loaded with one store call (a few hundred KiB at most).
constexpr size_t kChunk = 1000;

}  // namespace

Result<void> walk_headers(store::Store& store, blob::BlobStore& blobs, MailboxId mailbox,
                          std::span<const store::MessageRecord* const> messages,
                          NeedReferences references,
                          const std::function<void(size_t, const WalkedHeader&)>& visit) {
  std::vector<Uid> uids;
  std::vector<mime::HeaderField> fields;
  std::string computed_refs;
  for (size_t begin = 0; begin < messages.size(); begin += kChunk) {
    const size_t end = std::min(messages.size(), begin + kChunk);
    uids.clear();
    for (size_t i = begin; i < end; ++i) uids.push_back(messages[i]->uid);
    auto lines = EnvelopeLines::load(store, mailbox, uids);
    if (!lines) return lines.error();
    for (size_t i = begin; i < end; ++i) {
      const store::MessageRecord& record = *messages[i];
      const store::EnvelopeHeader* kept = lines->entry(record.uid);
      const bool from_store =
          kept != nullptr && (references == NeedReferences::no || kept->thread_refs.has_value());
      if (from_store) {
        fields = mime::scan_header_block(kept->lines);
        const mime::HeaderView header(kept->lines, fields);
        visit(i, WalkedHeader{header, kept->thread_refs ? std::string_view(*kept->thread_refs)
                                                        : std::string_view()});
        continue;
      }
      auto view = blobs.open(record.blob);
      if (!view) return view.error();
      fields = mime::scan_header_block(view->bytes());
      const mime::HeaderView header(view->bytes(), fields);
      if (references == NeedReferences::yes) computed_refs = mime::thread_references(header);
      visit(i, WalkedHeader{header, computed_refs});
    }
  }
  return {};
}

}  // namespace postamt::mail
