// Test-only helpers shared by the src/mime tests.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "mime/message.h"
#include "support/files.h"

namespace postamt::mime::testing {

// Structural invariants every parse must satisfy, whatever the input.
inline void expect_well_formed(const Message& msg) {
  const size_t n = msg.buffer().size();
  ASSERT_FALSE(msg.parts().empty());
  for (const Part& p : msg.parts()) {
    ASSERT_LE(p.header_start, p.header_end);
    ASSERT_LE(p.header_end, p.body_start);
    ASSERT_LE(p.body_start, p.body_end);
    ASSERT_LE(p.body_end, n);
    ASSERT_LE(p.first_field + p.field_count, msg.fields().size());
    for (const HeaderField& f : msg.header(p).fields()) {
      ASSERT_LE(p.header_start, f.start);
      ASSERT_LT(f.start, f.name_end);
      ASSERT_LT(f.name_end, f.value_start);
      ASSERT_LE(f.value_start, f.value_end);
      ASSERT_LE(f.value_end, f.end);
      ASSERT_LE(f.end, p.header_end);
    }
    ASSERT_LE(p.body_lines, p.body_size());
    ASSERT_LE(p.body_bare_lf, p.body_lines);
    if (p.parent != kNoPart) {
      const Part& parent = msg.part(p.parent);
      ASSERT_LE(parent.body_start, p.header_start);
      ASSERT_LE(p.body_end, parent.body_end);
      ASSERT_EQ(p.depth, parent.depth + 1);
    }
    uint32_t count = 0;
    size_t prev_end = p.body_start;
    for (uint32_t c : msg.children(p)) {
      ASSERT_GE(msg.part(c).header_start, prev_end);
      prev_end = msg.part(c).body_end;
      ++count;
    }
    ASSERT_EQ(count, p.child_count);
  }
}

inline std::string source_dir() {
  const char* dir = std::getenv("POSTAMT_SOURCE_DIR");
  return dir ? dir : ".";
}

using postamt::testing::read_file;

// The copied corpus files (src/mime/testdata/*.eml), sorted by name.
inline std::vector<std::filesystem::path> corpus_files() {
  std::vector<std::filesystem::path> out;
  auto dir = std::filesystem::path(source_dir()) / "src/mime/testdata";
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().extension() == ".eml") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace postamt::mime::testing
