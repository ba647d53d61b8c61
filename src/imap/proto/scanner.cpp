#include "imap/proto/scanner.h"

#include <array>

#include "base/strings.h"
#include "imap/proto/chars.h"
#include "imap/proto/mailbox_name.h"

namespace postamt::imap::proto {

Error syntax_error(std::string message) {
  return Error{ErrorKind::invalid, std::move(message)};
}

bool Scanner::consume(char c) {
  if (peek() != c || at_end()) return false;
  ++pos_;
  return true;
}

bool Scanner::consume_prefix(std::string_view prefix) {
  if (s_.size() - pos_ < prefix.size()) return false;
  if (!iequals(s_.substr(pos_, prefix.size()), prefix)) return false;
  pos_ += prefix.size();
  return true;
}

bool Scanner::consume_word(std::string_view word) {
  size_t save = pos_;
  if (!consume_prefix(word)) return false;
  if (!at_end() && chars::is_atom_char(s_[pos_])) {
    pos_ = save;
    return false;
  }
  return true;
}

Result<void> Scanner::expect(char c, std::string_view what) {
  if (!consume(c)) return syntax_error("expected " + std::string(what));
  return {};
}

Result<void> Scanner::sp() {
  return expect(' ', "a space");
}

Result<void> Scanner::end() {
  if (!at_end()) return syntax_error("unexpected characters at end of command");
  return {};
}

Result<std::string_view> Scanner::atom() {
  auto a = run(chars::is_atom_char);
  if (a.empty()) return syntax_error("expected an atom");
  return a;
}

Result<uint64_t> Scanner::number64() {
  auto d = run(chars::is_digit);
  auto n = parse_u64(d);
  if (d.empty() || !n) return syntax_error("expected a number");
  // RFC 9051 §9: number64 = 1*DIGIT with value <= 9223372036854775807.
  if (*n > 0x7FFFFFFFFFFFFFFFull) return syntax_error("number too large");
  return *n;
}

Result<uint32_t> Scanner::number() {
  auto n = number64();
  if (!n) return n.error();
  if (*n > 0xFFFFFFFFull) return syntax_error("number too large");
  return static_cast<uint32_t>(*n);
}

Result<uint32_t> Scanner::nz_number() {
  auto n = number();
  if (!n) return n.error();
  if (*n == 0) return syntax_error("expected a non-zero number");
  return *n;
}

bool Scanner::at_string() const {
  char c = peek();
  return c == '"' || c == '{' || (c == '~' && pos_ + 1 < s_.size() && s_[pos_ + 1] == '{');
}

Result<std::string> Scanner::quoted() {
  ++pos_;  // opening DQUOTE
  std::string out;
  while (!at_end()) {
    char c = s_[pos_++];
    if (c == '"') {
      if (utf8_quoted_ && !is_valid_utf8(out)) return syntax_error("quoted string is not UTF-8");
      return out;
    }
    if (c == '\\') {
      if (at_end() || (s_[pos_] != '"' && s_[pos_] != '\\'))
        return syntax_error("bad escape in quoted string");
      out += s_[pos_++];
      continue;
    }
    // QUOTED-CHAR excludes CR, LF and NUL; 8-bit octets are accepted as UTF-8 senders
    // (RFC 9051 §9 UTF8-2..4) and older clients with 8-bit passwords use them.
    if (c == '\r' || c == '\n' || c == '\0') return syntax_error("bad character in quoted string");
    out += c;
  }
  return syntax_error("unterminated quoted string");
}

Result<std::string> Scanner::literal(LiteralForm allow) {
  LiteralForm form = LiteralForm::text;
  if (consume('~')) {
    if (allow != LiteralForm::binary) return syntax_error("literal8 not allowed here");
    form = LiteralForm::binary;
  }
  POSTAMT_TRY(expect('{', "a literal"));
  auto d = run(chars::is_digit);
  auto n = parse_u64(d);
  if (d.empty() || !n) return syntax_error("bad literal length");
  consume('+');
  POSTAMT_TRY(expect('}', "'}' closing the literal length"));
  if (!consume_prefix("\r\n")) return syntax_error("literal length not followed by CRLF");
  if (*n > s_.size() - pos_) return syntax_error("literal shorter than announced");
  std::string out(s_.substr(pos_, *n));
  pos_ += *n;
  // RFC 9051 §9: literal is *CHAR8 (no NUL); only literal8 may carry NUL octets.
  if (form == LiteralForm::text && out.find('\0') != std::string::npos)
    return syntax_error("NUL in literal");
  last_form_ = form;
  return out;
}

Result<std::string> Scanner::string(LiteralForm allow) {
  last_form_ = LiteralForm::text;
  if (peek() == '"') return quoted();
  if (peek() == '{' || peek() == '~') return literal(allow);
  return syntax_error("expected a string");
}

Result<std::string> Scanner::astring() {
  if (at_string()) return string();
  auto a = run(chars::is_astring_char);
  if (a.empty()) return syntax_error("expected a string");
  return std::string(a);
}

Result<std::optional<std::string>> Scanner::nstring() {
  if (consume_word("NIL")) return std::optional<std::string>();
  auto s = string();
  if (!s) return s.error();
  return std::optional<std::string>(std::move(*s));
}

Result<std::string> Scanner::list_mailbox() {
  if (at_string()) return string();
  auto a = run(chars::is_list_char);
  if (a.empty()) return syntax_error("expected a mailbox pattern");
  return std::string(a);
}

Result<std::string> Scanner::flag() {
  static constexpr std::array<std::string_view, 5> kSystem = {"\\Answered", "\\Flagged",
                                                              "\\Deleted", "\\Seen", "\\Draft"};
  bool system = consume('\\');
  auto a = run(chars::is_atom_char);
  if (a.empty()) return syntax_error("expected a flag");
  if (!system) return std::string(a);
  for (std::string_view f : kSystem)
    if (iequals(f.substr(1), a)) return std::string(f);
  // RFC 9051 §9: flag does not include \Recent; clients may not set it.
  if (iequals(a, "Recent")) return syntax_error("\\Recent cannot be set");
  return "\\" + std::string(a);
}

Result<std::vector<std::string>> Scanner::flag_list() {
  POSTAMT_TRY(expect('(', "'(' opening the flag list"));
  std::vector<std::string> flags;
  if (consume(')')) return flags;
  for (;;) {
    auto f = flag();
    if (!f) return f.error();
    flags.push_back(std::move(*f));
    if (consume(')')) return flags;
    POSTAMT_TRY(sp());
  }
}

namespace {

constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

int days_in_month(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

// Reads exactly `count` digits.
bool fixed_digits(std::string_view s, size_t& pos, size_t count, int& out) {
  out = 0;
  for (size_t k = 0; k < count; ++k) {
    if (pos >= s.size() || !chars::is_digit(s[pos])) return false;
    out = out * 10 + (s[pos++] - '0');
  }
  return true;
}

// date-day "-" date-month "-" date-year; `fixed` selects date-day-fixed (SP DIGIT / 2DIGIT).
bool date_text(std::string_view s, size_t& pos, bool fixed, Date& d) {
  d = {};
  if (fixed && pos < s.size() && s[pos] == ' ') {
    ++pos;
    if (!fixed_digits(s, pos, 1, d.day)) return false;
  } else {
    if (!fixed_digits(s, pos, 1, d.day)) return false;
    int second = 0;
    if (pos < s.size() && chars::is_digit(s[pos])) {
      fixed_digits(s, pos, 1, second);
      d.day = d.day * 10 + second;
    } else if (fixed) {
      return false;
    }
  }
  if (pos >= s.size() || s[pos++] != '-') return false;
  if (s.size() - pos < 3) return false;
  std::string_view mon = s.substr(pos, 3);
  pos += 3;
  for (size_t m = 0; m < kMonths.size(); ++m)
    if (iequals(kMonths[m], mon)) d.month = static_cast<int>(m) + 1;
  if (d.month == 0) return false;
  if (pos >= s.size() || s[pos++] != '-') return false;
  if (!fixed_digits(s, pos, 4, d.year)) return false;
  return d.day >= 1 && d.day <= days_in_month(d.year, d.month);
}

}  // namespace

Result<Date> Scanner::date() {
  bool q = consume('"');
  Date d;
  size_t p = pos_;
  if (!date_text(s_, p, false, d)) return syntax_error("bad date");
  pos_ = p;
  if (q) POSTAMT_TRY(expect('"', "'\"' closing the date"));
  return d;
}

Result<DateTime> Scanner::date_time() {
  POSTAMT_TRY(expect('"', "a quoted date-time"));
  DateTime dt;
  size_t p = pos_;
  auto bad = [] { return syntax_error("bad date-time"); };
  if (!date_text(s_, p, true, dt.date)) return bad();
  if (p >= s_.size() || s_[p++] != ' ') return bad();
  char c1 = 0, c2 = 0;
  if (!fixed_digits(s_, p, 2, dt.hour) || p >= s_.size() || (c1 = s_[p++]) != ':' ||
      !fixed_digits(s_, p, 2, dt.minute) || p >= s_.size() || (c2 = s_[p++]) != ':' ||
      !fixed_digits(s_, p, 2, dt.second))
    return bad();
  if (dt.hour > 23 || dt.minute > 59 || dt.second > 60) return bad();
  if (p + 6 > s_.size() || s_[p] != ' ' || (s_[p + 1] != '+' && s_[p + 1] != '-')) return bad();
  char sign = s_[p + 1];
  p += 2;
  int hh = 0, mm = 0;
  if (!fixed_digits(s_, p, 2, hh) || !fixed_digits(s_, p, 2, mm) || mm > 59) return bad();
  dt.zone_minutes = (sign == '-' ? -1 : 1) * (hh * 60 + mm);
  pos_ = p;
  POSTAMT_TRY(expect('"', "'\"' closing the date-time"));
  return dt;
}

}  // namespace postamt::imap::proto
