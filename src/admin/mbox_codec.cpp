#include "admin/mbox_codec.h"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <chrono>

#include "base/strings.h"

namespace postamt::admin::mbox {
namespace {

constexpr std::array<std::string_view, 7> kWeekdays = {"Sun", "Mon", "Tue", "Wed",
                                                       "Thu", "Fri", "Sat"};
constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// The line that starts at `pos` (without its "\n"), and where the next one starts.
std::string_view line_at(std::string_view text, size_t pos, size_t& next) {
  size_t end = text.find('\n', pos);
  if (end == std::string_view::npos) {
    next = text.size();
    return text.substr(pos);
  }
  next = end + 1;
  return text.substr(pos, end - pos);
}

bool is_empty_line(std::string_view line) {
  return line.empty() || line == "\r";
}

// ">" repeated at least `min` times, then "From ".
bool is_quoted_from(std::string_view line, size_t min) {
  size_t n = 0;
  while (n < line.size() && line[n] == '>') ++n;
  return n >= min && line.substr(n).starts_with("From ");
}

std::optional<int> number(std::string_view text) {
  int value = 0;
  if (text.empty()) return std::nullopt;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

template <size_t N>
std::optional<int> index_of(const std::array<std::string_view, N>& names, std::string_view s) {
  for (size_t i = 0; i < N; ++i)
    if (iequals(names[i], s)) return static_cast<int>(i);
  return std::nullopt;
}

std::vector<std::string_view> words(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    size_t start = i;
    while (i < s.size() && s[i] != ' ' && s[i] != '\t') ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

// "Www Mmm dd hh:mm[:ss] [ZONE] yyyy [+hhmm]" from words[at] on; seconds since 1970.
std::optional<int64_t> parse_asctime(const std::vector<std::string_view>& w, size_t at) {
  if (w.size() < at + 5) return std::nullopt;
  auto month = index_of(kMonths, w[at + 1]);
  auto day = number(w[at + 2]);
  if (!month || !day || *day < 1 || *day > 31) return std::nullopt;
  std::vector<std::string_view> clock = postamt::split(w[at + 3], ':');
  if (clock.size() != 2 && clock.size() != 3) return std::nullopt;
  auto hour = number(clock[0]);
  auto minute = number(clock[1]);
  auto second = clock.size() == 3 ? number(clock[2]) : std::optional<int>(0);
  if (!hour || !minute || !second || *hour > 23 || *minute > 59 || *second > 60)
    return std::nullopt;
  size_t year_at = at + 4;
  // A zone name ("PST", "MET DST") may stand before the year; it is not interpreted.
  while (year_at < w.size() && !number(w[year_at])) ++year_at;
  if (year_at >= w.size()) return std::nullopt;
  auto year = number(w[year_at]);
  if (!year || *year < 1970 || *year > 9999) return std::nullopt;
  using namespace std::chrono;
  year_month_day ymd{std::chrono::year{*year},
                     std::chrono::month{static_cast<unsigned>(*month + 1)},
                     std::chrono::day{static_cast<unsigned>(*day)}};
  if (!ymd.ok()) return std::nullopt;
  int64_t seconds =
      sys_days{ymd}.time_since_epoch().count() * 86400 + *hour * 3600 + *minute * 60 + *second;
  // A numeric zone after the year ("+0100"): the time written is local to it.
  if (year_at + 1 < w.size()) {
    std::string_view zone = w[year_at + 1];
    if (zone.size() == 5 && (zone[0] == '+' || zone[0] == '-')) {
      auto hhmm = number(zone.substr(1));
      if (hhmm && *hhmm % 100 < 60) {
        int offset = (*hhmm / 100) * 3600 + (*hhmm % 100) * 60;
        seconds -= zone[0] == '+' ? offset : -offset;
      }
    }
  }
  return seconds;
}

// The header section of `message`: up to and including the line end before its first
// empty line, or all of it when it has none.
size_t header_end(std::string_view message) {
  size_t pos = 0;
  while (pos < message.size()) {
    size_t next = 0;
    std::string_view line = line_at(message, pos, next);
    if (is_empty_line(line)) return pos;
    pos = next;
  }
  return message.size();
}

bool field_named(std::string_view line, std::string_view name) {
  return line.size() > name.size() && istarts_with(line, name) && line[name.size()] == ':';
}

}  // namespace

Result<std::vector<Entry>> split(std::string_view file) {
  std::vector<Entry> entries;
  if (file.empty()) return entries;
  if (!file.starts_with("From ")) return Error{ErrorKind::invalid, "not an mbox file"};
  size_t pos = 0;
  bool after_empty = true;
  // Start of the current message's From_ line, and of the empty line that may end it.
  size_t from_start = 0;
  size_t text_start = 0;
  size_t last_empty = std::string_view::npos;
  auto close = [&](size_t end) {
    Entry& e = entries.back();
    e.text = file.substr(text_start, end - text_start);
  };
  while (pos < file.size()) {
    size_t next = 0;
    std::string_view line = line_at(file, pos, next);
    if (after_empty && line.starts_with("From ")) {
      if (!entries.empty()) close(last_empty);
      from_start = pos;
      std::string_view from = line;
      if (!from.empty() && from.back() == '\r') from.remove_suffix(1);
      entries.push_back(Entry{from_start, from, {}});
      text_start = next;
      after_empty = false;
      last_empty = std::string_view::npos;
    } else {
      after_empty = is_empty_line(line) && next > pos + line.size();
      if (after_empty) last_empty = pos;
    }
    pos = next;
  }
  // The last message: its closing empty line, when the file has one, is the format's.
  size_t end = file.size();
  if (last_empty != std::string_view::npos) {
    size_t next = 0;
    line_at(file, last_empty, next);
    if (next == file.size()) end = last_empty;
  }
  close(end);
  return entries;
}

std::string unquote(std::string_view text, MboxFormat format) {
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  while (pos < text.size()) {
    size_t next = 0;
    std::string_view line = line_at(text, pos, next);
    bool quoted =
        format == MboxFormat::mboxrd ? is_quoted_from(line, 1) : line.starts_with(">From ");
    out.append(text.substr(pos + (quoted ? 1 : 0), next - pos - (quoted ? 1 : 0)));
    pos = next;
  }
  return out;
}

std::string quote_mboxrd(std::string_view message) {
  std::string out;
  out.reserve(message.size() + 16);
  size_t pos = 0;
  while (pos < message.size()) {
    size_t next = 0;
    std::string_view line = line_at(message, pos, next);
    if (is_quoted_from(line, 0)) out += '>';
    out.append(message.substr(pos, next - pos));
    pos = next;
  }
  return out;
}

FromLine parse_from_line(std::string_view line) {
  FromLine out;
  if (!line.starts_with("From ")) return out;
  std::string_view rest = line.substr(5);
  std::vector<std::string_view> w = words(rest);
  // The date starts at the last weekday name that a month name follows; everything
  // before it is the sender (which may, rarely, hold spaces).
  for (size_t i = w.size(); i-- > 0;) {
    if (!index_of(kWeekdays, w[i]) || i + 1 >= w.size() || !index_of(kMonths, w[i + 1])) continue;
    out.date = parse_asctime(w, i);
    if (!out.date) continue;
    out.sender = std::string(trim(rest.substr(0, static_cast<size_t>(w[i].data() - rest.data()))));
    return out;
  }
  if (!w.empty()) out.sender = std::string(w[0]);
  return out;
}

std::string format_from_line(std::string_view sender, int64_t utc_seconds) {
  bool writable = !sender.empty();
  for (char c : sender)
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f) writable = false;
  using namespace std::chrono;
  sys_seconds t{seconds{utc_seconds}};
  sys_days day = floor<days>(t);
  year_month_day ymd{day};
  hh_mm_ss<seconds> hms{t - day};
  weekday wd{day};
  return fmt::format("From {} {} {} {:2} {:02}:{:02}:{:02} {}",
                     writable ? sender : std::string_view("MAILER-DAEMON"),
                     kWeekdays[wd.c_encoding()], kMonths[unsigned(ymd.month()) - 1],
                     unsigned(ymd.day()), hms.hours().count(), hms.minutes().count(),
                     hms.seconds().count(), int(ymd.year()));
}

StatusFields take_status_fields(std::string_view message) {
  StatusFields out;
  size_t end = header_end(message);
  out.message.reserve(message.size());
  size_t pos = 0;
  bool dropping = false;
  bool in_keywords = false;  // dropping X-Keywords, whose continuation lines hold more
  while (pos < end) {
    size_t next = 0;
    std::string_view line = line_at(message, pos, next);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    bool continuation = !line.empty() && (line[0] == ' ' || line[0] == '\t');
    if (!continuation) {
      dropping = false;
      in_keywords = false;
      auto value = [&](std::string_view name) { return trim(line.substr(name.size() + 1)); };
      if (field_named(line, "Status")) {
        dropping = true;
        for (char c : value("Status"))
          if (c == 'R') out.flags.add(SystemFlag::seen);
      } else if (field_named(line, "X-Status")) {
        dropping = true;
        for (char c : value("X-Status")) {
          if (c == 'A') out.flags.add(SystemFlag::answered);
          if (c == 'F') out.flags.add(SystemFlag::flagged);
          if (c == 'T') out.flags.add(SystemFlag::draft);
          if (c == 'D') out.flags.add(SystemFlag::deleted);
        }
      } else if (field_named(line, "X-Keywords")) {
        dropping = true;
        in_keywords = true;
        std::string list(value("X-Keywords"));
        for (char& c : list)
          if (c == ',') c = ' ';
        for (std::string_view k : words(list))
          if (is_valid_keyword(k)) out.keywords.emplace_back(k);
      } else if (field_named(line, "X-UID") || field_named(line, "X-IMAP") ||
                 field_named(line, "X-IMAPbase")) {
        dropping = true;
      }
    }
    if (in_keywords && continuation) {
      std::string list(line);
      for (char& c : list)
        if (c == ',') c = ' ';
      for (std::string_view k : words(list))
        if (is_valid_keyword(k)) out.keywords.emplace_back(k);
    }
    if (!dropping) out.message.append(message.substr(pos, next - pos));
    pos = next;
  }
  out.message.append(message.substr(end));
  return out;
}

std::string add_status_fields(std::string_view message, SystemFlags flags,
                              const std::vector<std::string>& keywords) {
  std::string fields;
  if (flags.has(SystemFlag::seen)) fields += "Status: RO\n";
  std::string x_status;
  if (flags.has(SystemFlag::answered)) x_status += 'A';
  if (flags.has(SystemFlag::flagged)) x_status += 'F';
  if (flags.has(SystemFlag::draft)) x_status += 'T';
  if (flags.has(SystemFlag::deleted)) x_status += 'D';
  if (!x_status.empty()) fields += "X-Status: " + x_status + "\n";
  if (!keywords.empty()) {
    fields += "X-Keywords:";
    for (const std::string& k : keywords) fields += " " + k;
    fields += "\n";
  }
  size_t end = header_end(message);
  std::string out(message.substr(0, end));
  // A header without a final line end (a message that is only a header) gets one first.
  if (!out.empty() && out.back() != '\n') out += '\n';
  out += fields;
  out.append(message.substr(end));
  return out;
}

std::string return_path(std::string_view message) {
  size_t end = header_end(message);
  size_t pos = 0;
  while (pos < end) {
    size_t next = 0;
    std::string_view line = line_at(message, pos, next);
    if (field_named(line, "Return-Path")) {
      std::string_view value = trim(line.substr(12));
      if (!value.empty() && value.back() == '\r') value = trim(value.substr(0, value.size() - 1));
      size_t open = value.find('<');
      size_t close = value.rfind('>');
      if (open != std::string_view::npos && close != std::string_view::npos && close > open)
        value = value.substr(open + 1, close - open - 1);
      return std::string(value);
    }
    pos = next;
  }
  return "";
}

}  // namespace postamt::admin::mbox
