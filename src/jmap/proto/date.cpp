// RFC 8620 §1.4 Date and UTCDate: RFC 3339 §5.6 date-time, normalised.
#include <algorithm>
#include <cstdio>

#include "jmap/proto/arguments.h"

namespace postamt::jmap {
namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t days_from_civil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

struct Civil {
  int64_t year, month, day;
};

Civil civil_from_days(int64_t z) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t d = doy - (153 * mp + 2) / 5 + 1;
  int64_t m = mp < 10 ? mp + 3 : mp - 9;
  return Civil{yoe + era * 400 + (m <= 2), m, d};
}

bool is_leap(int64_t y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int64_t days_in_month(int64_t y, int64_t m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

// `n` digits at text[pos], advancing pos; nullopt when any is not a digit.
std::optional<int64_t> digits(std::string_view text, size_t& pos, size_t n) {
  if (text.size() - pos < n) return std::nullopt;
  int64_t v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = text[pos + i];
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  pos += n;
  return v;
}

bool expect(std::string_view text, size_t& pos, char c) {
  if (pos >= text.size() || text[pos] != c) return false;
  ++pos;
  return true;
}

enum class Offset { utc_only, any };

std::optional<int64_t> parse(std::string_view text, Offset offset) {
  size_t pos = 0;
  auto year = digits(text, pos, 4);
  if (!year || !expect(text, pos, '-')) return std::nullopt;
  auto month = digits(text, pos, 2);
  if (!month || *month < 1 || *month > 12 || !expect(text, pos, '-')) return std::nullopt;
  auto day = digits(text, pos, 2);
  if (!day || *day < 1 || *day > days_in_month(*year, *month)) return std::nullopt;
  // §1.4: letters MUST be upper-case.
  if (!expect(text, pos, 'T')) return std::nullopt;
  auto hour = digits(text, pos, 2);
  if (!hour || *hour > 23 || !expect(text, pos, ':')) return std::nullopt;
  auto minute = digits(text, pos, 2);
  if (!minute || *minute > 59 || !expect(text, pos, ':')) return std::nullopt;
  auto second = digits(text, pos, 2);
  if (!second || *second > 60) return std::nullopt;
  if (pos < text.size() && text[pos] == '.') {
    // §1.4: time-secfrac MUST be omitted if zero.
    size_t start = ++pos;
    bool nonzero = false;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      nonzero = nonzero || text[pos] != '0';
      ++pos;
    }
    if (pos == start || !nonzero) return std::nullopt;
  }
  int64_t shift = 0;
  if (expect(text, pos, 'Z')) {
    // UTC.
  } else if (offset == Offset::any && pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    int64_t sign = text[pos] == '-' ? -1 : 1;
    ++pos;
    auto oh = digits(text, pos, 2);
    if (!oh || *oh > 23 || !expect(text, pos, ':')) return std::nullopt;
    auto om = digits(text, pos, 2);
    if (!om || *om > 59) return std::nullopt;
    shift = sign * (*oh * 3600 + *om * 60);
  } else {
    return std::nullopt;
  }
  if (pos != text.size()) return std::nullopt;
  int64_t local =
      days_from_civil(*year, *month, *day) * 86400 + *hour * 3600 + *minute * 60 + *second;
  // RFC 3339 §5.6: local time = UTC + offset.
  return local - shift;
}

}  // namespace

std::optional<int64_t> parse_utc_date(std::string_view text) {
  return parse(text, Offset::utc_only);
}

std::optional<int64_t> parse_date(std::string_view text) {
  return parse(text, Offset::any);
}

std::string format_utc_date(int64_t seconds) {
  static const int64_t kFirst = days_from_civil(0, 1, 1) * 86400;
  static const int64_t kLast = days_from_civil(9999, 12, 31) * 86400 + 86399;
  seconds = std::clamp(seconds, kFirst, kLast);
  int64_t days = seconds / 86400;
  int64_t rest = seconds % 86400;
  if (rest < 0) {
    rest += 86400;
    --days;
  }
  Civil c = civil_from_days(days);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", static_cast<int>(c.year),
                static_cast<int>(c.month), static_cast<int>(c.day), static_cast<int>(rest / 3600),
                static_cast<int>(rest / 60 % 60), static_cast<int>(rest % 60));
  return buf;
}

}  // namespace postamt::jmap
