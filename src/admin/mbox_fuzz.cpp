// libFuzzer target: an mbox file is whatever a user hands `postamt import mbox`. Splitting,
// unquoting, the From_ line and the status fields must give values or errors, never
// crash, and keep their documented invariants.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "admin/mbox_codec.h"

namespace {
void check(bool ok) {
  if (!ok) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace postamt::admin::mbox;
  const std::string_view file(reinterpret_cast<const char*>(data), size);
  auto entries = split(file);
  if (!entries) return 0;
  uint64_t last = 0;
  for (const Entry& e : *entries) {
    // Entries are views into the file, in order, each starting with its From_ line.
    check(e.offset >= last && e.offset < file.size() + 1);
    check(file.substr(e.offset).starts_with("From "));
    check(e.text.data() >= file.data() && e.text.data() + e.text.size() <= file.data() + size);
    last = e.offset + 1;
    (void)parse_from_line(e.from_line);
    for (MboxFormat format : {MboxFormat::mboxrd, MboxFormat::mboxo}) {
      std::string text = unquote(e.text, format);
      check(text.size() <= e.text.size());
      StatusFields fields = take_status_fields(text);
      check(fields.message.size() <= text.size());
    }
    // mboxrd quoting is undone exactly.
    check(unquote(quote_mboxrd(e.text), MboxFormat::mboxrd) == e.text);
  }
  return 0;
}
