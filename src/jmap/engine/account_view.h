// One account as JMAP sees it (RFC 8621 §2, §3, §4): its mailboxes, and its messages
// grouped into Emails. An Email is every copy of the same bytes in the account (its id is
// model/object_ids.h email_object_id of the blob), so a message IMAP COPYed to a second
// mailbox is one Email with two mailboxIds, as RFC 8621 §1.3 describes.
//
// Keywords of an Email with several copies are those of the copy changed last (highest
// modseq): Email/set writes every copy, so they agree unless an IMAP client changed one
// copy alone, and then the latest change wins. receivedAt is the earliest copy's
// internal date; threadId the first copy's thread.
//
// Built from the store on each request (blocking: run on a store thread). Messages the
// store has not put in a thread yet (stored before threads were kept) get one first.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/result.h"
#include "store/api/store.h"

namespace postamt::jmap {

struct EmailCopy {
  const store::Mailbox* mailbox = nullptr;
  const store::MessageRecord* record = nullptr;
};

struct EmailEntry {
  std::string id;
  std::vector<EmailCopy> copies;  // by mailbox id then uid
  // The copy whose keywords stand for the Email (highest modseq).
  const store::MessageRecord& latest() const;
  const store::MessageRecord& first() const { return *copies.front().record; }
  int64_t received_at() const { return received_at_; }  // seconds since 1970
  uint64_t thread() const { return thread_; }           // the store's thread number
  ModSeq modseq() const;                                // highest modseq over the copies

  // Set once the copies are known (AccountView::index).
  int64_t received_at_ = 0;
  uint64_t thread_ = 0;
};

class AccountView {
 public:
  static Result<AccountView> load(store::Store& store, AccountId account);

  AccountView(AccountView&&) = default;
  AccountView& operator=(AccountView&&) = default;

  // The account's modseq when loaded: every JMAP state string of the account.
  ModSeq modseq() const { return modseq_; }

  const std::vector<store::Mailbox>& mailboxes() const { return mailboxes_; }
  const store::Mailbox* mailbox(std::string_view jmap_id) const;
  const store::Mailbox* mailbox_named(std::string_view name) const;
  // The JMAP id of a mailbox (model/object_ids.h mailbox_object_id).
  static std::string mailbox_id(const store::Mailbox& mailbox);
  // The messages of one mailbox, by uid.
  const std::vector<store::MessageRecord>& messages(const store::Mailbox& mailbox) const;

  // Every Email, oldest first (by the first copy's creation: mailbox order is not
  // meaningful across mailboxes, so by receivedAt then id).
  const std::vector<EmailEntry>& emails() const { return emails_; }
  const EmailEntry* email(std::string_view id) const;
  // The Emails of one thread, sorted by receivedAt then id (RFC 8621 §3.1 emailIds).
  std::vector<const EmailEntry*> thread(uint64_t thread) const;

 private:
  AccountView() = default;
  void index();

  ModSeq modseq_ = 0;
  std::vector<store::Mailbox> mailboxes_;
  std::vector<std::vector<store::MessageRecord>> messages_;  // parallel to mailboxes_
  std::vector<EmailEntry> emails_;
  std::unordered_map<std::string, size_t> email_index_;
  std::unordered_map<uint64_t, std::vector<size_t>> threads_;
};

}  // namespace postamt::jmap
