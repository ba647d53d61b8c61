// libFuzzer target: parse, walk every part, compute ENVELOPE and BODYSTRUCTURE data,
// decode headers and bodies, and check that every offset stays in bounds, that the
// part tree is consistent (pre-order, parents, depths, child counts), that the stored
// envelope header lines give the message's ENVELOPE, that every parsed From mailbox we
// could write into a generated header (format_mailbox) has no line end and reads back
// strictly as the same address, and that a decoded Subject survives
// encode_words_utf8 and decoding again.
// Run it with its dictionary: -dict=src/mime/fuzz.dict (scripts/fuzz does).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "mime/address.h"
#include "mime/date.h"
#include "mime/encoded_word.h"
#include "mime/imap_data.h"
#include "mime/message.h"
#include "mime/transfer_encoding.h"

namespace {
using namespace postamt::mime;

[[noreturn]] void fail(const char* what, int line) {
  std::fprintf(stderr, "parser_fuzz.cpp:%d: check failed: %s\n", line, what);
  std::abort();
}
#define check(ok) ((ok) ? (void)0 : fail(#ok, __LINE__))

bool is_utf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 0 : (c >> 5) == 6 ? 1 : (c >> 4) == 14 ? 2 : (c >> 3) == 30 ? 3 : 9;
    if (n == 9 || i + n >= s.size()) return false;
    uint32_t cp = n == 0 ? c : c & (0x3F >> n);
    for (size_t k = 1; k <= n; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n + 1;
  }
  return true;
}

// A mailbox we might write into a generated header (a receipt, a bounce).
void check_formatted(const Mailbox& mailbox) {
  auto formatted = format_mailbox(mailbox);
  if (!formatted) return;
  check(formatted->find_first_of("\r\n") == std::string::npos);
  auto back = parse_mailbox_strict(*formatted);
  check(back.ok());
  check(back->local_part == mailbox.local_part && back->domain == mailbox.domain);
}

void check_subject(std::string_view raw) {
  std::string text = decode_unstructured(raw);
  if (!is_utf8(text)) return;
  std::string words = encode_words_utf8(text);
  check(words.find_first_of("\r\n") == std::string::npos);
  size_t start = 0;
  for (size_t sp = words.find(' '); start < words.size(); sp = words.find(' ', start)) {
    if (sp == std::string::npos) sp = words.size();
    check(sp - start <= 75);
    start = sp + 1;
  }
  check(decode_encoded_words(words) == text);
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  MimeLimits limits;
  limits.max_depth = 20;  // keeps deep inputs fast; the limit path is exercised too
  Message m = parse(text, limits);
  // The envelope header lines stores keep answer ENVELOPE exactly as the message does.
  check(envelope_of_header(envelope_header_lines(m)) == envelope(m, m.root()));
  if (auto stored = envelope_header_to_store(text))
    check(stored->size() <= kMaxStoredEnvelopeHeader &&
          envelope_of_header(*stored) == envelope(m, m.root()));
  check(!m.parts().empty() && m.root().parent == kNoPart && m.root().depth == 0);
  for (const Part& p : m.parts()) {
    const uint32_t index = m.index_of(p);
    check(p.header_start <= p.header_end && p.header_end <= p.body_start &&
          p.body_start <= p.body_end && p.body_end <= size);
    check(p.body_lines <= p.body_size() && p.body_bare_lf <= p.body_lines);
    check(p.depth <= limits.max_depth);
    if (p.parent != kNoPart) {
      const Part& parent = m.part(p.parent);
      check(p.parent < index && p.depth == parent.depth + 1);
      check(parent.body_start <= p.header_start && p.body_end <= parent.body_end);
    }
    std::vector<uint32_t> children = m.children(p);
    check(children.size() == p.child_count);
    for (size_t k = 0; k < children.size(); ++k) {
      check(children[k] > index && m.part(children[k]).parent == index);
      if (k > 0) check(m.part(children[k - 1]).body_end <= m.part(children[k]).header_start);
    }
    HeaderView h = m.header(p);
    for (const HeaderField& f : h.fields())
      check(p.header_start <= f.start && f.start < f.name_end && f.name_end < f.value_start &&
            f.value_start <= f.value_end && f.value_end <= f.end && f.end <= p.header_end);
    if (const HeaderField* s = h.find_first("subject")) check_subject(s->raw_value(text));
    if (const HeaderField* d = h.find_first("date")) (void)parse_date(d->raw_value(text));
    if (const HeaderField* f = h.find_first("from")) {
      for (const Address& a : parse_address_list(f->raw_value(text))) {
        if (const Mailbox* mb = std::get_if<Mailbox>(&a)) check_formatted(*mb);
        if (const Group* g = std::get_if<Group>(&a))
          for (const Mailbox& member : g->members) check_formatted(member);
      }
      if (auto strict = parse_mailbox_strict(f->raw_value(text))) check_formatted(*strict);
    }
    if (p.child_count == 0 && p.body_size() < 65536)
      (void)decode_body(text.substr(p.body_start, p.body_size()), p.encoding);
    if (p.is_message()) (void)envelope(m, m.part(p.first_child));
  }
  BodyStructure b = body_structure(m, m.root());
  check(b.size == m.root().body_size());
  check(b.size_crlf == b.size + m.root().body_bare_lf);
  check(m.find_section({}) == &m.root());
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
