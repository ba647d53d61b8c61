#include "admin/backup_manifest.h"

#include <gtest/gtest.h>

namespace postamt::admin {
namespace {

using namespace std::chrono_literals;

const std::string kBlobSha = "ab12" + std::string(60, '0');
const std::string kStoreSha(64, 'c');

Manifest example() {
  Manifest m;
  m.postamt_version = "0.4.0";
  m.created = std::chrono::sys_days(std::chrono::year(2026) / 12 / 7) + 4h + 5min + 6s;
  m.files = {
      {kBlobSha, 120, "blobs/ab/12/" + kBlobSha},  {kStoreSha, 4096, "postamt.db"},
      {std::string(64, 'd'), 7, "queue/8E91W123"}, {std::string(64, 'e'), 9, "queue/corrupt/X1"},
      {std::string(64, 'f'), 5, "tls/key.pem"},
  };
  return m;
}

const std::string kExampleText =
    "postamt-backup 1\n"
    "postamt 0.4.0\n"
    "created 2026-12-07T04:05:06Z\n"
    "files 5\n"
    "blobs 1\n"
    "queue 2\n"
    "tls 1\n"
    "bytes 4237\n"
    "file " +
    kBlobSha + " 120 blobs/ab/12/" + kBlobSha +
    "\n"
    "file " +
    kStoreSha +
    " 4096 postamt.db\n"
    "file " +
    std::string(64, 'd') +
    " 7 queue/8E91W123\n"
    "file " +
    std::string(64, 'e') +
    " 9 queue/corrupt/X1\n"
    "file " +
    std::string(64, 'f') +
    " 5 tls/key.pem\n"
    "end\n";

TEST(BackupManifest, SerializesToTheDocumentedTextAndParsesBack) {
  EXPECT_EQ(serialize_manifest(example()), kExampleText);
  auto parsed = parse_manifest(kExampleText);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(*parsed, example());
  ManifestCounts c = counts_of(*parsed);
  EXPECT_EQ(c.files, 5u);
  EXPECT_EQ(c.blobs, 1u);
  EXPECT_EQ(c.queue, 2u);
  EXPECT_EQ(c.tls, 1u);
  EXPECT_EQ(c.bytes, 4237u);
  EXPECT_EQ(parsed->files[0].kind(), BackupFileKind::blob);
  EXPECT_EQ(parsed->files[1].kind(), BackupFileKind::store);
  EXPECT_EQ(parsed->files[4].kind(), BackupFileKind::tls);
  EXPECT_EQ(summarize(*parsed), "store, 1 blob, 2 queue files, 1 TLS file; 4237 bytes in 5 files");
}

// Replaces the first occurrence of `from` in the example text.
std::string with(std::string_view from, std::string_view to) {
  std::string text = kExampleText;
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return text.replace(at, from.size(), to);
}

std::string error_of(const std::string& text) {
  auto parsed = parse_manifest(text);
  if (parsed) return "accepted";
  EXPECT_EQ(parsed.error().kind, ErrorKind::invalid);
  return parsed.error().message;
}

TEST(BackupManifest, MalformedInputIsRefusedWithTheLineAndTheReason) {
  EXPECT_EQ(error_of(""), "line 1: not a Postamt backup manifest");
  EXPECT_EQ(error_of("hello\n"), "line 1: not a Postamt backup manifest");
  EXPECT_EQ(error_of(with("postamt-backup 1", "postamt-backup 2")),
            "line 1: format version 2 (this Postamt reads 1)");
  EXPECT_EQ(error_of(with("postamt 0.4.0\n", "")), "line 2: expected \"postamt ...\"");
  EXPECT_EQ(error_of(with("postamt 0.4.0", "postamt ")), "line 2: postamt: not a version");
  EXPECT_EQ(error_of(with("postamt 0.4.0", "postamt " + std::string(65, '1'))),
            "line 2: postamt: not a version");
  EXPECT_EQ(error_of(with("04:05:06Z", "04:05:06")),
            "line 3: created: not a time YYYY-MM-DDTHH:MM:SSZ");
  EXPECT_EQ(error_of(with("2026-12-07", "2026-02-30")),
            "line 3: created: not a time YYYY-MM-DDTHH:MM:SSZ");
  EXPECT_EQ(error_of(with("04:05:06Z", "24:05:06Z")),
            "line 3: created: not a time YYYY-MM-DDTHH:MM:SSZ");
  EXPECT_EQ(error_of(with("2026-12-07", "1969-12-31")),
            "line 3: created: not a time YYYY-MM-DDTHH:MM:SSZ");
  EXPECT_TRUE(parse_manifest(with("2026-12-07T04:05:06Z", "1970-01-01T00:00:00Z")));
  auto last = parse_manifest(with("2026-12-07T04:05:06Z", "9999-12-31T23:59:59Z"));
  ASSERT_TRUE(last);
  EXPECT_EQ(utc_text(last->created), "9999-12-31T23:59:59Z");
  EXPECT_EQ(error_of(with("files 5", "files 05")), "line 4: files: not a number");
  EXPECT_EQ(error_of(with("files 5", "files -5")), "line 4: files: not a number");
  EXPECT_EQ(error_of(with("bytes 4237", "bytes 9223372036854775808")),
            "line 8: bytes: not a number");
  EXPECT_EQ(error_of(with("blobs 1\nqueue 2", "queue 2\nblobs 1")),
            "line 5: expected \"blobs ...\"");
  EXPECT_EQ(error_of(with("files 5", "files 6")), "the manifest says files 6 but lists 5");
  EXPECT_EQ(error_of(with("queue 2", "queue 1")), "the manifest says queue 1 but lists 2");
  EXPECT_EQ(error_of(with("bytes 4237", "bytes 4236")),
            "the manifest says bytes 4236 but lists 4237");
  EXPECT_EQ(error_of(with("file " + kStoreSha, "fil " + kStoreSha)),
            "line 10: expected \"file ...\" or \"end\"");
  EXPECT_EQ(error_of(with(kStoreSha + " 4096", kStoreSha.substr(1) + "C 4096")),
            "line 10: file: not a SHA-256 in lowercase hex");
  EXPECT_EQ(error_of(with(kStoreSha + " 4096", kStoreSha + " 4k")),
            "line 10: file: size is not a number");
  EXPECT_EQ(error_of(with(" 4096 postamt.db", " 4096")),
            "line 10: file: expected <sha256> <size> <path>");
  EXPECT_EQ(error_of(with("end\n", "")),
            "line 14: missing \"end\" line (the manifest is cut short)");
  EXPECT_EQ(error_of(kExampleText.substr(0, kExampleText.size() - 1)),
            "line 14: the last line has no line end");
  EXPECT_EQ(error_of(kExampleText + "\n"), "line 15: text after \"end\"");
  EXPECT_EQ(error_of(with("tls/key.pem", "tls/key\tpem")), "line 13: control character");
  EXPECT_EQ(error_of(with("postamt 0.4.0", "postamt 0.4.0\r")), "line 2: control character");
}

TEST(BackupManifest, PathsAreRelativeOrderedAndShapedByTheirKind) {
  EXPECT_EQ(error_of(with("tls/key.pem", "../key.pem")),
            "line 13: path ../key.pem has an empty, \".\" or \"..\" component");
  EXPECT_EQ(error_of(with("tls/key.pem", "/etc/key.pem")),
            "line 13: path /etc/key.pem has an empty, \".\" or \"..\" component");
  EXPECT_EQ(error_of(with("tls/key.pem", "tls//key.pem")),
            "line 13: path tls//key.pem has an empty, \".\" or \"..\" component");
  EXPECT_EQ(error_of(with("tls/key.pem", "tls/./key.pem")),
            "line 13: path tls/./key.pem has an empty, \".\" or \"..\" component");
  EXPECT_EQ(error_of(with("tls/key.pem", "tls/key pem")),
            "line 13: path holds a space or a control character");
  EXPECT_EQ(error_of(with("queue/corrupt/X1", "queue/old/X1")),
            "line 12: path queue/old/X1 is not queue/<name> or queue/corrupt/<name>");
  EXPECT_EQ(error_of(with("blobs/ab/12/", "blobs/ab/13/")),
            "line 9: path blobs/ab/13/" + kBlobSha + " is not blobs/<h0h1>/<h2h3>/<sha256>");
  // A blob path names its own content: the checksum in the line must be the name.
  std::string other = "ab12" + std::string(59, '0') + "1";
  EXPECT_EQ(error_of(with("file " + kBlobSha, "file " + other)),
            "line 9: blob blobs/ab/12/" + kBlobSha + " does not carry its own checksum");
  EXPECT_EQ(error_of(with("queue/8E91W123", "queue/corrupt/X1")),
            "line 12: path queue/corrupt/X1 is out of order or repeated");
  EXPECT_EQ(error_of(with("tls/key.pem", "queue/corrupt/X0")),
            "line 13: path queue/corrupt/X0 is out of order or repeated");

  std::string longest = "tls/" + std::string(kMaxManifestPath - 4, 'k');
  Manifest m = example();
  m.files.back().path = longest;
  EXPECT_TRUE(parse_manifest(serialize_manifest(m)));
  m.files.back().path = longest + "k";
  EXPECT_EQ(error_of(serialize_manifest(m)), "line 13: path is longer than 1024 octets");

  m = example();
  m.files.erase(m.files.begin() + 1);
  EXPECT_EQ(error_of(serialize_manifest(m)), "the manifest lists no postamt.db");
}

TEST(BackupManifest, SizesMayNotAddUpBeyondTheLargestNumber) {
  Manifest m = example();
  m.files[2].size = 9223372036854775807u;
  std::string text = serialize_manifest(m);
  // bytes itself overflows first: fix the header so that the file lines are reached.
  size_t at = text.find("bytes ");
  text.replace(at, text.find('\n', at) - at, "bytes 1");
  EXPECT_EQ(error_of(text), "line 11: the sizes add up to more than 2^63-1");
}

}  // namespace
}  // namespace postamt::admin
