// `postamt import mbox`: reads one mbox file or a folder of them (import.h) and hands
// each message to the Importer.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "admin/import_run.h"
#include "admin/mbox_codec.h"
#include "base/strings.h"
#include "blob/file_system.h"

namespace postamt::admin {
namespace {

struct SourceFile {
  std::string path;      // as opened
  std::string relative;  // for ids and the report
  std::string folder;    // "" = INBOX, else "A/B"
  size_t messages = 0;
  std::string failure;  // why it is no mbox file
};

// Files a mail client keeps beside its mbox files, never mail.
bool is_side_file(std::string_view name) {
  return name.starts_with(".") || name.ends_with(".msf") || name.ends_with(".dat") ||
         name.ends_with(".json") || name.ends_with(".lock");
}

// "Lists.sbd/rust.mbox" -> "Lists/rust"; "INBOX" (any case) -> "".
std::string folder_of(const std::vector<std::string>& levels) {
  std::string name;
  for (size_t i = 0; i < levels.size(); ++i) {
    std::string_view level = levels[i];
    if (i + 1 < levels.size() && level.ends_with(".sbd")) level.remove_suffix(4);
    if (i + 1 == levels.size() && level.ends_with(".mbox") && level.size() > 5)
      level.remove_suffix(5);
    if (!name.empty()) name += '/';
    name += level;
  }
  return iequals(name, "INBOX") ? std::string() : name;
}

Result<void> walk(blob::FileSystem& fs, const std::string& dir, std::vector<std::string>& levels,
                  std::vector<SourceFile>& out) {
  auto names = fs.list_directory(dir);
  POSTAMT_TRY(names);
  std::sort(names->begin(), names->end());
  for (const std::string& name : *names) {
    if (is_side_file(name)) continue;
    std::string path = dir + "/" + name;
    levels.push_back(name);
    // A link to a folder is not entered (import_run.h); as a file it is then refused.
    if (is_real_directory(path)) {
      POSTAMT_TRY(walk(fs, path, levels, out));
    } else {
      std::string relative;
      for (const std::string& l : levels) relative += (relative.empty() ? "" : "/") + l;
      out.push_back({path, relative, folder_of(levels), 0, {}});
    }
    levels.pop_back();
  }
  return {};
}

}  // namespace

Result<void> import_mbox(Importer& importer) {
  blob::FileSystem& fs = blob::posix_file_system();
  const std::string source = importer.options().source.string();
  std::vector<SourceFile> files;
  auto status = fs.status(source);
  if (!status) {
    if (status.error().kind == ErrorKind::not_found)
      return Error{ErrorKind::invalid, fmt::format("{}: no such file or folder", source)};
    return status.error();
  }
  if (fs.list_directory(source)) {
    std::vector<std::string> levels;
    POSTAMT_TRY(walk(fs, source, levels, files));
  } else {
    std::string name = importer.options().source.filename().string();
    files.push_back({source, name, "", 0, {}});
  }

  // First pass: what each file holds, for the progress total and the mailboxes to make.
  size_t total = 0;
  std::vector<std::string> folders;
  for (SourceFile& file : files) {
    auto view = fs.map_file(file.path);
    if (!view) {
      file.failure = view.error().message;
    } else if (auto entries = mbox::split(view->bytes()); !entries) {
      file.failure = entries.error().message;
    } else {
      file.messages = entries->size();
    }
    total += file.failure.empty() ? file.messages : 1;
    if (file.failure.empty() &&
        std::find(folders.begin(), folders.end(), file.folder) == folders.end())
      folders.push_back(file.folder);
  }
  if (files.size() == 1 && !files[0].failure.empty())
    return Error{ErrorKind::invalid, fmt::format("{}: {}", source, files[0].failure)};
  POSTAMT_TRY(importer.plan(folders, total));

  for (const SourceFile& file : files) {
    if (!file.failure.empty()) {
      importer.skip(file.folder, file.relative, file.failure);
      continue;
    }
    auto view = fs.map_file(file.path);
    auto file_status = fs.status(file.path);
    if (!view || !file_status) return view ? file_status.error() : view.error();
    auto entries = mbox::split(view->bytes());
    POSTAMT_TRY(entries);
    size_t number = 0;
    for (const mbox::Entry& entry : *entries) {
      ++number;
      // Where the message starts and how long it is: the same file read again gives the
      // same ids; a message added at its end gets a new one.
      std::string id = fmt::format("{}@{}+{}", file.relative, entry.offset, entry.text.size());
      std::string label =
          fmt::format("{} message {} (offset {})", file.relative, number, entry.offset);
      if (importer.already(file.folder, id)) continue;
      mbox::StatusFields fields =
          mbox::take_status_fields(mbox::unquote(entry.text, importer.options().mbox_format));
      mail::NewFlags flags;
      flags.flags = fields.flags;
      for (const std::string& k : fields.keywords) flags.keywords.add(k);
      mbox::FromLine from = mbox::parse_from_line(entry.from_line);
      store::InternalDate date =
          from.date ? store::InternalDate(std::chrono::seconds(*from.date))
                    : std::chrono::floor<std::chrono::seconds>(file_status->modified);
      POSTAMT_TRY(importer.add(file.folder, id, label, fields.message, flags, date));
    }
  }
  return {};
}

}  // namespace postamt::admin
