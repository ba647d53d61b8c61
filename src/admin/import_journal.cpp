#include "admin/import_journal.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/strings.h"

namespace postamt::admin {
namespace {

constexpr std::string_view kHeader = "postamt-import-journal 1\n";

Error io_error(const std::filesystem::path& path, std::string_view what) {
  return Error{ErrorKind::io,
               fmt::format("import journal {}: {}: {}", path.string(), what, std::strerror(errno))};
}

}  // namespace

std::string journal_escape(std::string_view id) {
  std::string out;
  for (char c : id) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f || c == '%')
      out += fmt::format("%{:02X}", u);
    else
      out += c;
  }
  return out;
}

std::string journal_unescape(std::string_view text) {
  return percent_decode(text);
}

Result<ImportJournal> ImportJournal::open(const std::filesystem::path& file) {
  std::error_code ec;
  std::filesystem::create_directories(file.parent_path(), ec);
  if (ec)
    return Error{ErrorKind::io, fmt::format("import journal folder {}: {}",
                                            file.parent_path().string(), ec.message())};
  int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return io_error(file, "open");
  ImportJournal journal(file, fd);
  std::string text;
  char buffer[65536];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0) return io_error(file, "read");
    if (n == 0) break;
    text.append(buffer, static_cast<size_t>(n));
  }
  if (text.empty()) {
    POSTAMT_TRY(journal.write_line(std::string(kHeader)));
    if (::fsync(fd) != 0) return io_error(file, "fsync");
    return journal;
  }
  if (!text.starts_with(kHeader))
    return Error{ErrorKind::invalid,
                 fmt::format("{} is not a postamt import journal", file.string())};
  // A torn last line: cut it off, so that the next line starts cleanly.
  size_t complete = text.rfind('\n') + 1;
  if (complete < text.size()) {
    if (::ftruncate(fd, static_cast<off_t>(complete)) != 0) return io_error(file, "truncate");
    text.resize(complete);
  }
  if (::lseek(fd, 0, SEEK_END) < 0) return io_error(file, "seek");
  std::vector<Pending> begun;
  for (std::string_view line : split(std::string_view(text).substr(kHeader.size()), '\n')) {
    std::vector<std::string_view> f = split(line, '\t');
    if (f.size() == 5 && f[0] == "B") {
      Pending p;
      p.source_id = journal_unescape(f[1]);
      p.mailbox = MailboxId(static_cast<int64_t>(parse_u64(f[2]).value_or(0)));
      p.uid_next = static_cast<Uid>(parse_u64(f[3]).value_or(0));
      p.blob = BlobRef::parse(f[4]).value_or(BlobRef{});
      begun.push_back(std::move(p));
    } else if (f.size() == 2 && (f[0] == "D" || f[0] == "A")) {
      std::string id = journal_unescape(f[1]);
      std::erase_if(begun, [&](const Pending& p) { return p.source_id == id; });
      if (f[0] == "D") journal.done_.insert(std::move(id));
    }
  }
  journal.pending_ = std::move(begun);
  return journal;
}

ImportJournal::ImportJournal(ImportJournal&& other) noexcept
    : path_(std::move(other.path_)),
      fd_(std::exchange(other.fd_, -1)),
      done_(std::move(other.done_)),
      pending_(std::move(other.pending_)) {}

ImportJournal::~ImportJournal() {
  if (fd_ >= 0) ::close(fd_);
}

Result<void> ImportJournal::write_line(const std::string& line) {
  size_t written = 0;
  while (written < line.size()) {
    ssize_t n = ::write(fd_, line.data() + written, line.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error(path_, "write");
    }
    written += static_cast<size_t>(n);
  }
  return {};
}

Result<void> ImportJournal::begin(const std::vector<Pending>& entries) {
  std::string lines;
  for (const Pending& e : entries)
    lines += fmt::format("B\t{}\t{}\t{}\t{}\n", journal_escape(e.source_id), e.mailbox.value(),
                         e.uid_next, e.blob.hex());
  POSTAMT_TRY(write_line(lines));
  // Durable before the store transaction: a run that dies after the commit must find it.
  if (::fsync(fd_) != 0) return io_error(path_, "fsync");
  pending_.insert(pending_.end(), entries.begin(), entries.end());
  return {};
}

Result<void> ImportJournal::finish(const std::vector<std::string>& source_ids) {
  std::string lines;
  for (const std::string& id : source_ids) lines += fmt::format("D\t{}\n", journal_escape(id));
  POSTAMT_TRY(write_line(lines));
  std::unordered_set<std::string> ids(source_ids.begin(), source_ids.end());
  std::erase_if(pending_, [&](const Pending& p) { return ids.contains(p.source_id); });
  done_.insert(source_ids.begin(), source_ids.end());
  return {};
}

Result<void> ImportJournal::abandon(std::string_view source_id) {
  POSTAMT_TRY(write_line(fmt::format("A\t{}\n", journal_escape(source_id))));
  std::erase_if(pending_, [&](const Pending& p) { return p.source_id == source_id; });
  return {};
}

}  // namespace postamt::admin
