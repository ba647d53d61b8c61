// `postamt import maildir`: walks a Maildir++ tree (import.h) and hands each message to
// the Importer.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "admin/import_run.h"
#include "admin/maildir_codec.h"
#include "blob/file_system.h"

namespace postamt::admin {
namespace {

struct SourceFile {
  std::string subdir;  // "cur" or "new"
  std::string name;
  maildir::FileName parsed;
  uint32_t uid = 0;  // from dovecot-uidlist; 0 = not listed
};

struct SourceFolder {
  std::string dir;      // "" for INBOX (PATH itself), else ".A.B"
  std::string name;     // "" for INBOX, else "A/B"; the directory name when it does not decode
  std::string failure;  // why the folder name does not decode
  std::vector<SourceFile> files;
  std::vector<std::string> bad_files;  // names that are no maildir message
};

std::string read_or_empty(blob::FileSystem& fs, const std::string& path) {
  auto view = fs.map_file(path);
  return view ? view->to_string() : std::string();
}

// A maildir folder has cur/ or new/ (tmp/ holds deliveries in progress: never read).
bool is_maildir(blob::FileSystem& fs, const std::string& path) {
  return is_real_directory(path + "/cur") || is_real_directory(path + "/new");
}

Result<void> list_files(blob::FileSystem& fs, const std::string& root, SourceFolder& folder) {
  std::string base = folder.dir.empty() ? root : root + "/" + folder.dir;
  maildir::UidList uids =
      maildir::parse_dovecot_uidlist(read_or_empty(fs, base + "/dovecot-uidlist"));
  for (const char* subdir : {"cur", "new"}) {
    if (!is_real_directory(base + "/" + subdir)) continue;  // missing, or a link: not read
    auto names = fs.list_directory(base + "/" + subdir);
    if (!names) {
      if (names.error().kind == ErrorKind::not_found) continue;
      return names.error();
    }
    for (const std::string& name : *names) {
      if (name.starts_with(".")) continue;  // not a message (maildir(5): hidden names)
      auto parsed = maildir::parse_file_name(name);
      if (!parsed) {
        folder.bad_files.push_back(std::string(subdir) + "/" + name);
        continue;
      }
      auto uid = uids.uids.find(parsed->unique);
      folder.files.push_back({subdir, name, *parsed, uid == uids.uids.end() ? 0u : uid->second});
    }
  }
  // Dovecot's order (its uids) first; then by name, which begins with the delivery time.
  std::sort(folder.files.begin(), folder.files.end(), [](const SourceFile& a, const SourceFile& b) {
    if ((a.uid == 0) != (b.uid == 0)) return a.uid != 0;
    if (a.uid != b.uid) return a.uid < b.uid;
    return a.name < b.name;
  });
  return {};
}

// Courier's courierimapkeywords/ of a folder: ":list" and the update files beside it.
maildir::CourierKeywords courier_keywords(blob::FileSystem& fs, const std::string& base) {
  std::string dir = base + "/courierimapkeywords";
  auto names = fs.list_directory(dir);
  if (!names) return {};
  std::vector<std::pair<std::string, std::string>> updates;
  for (const std::string& name : *names)
    if (name.starts_with(".")) updates.emplace_back(name, read_or_empty(fs, dir + "/" + name));
  return maildir::parse_courier_keywords(read_or_empty(fs, dir + "/:list"), updates);
}

}  // namespace

Result<void> import_maildir(Importer& importer) {
  blob::FileSystem& fs = blob::posix_file_system();
  const std::string root = importer.options().source.string();
  auto entries = fs.list_directory(root);
  if (!entries) {
    if (entries.error().kind == ErrorKind::not_found)
      return Error{ErrorKind::invalid, fmt::format("{}: no such folder", root)};
    return entries.error();
  }
  std::vector<SourceFolder> folders;
  if (is_maildir(fs, root)) folders.push_back(SourceFolder{});
  std::sort(entries->begin(), entries->end());
  for (const std::string& entry : *entries) {
    if (entry == "." || entry == ".." || !entry.starts_with(".")) continue;
    if (!is_real_directory(root + "/" + entry) || !is_maildir(fs, root + "/" + entry)) continue;
    SourceFolder folder;
    folder.dir = entry;
    auto name = maildir::folder_to_mailbox(entry);
    if (name) {
      folder.name = *name;
    } else {
      folder.name = entry;
      folder.failure = fmt::format("folder name {}: {}", entry, name.error().message);
    }
    folders.push_back(std::move(folder));
  }
  if (folders.empty())
    return Error{ErrorKind::invalid,
                 fmt::format("{} is not a Maildir: no cur/ or new/, and no .Folder in it", root)};

  size_t total = 0;
  std::vector<std::string> names;
  for (SourceFolder& folder : folders) {
    POSTAMT_TRY(list_files(fs, root, folder));
    total += folder.files.size() + folder.bad_files.size();
    if (folder.failure.empty()) names.push_back(folder.name);
  }
  POSTAMT_TRY(importer.plan(names, total));

  for (const SourceFolder& folder : folders) {
    std::string base = folder.dir.empty() ? root : root + "/" + folder.dir;
    std::string label_dir = folder.dir.empty() ? "" : folder.dir + "/";
    for (const std::string& bad : folder.bad_files)
      importer.skip(folder.name, label_dir + bad, "not a maildir message file name");
    maildir::KeywordTable keywords =
        maildir::parse_dovecot_keywords(read_or_empty(fs, base + "/dovecot-keywords"));
    maildir::CourierKeywords courier = courier_keywords(fs, base);
    for (const SourceFile& file : folder.files) {
      std::string label = label_dir + file.subdir + "/" + file.name;
      if (!folder.failure.empty()) {
        importer.skip(folder.name, label, folder.failure);
        continue;
      }
      // The unique part names the message whatever its flags (and cur/ or new/) become.
      std::string id = (folder.dir.empty() ? "." : folder.dir) + "/" + file.parsed.unique;
      if (importer.already(folder.name, id)) continue;
      std::string path = base + "/" + file.subdir + "/" + file.name;
      auto status = fs.status(path);
      if (status && status->size > importer.options().max_message_size) {
        importer.skip(folder.name, label,
                      fmt::format("too large: {} octets, the limit ([imap] max_literal) is {}",
                                  status->size, importer.options().max_message_size));
        continue;
      }
      auto bytes = fs.map_file(path);
      if (!status || !bytes) {
        importer.skip(folder.name, label, (!status ? status.error() : bytes.error()).message);
        continue;
      }
      mail::NewFlags flags;
      flags.flags = file.parsed.flags;
      for (uint8_t index : file.parsed.keyword_indexes)
        if (!keywords[index].empty()) flags.keywords.add(keywords[index]);
      if (file.parsed.passed) flags.keywords.add("$Forwarded");
      if (auto c = courier.find(file.parsed.unique); c != courier.end())
        for (const std::string& k : c->second) flags.keywords.add(k);
      // Dovecot's INTERNALDATE of a maildir message is its file's mtime.
      auto date = std::chrono::floor<std::chrono::seconds>(status->modified);
      POSTAMT_TRY(importer.add(folder.name, id, label, bytes->bytes(), flags,
                               store::InternalDate(date.time_since_epoch())));
    }
  }

  std::vector<std::string> subscribed;
  for (const std::string& name :
       maildir::parse_subscriptions(read_or_empty(fs, root + "/subscriptions")))
    subscribed.push_back(name == "INBOX" ? "" : name);
  return importer.subscribe(subscribed);
}

}  // namespace postamt::admin
