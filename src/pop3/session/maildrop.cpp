#include "pop3/session/maildrop.h"

#include <fmt/format.h>

#include "base/log.h"
#include "pop3/proto/message.h"

namespace postamt::pop3 {

std::string unique_id(UidValidity uid_validity, Uid uid) {
  return fmt::format("{}.{}", uid_validity, uid);
}

Maildrop::Maildrop(MailboxId mailbox, UidValidity uid_validity,
                   std::vector<MaildropMessage> messages)
    : mailbox_(mailbox),
      uid_validity_(uid_validity),
      messages_(std::move(messages)),
      deleted_(messages_.size(), false),
      retrieved_(messages_.size(), false) {}

Result<Maildrop> Maildrop::load(store::Store& store, blob::BlobStore& blobs, AccountId account) {
  auto inbox = store.find_mailbox(account, "INBOX");
  if (!inbox) return inbox.error();
  auto records = store.list_messages(inbox->id);
  if (!records) return records.error();
  std::vector<MaildropMessage> messages;
  messages.reserve(records->size());
  for (const auto& r : *records) {
    MaildropMessage m{r.uid, r.blob, r.size};
    // RFC 1939 §11: the size must be the one RETR delivers, so it is computed from the
    // bytes, not taken from the stored (possibly bare-LF) size.
    auto view = blobs.open(r.blob);
    if (view)
      m.octets = proto::message_octets(view->bytes());
    else
      log::warning("pop3", "maildrop: cannot read blob {} of uid {}: {}", r.blob.hex(), r.uid,
                   view.error().message);
    messages.push_back(std::move(m));
  }
  return Maildrop(inbox->id, inbox->uid_validity, std::move(messages));
}

MaildropTotals Maildrop::totals() const {
  MaildropTotals t;
  for (size_t i = 0; i < messages_.size(); ++i) {
    if (deleted_[i]) continue;
    ++t.messages;
    t.octets += messages_[i].octets;
  }
  return t;
}

Result<const MaildropMessage*> Maildrop::find(uint32_t msg) const {
  if (msg == 0 || msg > messages_.size()) return Error{ErrorKind::not_found, "no such message"};
  if (deleted_[msg - 1])
    return Error{ErrorKind::invalid, fmt::format("message {} is deleted", msg)};
  return &messages_[msg - 1];
}

Result<void> Maildrop::mark_deleted(uint32_t msg) {
  auto found = find(msg);
  if (!found) return found.error();
  deleted_[msg - 1] = true;
  return {};
}

void Maildrop::unmark_all() {
  deleted_.assign(messages_.size(), false);
}

std::vector<Uid> Maildrop::deleted_uids() const {
  std::vector<Uid> out;
  for (size_t i = 0; i < messages_.size(); ++i)
    if (deleted_[i]) out.push_back(messages_[i].uid);
  return out;
}

void Maildrop::mark_retrieved(uint32_t msg) {
  if (msg >= 1 && msg <= messages_.size()) retrieved_[msg - 1] = true;
}

std::vector<Uid> Maildrop::retrieved_uids(DeletedMessages deleted) const {
  std::vector<Uid> out;
  for (size_t i = 0; i < messages_.size(); ++i)
    if (retrieved_[i] && !(deleted == DeletedMessages::exclude && deleted_[i]))
      out.push_back(messages_[i].uid);
  return out;
}

std::vector<std::string> Maildrop::scan_listing() const {
  std::vector<std::string> out;
  for (size_t i = 0; i < messages_.size(); ++i)
    if (!deleted_[i]) out.push_back(fmt::format("{} {}", i + 1, messages_[i].octets));
  return out;
}

std::vector<std::string> Maildrop::unique_id_listing() const {
  std::vector<std::string> out;
  for (size_t i = 0; i < messages_.size(); ++i)
    if (!deleted_[i])
      out.push_back(fmt::format("{} {}", i + 1, unique_id(uid_validity_, messages_[i].uid)));
  return out;
}

}  // namespace postamt::pop3
