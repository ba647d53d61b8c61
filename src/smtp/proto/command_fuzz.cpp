// libFuzzer target: the SMTP command parser. The first octet picks the options.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "smtp/proto/command.h"

using namespace postamt::smtp::proto;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  uint8_t flags = data[0];
  std::string_view line(reinterpret_cast<const char*>(data + 1), size - 1);
  ParseOptions options;
  options.offered = OfferedParams{(flags & 1) != 0, (flags & 2) != 0,  (flags & 4) != 0,
                                  (flags & 8) != 0, (flags & 16) != 0, (flags & 32) != 0};
  options.utf8_recipients = (flags & 64) ? Utf8Addresses::accepted : Utf8Addresses::rejected;

  auto r = parse_command(line, options);
  if (!r) {
    // Every failure maps to exactly one reply line.
    std::string wire = encode_reply(error_reply(r.error()));
    if (wire.find("\r\n") != wire.size() - 2) std::abort();
    return 0;
  }
  // A parsed mailbox written back out parses to the same mailbox.
  const Mailbox* mailbox = nullptr;
  PathRole role = PathRole::forward;
  if (auto* m = std::get_if<Mail>(&*r)) {
    mailbox = &m->reverse_path;
    role = PathRole::reverse;
  } else if (auto* rc = std::get_if<Rcpt>(&*r)) {
    mailbox = &rc->forward_path;
  }
  if (mailbox) {
    std::string text = "<" + mailbox->to_string() + ">";
    auto again = parse_path(text, role, Utf8Addresses::accepted);
    if (!again || again->mailbox != *mailbox) std::abort();
  }
  return 0;
}
