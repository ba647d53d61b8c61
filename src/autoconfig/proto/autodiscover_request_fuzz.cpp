// libFuzzer target: Outlook's autodiscover request comes from anyone on the network;
// parsing must give a value or an error, never crash, and a value must satisfy what
// autodiscover_request.h promises.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "autoconfig/proto/autodiscover_request.h"
#include "autoconfig/proto/documents.h"
#include "autoconfig/proto/xml.h"

namespace {
void check(bool ok) {
  if (!ok) std::abort();
}
bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace postamt::autoconfig;
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  auto parsed = parse_autodiscover_request(body);
  if (!parsed) {
    check(!parsed.error().message.empty());
    check(parsed.error().message.find('\n') == std::string::npos);
    return 0;
  }
  // Trimmed values.
  for (const std::string& v : {parsed->email_address, parsed->acceptable_response_schema})
    check(v.empty() || (!is_space(v.front()) && !is_space(v.back())));
  // What the service writes back with the address is well-formed: every value escaped.
  PublicServer server;
  server.hostname = "mail.example.org";
  server.endpoints.push_back({Protocol::imap, Security::implicit_tls, 993});
  std::string answer = autodiscover_settings(server, parsed->email_address);
  check(answer.find(parsed->email_address.empty() ? "<LoginName/>" : "<LoginName>") !=
        std::string::npos);
  // An address of printable ASCII survives being written into a request and read back.
  bool printable = true;
  for (char c : parsed->email_address) printable = printable && c >= 0x20 && c < 0x7F;
  if (printable) {
    std::string again =
        "<Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/outlook/"
        "requestschema/2006\"><Request><EMailAddress>" +
        xml_escape(parsed->email_address) + "</EMailAddress></Request></Autodiscover>";
    auto reparsed = parse_autodiscover_request(again);
    check(reparsed && reparsed->email_address == parsed->email_address);
  }
  return 0;
}
