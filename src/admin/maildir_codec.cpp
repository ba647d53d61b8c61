#include "admin/maildir_codec.h"

#include <algorithm>
#include <charconv>

#include "base/strings.h"
#include "imap/proto/mailbox_name.h"

namespace postamt::admin::maildir {
namespace {

// maildir(5): the standard flags and the letter each has in a file name.
struct FlagLetter {
  char letter;
  SystemFlag flag;
};
constexpr FlagLetter kFlagLetters[] = {
    {'D', SystemFlag::draft}, {'F', SystemFlag::flagged}, {'R', SystemFlag::answered},
    {'S', SystemFlag::seen},  {'T', SystemFlag::deleted},
};

std::optional<uint32_t> parse_number(std::string_view text) {
  uint32_t value = 0;
  if (text.empty()) return std::nullopt;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return lines;
}

// One level of a folder or subscription name: modified UTF-7 (RFC 3501 §5.1.3), as
// Dovecot and Courier write non-ASCII names on disk.
Result<std::string> decode_level(std::string_view level) {
  if (level.empty()) return Error{ErrorKind::invalid, "empty level in a folder name"};
  auto decoded = imap::proto::decode_mutf7(level);
  POSTAMT_TRY(decoded);
  if (decoded->find('/') != std::string::npos)
    return Error{ErrorKind::invalid, "a folder name level holds \"/\""};
  return decoded;
}

Result<std::string> decode_levels(std::string_view name, char separator) {
  std::string out;
  for (std::string_view level : split(name, separator)) {
    auto decoded = decode_level(level);
    POSTAMT_TRY(decoded);
    if (!out.empty()) out += '/';
    out += *decoded;
  }
  return out;
}

Result<std::string> encode_levels(std::string_view mailbox, char separator) {
  std::string out;
  for (std::string_view level : split(mailbox, '/')) {
    if (level.find(separator) != std::string_view::npos)
      return Error{ErrorKind::invalid, "a mailbox name level holds the folder separator"};
    auto encoded = imap::proto::encode_mutf7(level);
    POSTAMT_TRY(encoded);
    if (!out.empty()) out += separator;
    out += *encoded;
  }
  return out;
}

}  // namespace

std::optional<FileName> parse_file_name(std::string_view name) {
  if (name.empty() || name.front() == '.' || name.find('/') != std::string_view::npos ||
      name.find('\0') != std::string_view::npos)
    return std::nullopt;
  FileName out;
  size_t colon = name.rfind(':');
  out.unique = std::string(name.substr(0, colon));
  if (out.unique.empty()) return std::nullopt;
  if (colon == std::string_view::npos) return out;
  std::string_view info = name.substr(colon + 1);
  if (!info.starts_with("2,")) return out;  // maildir(5): other versions carry no flags
  for (char c : info.substr(2)) {
    if (c >= 'a' && c <= 'z') {
      auto index = static_cast<uint8_t>(c - 'a');
      auto at = std::lower_bound(out.keyword_indexes.begin(), out.keyword_indexes.end(), index);
      if (at == out.keyword_indexes.end() || *at != index) out.keyword_indexes.insert(at, index);
      continue;
    }
    if (c == 'P') {
      out.passed = true;
      continue;
    }
    for (const FlagLetter& f : kFlagLetters)
      if (f.letter == c) out.flags.add(f.flag);
  }
  return out;
}

std::string format_file_name(std::string_view unique, SystemFlags flags, bool passed,
                             const std::vector<uint8_t>& keyword_indexes) {
  std::string name(unique);
  name += ":2,";
  // ASCII order, as maildir(5) asks: D F P R S T, then the keyword letters.
  for (const FlagLetter& f : kFlagLetters) {
    if (f.letter == 'R' && passed) name += 'P';
    if (flags.has(f.flag)) name += f.letter;
  }
  std::vector<uint8_t> sorted = keyword_indexes;
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  for (uint8_t i : sorted) name += static_cast<char>('a' + i);
  return name;
}

KeywordTable parse_dovecot_keywords(std::string_view text) {
  KeywordTable table;
  for (std::string_view line : lines_of(text)) {
    size_t space = line.find(' ');
    if (space == std::string_view::npos) continue;
    auto index = parse_number(line.substr(0, space));
    std::string_view keyword = line.substr(space + 1);
    if (!index || *index >= kMaxKeywordLetters || !is_valid_keyword(keyword)) continue;
    table[*index] = std::string(keyword);
  }
  return table;
}

std::string format_dovecot_keywords(const KeywordTable& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i)
    if (!names[i].empty()) out += std::to_string(i) + " " + names[i] + "\n";
  return out;
}

