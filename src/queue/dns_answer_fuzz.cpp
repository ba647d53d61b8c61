// libFuzzer: DNS answers come from the network; parse_dns_answer must never read out of
// bounds or loop, whatever the bytes (compression loops, lengths past the end).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "queue/dns.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  for (uint16_t type : {1, 15, 28}) (void)postamt::queue::parse_dns_answer(bytes, type, "x.test");
  return 0;
}
