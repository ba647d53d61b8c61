// libFuzzer: a backup's MANIFEST may be damaged or forged; parse_manifest must reject or
// accept it without crashing, and the format is canonical: what it accepts serializes
// back to exactly the same text, and every path it accepts is one check_manifest_path
// accepts (so restore never writes outside data_dir).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "admin/backup_manifest.h"

namespace {
[[noreturn]] void fail(const char* what, int line) {
  std::fprintf(stderr, "backup_manifest_fuzz.cpp:%d: check failed: %s\n", line, what);
  std::abort();
}
#define check(ok) ((ok) ? (void)0 : fail(#ok, __LINE__))
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace postamt::admin;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto m = parse_manifest(text);
  if (!m) return 0;
  check(serialize_manifest(*m) == text);
  for (const ManifestFile& f : m->files) {
    check(check_manifest_path(f.path).ok());
    check(f.path.front() != '/' && !f.path.starts_with("../") &&
          f.path.find("/../") == f.path.npos);
  }
  return 0;
}
