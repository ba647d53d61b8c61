#include "admin/import_run.h"

#include <sys/stat.h>

#include <fmt/format.h>

#include <algorithm>
#include <thread>

#include "base/strings.h"
#include "blob/blob_store.h"
#include "mail/flags.h"
#include "mail/mailboxes.h"

namespace postamt::admin {
namespace {

struct RoleName {
  std::string_view name;
  MailboxRole role;
};
// Names mail clients and servers give their special-use folders (RFC 6154 §2 roles).
constexpr RoleName kRoleNames[] = {
    {"Sent", MailboxRole::sent},           {"Sent Messages", MailboxRole::sent},
    {"Sent Items", MailboxRole::sent},     {"Drafts", MailboxRole::drafts},
    {"Trash", MailboxRole::trash},         {"Deleted Messages", MailboxRole::trash},
    {"Deleted Items", MailboxRole::trash}, {"Junk", MailboxRole::junk},
    {"Spam", MailboxRole::junk},           {"Archive", MailboxRole::archive},
    {"Archives", MailboxRole::archive},
};

// What identifies this import's journal: the source as an absolute path, its kind, and
// where it goes.
std::filesystem::path journal_file(const ImportOptions& o, AccountId account) {
  std::error_code ec;
  std::filesystem::path source = std::filesystem::weakly_canonical(o.source, ec);
  if (ec) source = std::filesystem::absolute(o.source);
  std::string key =
      fmt::format("{}\n{}\n{}\n{}", account.value(),
                  o.kind == ImportKind::maildir ? "maildir" : "mbox", source.string(), o.mailbox);
  return o.journal_folder / (blob::blob_ref_of(key).hex().substr(0, 32) + ".journal");
}

// Refusals that concern one message only: the import goes on without it.
bool is_message_refusal(ErrorKind kind) {
  return kind == ErrorKind::over_quota || kind == ErrorKind::invalid || kind == ErrorKind::limit ||
         kind == ErrorKind::not_found;
}

}  // namespace

std::optional<MailboxRole> role_for_folder_name(std::string_view name) {
  for (const RoleName& r : kRoleNames)
    if (iequals(r.name, name)) return r.role;
  return std::nullopt;
}

Result<std::unique_ptr<Importer>> Importer::open(store::Store& store, blob::BlobStore& blobs,
                                                 const ImportOptions& options,
                                                 const ImportProgressSink& progress) {
  auto account = store.find_account(options.user);
  POSTAMT_TRY(account);
  auto journal = ImportJournal::open(journal_file(options, account->id));
  POSTAMT_TRY(journal);
  std::unique_ptr<Importer> importer(
      new Importer(store, blobs, options, progress, account->id, std::move(*journal)));
  importer->report_.journal = importer->journal_.path();
  POSTAMT_TRY(importer->settle_pending());
  return importer;
}

// A "B" entry without an outcome: the run died between the fsynced intent and the note
// of the result. The store tells: the message is there iff the mailbox has that blob at
// or above the uid_next it had before the append (uids only grow).
Result<void> Importer::settle_pending() {
  std::vector<ImportJournal::Pending> pending = journal_.pending();
  for (const ImportJournal::Pending& p : pending) {
    bool stored = false;
    auto messages = store_.list_messages(p.mailbox);
    if (!messages && messages.error().kind != ErrorKind::not_found) return messages.error();
    if (messages)
      stored = std::any_of(messages->begin(), messages->end(), [&](const store::MessageRecord& m) {
        return m.uid >= p.uid_next && m.blob == p.blob;
      });
    POSTAMT_TRY(stored ? journal_.finish({p.source_id}) : journal_.abandon(p.source_id));
  }
  return {};
}

Result<std::string> Importer::target_name(std::string_view folder,
                                          const std::vector<std::string>& all) {
  if (!options_.mailbox.empty())
    return folder.empty() ? options_.mailbox : options_.mailbox + "/" + std::string(folder);
  if (folder.empty()) return std::string("INBOX");
  auto name = mail::check_mailbox_name(folder);
  POSTAMT_TRY(name);
  auto existing = store_.find_mailbox(account_, *name);
  if (existing) return existing->name;
  if (existing.error().kind != ErrorKind::not_found) return existing.error();
  auto role = role_for_folder_name(*name);
  if (!role) return *name;
  auto with_role = mail::mailbox_with_role(store_, account_, *role);
  POSTAMT_TRY(with_role);
  if (!*with_role) return *name;
  const store::Mailbox& m = **with_role;
  // Another source folder carries that mailbox's own name: it goes there, this one keeps
  // its name. So does a second folder for a role already given.
  bool taken = std::count(role_targets_.begin(), role_targets_.end(), m.id) > 0;
  for (const std::string& other : all) {
    auto other_name = mail::check_mailbox_name(other);
    if (other_name && *other_name == m.name) taken = true;
  }
  if (taken) return *name;
  role_targets_.push_back(m.id);
  return m.name;
}

Result<void> Importer::plan(const std::vector<std::string>& folders, size_t total_messages) {
  total_ = total_messages;
  for (const std::string& folder : folders) {
    Target target;
    auto target_name_result = target_name(folder, folders);
    // The form the store keeps (NFC, "INBOX" in any case), also for --mailbox's.
    Result<std::string> name =
        target_name_result ? mail::check_mailbox_name(*target_name_result) : target_name_result;
    if (!name) {
      if (!is_message_refusal(name.error().kind)) return name.error();
      target.failure = name.error().message;
      targets_.emplace(folder, std::move(target));
      continue;
    }
    auto found = store_.find_mailbox(account_, *name);
    if (!found && found.error().kind == ErrorKind::not_found) {
      MailboxRole role = MailboxRole::none;
      if (options_.mailbox.empty() && folder.find('/') == std::string::npos) {
        auto suggested = role_for_folder_name(folder);
        if (suggested) {
          auto with_role = mail::mailbox_with_role(store_, account_, *suggested);
          POSTAMT_TRY(with_role);
          if (!*with_role) role = *suggested;
        }
      }
      found = mail::create_mailbox(store_, account_, *name, role);
    }
    if (found) {
      target.mailbox = *found;
    } else if (is_message_refusal(found.error().kind) || found.error().kind == ErrorKind::exists) {
      target.failure = fmt::format("mailbox \"{}\": {}", *name, found.error().message);
    } else {
      return found.error();
    }
    targets_.emplace(folder, std::move(target));
    row(folder);  // the report names every mailbox, also those left empty
  }
  return {};
}

ImportReport::PerMailbox& Importer::row(std::string_view folder) {
  auto t = targets_.find(folder);
  std::string name =
      t != targets_.end() && t->second.mailbox ? t->second.mailbox->name : std::string(folder);
  for (ImportReport::PerMailbox& r : report_.mailboxes)
    if (r.name == name) return r;
  report_.mailboxes.push_back({name, 0, 0, 0});
  return report_.mailboxes.back();
}

void Importer::advance(std::string_view folder) {
  ++done_;
  if (progress_) progress_(ImportProgress{done_, std::max(total_, done_), row(folder).name});
}

bool Importer::already(std::string_view folder, std::string_view id) {
  if (!journal_.contains(id)) return false;
  ++report_.already;
  ++row(folder).already;
  advance(folder);
  return true;
}

void Importer::skip(std::string_view folder, std::string_view label, std::string reason) {
  report_.skipped.push_back({std::string(label), std::move(reason)});
  ++row(folder).skipped;
  advance(folder);
}

Result<void> Importer::add(std::string_view folder, const std::string& id, std::string_view label,
                           std::string_view bytes, const mail::NewFlags& flags,
                           store::InternalDate internal_date) {
  if (already(folder, id)) return {};
  auto t = targets_.find(folder);
  if (t == targets_.end() || !t->second.mailbox) {
    skip(folder, label, t == targets_.end() ? "no mailbox for its folder" : t->second.failure);
    return {};
  }
  if (bytes.empty()) {
    skip(folder, label, "the message is empty");
    return {};
  }
  if (bytes.size() > options_.max_message_size) {
    skip(folder, label,
         fmt::format("too large: {} octets, the limit ([imap] max_literal) is {}", bytes.size(),
                     options_.max_message_size));
    return {};
  }
  if (auto count = mail::check_keyword_count(flags.keywords); !count) {
    skip(folder, label, count.error().message);
    return {};
  }
  MailboxId mailbox = t->second.mailbox->id;
  if (batch_mailbox_ && *batch_mailbox_ != mailbox) POSTAMT_TRY(flush());
  batch_mailbox_ = mailbox;
  Queued queued{std::string(folder), id, std::string(label), std::string(bytes), internal_date, {}};
  queued.message.flags = flags.flags;
  queued.message.keywords = flags.keywords;
  batch_octets_ += bytes.size();
  batch_.push_back(std::move(queued));
  if (batch_.size() >= kBatchMessages || batch_octets_ >= kBatchOctets) POSTAMT_TRY(flush());
  return {};
}

void Importer::stored(const Queued& queued) {
  ++report_.imported;
  ++row(queued.folder).imported;
  advance(queued.folder);
}

// One message on its own: what a batch the store refused falls back to.
Result<void> Importer::store_one(MailboxId mailbox, Queued& queued) {
  auto current = store_.get_mailbox(mailbox);
  POSTAMT_TRY(current);
  POSTAMT_TRY(journal_.begin({{queued.id, mailbox, current->uid_next, queued.message.blob}}));
  auto appended = store_.append(mailbox, queued.message);
  if (!appended) {
    POSTAMT_TRY(journal_.abandon(queued.id));
    if (!is_message_refusal(appended.error().kind)) return appended.error();
    skip(queued.folder, queued.label, appended.error().message);
    return {};
  }
  POSTAMT_TRY(journal_.finish({queued.id}));
  stored(queued);
  return {};
}

Result<void> Importer::flush() {
  if (batch_.empty()) return {};
  std::vector<Queued> batch = std::move(batch_);
  batch_.clear();
  batch_octets_ = 0;
  MailboxId mailbox = *batch_mailbox_;
  batch_mailbox_.reset();

  // The blobs first, durable each (mail::save_message, as APPEND), several at once: each
  // waits for its own fsyncs, which a disk serves side by side.
  std::vector<std::optional<Error>> failures(batch.size());
  auto write = [&](size_t first) {
    for (size_t i = first; i < batch.size(); i += kBlobWriters) {
      auto saved = mail::save_message(blobs_, batch[i].bytes, batch[i].internal_date);
      if (!saved) {
        failures[i] = saved.error();
        continue;
      }
      saved->flags = batch[i].message.flags;
      saved->keywords = std::move(batch[i].message.keywords);
      batch[i].message = std::move(*saved);
      batch[i].bytes.clear();
      batch[i].bytes.shrink_to_fit();
    }
  };
  std::vector<std::thread> writers;
  for (size_t w = 1; w < std::min(kBlobWriters, batch.size()); ++w) writers.emplace_back(write, w);
  write(0);
  for (std::thread& t : writers) t.join();
  for (const std::optional<Error>& failure : failures)
    if (failure) return *failure;

  auto current = store_.get_mailbox(mailbox);
  POSTAMT_TRY(current);
  std::vector<ImportJournal::Pending> intents;
  std::vector<store::NewMessage> messages;
  std::vector<std::string> ids;
  for (const Queued& q : batch) {
    intents.push_back({q.id, mailbox, current->uid_next, q.message.blob});
    messages.push_back(q.message);
    ids.push_back(q.id);
  }
  POSTAMT_TRY(journal_.begin(intents));
  auto appended = store_.append_all(mailbox, messages);
  if (appended) {
    POSTAMT_TRY(journal_.finish(ids));
    for (const Queued& q : batch) stored(q);
    return {};
  }
  for (const std::string& id : ids) POSTAMT_TRY(journal_.abandon(id));
  if (!is_message_refusal(appended.error().kind)) return appended.error();
  for (Queued& q : batch) POSTAMT_TRY(store_one(mailbox, q));
  return {};
}

Result<void> Importer::subscribe(const std::vector<std::string>& folders) {
  for (const std::string& folder : folders) {
    auto t = targets_.find(folder);
    if (t == targets_.end() || !t->second.mailbox) continue;
    POSTAMT_TRY(store_.set_subscription(account_, t->second.mailbox->name,
                                        store::Subscription::subscribed));
  }
  return {};
}

Result<ImportReport> import_mail(store::Store& store, blob::BlobStore& blobs,
                                 const ImportOptions& options, const ImportProgressSink& progress) {
  auto importer = Importer::open(store, blobs, options, progress);
  POSTAMT_TRY(importer);
  Result<void> read =
      options.kind == ImportKind::maildir ? import_maildir(**importer) : import_mbox(**importer);
  // What is queued is stored also when reading stopped: it was read completely.
  Result<void> flushed = (*importer)->flush();
  POSTAMT_TRY(read);
  POSTAMT_TRY(flushed);
  return (*importer)->finish();
}

std::string format_import_report(const ImportReport& report) {
  std::string out;
  for (const ImportReport::PerMailbox& m : report.mailboxes) {
    out += fmt::format("{}: {} imported", m.name, m.imported);
    if (m.already) out += fmt::format(", {} imported before", m.already);
    if (m.skipped) out += fmt::format(", {} skipped", m.skipped);
    out += "\n";
  }
  for (const ImportReport::Skipped& s : report.skipped)
    out += fmt::format("skipped {}: {}\n", s.source, s.reason);
  out += fmt::format("imported {} messages, {} imported before, {} skipped\n", report.imported,
                     report.already, report.skipped.size());
  out += fmt::format("journal: {}\n", report.journal.string());
  return out;
}

std::string progress_bar(const ImportProgress& progress, size_t width) {
  std::string counts = fmt::format(" {}/{} ", progress.done, progress.total);
  size_t bar = width > 60 ? 30 : 10;
  size_t filled = progress.total == 0 ? bar : bar * progress.done / progress.total;
  std::string line = "\r[" + std::string(filled, '=') + std::string(bar - filled, ' ') + "]";
  line += counts;
  size_t room = width > line.size() + 1 ? width - line.size() - 1 : 0;
  std::string name(progress.mailbox.substr(0, room));
  line += name;
  line += std::string(room - name.size(), ' ');
  return line;
}

bool is_real_directory(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

}  // namespace postamt::admin