CourierKeywords parse_courier_keywords(
    std::string_view list, const std::vector<std::pair<std::string, std::string>>& updates) {
  CourierKeywords out;
  std::vector<std::string_view> lines = lines_of(list);
  std::vector<std::string_view> names;
  size_t i = 0;
  for (; i < lines.size() && !lines[i].empty(); ++i) names.push_back(lines[i]);
  for (++i; i < lines.size(); ++i) {
    size_t colon = lines[i].rfind(':');
    if (colon == std::string_view::npos || colon == 0) continue;
    std::vector<std::string>& keywords = out[std::string(lines[i].substr(0, colon))];
    for (std::string_view index : split(lines[i].substr(colon + 1), ' ')) {
      auto n = parse_number(index);
      if (n && *n < names.size() && is_valid_keyword(names[*n])) keywords.emplace_back(names[*n]);
    }
  }
  std::map<std::string, uint32_t, std::less<>> newest;  // unique -> N of the update applied
  for (const auto& [name, content] : updates) {
    // ".N.unique"
    if (name.size() < 4 || name[0] != '.') continue;
    size_t dot = name.find('.', 1);
    if (dot == std::string::npos || dot + 1 >= name.size()) continue;
    auto n = parse_number(std::string_view(name).substr(1, dot - 1));
    if (!n) continue;
    std::string unique = name.substr(dot + 1);
    auto seen = newest.find(unique);
    if (seen != newest.end() && seen->second > *n) continue;
    newest[unique] = *n;
    std::vector<std::string>& keywords = out[unique];
    keywords.clear();
    for (std::string_view k : lines_of(content))
      if (is_valid_keyword(k)) keywords.emplace_back(k);
  }
  return out;
}

UidList parse_dovecot_uidlist(std::string_view text) {
  UidList list;
  std::vector<std::string_view> lines = lines_of(text);
  if (lines.empty()) return list;
  // Header of version 3: "3 V<uidvalidity> N<next uid> G<guid> ..." (version 1: "1 V N").
  std::vector<std::string_view> header = split(lines.front(), ' ');
  if (header.empty() || (header[0] != "3" && header[0] != "1")) return list;
  for (std::string_view field : header)
    if (field.starts_with("V")) list.uid_validity = parse_number(field.substr(1)).value_or(0);
  for (size_t i = 1; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    size_t space = line.find(' ');
    if (space == std::string_view::npos) continue;
    auto uid = parse_number(line.substr(0, space));
    if (!uid || *uid == 0) continue;
    // Version 3 puts the name after " :", version 1 after the first space.
    size_t colon = line.find(" :");
    std::string_view unique =
        header[0] == "3"
            ? (colon == std::string_view::npos ? std::string_view{} : line.substr(colon + 2))
            : line.substr(space + 1);
    if (unique.empty()) continue;
    list.uids.emplace(std::string(unique), *uid);
  }
  return list;
}

std::string format_dovecot_uidlist(uint32_t uid_validity, uint32_t uid_next,
                                   const std::vector<std::pair<uint32_t, std::string>>& entries) {
  std::string out = "3 V" + std::to_string(uid_validity) + " N" + std::to_string(uid_next) + "\n";
  for (const auto& [uid, unique] : entries) out += std::to_string(uid) + " :" + unique + "\n";
  return out;
}

Result<std::string> folder_to_mailbox(std::string_view folder) {
  if (folder.size() < 2 || folder.front() != '.')
    return Error{ErrorKind::invalid, "not a Maildir++ folder name"};
  return decode_levels(folder.substr(1), '.');
}

Result<std::string> mailbox_to_folder(std::string_view mailbox) {
  auto encoded = encode_levels(mailbox, '.');
  POSTAMT_TRY(encoded);
  return "." + *encoded;
}

std::vector<std::string> parse_subscriptions(std::string_view text) {
  std::vector<std::string> names;
  std::vector<std::string_view> lines = lines_of(text);
  size_t first = 0;
  char separator = '.';
  // Version 2 (Dovecot 2.3): "V\t2", an empty line, then names with TAB between levels.
  if (!lines.empty() && lines[0].starts_with("V\t")) {
    separator = '\t';
    first = 1;
    while (first < lines.size() && !lines[first].empty()) ++first;
  }
  for (size_t i = first; i < lines.size(); ++i) {
    if (lines[i].empty()) continue;
    auto name = decode_levels(lines[i], separator);
    if (name) names.push_back(iequals(*name, "INBOX") ? std::string("INBOX") : *name);
  }
  return names;
}

std::string format_subscriptions(const std::vector<std::string>& names) {
  std::string out = "V\t2\n\n";
  for (const std::string& name : names) {
    auto encoded = encode_levels(name, '\t');
    if (encoded) out += *encoded + "\n";
  }
  return out;
}

}  // namespace postamt::admin::maildir
