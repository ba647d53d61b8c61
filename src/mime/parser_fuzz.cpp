// libFuzzer target: parse, walk every part, compute ENVELOPE and BODYSTRUCTURE data,
// decode headers and bodies, and check that every offset stays in bounds and that the
// stored envelope header lines give the message's ENVELOPE.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "mime/address.h"
#include "mime/date.h"
#include "mime/encoded_word.h"
#include "mime/imap_data.h"
#include "mime/message.h"
#include "mime/transfer_encoding.h"

namespace {
void check(bool ok) {
  if (!ok) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace postamt::mime;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  MimeLimits limits;
  limits.max_depth = 20;  // keeps deep inputs fast; the limit path is exercised too
  Message m = parse(text, limits);
  // The envelope header lines stores keep answer ENVELOPE exactly as the message does.
  check(envelope_of_header(envelope_header_lines(m)) == envelope(m, m.root()));
  for (const Part& p : m.parts()) {
    check(p.header_start <= p.header_end && p.header_end <= p.body_start &&
          p.body_start <= p.body_end && p.body_end <= size);
    check(p.body_lines <= p.body_size() && p.body_bare_lf <= p.body_lines);
    if (p.parent != kNoPart) {
      const Part& parent = m.part(p.parent);
      check(parent.body_start <= p.header_start && p.body_end <= parent.body_end);
    }
    HeaderView h = m.header(p);
    for (const HeaderField& f : h.fields())
      check(p.header_start <= f.start && f.start < f.name_end && f.name_end < f.value_start &&
            f.value_start <= f.value_end && f.value_end <= f.end && f.end <= p.header_end);
    if (const HeaderField* s = h.find_first("subject"))
      (void)decode_unstructured(s->raw_value(text));
    if (const HeaderField* d = h.find_first("date")) (void)parse_date(d->raw_value(text));
    if (const HeaderField* f = h.find_first("from")) {
      (void)parse_address_list(f->raw_value(text));
      (void)parse_mailbox_strict(f->raw_value(text));
    }
    if (p.child_count == 0 && p.body_size() < 65536)
      (void)decode_body(text.substr(p.body_start, p.body_size()), p.encoding);
    if (p.is_message()) (void)envelope(m, m.part(p.first_child));
  }
  BodyStructure b = body_structure(m, m.root());
  check(b.size == m.root().body_size());
  (void)envelope(m, m.root());
  for (uint32_t n = 1; n <= 3; ++n) {
    uint32_t path[3] = {n, 1, n};
    for (size_t len = 1; len <= 3; ++len) {
      const Part* found = m.find_section(std::span<const uint32_t>(path, len));
      check(found == nullptr || (found >= &m.parts().front() && found <= &m.parts().back()));
    }
  }
  return 0;
}
