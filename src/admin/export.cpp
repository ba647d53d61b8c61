#include "admin/export.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>

#include "admin/maildir_codec.h"
#include "admin/mbox_codec.h"
#include "base/strings.h"
#include "blob/file_system.h"

namespace postamt::admin {
namespace {

Error io_error(const std::string& path, std::string_view what) {
  return Error{ErrorKind::io, fmt::format("{}: {}: {}", path, what, std::strerror(errno))};
}

// Stored messages end their lines in CRLF (mime/line_endings.h); files on disk in LF,
// as Dovecot and mail readers write them. Import turns them back into CRLF.
std::string to_lf(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (bytes[i] == '\r' && i + 1 < bytes.size() && bytes[i + 1] == '\n') continue;
    out += bytes[i];
  }
  return out;
}

Result<void> make_directories(const std::filesystem::path& path) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) return Error{ErrorKind::io, fmt::format("{}: {}", path.string(), ec.message())};
  return {};
}

// Writes a new file (O_EXCL) and, when given, sets its modification time.
Result<void> write_file(const std::string& path, std::string_view bytes,
                        std::optional<store::InternalDate> mtime = std::nullopt) {
  blob::FileSystem& fs = blob::posix_file_system();
  auto fd = fs.create_file(path);
  POSTAMT_TRY(fd);
  auto written = fs.write_all(*fd, bytes);
  auto closed = fs.close_file(*fd);
  POSTAMT_TRY(written);
  POSTAMT_TRY(closed);
  if (mtime) {
    timespec times[2];
    times[0].tv_sec = times[1].tv_sec = mtime->time_since_epoch().count();
    times[0].tv_nsec = times[1].tv_nsec = 0;
    if (::utimensat(AT_FDCWD, path.c_str(), times, 0) != 0) return io_error(path, "set mtime");
  }
  return {};
}

Result<void> check_destination(const std::filesystem::path& dest) {
  std::error_code ec;
  if (!std::filesystem::exists(dest, ec)) return make_directories(dest);
  if (!std::filesystem::is_directory(dest, ec) || !std::filesystem::is_empty(dest, ec))
    return Error{ErrorKind::invalid,
                 fmt::format("{} exists and is not an empty folder", dest.string())};
  return {};
}

struct Exporter {
  store::Store& store;
  blob::BlobStore& blobs;
  const ExportOptions& options;
  ExportReport report;

  Result<void> maildir_mailbox(const store::Mailbox& mailbox);
  Result<void> mbox_mailbox(const store::Mailbox& mailbox);
};

Result<void> Exporter::maildir_mailbox(const store::Mailbox& mailbox) {
  std::filesystem::path dir = options.destination;
  if (mailbox.name != "INBOX") {
    auto folder = maildir::mailbox_to_folder(mailbox.name);
    if (!folder) {
      report.skipped.push_back(
          {fmt::format("mailbox {} ({} messages)", mailbox.name, mailbox.messages),
           folder.error().message});
      return {};
    }
    dir /= *folder;
  }
  for (const char* sub : {"cur", "new", "tmp"}) POSTAMT_TRY(make_directories(dir / sub));
  if (mailbox.name != "INBOX") POSTAMT_TRY(write_file((dir / "maildirfolder").string(), ""));
  auto messages = store.list_messages(mailbox.id);
  POSTAMT_TRY(messages);
  maildir::KeywordTable letters;
  size_t used = 0;
  std::vector<std::pair<uint32_t, std::string>> uids;
  for (const store::MessageRecord& m : *messages) {
    auto bytes = blobs.get(m.blob);
    POSTAMT_TRY(bytes);
    std::string file = to_lf(*bytes);
    std::vector<uint8_t> indexes;
    for (const std::string& keyword : m.keywords.items()) {
      auto at = std::find_if(letters.begin(), letters.begin() + static_cast<long>(used),
                             [&](const std::string& l) { return iequals(l, keyword); });
      if (at == letters.begin() + static_cast<long>(used)) {
        if (used == maildir::kMaxKeywordLetters) {
          report.skipped.push_back(
              {fmt::format("mailbox {} uid {} keyword {}", mailbox.name, m.uid, keyword),
               "not written: a maildir folder holds at most 26 keywords"});
          continue;
        }
        letters[used++] = keyword;
      }
      indexes.push_back(static_cast<uint8_t>(at - letters.begin()));
    }
    std::string unique =
        fmt::format("{}.U{}V{}.postamt,S={}", m.internal_date.time_since_epoch().count(), m.uid,
                    mailbox.uid_validity, file.size());
    std::string name = maildir::format_file_name(unique, m.flags, false, indexes);
    POSTAMT_TRY(write_file((dir / "cur" / name).string(), file, m.internal_date));
    uids.emplace_back(m.uid, unique);
    ++report.messages;
  }
  if (used > 0)
    POSTAMT_TRY(
        write_file((dir / "dovecot-keywords").string(), maildir::format_dovecot_keywords(letters)));
  POSTAMT_TRY(
      write_file((dir / "dovecot-uidlist").string(),
                 maildir::format_dovecot_uidlist(mailbox.uid_validity, mailbox.uid_next, uids)));
  ++report.mailboxes;
  return {};
}

