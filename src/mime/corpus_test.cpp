// Every copied corpus message parses with offsets in bounds, and so does every prefix of
// it (truncation at any byte), without crash or hang; ENVELOPE from the stored envelope
// header lines equals ENVELOPE from the whole message, also for every prefix.
#include <gtest/gtest.h>

#include "mime/imap_data.h"
#include "mime/message.h"
#include "mime/test_support.h"

namespace postamt::mime {
namespace {

TEST(MimeCorpus, EveryFileParsesInBounds) {
  auto files = testing::corpus_files();
  ASSERT_GE(files.size(), 50u);
  for (const auto& path : files) {
    SCOPED_TRACE(path.filename().string());
    std::string text = testing::read_file(path);
    ASSERT_FALSE(text.empty());
    Message m = parse(text);
    testing::expect_well_formed(m);
    BodyStructure b = body_structure(m, m.root());
    EXPECT_EQ(b.size, m.root().body_size());
    Envelope e = envelope(m, m.root());
    EXPECT_EQ(envelope_of_header(envelope_header_lines(m)), e);
    auto stored = envelope_header_to_store(text);
    ASSERT_TRUE(stored);
    EXPECT_EQ(envelope_of_header(*stored), e);
  }
}

TEST(MimeCorpus, EveryPrefixOfSmallFilesParses) {
  for (const auto& path : testing::corpus_files()) {
    std::string text = testing::read_file(path);
    if (text.size() > 4096) continue;  // quadratic in size; small files cover the shapes
    SCOPED_TRACE(path.filename().string());
    for (size_t n = 0; n <= text.size(); ++n) {
      Message m = parse(std::string_view(text).substr(0, n));
      testing::expect_well_formed(m);
      if (HasFatalFailure()) return;
      // What stores keep for ENVELOPE gives the same answer as the whole message.
      ASSERT_EQ(envelope_of_header(envelope_header_lines(m)), envelope(m, m.root())) << n;
    }
  }
}

}  // namespace
}  // namespace postamt::mime
