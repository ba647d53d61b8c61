// libFuzzer target: Authentication-Results fields arrive from anybody, and every message
// passes through remove_forged() at the MX. Parsing must give a value or an error, never
// crash; what parses renders into a field that parses again to the same rendering; and
// after remove_forged() no field of the removed authserv-id is left to find.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "mailauth/auth_results.h"

namespace {
void check(bool ok) {
  if (!ok) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace postamt;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto parsed = mailauth::parse(text)) {
    const std::string field = mailauth::render(*parsed);
    constexpr std::string_view kName = "Authentication-Results:";
    check(field.starts_with(kName) && field.ends_with("\r\n"));
    // Every line end but the last is a fold.
    for (size_t i = field.find('\n'); i + 1 < field.size(); i = field.find('\n', i + 1))
      check(field[i - 1] == '\r' && field[i + 1] == ' ');
    auto again = mailauth::parse(std::string_view(field).substr(kName.size()));
    check(again.ok());
    check(mailauth::render(*again) == field);
  }
  std::string message(text);
  mailauth::remove_forged(message, "mx.example.org");
  check(!mailauth::find_own(message, "mx.example.org").has_value());
  return 0;
}
