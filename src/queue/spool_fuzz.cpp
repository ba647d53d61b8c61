// libFuzzer: queue files may be damaged on disk; deserialize must reject or accept them
// without crashing; what it accepts must serialize to a form that reads back the same,
// and reading without the body (BodyMode::skip, as `postamt queue list` does) must
// agree with reading it: the same verdict, the same fields, body_size from the file.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "queue/spool.h"

namespace {
[[noreturn]] void fail(const char* what, int line) {
  std::fprintf(stderr, "spool_fuzz.cpp:%d: check failed: %s\n", line, what);
  std::abort();
}
#define check(ok) ((ok) ? (void)0 : fail(#ok, __LINE__))
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace postamt::queue;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto skipped = deserialize(bytes, BodyMode::skip);
  auto m = deserialize(bytes, BodyMode::include);
  if (!m) return 0;
  check(m->has_body && m->body_size == m->message.body.size());
  auto again = deserialize(serialize(*m), BodyMode::include);
  check(again && serialize(*again) == serialize(*m));

  check(skipped.ok());
  check(!skipped->has_body && skipped->message.body.empty());
  check(skipped->body_size == m->body_size);
  skipped->message.body = m->message.body;
  skipped->has_body = true;
  check(serialize(*skipped) == serialize(*m));
  return 0;
}
