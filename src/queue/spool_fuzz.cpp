// libFuzzer: queue files may be damaged on disk; deserialize must reject or accept them
// without crashing, and what it accepts must serialize back to the same bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "queue/spool.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  (void)postamt::queue::deserialize(bytes, postamt::queue::BodyMode::skip);
  auto m = postamt::queue::deserialize(bytes, postamt::queue::BodyMode::include);
  if (m) {
    auto again = postamt::queue::deserialize(postamt::queue::serialize(*m),
                                             postamt::queue::BodyMode::include);
    if (!again || postamt::queue::serialize(*again) != postamt::queue::serialize(*m)) std::abort();
  }
  return 0;
}
