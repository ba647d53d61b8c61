#include "delivery/transaction.h"

#include <fmt/format.h>

#include <algorithm>
#include <random>

#include "base/log.h"
#include "mail/messages.h"
#include "mail/quota.h"
#include "mime/header.h"
#include "model/address.h"

namespace postamt::delivery {
namespace {

bool same_address(std::string_view a, std::string_view b) {
  auto ka = address_key(a);
  auto kb = address_key(b);
  return ka && kb && *ka == *kb;
}

}  // namespace

std::string new_queue_id() {
  static constexpr std::string_view kAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  thread_local std::mt19937_64 generator{std::random_device{}()};
  std::uniform_int_distribution<size_t> pick(0, kAlphabet.size() - 1);
  std::string id(12, '0');
  for (char& c : id) c = kAlphabet[pick(generator)];
  return id;
}

Transaction::Transaction(const Services& services, std::string envelope_sender, Limits limits)
    : services_(services), envelope_sender_(std::move(envelope_sender)), limits_(limits) {}

Result<AddedRecipient> Transaction::add_recipient(std::string_view address,
                                                  RecipientOptions options) {
  if (entries_.size() >= limits_.max_recipients)
    return Error{ErrorKind::limit,
                 fmt::format("too many recipients (at most {})", limits_.max_recipients)};
  auto resolved = services_.store->resolve(address);
  POSTAMT_TRY(resolved);

  Entry entry;
  entry.address = std::string(address);
  entry.options = std::move(options);
  AddedRecipient added;
  for (const auto& r : *resolved) {
    switch (r.kind) {
      case store::RecipientKind::local:
        added.local.push_back(r.address);
        entry.local.push_back(r.account);
        break;
      case store::RecipientKind::remote:
        if (!can_relay())
          return Error{ErrorKind::permission, fmt::format("{} is not a local address", r.address)};
        added.remote.push_back(r.address);
        entry.remote.push_back(r.address);
        break;
      case store::RecipientKind::unknown_local:
        break;
    }
  }
  for (const auto& r : *resolved) {
    // The alias accepts mail; only this dead target is skipped (the admin should fix the
    // alias, hence a warning rather than a bounce to the sender).
    if (r.kind == store::RecipientKind::unknown_local)
      log::warning("delivery", "alias target {} (via {}) does not exist; skipped", r.address,
                   address);
    if (r.kind == store::RecipientKind::local &&
        std::none_of(local_.begin(), local_.end(),
                     [&](const Local& l) { return l.account == r.account; }))
      local_.push_back({r.address, r.account});
    if (r.kind == store::RecipientKind::remote &&
        std::none_of(remote_.begin(), remote_.end(),
                     [&](const std::string& known) { return same_address(known, r.address); }))
      remote_.push_back(r.address);
  }
  entries_.push_back(std::move(entry));
  return added;
}

void Transaction::set_dsn(Ret ret, std::string envid) {
  ret_ = ret;
  envid_ = std::move(envid);
}

void Transaction::set_body(std::string message) {
  body_ = std::move(message);
}

std::string Transaction::local_trace_fields() const {
  // RFC 5321 §4.4: the reverse path is recorded at final delivery.
  std::string out = fmt::format("Return-Path: <{}>\r\n", mime::header_safe_text(envelope_sender_));
  // RFC 8098 §2.3: one stored copy serves every local recipient, so the field is only
  // right when they all gave the same ORCPT.
  std::optional<OriginalRecipient> common;
  bool any_local = false;
  for (const Entry& e : entries_) {
    if (e.local.empty()) continue;
    if (!e.options.orcpt || (any_local && common != e.options.orcpt)) return out;
    any_local = true;
    common = e.options.orcpt;
  }
  if (common)
    out += fmt::format("Original-Recipient: {};{}\r\n", mime::header_safe_text(common->addr_type),
                       mime::header_safe_text(common->address));
  return out;
}

Result<std::vector<Delivered>> Transaction::deliver_locally(std::string_view copy, BlobRef& blob) {
  std::vector<store::DeliveryTarget> targets;
  targets.reserve(local_.size());
  for (const auto& l : local_) {
    // A message no quota of this account can ever take is refused for good (limit); one
    // that does not fit now, for a while (over_quota). The store checks again, exactly.
    auto room = mail::room_for(*services_.store, l.account, copy.size());
    POSTAMT_TRY(room);
    if (*room == mail::QuotaRoom::too_large)
      return Error{ErrorKind::limit, fmt::format("the message is larger than the storage quota "
                                                 "of {}",
                                                 l.address)};
    if (*room == mail::QuotaRoom::full)
      return Error{ErrorKind::over_quota, fmt::format("the mailbox of {} is full", l.address)};
    auto target = services_.store->find_mailbox_by_role(
        l.account, quarantine_ ? MailboxRole::junk : MailboxRole::inbox);
    if (!target && quarantine_ && target.error().kind == ErrorKind::not_found)
      target = services_.store->find_mailbox_by_role(l.account, MailboxRole::inbox);
    POSTAMT_TRY(target);
    targets.push_back(store::DeliveryTarget{target->id, {}, {}});
  }
  auto message = mail::save_message(*services_.blobs, copy, mail::internal_date_now());
  POSTAMT_TRY(message);
  blob = message->blob;
  auto appended = services_.store->deliver(*message, targets);
  POSTAMT_TRY(appended);
  std::vector<Delivered> delivered;
  delivered.reserve(local_.size());
  for (size_t i = 0; i < local_.size(); ++i)
    delivered.push_back(Delivered{local_[i].account, local_[i].address, (*appended)[i]});
  return delivered;
}

OutboundMessage Transaction::outbound_message() const {
  OutboundMessage out;
  out.envelope_sender = envelope_sender_;
  out.envid = envid_;
  out.ret = ret_;
  // No Return-Path: the next hop's final delivery adds its own (RFC 5321 §4.4).
  out.body = body_;
  out.queue_id = queue_id_;
  out.relayed = relayed_;
  for (const std::string& address : remote_) {
    OutboundRecipient r;
    r.address = address;
    // The options of the first recipient that reached this address.
    for (const Entry& e : entries_) {
      if (std::none_of(e.remote.begin(), e.remote.end(),
                       [&](const std::string& a) { return same_address(a, address); }))
        continue;
      if (e.options.orcpt) r.orcpt = e.options.orcpt->addr_type + ";" + e.options.orcpt->address;
      r.notify = e.options.notify;
      break;
    }
    out.recipients.push_back(std::move(r));
  }
  return out;
}

void Transaction::withdraw(const std::vector<Delivered>& delivered) {
  for (const Delivered& d : delivered) {
    auto removed = services_.store->expunge(d.where.mailbox, {d.where.uid});
    if (!removed)
      log::error("delivery",
                 "account={} uid={}: local copy not withdrawn after the queue failed: {}; a "
                 "retry by the sender may deliver it twice",
                 d.address, d.where.uid, removed.error().message);
  }
}

Result<Committed> Transaction::commit() {
  if (committed_) return Error{ErrorKind::invalid, "the transaction was committed already"};
  if (entries_.empty()) return Error{ErrorKind::invalid, "no recipients"};

  Committed out;
  out.id = queue_id_;
  out.size = body_.size();
  out.remote = remote_;
  std::string copy;
  if (!local_.empty()) {
    copy = local_trace_fields() + body_;
    auto delivered = deliver_locally(copy, out.blob);
    POSTAMT_TRY(delivered);
    out.delivered = std::move(*delivered);
  }
  if (!remote_.empty()) {
    auto queued = services_.outbound->enqueue(outbound_message());
    if (!queued) {
      withdraw(out.delivered);
      return queued.error();
    }
    out.queue_id = std::move(*queued);
  }
  committed_ = true;
  if (services_.observer && !out.delivered.empty())
    services_.observer->delivered(
        DeliveredMessage{envelope_sender_, copy, &out.delivered, quarantine_});
  return out;
}

void Transaction::reset() {
  entries_.clear();
  local_.clear();
  remote_.clear();
  ret_ = Ret::unspecified;
  envid_.clear();
  body_.clear();
  quarantine_ = false;
  relayed_ = false;
  committed_ = false;
}

}  // namespace postamt::delivery
