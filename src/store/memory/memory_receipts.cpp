// MemoryStore: read receipt ledger, message-id lookup, receipt policy overrides.
#include <algorithm>

#include "model/address.h"
#include "store/api/receipt_rules.h"
#include "store/api/rules.h"
#include "store/memory/memory_store.h"

namespace postamt::store {

using Lock = std::lock_guard<std::mutex>;

const Account* MemoryStore::account_locked(AccountId id) {
  AccountEntry* entry = account_by_id(id);
  return entry ? &entry->account : nullptr;
}

void MemoryStore::forget_account_receipts(AccountId id, const std::string& key) {
  std::erase_if(sent_receipts_, [&](const SentEntry& e) { return e.receipt.account == id; });
  std::erase_if(received_receipts_, [&](const ReceivedReceipt& r) { return r.account == id; });
  std::erase_if(refused_receipts_, [&](const RefusedReceipt& r) { return r.account == id; });
  policy_overrides_.erase(
      policy_overrides_.lower_bound({PolicyScope::user, key, ""}),
      policy_overrides_.upper_bound({PolicyScope::user, key, std::string(1, '\x7f')}));
}

std::vector<MessageLocation> MemoryStore::locations_locked(AccountId account,
                                                           std::string_view message_id) {
  std::vector<MessageLocation> out;
  for (const auto& [id, box] : mailboxes_) {
    if (box.mailbox.account != account) continue;
    for (const auto& [uid, m] : box.messages) {
      if (m.message_id == message_id) out.push_back(MessageLocation{box.mailbox.id, uid});
    }
  }
  return out;
}

Result<std::vector<MessageLocation>> MemoryStore::find_messages_by_message_id(
    AccountId account, std::string_view message_id) {
  if (message_id.empty()) return Error{ErrorKind::invalid, "an empty Message-ID names nothing"};
  Lock lock(mutex_);
  if (!account_locked(account)) return errors::account_id_missing(account);
  return locations_locked(account, message_id);
}

Result<RecordedReceipt> MemoryStore::record_receipt(const NewSentReceipt& receipt,
                                                    ReceiptUniqueness uniqueness) {
  POSTAMT_TRY(check_sent_receipt(receipt));
  Lock lock(mutex_);
  const Account* account = account_locked(receipt.account);
  if (!account) return errors::account_id_missing(receipt.account);
  std::string message_id = receipt.message_id;
  std::vector<MessageLocation> copies;
  if (receipt.message) {
    auto box = mailbox_entry(receipt.message->mailbox);
    if (!box) return box.error();
    if ((*box)->mailbox.account != receipt.account) {
      return errors::mailbox_id_missing(receipt.message->mailbox);
    }
    auto it = (*box)->messages.find(receipt.message->uid);
    if (it == (*box)->messages.end()) return errors::message_missing(receipt.message->uid);
    if (message_id.empty()) message_id = it->second.message_id;
    if (message_id.empty()) copies.push_back(*receipt.message);
  }
  const bool unmatched = receipt.matched_by == ReceiptMatch::unmatched;
  const std::string key =
      unmatched ? std::string(kUnmatchedOriginalKey)
                : original_key(message_id, receipt.message.value_or(MessageLocation{}));
  if (!message_id.empty()) copies = locations_locked(receipt.account, message_id);

  RecordedReceipt result;
  int64_t sequence = -1;
  for (const SentEntry& e : sent_receipts_) {
    if (e.receipt.account != receipt.account || e.original_key != key) continue;
    if (e.sequence == 0) result.receipt = e.receipt;
    sequence = std::max(sequence, e.sequence);
  }
  if (sequence >= 0 && !unmatched && uniqueness == ReceiptUniqueness::one_per_recipient) {
    result.outcome = RecordOutcome::already_sent;
  } else {
    result.outcome = RecordOutcome::recorded;
    result.receipt = SentReceipt{next_receipt_id_++, receipt.account,    account->address,
                                 message_id,         receipt.requester,  receipt.disposition,
                                 receipt.path,       receipt.matched_by, receipt.at};
    sent_receipts_.push_back(SentEntry{result.receipt, key, sequence + 1});
    ++data_version_;
  }

  FlagUpdate update;
  update.operation = FlagOperation::add;
  update.keywords.add(kMdnSentKeyword);
  std::map<int64_t, std::vector<Uid>> by_mailbox;
  for (const MessageLocation& c : copies) by_mailbox[c.mailbox.value()].push_back(c.uid);
  for (const auto& [mailbox, uids] : by_mailbox) {
    FlagUpdateResult changed = update_flags_locked(mailboxes_.at(mailbox), uids, update);
    for (const MessageRecord& m : changed.changed) {
      result.flagged.push_back(MessageLocation{MailboxId(mailbox), m.uid});
    }
  }
  return result;
}

Result<ReceivedReceipt> MemoryStore::record_received_receipt(const NewReceivedReceipt& receipt) {
  POSTAMT_TRY(check_received_receipt(receipt));
  Lock lock(mutex_);
  const Account* account = account_locked(receipt.account);
  if (!account) return errors::account_id_missing(receipt.account);
  ReceivedReceipt r{next_receipt_id_++, receipt.account,         account->address,
                    receipt.message_id, receipt.final_recipient, receipt.disposition,
                    receipt.at};
  received_receipts_.push_back(r);
  ++data_version_;
  return r;
}

Result<RefusedReceipt> MemoryStore::record_refused_receipt(const NewRefusedReceipt& receipt) {
  POSTAMT_TRY(check_refused_receipt(receipt));
  Lock lock(mutex_);
  const Account* account = account_locked(receipt.account);
  if (!account) return errors::account_id_missing(receipt.account);
  if (!receipt.message_id.empty()) {
    for (const RefusedReceipt& r : refused_receipts_) {
      if (r.account == receipt.account && r.message_id == receipt.message_id &&
          r.path == receipt.path && r.requester == receipt.requester && r.reason == receipt.reason)
        return r;
    }
  }
  RefusedReceipt r{next_receipt_id_++, receipt.account, account->address, receipt.message_id,
                   receipt.requester,  receipt.path,    receipt.reason,   receipt.at};
  refused_receipts_.push_back(r);
  ++data_version_;
  return r;
}

Result<ReceiptLedger> MemoryStore::list_receipts(std::optional<AccountId> account) {
  Lock lock(mutex_);
  if (account && !account_locked(*account)) return errors::account_id_missing(*account);
  ReceiptLedger ledger;
  for (const SentEntry& e : sent_receipts_) {
    if (!account || e.receipt.account == *account) ledger.sent.push_back(e.receipt);
  }
  for (const ReceivedReceipt& r : received_receipts_) {
    if (!account || r.account == *account) ledger.received.push_back(r);
  }
  auto by_time = [](const auto& a, const auto& b) {
    return a.at != b.at ? a.at < b.at : a.id < b.id;
  };
  std::sort(ledger.sent.begin(), ledger.sent.end(), by_time);
  std::sort(ledger.received.begin(), ledger.received.end(), by_time);
  for (const RefusedReceipt& r : refused_receipts_) {
    if (!account || r.account == *account) ledger.refused.push_back(r);
  }
  std::sort(ledger.refused.begin(), ledger.refused.end(), by_time);
  return ledger;
}

Result<void> MemoryStore::set_policy_override(PolicyScope scope, std::string_view subject,
                                              std::string_view key, std::string_view value) {
  POSTAMT_TRY(check_policy_word("key", key));
  POSTAMT_TRY(check_policy_word("value", value));
  std::string subject_key;
  std::string display;
  Lock lock(mutex_);
  if (scope == PolicyScope::domain) {
    auto name = normalize_domain(subject);
    if (!name) return name.error();
    if (!domains_.count(*name)) return errors::domain_missing(*name);
    subject_key = display = *name;
  } else {
    auto k = address_key(subject);
    if (!k) return k.error();
    auto it = accounts_.find(*k);
    if (it == accounts_.end()) return errors::user_missing(*normalize_address(subject));
    subject_key = *k;
    display = it->second.account.address;
  }
  policy_overrides_[{scope, subject_key, std::string(key)}] = {display, std::string(value)};
  ++data_version_;
  return {};
}

Result<void> MemoryStore::unset_policy_override(PolicyScope scope, std::string_view subject,
                                                std::string_view key) {
  std::string subject_key;
  std::string display;
  Lock lock(mutex_);
  if (scope == PolicyScope::domain) {
    auto name = normalize_domain(subject);
    if (!name) return name.error();
    if (!domains_.count(*name)) return errors::domain_missing(*name);
    subject_key = display = *name;
  } else {
    auto k = address_key(subject);
    if (!k) return k.error();
    auto it = accounts_.find(*k);
    if (it == accounts_.end()) return errors::user_missing(*normalize_address(subject));
    subject_key = *k;
    display = it->second.account.address;
  }
  if (!policy_overrides_.erase({scope, subject_key, std::string(key)})) {
    return policy_override_missing(scope, display, key);
  }
  ++data_version_;
  return {};
}

Result<std::vector<PolicyOverride>> MemoryStore::list_policy_overrides() {
  Lock lock(mutex_);
  std::vector<PolicyOverride> out;
  for (const auto& [k, v] : policy_overrides_) {
    out.push_back(PolicyOverride{std::get<0>(k), v.first, std::get<2>(k), v.second});
  }
  return out;
}

}  // namespace postamt::store
