// libFuzzer target: the command reader fed in pieces, then parse_command() on every
// command it yields. Checks the reader's memory bound and that parsing never crashes.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "imap/proto/command_reader.h"
#include "imap/proto/parse_command.h"

using namespace postamt::imap::proto;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  // The first byte picks the piece size and the options, the rest is the stream.
  size_t piece = (data[0] & 0x0F) + 1;
  ReaderLimits limits;
  limits.max_line = 256;
  limits.max_literal = 512;
  limits.max_command = 2048;
  limits.max_discard = 1024;
  limits.non_sync =
      (data[0] & 0x10) ? NonSyncLiterals::literal_minus : NonSyncLiterals::literal_plus;
  ParseOptions options;
  options.mailbox_encoding =
      (data[0] & 0x20) ? MailboxEncoding::utf8 : MailboxEncoding::modified_utf7;
  bool reject = data[0] & 0x40;
  std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);

  CommandReader reader(limits);
  size_t pos = 0;
  for (;;) {
    auto event = reader.next();
    if (reader.partial().size() > limits.max_command + 2) std::abort();
    if (event == CommandReader::Event::need_more) {
      if (pos >= input.size()) break;
      size_t n = std::min(piece, input.size() - pos);
      reader.feed(input.substr(pos, n));
      pos += n;
    } else if (event == CommandReader::Event::literal_announced) {
      if (reject)
        reader.reject_literal();
      else
        reader.accept_literal();
    } else if (event == CommandReader::Event::command) {
      std::string text = reader.take_command();
      auto result = parse_command(text, options);
      if (!result.ok() && result.error().message.empty()) std::abort();
      if (result.ok() && std::holds_alternative<IdleCmd>(result->body)) reader.expect_line();
    } else if (event == CommandReader::Event::line) {
      (void)reader.take_command();
    } else if (event == CommandReader::Event::error) {
      if (reader.error().recovery == Recovery::close) break;
    }
  }
  return 0;
}
