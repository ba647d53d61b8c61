#include "mail/messages.h"

#include <chrono>

#include "mail/flags.h"
#include "mime/imap_data.h"
#include "mime/line_endings.h"
#include "mime/message_id.h"
#include "store/api/rules.h"

namespace postamt::mail {

store::InternalDate internal_date_now() {
  return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

store::NewMessage describe_message(std::string_view bytes, store::InternalDate internal_date) {
  store::NewMessage message;
  message.size = bytes.size();
  message.internal_date = internal_date;
  // The top-level header only: scanning stops at its end, whatever the message's size.
  const std::vector<mime::HeaderField> fields = mime::scan_header_block(bytes);
  const mime::HeaderView header(bytes, fields);
  message.message_id = mime::message_id_of(header);
  message.thread_refs = mime::thread_references(header);
  message.envelope_header = mime::envelope_header_to_store(bytes);
  return message;
}

Result<store::NewMessage> save_message(blob::BlobStore& blobs, std::string_view bytes,
                                       store::InternalDate internal_date) {
  std::string converted;
  if (mime::has_bare_lf(bytes)) {
    converted = mime::to_crlf(bytes);
    bytes = converted;
  }
  auto blob = blobs.put(bytes);
  POSTAMT_TRY(blob);
  store::NewMessage message = describe_message(bytes, internal_date);
  message.blob = *blob;
  return message;
}

namespace {

// The store's record of one message to add: its bytes put into the blob store (or found
// there), described, with the client's flags.
Result<store::NewMessage> prepare(blob::BlobStore& blobs, const AppendSource& source) {
  POSTAMT_TRY(check_keyword_count(source.flags.keywords));
  store::NewMessage message;
  if (source.stored) {
    auto view = blobs.open(*source.stored);
    POSTAMT_TRY(view);
    if (view->bytes().empty()) return Error{ErrorKind::invalid, "Empty message"};
    message = describe_message(view->bytes(), source.internal_date);
    message.blob = *source.stored;
  } else {
    if (source.bytes.empty()) return Error{ErrorKind::invalid, "Empty message"};
    auto saved = save_message(blobs, source.bytes, source.internal_date);
    POSTAMT_TRY(saved);
    message = std::move(*saved);
  }
  message.flags = source.flags.flags;
  message.keywords = source.flags.keywords;
  return message;
}

}  // namespace

Result<store::Appended> append_message(store::Store& store, blob::BlobStore& blobs,
                                       MailboxId mailbox, std::string_view bytes,
                                       const NewFlags& flags, store::InternalDate internal_date) {
  auto message = prepare(blobs, AppendSource{bytes, std::nullopt, flags, internal_date});
  POSTAMT_TRY(message);
  return store.append(mailbox, *message);
}

Result<store::Appended> append_stored_message(store::Store& store, blob::BlobStore& blobs,
                                              MailboxId mailbox, const BlobRef& blob,
                                              const NewFlags& flags,
                                              store::InternalDate internal_date) {
  auto message = prepare(blobs, AppendSource{{}, blob, flags, internal_date});
  POSTAMT_TRY(message);
  return store.append(mailbox, *message);
}

Result<std::vector<store::Appended>> append_messages(store::Store& store, blob::BlobStore& blobs,
                                                     MailboxId mailbox,
                                                     const std::vector<AppendSource>& sources) {
  std::vector<store::NewMessage> messages;
  messages.reserve(sources.size());
  for (const AppendSource& source : sources) {
    auto message = prepare(blobs, source);
    POSTAMT_TRY(message);
    messages.push_back(std::move(*message));
  }
  return store.append_all(mailbox, messages);
}

Result<store::CopyResult> transfer_messages(store::Store& store, AccountId account,
                                            MailboxId source, const std::vector<Uid>& uids,
                                            MailboxId destination, Transfer transfer) {
  for (MailboxId id : {source, destination}) {
    auto mailbox = store.get_mailbox(id);
    POSTAMT_TRY(mailbox);
    if (mailbox->account != account) return store::errors::mailbox_id_missing(id);
  }
  return transfer == Transfer::move ? store.move(source, uids, destination)
                                    : store.copy(source, uids, destination);
}

Result<std::vector<store::Expunged>> expunge_messages(store::Store& store, MailboxId mailbox,
                                                      const std::vector<Uid>& uids,
                                                      store::ExpungeScope scope) {
  if (uids.empty()) return std::vector<store::Expunged>{};
  return scope == store::ExpungeScope::deleted_only ? store.expunge_deleted(mailbox, uids)
                                                    : store.expunge(mailbox, uids);
}

}  // namespace postamt::mail