// Where mailbox `name` goes below DEST: levels above the last as Thunderbird's "X.sbd"
// folders, the last as "X.mbox" ("A/B" -> A.sbd/B.mbox), so that no file and folder
// share a name and the importer reads it back (import_mbox.cpp). Empty if a level is
// empty, "." or "..": such a name (older stores allowed it) must not leave DEST.
std::optional<std::filesystem::path> mbox_path(const std::string& name) {
  std::filesystem::path out;
  std::vector<std::string_view> levels = split(name, '/');
  for (size_t i = 0; i < levels.size(); ++i) {
    std::string_view level = levels[i];
    if (level.empty() || level == "." || level == "..") return std::nullopt;
    out /= std::string(level) + (i + 1 < levels.size() ? ".sbd" : ".mbox");
  }
  return out;
}

Result<void> Exporter::mbox_mailbox(const store::Mailbox& mailbox) {
  auto relative = mbox_path(mailbox.name);
  if (!relative) {
    report.skipped.push_back({fmt::format("mailbox {}", mailbox.name),
                              "not written: an empty, \".\" or \"..\" level in its name"});
    return {};
  }
  std::filesystem::path file = options.destination / *relative;
  POSTAMT_TRY(make_directories(file.parent_path()));
  auto messages = store.list_messages(mailbox.id);
  POSTAMT_TRY(messages);
  std::string out;
  for (const store::MessageRecord& m : *messages) {
    auto bytes = blobs.get(m.blob);
    POSTAMT_TRY(bytes);
    std::string message = to_lf(*bytes);
    out += mbox::format_from_line(mbox::return_path(message),
                                  m.internal_date.time_since_epoch().count());
    out += '\n';
    out += mbox::quote_mboxrd(mbox::add_status_fields(message, m.flags, m.keywords.items()));
    if (out.back() != '\n') out += '\n';
    out += '\n';  // RFC 4155: an empty line ends each message
    ++report.messages;
  }
  POSTAMT_TRY(write_file(file.string(), out));
  ++report.mailboxes;
  return {};
}

}  // namespace

Result<ExportReport> export_mail(store::Store& store, blob::BlobStore& blobs,
                                 const ExportOptions& options) {
  auto account = store.find_account(options.user);
  POSTAMT_TRY(account);
  POSTAMT_TRY(check_destination(options.destination));
  auto mailboxes = store.list_mailboxes(account->id);
  POSTAMT_TRY(mailboxes);
  Exporter exporter{store, blobs, options, {}};
  for (const store::Mailbox& mailbox : *mailboxes)
    POSTAMT_TRY(options.format == ExportFormat::maildir ? exporter.maildir_mailbox(mailbox)
                                                        : exporter.mbox_mailbox(mailbox));
  if (options.format == ExportFormat::maildir) {
    auto subscriptions = store.list_subscriptions(account->id);
    POSTAMT_TRY(subscriptions);
    POSTAMT_TRY(write_file((options.destination / "subscriptions").string(),
                           maildir::format_subscriptions(*subscriptions)));
  }
  int fd = ::open(options.destination.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return io_error(options.destination.string(), "open");
  int synced = ::syncfs(fd);
  ::close(fd);
  if (synced != 0) return io_error(options.destination.string(), "syncfs");
  return std::move(exporter.report);
}

std::string format_export_report(const ExportReport& report) {
  std::string out;
  for (const ExportReport::Skipped& s : report.skipped)
    out += fmt::format("left out {}: {}\n", s.what, s.reason);
  out += fmt::format("exported {} messages from {} mailboxes\n", report.messages, report.mailboxes);
  return out;
}

}  // namespace postamt::admin
