#include "mime/date.h"

#include <fmt/format.h>

#include "base/strings.h"

namespace postamt::mime {
namespace {

constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr const char* kDays[] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};

// Days since 1970-01-01 for a proleptic Gregorian date (era-based civil calendar).
int64_t days_from_civil(int64_t y, int m, int d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t mp = (m + 9) % 12;
  int64_t doy = (153 * mp + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void civil_from_days(int64_t z, int64_t& y, int& m, int& d) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  y = yoe + era * 400 + (m <= 2);
}

bool is_leap(int64_t y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}
int days_in_month(int64_t y, int m) {
  static constexpr int kDaysIn[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDaysIn[m - 1];
}

// Splits a date into tokens: runs of letters, runs of digits, and the signs/colons;
// comments, commas and whitespace separate.
class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}
  // Next token, or empty at the end.
  std::string_view next() {
    skip();
    if (i_ >= s_.size()) return {};
    size_t b = i_;
    char c = s_[i_];
    if (is_alpha(c)) {
      while (i_ < s_.size() && is_alpha(s_[i_])) ++i_;
    } else if (is_digit(c)) {
      while (i_ < s_.size() && is_digit(s_[i_])) ++i_;
    } else {
      ++i_;
    }
    return s_.substr(b, i_ - b);
  }
  std::string_view peek() {
    size_t save = i_;
    auto t = next();
    i_ = save;
    return t;
  }

  static bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
  static bool is_digit(char c) { return c >= '0' && c <= '9'; }

 private:
  void skip() {
    while (i_ < s_.size()) {
      char c = s_[i_];
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ',') {
        ++i_;
      } else if (c == '(') {
        int level = 0;
        for (; i_ < s_.size(); ++i_) {
          if (s_[i_] == '\\') {
            ++i_;
            continue;
          }
          if (s_[i_] == '(') ++level;
          if (s_[i_] == ')' && --level == 0) break;
        }
        if (i_ < s_.size()) ++i_;
      } else {
        return;
      }
    }
  }
  std::string_view s_;
  size_t i_ = 0;
};

std::optional<int> number(std::string_view t, size_t max_digits) {
  if (t.empty() || t.size() > max_digits || !Lexer::is_digit(t[0])) return std::nullopt;
  auto v = parse_u64(t);
  if (!v) return std::nullopt;
  return static_cast<int>(*v);
}

// RFC 5322 §4.3 obs-zone; military zones are treated as -0000 as that section advises.
std::optional<int> named_zone(std::string_view t) {
  static constexpr struct {
    const char* name;
    int minutes;
  } kZones[] = {{"UT", 0},     {"UTC", 0},    {"GMT", 0},    {"Z", 0},
                {"EST", -300}, {"EDT", -240}, {"CST", -360}, {"CDT", -300},
                {"MST", -420}, {"MDT", -360}, {"PST", -480}, {"PDT", -420}};
  for (const auto& z : kZones)
    if (iequals(t, z.name)) return z.minutes;
  if (t.size() == 1 && Lexer::is_alpha(t[0]) && t[0] != 'j' && t[0] != 'J') return 0;
  return std::nullopt;
}

std::string format_offset(int32_t offset) {
  char sign = offset < 0 ? '-' : '+';
  int32_t a = offset < 0 ? -offset : offset;
  return fmt::format("{}{:02}{:02}", sign, a / 60, a % 60);
}

struct Fields {
  int64_t year;
  int month, day, hour, minute, second, weekday;
};
Fields local_fields(const DateTime& dt) {
  int64_t local = dt.utc_seconds + int64_t{dt.offset_minutes} * 60;
  int64_t days = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
  int64_t secs = local - days * 86400;
  Fields f{};
  civil_from_days(days, f.year, f.month, f.day);
  f.hour = static_cast<int>(secs / 3600);
  f.minute = static_cast<int>(secs / 60 % 60);
  f.second = static_cast<int>(secs % 60);
  f.weekday = static_cast<int>(((days % 7) + 7) % 7);
  return f;
}

}  // namespace

std::optional<DateTime> parse_date(std::string_view value) {
  Lexer lex(value);
  std::string_view t = lex.next();
  // Optional day-of-week (its correctness is not checked: the numbers are the truth).
  if (!t.empty() && Lexer::is_alpha(t[0])) {
    t = lex.next();
  }
  auto day = number(t, 2);
  if (!day) return std::nullopt;
  t = lex.next();
  if (t == "-") t = lex.next();  // "17-Jul-1996" as IMAP writes it
  int month = 0;
  for (int m = 0; m < 12; ++m)
    if (t.size() >= 3 && iequals(t.substr(0, 3), kMonths[m])) month = m + 1;
  if (month == 0) return std::nullopt;
  t = lex.next();
  if (t == "-") t = lex.next();
  auto year = number(t, 4);
  if (!year) return std::nullopt;
  if (t.size() == 2) *year += *year < 50 ? 2000 : 1900;
  if (t.size() == 3) *year += 1900;
  auto hour = number(lex.next(), 2);
  if (!hour || lex.next() != ":") return std::nullopt;
  auto minute = number(lex.next(), 2);
  if (!minute) return std::nullopt;
  int second = 0;
  if (lex.peek() == ":") {
    lex.next();
    auto s = number(lex.next(), 2);
    if (!s) return std::nullopt;
    second = *s;
  }
  if (*day < 1 || *day > days_in_month(*year, month) || *hour > 23 || *minute > 59 || second > 60)
    return std::nullopt;
  int offset = 0;
  t = lex.next();
  if (t == "+" || t == "-") {
    auto hhmm = lex.next();
    if (hhmm.size() != 4) return std::nullopt;
    auto v = number(hhmm, 4);
    if (!v || *v % 100 > 59) return std::nullopt;
    offset = (*v / 100) * 60 + *v % 100;
    if (t == "-") offset = -offset;
  } else if (!t.empty() && Lexer::is_alpha(t[0])) {
    offset = named_zone(t).value_or(0);
  }
  // A leap second is folded into the next second.
  int64_t local =
      days_from_civil(*year, month, *day) * 86400 + *hour * 3600 + *minute * 60 + second;
  return DateTime{local - int64_t{offset} * 60, offset};
}

std::string format_rfc5322_date(const DateTime& dt) {
  Fields f = local_fields(dt);
  return fmt::format("{}, {} {} {:04} {:02}:{:02}:{:02} {}", kDays[f.weekday], f.day,
                     kMonths[f.month - 1], f.year, f.hour, f.minute, f.second,
                     format_offset(dt.offset_minutes));
}

}  // namespace postamt::mime
