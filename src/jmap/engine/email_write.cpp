#include "jmap/engine/email_write.h"

#include <chrono>

#include "base/log.h"
#include "jmap/email/blob_ids.h"
#include "jmap/email/email_create.h"
#include "jmap/engine/blob_access.h"
#include "jmap/engine/set_response.h"
#include "jmap/proto/arguments.h"
#include "mail/flags.h"
#include "mail/messages.h"
#include "mail/quota.h"
#include "model/object_ids.h"

namespace postamt::jmap {
namespace {

// The mail core's error for one item as a SetError (the one mapping for Email writes).
json::object write_error(const Error& error) {
  switch (error.kind) {
    case ErrorKind::over_quota:
      return set_error_json("overQuota", error.message);
    case ErrorKind::limit:
      return set_error_json("tooManyKeywords", error.message, {"keywords"});
    case ErrorKind::invalid:
      return set_error_json("invalidProperties", error.message);
    case ErrorKind::not_found:
      return set_error_json("notFound");
    default:
      log::warning("jmap", "writing an Email failed: {}", error.message);
      return set_error_json("serverFail", "the mail store failed; try again");
  }
}

FlagUpdate replace_with(const FlagSet& flags, const store::MessageRecord& copy) {
  FlagUpdate update;
  update.operation = FlagOperation::replace;
  update.flags = flags.flags;
  // IMAP's \Deleted is not a JMAP keyword: each copy keeps its own.
  if (copy.flags.has(SystemFlag::deleted)) update.flags.add(SystemFlag::deleted);
  update.keywords = flags.keywords;
  return update;
}

}  // namespace

std::optional<json::object> write_email(CallContext& context, const EmailEntry& email,
                                        const EmailTarget& target) {
  store::Store& store = context.store();
  AccountId account = context.account().id;
  if (auto r = mail::check_keyword_count(target.flags.keywords); !r) return write_error(r.error());
  const EmailCopy& source = email.copies.front();
  for (const store::Mailbox* m : target.mailboxes) {
    bool present = std::any_of(email.copies.begin(), email.copies.end(),
                               [m](const EmailCopy& c) { return c.mailbox == m; });
    if (present) continue;
    auto copied = mail::transfer_messages(store, account, source.mailbox->id, {source.record->uid},
                                          m->id, mail::Transfer::copy);
    if (!copied) return write_error(copied.error());
    for (const store::UidMapping& u : copied->mapping) {
      auto record = store.get_message(m->id, u.destination);
      if (!record) return write_error(record.error());
      auto r = mail::update_flags(store, m->id, {&*record}, replace_with(target.flags, *record));
      if (!r) return write_error(r.error());
    }
  }
  for (const EmailCopy& c : email.copies) {
    if (!target.mailboxes.contains(c.mailbox)) continue;
    auto r =
        mail::update_flags(store, c.mailbox->id, {c.record}, replace_with(target.flags, *c.record));
    if (!r) return write_error(r.error());
  }
  for (const EmailCopy& c : email.copies) {
    if (target.mailboxes.contains(c.mailbox)) continue;
    auto r =
        mail::expunge_messages(store, c.mailbox->id, {c.record->uid}, store::ExpungeScope::listed);
    if (!r) return write_error(r.error());
  }
  return std::nullopt;
}

std::optional<json::object> destroy_email(CallContext& context, const EmailEntry& email) {
  for (const EmailCopy& c : email.copies) {
    auto r = mail::expunge_messages(context.store(), c.mailbox->id, {c.record->uid},
                                    store::ExpungeScope::listed);
    if (!r) return write_error(r.error());
  }
  return std::nullopt;
}

std::optional<json::object> read_placement(CallContext& context, const json::object& object,
                                           std::set<const store::Mailbox*>& mailboxes,
                                           FlagSet& flags, std::optional<int64_t>& received_at) {
  auto boxes = object.find("mailboxIds");
  if (boxes == object.end() || !boxes->value().is_object() || boxes->value().get_object().empty())
    return set_error_json("invalidProperties", "an Email is in at least one mailbox",
                          {"mailboxIds"});
  for (const auto& [id, on] : boxes->value().get_object()) {
    auto resolved = context.resolve_id(id);
    const store::Mailbox* m = resolved ? context.view().mailbox(*resolved) : nullptr;
    if (!m || !on.is_bool() || !on.get_bool())
      return set_error_json("invalidProperties", "no such mailbox", {"mailboxIds"});
    mailboxes.insert(m);
  }
  if (auto k = object.find("keywords"); k != object.end() && !k->value().is_null()) {
    if (!k->value().is_object() || !keywords_from_json(k->value().get_object(), flags))
      return set_error_json("invalidProperties", "not a keywords object", {"keywords"});
  }
  if (auto r = object.find("receivedAt"); r != object.end() && !r->value().is_null()) {
    auto seconds = r->value().is_string() ? parse_utc_date(r->value().get_string()) : std::nullopt;
    if (!seconds)
      return set_error_json("invalidProperties", "receivedAt must be a UTCDate", {"receivedAt"});
    received_at = *seconds;
  }
  return std::nullopt;
}

std::optional<json::object> store_email(CallContext& context, std::string_view bytes,
                                        const std::set<const store::Mailbox*>& mailboxes,
                                        const FlagSet& flags, int64_t received_at,
                                        json::object& created) {
  store::Store& store = context.store();
  if (auto r = mail::check_keyword_count(flags.keywords); !r) return write_error(r.error());
  auto room = mail::room_for(store, context.account().id, bytes.size());
  if (!room) return write_error(room.error());
  if (*room != mail::QuotaRoom::fits) return set_error_json("overQuota", "the account is full");
  store::InternalDate date{std::chrono::seconds(received_at)};
  auto first = mailboxes.begin();
  auto appended = mail::append_message(store, context.blobs(), (*first)->id, bytes,
                                       {flags.flags, flags.keywords}, date);
  if (!appended) return write_error(appended.error());
  auto record = store.get_message(appended->mailbox, appended->uid);
  if (!record) return write_error(record.error());
  for (auto it = std::next(first); it != mailboxes.end(); ++it) {
    auto copied = mail::transfer_messages(store, context.account().id, (*first)->id,
                                          {appended->uid}, (*it)->id, mail::Transfer::copy);
    if (!copied) return write_error(copied.error());
  }
  context.invalidate();
  created["id"] = email_object_id(record->blob);
  created["blobId"] = blob_id(record->blob);
  created["threadId"] = thread_object_id(record->thread.value_or(0));
  created["size"] = record->size;
  return std::nullopt;
}

std::optional<json::object> create_email(CallContext& context, const json::object& create,
                                         json::object& created) {
  std::set<const store::Mailbox*> mailboxes;
  FlagSet flags;
  std::optional<int64_t> received_at;
  if (auto e = read_placement(context, create, mailboxes, flags, received_at)) return e;
  int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  CreateContext build;
  build.now = now;
  build.hostname = context.services().hostname;
  build.fetch_blob = [&context](const BlobIdRef& ref) -> std::optional<std::string> {
    return fetch_blob_bytes(context, ref);
  };
  auto built = build_email(create, build);
  if (auto* error = std::get_if<SetErrorLite>(&built))
    return set_error_json(error->type, error->description, error->properties);
  return store_email(context, std::get<std::string>(built), mailboxes, flags,
                     received_at.value_or(now), created);
}

}  // namespace postamt::jmap
