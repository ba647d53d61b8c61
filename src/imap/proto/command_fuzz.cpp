// libFuzzer target: the command reader fed in pieces, then parse_command() on every
// command it yields. Input: [options][stream...]; the options octet picks the piece
// size, LITERAL+ or LITERAL-, the mailbox encoding, whether literals are taken or
// refused, and a small max_inline_literal so that large literals are streamed.
//
// Checks the reader's memory bound (command_reader.h, "Memory"), that a streamed
// literal arrives whole and in bounded pieces, and that whatever goes back on the
// wire from an error (tag, message) is a clean single-line token or text.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "imap/proto/chars.h"
#include "imap/proto/command_reader.h"
#include "imap/proto/parse_command.h"

using namespace postamt::imap::proto;

namespace {
[[noreturn]] void fail(const char* what, int line) {
  std::fprintf(stderr, "imap command_fuzz.cpp:%d: check failed: %s\n", line, what);
  std::abort();
}
#define check(ok) ((ok) ? (void)0 : fail(#ok, __LINE__))

// The tag as the command text begins with it.
bool begins_with_tag(std::string_view text, std::string_view tag) {
  return text.starts_with(tag) && (text.size() == tag.size() || text[tag.size()] == ' ');
}

bool is_tag(std::string_view tag) {
  if (tag.empty()) return false;
  for (char c : tag)
    if (!chars::is_tag_char(c)) return false;
  return true;
}

// Text that ends up after "tag BAD " on one response line.
bool is_line_text(std::string_view text) {
  return !text.empty() && text.find_first_of(std::string_view("\r\n\0", 3)) == text.npos;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  size_t piece = (data[0] & 0x0F) + 1;
  ReaderLimits limits;
  limits.max_line = 256;
  limits.max_literal = 512;
  limits.max_command = 2048;
  limits.max_discard = 1024;
  if (data[0] & 0x80) limits.max_inline_literal = 64;
  limits.non_sync =
      (data[0] & 0x10) ? NonSyncLiterals::literal_minus : NonSyncLiterals::literal_plus;
  ParseOptions options;
  options.mailbox_encoding =
      (data[0] & 0x20) ? MailboxEncoding::utf8 : MailboxEncoding::modified_utf7;
  bool reject = data[0] & 0x40;
  std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);

  CommandReader reader(limits);
  size_t pos = 0;
  uint64_t streaming_left = 0;  // octets of a streamed literal still to come
  for (;;) {
    auto event = reader.next();
    check(reader.partial().size() <= limits.max_command + 2);
    // One command, the unconsumed part of the last piece fed, one literal piece.
    check(reader.held() <= limits.max_command + 2 + 2 * piece);
    if (event == CommandReader::Event::need_more) {
      if (pos >= input.size()) break;
      size_t n = std::min(piece, input.size() - pos);
      reader.feed(input.substr(pos, n));
      pos += n;
    } else if (event == CommandReader::Event::literal_announced) {
      const LiteralAnnouncement& lit = reader.literal();
      check(lit.large == (lit.size > limits.max_inline_literal));
      check(lit.size <= limits.max_literal);
      if (lit.large) {
        if (reject) {
          reader.refuse_literal();
        } else {
          streaming_left = lit.size;
          reader.stream_literal();
        }
      } else if (reject) {
        reader.reject_literal();
      } else {
        reader.accept_literal();
      }
    } else if (event == CommandReader::Event::literal_data) {
      std::string bytes = reader.take_literal_data();
      check(!bytes.empty() && bytes.size() <= streaming_left && bytes.size() <= piece);
      streaming_left -= bytes.size();
    } else if (event == CommandReader::Event::command) {
      check(streaming_left == 0);
      std::string text = reader.take_command();
      auto result = parse_command(text, options);
      if (!result.ok()) {
        const ParseError& e = result.error();
        check(is_line_text(e.message));
        check(e.tag.empty() || (is_tag(e.tag) && begins_with_tag(text, e.tag)));
      } else {
        check(is_tag(result->tag) && begins_with_tag(text, result->tag));
        if (std::holds_alternative<IdleCmd>(result->body)) reader.expect_line();
      }
    } else if (event == CommandReader::Event::line) {
      check(reader.take_command().find('\n') == std::string::npos);
    } else if (event == CommandReader::Event::error) {
      const ReadError& e = reader.error();
      check(is_line_text(e.message));
      check(e.tag.empty() || is_tag(e.tag));
      streaming_left = 0;
      if (e.recovery == Recovery::close) break;
    }
  }
  return 0;
}
