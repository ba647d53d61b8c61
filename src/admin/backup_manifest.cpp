#include "admin/backup_manifest.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <optional>
#include <utility>

namespace postamt::admin {

namespace {

constexpr std::string_view kMagic = "postamt-backup";
constexpr size_t kMaxVersionText = 64;
constexpr uint64_t kMaxNumber = std::numeric_limits<int64_t>::max();

bool is_hex(std::string_view s) {
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Decimal without leading zeros, at most kMaxNumber.
std::optional<uint64_t> parse_number(std::string_view s) {
  if (s.empty() || s.size() > 19 || (s.size() > 1 && s[0] == '0')) return std::nullopt;
  uint64_t n = 0;
  for (char c : s) {
    if (!is_digit(c)) return std::nullopt;
    n = n * 10 + static_cast<uint64_t>(c - '0');
  }
  if (n > kMaxNumber) return std::nullopt;
  return n;
}

// Visible ASCII and octets above 127: no space, no control octet.
bool is_token(std::string_view s) {
  for (unsigned char c : s)
    if (c <= ' ' || c == 0x7f) return false;
  return !s.empty();
}

std::optional<std::chrono::sys_seconds> parse_time(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SSZ
  static constexpr std::string_view kShape = "dddd-dd-ddTdd:dd:ddZ";
  if (s.size() != kShape.size()) return std::nullopt;
  for (size_t i = 0; i < s.size(); ++i) {
    if (kShape[i] == 'd' ? !is_digit(s[i]) : s[i] != kShape[i]) return std::nullopt;
  }
  auto num = [&](size_t at, size_t n) {
    int v = 0;
    for (size_t i = at; i < at + n; ++i) v = v * 10 + (s[i] - '0');
    return v;
  };
  std::chrono::year_month_day day{std::chrono::year(num(0, 4)),
                                  std::chrono::month(static_cast<unsigned>(num(5, 2))),
                                  std::chrono::day(static_cast<unsigned>(num(8, 2)))};
  int hour = num(11, 2), minute = num(14, 2), second = num(17, 2);
  // 1970 and later: a backup is never older, and the range keeps every later calculation
  // on the time far from overflow.
  if (!day.ok() || num(0, 4) < 1970 || hour > 23 || minute > 59 || second > 59) return std::nullopt;
  return std::chrono::sys_days(day) + std::chrono::hours(hour) + std::chrono::minutes(minute) +
         std::chrono::seconds(second);
}

// The next line without its LF; false at the end of the text.
struct Lines {
  std::string_view rest;
  size_t number = 0;
  bool next(std::string_view& line) {
    if (rest.empty()) return false;
    size_t lf = rest.find('\n');
    ++number;
    if (lf == std::string_view::npos) {
      line = rest;
      rest = {};
      unterminated = true;
    } else {
      line = rest.substr(0, lf);
      rest.remove_prefix(lf + 1);
    }
    return true;
  }
  bool unterminated = false;
};

}  // namespace

BackupFileKind kind_of_path(std::string_view path) {
  if (path == kStoreFile) return BackupFileKind::store;
  if (path.starts_with("blobs/")) return BackupFileKind::blob;
  if (path.starts_with("queue/")) return BackupFileKind::queue;
  return BackupFileKind::tls;
}

BackupFileKind ManifestFile::kind() const {
  return kind_of_path(path);
}

Result<void> check_manifest_path(std::string_view path) {
  auto bad = [&](std::string_view why) {
    return Error{ErrorKind::invalid, fmt::format("path {}", why)};
  };
  if (path.empty()) return bad("is empty");
  if (path.size() > kMaxManifestPath)
    return bad(fmt::format("is longer than {} octets", kMaxManifestPath));
  if (!is_token(path)) return bad("holds a space or a control character");
  std::vector<std::string_view> parts;
  for (size_t start = 0;;) {
    size_t slash = path.find('/', start);
    std::string_view part = path.substr(start, slash - start);
    if (part.empty() || part == "." || part == "..")
      return bad(fmt::format("{} has an empty, \".\" or \"..\" component", path));
    parts.push_back(part);
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  switch (kind_of_path(path)) {
    case BackupFileKind::blob:
      if (parts.size() != 4 || parts[1].size() != 2 || parts[2].size() != 2 ||
          parts[3].size() != 64 || !is_hex(parts[3]) || parts[3].substr(0, 2) != parts[1] ||
          parts[3].substr(2, 2) != parts[2])
        return bad(fmt::format("{} is not blobs/<h0h1>/<h2h3>/<sha256>", path));
      break;
    case BackupFileKind::queue:
      if (!(parts.size() == 2 || (parts.size() == 3 && parts[1] == "corrupt")))
        return bad(fmt::format("{} is not queue/<name> or queue/corrupt/<name>", path));
      break;
    case BackupFileKind::store:
    case BackupFileKind::tls:
      break;
  }
  return {};
}

ManifestCounts counts_of(const Manifest& manifest) {
  ManifestCounts c;
  for (const ManifestFile& f : manifest.files) {
    ++c.files;
    c.bytes += f.size;
    switch (f.kind()) {
      case BackupFileKind::blob:
        ++c.blobs;
        break;
      case BackupFileKind::queue:
        ++c.queue;
        break;
      case BackupFileKind::tls:
        ++c.tls;
        break;
      case BackupFileKind::store:
        break;
    }
  }
  return c;
}

namespace {
std::string plural(uint64_t n, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}
}  // namespace

std::string utc_text(std::chrono::sys_seconds time) {
  auto day = std::chrono::floor<std::chrono::days>(time);
  std::chrono::year_month_day date{day};
  std::chrono::hh_mm_ss clock{time - day};
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", static_cast<int>(date.year()),
                     static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                     clock.hours().count(), clock.minutes().count(), clock.seconds().count());
}

std::string summarize(const Manifest& m) {
  ManifestCounts c = counts_of(m);
  return fmt::format("store, {}, {}, {}; {} in {}", plural(c.blobs, "blob", "blobs"),
                     plural(c.queue, "queue file", "queue files"),
                     plural(c.tls, "TLS file", "TLS files"), plural(c.bytes, "byte", "bytes"),
                     plural(c.files, "file", "files"));
}

std::string serialize_manifest(const Manifest& manifest) {
  ManifestCounts c = counts_of(manifest);
  std::string out =
      fmt::format("{} {}\npostamt {}\ncreated {}\nfiles {}\nblobs {}\nqueue {}\ntls {}\nbytes {}\n",
                  kMagic, kManifestVersion, manifest.postamt_version, utc_text(manifest.created),
                  c.files, c.blobs, c.queue, c.tls, c.bytes);
  for (const ManifestFile& f : manifest.files)
    out += fmt::format("file {} {} {}\n", f.sha256, f.size, f.path);
  out += "end\n";
  return out;
}

Result<Manifest> parse_manifest(std::string_view text) {
  Lines lines{text};
  std::string_view line;
  auto fail = [&](std::string_view what) {
    return Error{ErrorKind::invalid, fmt::format("line {}: {}", lines.number, what)};
  };
  for (unsigned char c : text)
    if ((c < ' ' && c != '\n') || c == 0x7f) {
      // Name the line of the first control octet.
      size_t at = text.find(static_cast<char>(c));
      lines.number = 1 + static_cast<size_t>(std::count(text.begin(), text.begin() + at, '\n'));
      return fail("control character");
    }

  // The header: each key once, in this order.
  auto header = [&](std::string_view key) -> Result<std::string_view> {
    if (!lines.next(line)) {
      ++lines.number;
      return fail(fmt::format("missing \"{}\" line", key));
    }
    if (!line.starts_with(key) || line.size() <= key.size() || line[key.size()] != ' ')
      return fail(fmt::format("expected \"{} ...\"", key));
    return line.substr(key.size() + 1);
  };
  auto number = [&](std::string_view key) -> Result<uint64_t> {
    auto value = header(key);
    POSTAMT_TRY(value);
    auto n = parse_number(*value);
    if (!n) return fail(fmt::format("{}: not a number", key));
    return *n;
  };

  Manifest m;
  auto magic = header(kMagic);
  if (!magic) return fail("not a Postamt backup manifest");
  if (*magic != std::to_string(kManifestVersion))
    return fail(fmt::format("format version {} (this Postamt reads {})", *magic, kManifestVersion));
  auto version = header("postamt");
  POSTAMT_TRY(version);
  if (!is_token(*version) || version->size() > kMaxVersionText)
    return fail("postamt: not a version");
  m.postamt_version = std::string(*version);
  auto created = header("created");
  POSTAMT_TRY(created);
  auto when = parse_time(*created);
  if (!when) return fail("created: not a time YYYY-MM-DDTHH:MM:SSZ");
  m.created = *when;
  ManifestCounts expected;
  const std::pair<std::string_view, uint64_t ManifestCounts::*> kCounts[] = {
      {"files", &ManifestCounts::files},
      {"blobs", &ManifestCounts::blobs},
      {"queue", &ManifestCounts::queue},
      {"tls", &ManifestCounts::tls},
      {"bytes", &ManifestCounts::bytes}};
  for (const auto& [key, field] : kCounts) {
    auto n = number(key);
    POSTAMT_TRY(n);
    expected.*field = *n;
  }

  bool ended = false;
  bool has_store = false;
  ManifestCounts seen;
  while (lines.next(line)) {
    if (line == "end") {
      ended = true;
      break;
    }
    if (!line.starts_with("file ")) return fail("expected \"file ...\" or \"end\"");
    std::string_view rest = line.substr(5);
    size_t sp1 = rest.find(' ');
    size_t sp2 = sp1 == std::string_view::npos ? sp1 : rest.find(' ', sp1 + 1);
    if (sp2 == std::string_view::npos) return fail("file: expected <sha256> <size> <path>");
    ManifestFile f;
    std::string_view sha = rest.substr(0, sp1);
    if (sha.size() != 64 || !is_hex(sha)) return fail("file: not a SHA-256 in lowercase hex");
    f.sha256 = std::string(sha);
    auto size = parse_number(rest.substr(sp1 + 1, sp2 - sp1 - 1));
    if (!size) return fail("file: size is not a number");
    f.size = *size;
    f.path = std::string(rest.substr(sp2 + 1));
    if (auto ok = check_manifest_path(f.path); !ok) return fail(ok.error().message);
    if (!m.files.empty() && f.path <= m.files.back().path)
      return fail(fmt::format("path {} is out of order or repeated", f.path));
    switch (f.kind()) {
      case BackupFileKind::store:
        has_store = true;
        break;
      case BackupFileKind::blob:
        if (f.path.compare(f.path.size() - 64, 64, f.sha256) != 0)
          return fail(fmt::format("blob {} does not carry its own checksum", f.path));
        ++seen.blobs;
        break;
      case BackupFileKind::queue:
        ++seen.queue;
        break;
      case BackupFileKind::tls:
        ++seen.tls;
        break;
    }
    ++seen.files;
    if (seen.bytes > kMaxNumber - f.size) return fail("the sizes add up to more than 2^63-1");
    seen.bytes += f.size;
    m.files.push_back(std::move(f));
  }
  if (!ended) {
    ++lines.number;
    return fail("missing \"end\" line (the manifest is cut short)");
  }
  if (lines.unterminated) return fail("the last line has no line end");
  if (!lines.rest.empty()) {
    ++lines.number;
    return fail("text after \"end\"");
  }
  for (const auto& [key, field] : kCounts) {
    if (expected.*field != seen.*field)
      return Error{ErrorKind::invalid, fmt::format("the manifest says {} {} but lists {}", key,
                                                   expected.*field, seen.*field)};
  }
  if (!has_store)
    return Error{ErrorKind::invalid, fmt::format("the manifest lists no {}", kStoreFile)};
  return m;
}

}  // namespace postamt::admin
