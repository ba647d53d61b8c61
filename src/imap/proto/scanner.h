// Scanner: the lexical layer of parse_command() over one complete command text
// (RFC 9051 §9 atoms, numbers, quoted strings, literals). Internal to imap/proto.
// Errors are ErrorKind::invalid with a short message naming what was expected.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "imap/proto/command_reader.h"
#include "imap/proto/types.h"

namespace postamt::imap::proto {

class Scanner {
 public:
  explicit Scanner(std::string_view text) : s_(text) {}
  // RFC 6855 §3: once the client enabled UTF8=ACCEPT, a quoted string with 8-bit octets
  // must be UTF-8 (otherwise BAD). Before that they are taken as they come.
  void require_utf8_quoted(bool on) { utf8_quoted_ = on; }

  bool at_end() const { return pos_ >= s_.size(); }
  char peek() const { return at_end() ? '\0' : s_[pos_]; }
  size_t pos() const { return pos_; }
  void set_pos(size_t p) { pos_ = p; }
  std::string_view rest() const { return s_.substr(pos_); }
  bool consume(char c);
  // Consumes `word` case-insensitively when it is followed by a non-atom character
  // (or the end), so "FLAGS" does not match the start of "FLAGS.SILENT".
  bool consume_word(std::string_view word);
  // Consumes `prefix` case-insensitively without the word-boundary check.
  bool consume_prefix(std::string_view prefix);

  Result<void> expect(char c, std::string_view what);
  Result<void> sp();
  Result<void> end();

  // 1*ATOM-CHAR (RFC 9051 §9 atom).
  Result<std::string_view> atom();
  // A run of characters for which `pred` holds, at least one.
  template <class Pred>
  std::string_view run(Pred pred) {
    size_t start = pos_;
    while (!at_end() && pred(s_[pos_])) ++pos_;
    return s_.substr(start, pos_ - start);
  }
  Result<uint64_t> number64();
  Result<uint32_t> number();     // fits 32 bits
  Result<uint32_t> nz_number();  // 1..4294967295
  // quoted / literal. A literal8 is accepted only with LiteralForm::binary.
  Result<std::string> string(LiteralForm allow = LiteralForm::text);
  bool at_string() const;
  Result<std::string> astring();
  Result<std::optional<std::string>> nstring();
  // list-mailbox = 1*list-char / string (RFC 9051 §9).
  Result<std::string> list_mailbox();
  // The form of the last literal read by string() (text unless it was "~{n}").
  LiteralForm last_form() const { return last_form_; }

  // flag (RFC 9051 §9): "\" atom or atom; system flags come back in canonical case.
  Result<std::string> flag();
  // "(" [flag *(SP flag)] ")"
  Result<std::vector<std::string>> flag_list();
  // date = date-text / DQUOTE date-text DQUOTE
  Result<Date> date();
  // date-time (always quoted)
  Result<DateTime> date_time();

 private:
  Result<std::string> quoted();
  Result<std::string> literal(LiteralForm allow);

  std::string_view s_;
  size_t pos_ = 0;
  bool utf8_quoted_ = false;
  LiteralForm last_form_ = LiteralForm::text;
};

Error syntax_error(std::string message);

}  // namespace postamt::imap::proto
