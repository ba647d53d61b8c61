// Writer: appends IMAP response syntax to a string (RFC 9051 §9): atoms, numbers,
// strings as quoted or literal as needed, NIL, and nested parenthesised lists with
// single spaces placed automatically.
//
//   std::string out;
//   Writer w(out, StringCharset::ascii);
//   w.open().atom("\\Seen").string("a b").nstring(std::nullopt).close();
//   // out == "(\\Seen \"a b\" NIL)"
//
// One Writer per response being built; not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace postamt::imap::proto {

// Whether quoted strings may carry UTF-8: yes after ENABLE IMAP4rev2 or UTF8=ACCEPT
// (RFC 9051 §9 QUOTED-CHAR, RFC 6855 §3). Otherwise any 8-bit octet forces a literal.
enum class StringCharset { ascii, utf8 };

class Writer {
 public:
  Writer(std::string& out, StringCharset charset) : out_(out), charset_(charset) {}

  // A token written as is (atom, flag, "BODY[1]", "*"). Requires no CR/LF.
  Writer& atom(std::string_view token);
  Writer& number(uint64_t n);
  // quoted when every octet may appear in a quoted string, else a literal "{n}\r\n..."
  Writer& string(std::string_view s);
  // string, or NIL for nullopt.
  Writer& nstring(const std::optional<std::string>& s);
  Writer& nil() { return atom("NIL"); }
  // Always "{n}\r\n" + bytes (message bodies; RFC 9051 §7.5.2).
  Writer& literal(std::string_view bytes);
  // "~{n}\r\n" + bytes (RFC 3516 §4.2 BINARY with NUL octets).
  Writer& literal8(std::string_view bytes);
  Writer& open();
  Writer& close();
  // The next item follows directly, without a space (RFC 9051 §9 "1*body").
  Writer& glue() {
    need_space_ = false;
    return *this;
  }
  // Appends without a separator, directly after what was written last (e.g. "<0>").
  Writer& append(std::string_view text);

  // True when `s` can be sent as a quoted string under `charset`.
  static bool quotable(std::string_view s, StringCharset charset);

 private:
  void separate();

  std::string& out_;
  StringCharset charset_;
  bool need_space_ = false;
};

}  // namespace postamt::imap::proto
