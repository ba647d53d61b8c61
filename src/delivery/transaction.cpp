#include "delivery/transaction.h"

#include <fmt/format.h>

#include <chrono>

#include "base/log.h"
#include "mdn/parse.h"
#include "mime/imap_data.h"
#include "mime/message_id.h"
#include "model/address.h"

namespace postamt::delivery {

Transaction::Transaction(store::Store& store, blob::BlobStore& blobs, std::string envelope_sender,
                         Limits limits)
    : store_(store), blobs_(blobs), envelope_sender_(std::move(envelope_sender)), limits_(limits) {}

Result<AddedRecipient> Transaction::add_recipient(std::string_view address) {
  if (recipients_ >= limits_.max_recipients)
    return Error{ErrorKind::limit,
                 fmt::format("too many recipients (at most {})", limits_.max_recipients)};
  auto resolved = store_.resolve(address);
  POSTAMT_TRY(resolved);

  AddedRecipient added;
  for (const auto& r : *resolved) {
    switch (r.kind) {
      case store::RecipientKind::local: {
        added.local.push_back(r.address);
        bool known = false;
        for (const auto& l : local_) known = known || l.account == r.account;
        if (!known) local_.push_back({r.address, r.account});
        break;
      }
      case store::RecipientKind::remote: {
        added.remote.push_back(r.address);
        auto key = address_key(r.address);
        bool known = false;
        for (const auto& existing : remote_)
          known = known || (key && address_key(existing) && *address_key(existing) == *key);
        if (!known) remote_.push_back(r.address);
        break;
      }
      case store::RecipientKind::unknown_local:
        // The alias accepts mail; only this dead target is skipped (the admin should fix
        // the alias, hence a warning rather than a bounce to the sender).
        log::warning("delivery", "alias target {} (via {}) does not exist; skipped", r.address,
                     address);
        break;
    }
  }
  ++recipients_;
  return added;
}

void Transaction::set_body(std::string message) {
  body_ = std::move(message);
  message_id_ = mime::message_id_of_message(body_);
}

Result<Committed> Transaction::commit() {
  if (committed_) return Error{ErrorKind::invalid, "the transaction was committed already"};
  if (recipients_ == 0) return Error{ErrorKind::invalid, "no recipients"};

  Committed out;
  out.size = body_.size();
  out.remote = remote_;
  if (!local_.empty()) {
    auto ref = blobs_.put(body_);
    POSTAMT_TRY(ref);
    out.blob = *ref;

    std::vector<store::DeliveryTarget> targets;
    targets.reserve(local_.size());
    for (const auto& l : local_) {
      auto inbox = store_.find_mailbox_by_role(l.account, MailboxRole::inbox);
      POSTAMT_TRY(inbox);
      targets.push_back(store::DeliveryTarget{inbox->id, {}, {}});
    }
    store::NewMessage message;
    message.blob = *ref;
    message.size = body_.size();
    message.message_id = message_id_;
    message.envelope_header = mime::envelope_header_to_store(body_);
    message.internal_date =
        std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
    auto appended = store_.deliver(message, targets);
    POSTAMT_TRY(appended);
    for (size_t i = 0; i < local_.size(); ++i)
      out.delivered.push_back(Delivered{local_[i].address, (*appended)[i]});
    record_received_receipts(out.delivered);
  }
  committed_ = true;
  return out;
}

void Transaction::record_received_receipts(const std::vector<Delivered>& delivered) {
  if (!mdn::is_mdn(body_)) return;
  auto parsed = mdn::parse_submitted_mdn(body_);
  if (!parsed) {
    log::info("mdn", "received receipt not recorded: {}", parsed.error().message);
    return;
  }
  // Without Original-Message-ID nothing says which sent message it answers.
  if (parsed->original_message_id.empty()) {
    log::info("mdn", "received receipt from {} not recorded: no Original-Message-ID",
              parsed->final_recipient);
    return;
  }
  const auto now =
      std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  for (size_t i = 0; i < delivered.size(); ++i) {
    store::NewReceivedReceipt r;
    r.account = local_[i].account;
    r.message_id = parsed->original_message_id;
    r.final_recipient = parsed->final_recipient;
    r.disposition = std::string(mdn::to_string(parsed->disposition.type));
    r.at = now;
    // The message is durable already; a ledger failure must not turn into a failed
    // delivery (the sender would retry and deliver it twice).
    auto recorded = store_.record_received_receipt(r);
    if (!recorded)
      log::warning("mdn", "account={} message_id={} received receipt not recorded: {}",
                   delivered[i].account, r.message_id, recorded.error().message);
    else
      log::info("mdn", "account={} message_id={} from={} disposition={} received receipt recorded",
                delivered[i].account, r.message_id, r.final_recipient, r.disposition);
  }
}

void Transaction::reset() {
  recipients_ = 0;
  local_.clear();
  remote_.clear();
  body_.clear();
  message_id_.clear();
  committed_ = false;
}

}  // namespace postamt::delivery
