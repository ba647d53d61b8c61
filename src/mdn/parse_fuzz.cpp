// libFuzzer target: a submitted receipt is client input; parsing must give a value or an
// error, never crash, and a parsed value must satisfy its documented invariants.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "mdn/parse.h"
#include "mdn/request.h"
#include "mime/message_id.h"

namespace {
void check(bool ok) {
  if (!ok) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace postamt;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)mdn::is_mdn(text);
  (void)mdn::parse_disposition(text);
  auto parsed = mdn::parse_submitted_mdn(text);
  if (parsed) {
    check(!parsed->final_recipient.empty());
    check(parsed->original_message_id.empty() ||
          mime::normalize_message_id(parsed->original_message_id) == parsed->original_message_id);
    for (char c : parsed->final_recipient + parsed->original_recipient)
      check(c != '\r' && c != '\n');
  }
  // What MDN/parse shows is one line of valid UTF-8 per field, whatever the input.
  if (auto report = mdn::parse_mdn_report(text)) {
    for (const auto& [name, value] : report->extension_fields)
      check(name.find('\n') == std::string::npos && value.find('\n') == std::string::npos);
    for (char c : report->final_recipient + report->reporting_ua.value_or(""))
      check(c != '\r' && c != '\n');
  }
  const mdn::Request request = mdn::detect_request(text);
  if (request.requester) check(!request.requester->domain.empty());
  return 0;
}
