// Raw DEFLATE codecs and the compressed Connection (RFC 4978), checked against zlib's
// own reference: what we compress, zlib's one-shot inflate reads back exactly, and the
// reverse; corrupt and piecewise input; a small input that inflates hugely.
#include "net/deflate.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <string>

#include "net/deflate_connection.h"
#include "net/testing/memory_connection.h"
#include "net/testing/run.h"

namespace postamt::net {
namespace {

using namespace std::chrono_literals;
using testing::MemoryConnection;

// zlib directly, raw DEFLATE, as a client would do it.
std::string reference_inflate(const std::string& compressed) {
  z_stream z{};
  EXPECT_EQ(inflateInit2(&z, -15), Z_OK);
  std::string out;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  z.avail_in = static_cast<uInt>(compressed.size());
  std::string buffer(65536, '\0');
  int rc = Z_OK;
  do {
    z.next_out = reinterpret_cast<Bytef*>(buffer.data());
    z.avail_out = static_cast<uInt>(buffer.size());
    rc = ::inflate(&z, Z_SYNC_FLUSH);
    EXPECT_TRUE(rc == Z_OK || rc == Z_STREAM_END || rc == Z_BUF_ERROR) << rc;
    out.append(buffer.data(), buffer.size() - z.avail_out);
  } while (rc == Z_OK && (z.avail_in > 0 || z.avail_out == 0));
  inflateEnd(&z);
  return out;
}

std::string reference_deflate(const std::string& plain, int flush = Z_SYNC_FLUSH) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(plain.size() + plain.size() / 8 + 1024, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(plain.data()));
  z.avail_in = static_cast<uInt>(plain.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_NE(::deflate(&z, flush), Z_STREAM_ERROR);
  out.resize(std::min<size_t>(z.total_out, out.size()));
  deflateEnd(&z);
  return out;
}

std::string inflate_all(Inflater& inflater, const std::string& compressed, size_t piece,
                        size_t out_size = 100) {
  std::string plain;
  for (size_t at = 0; at < compressed.size(); at += piece) {
    std::string_view part = std::string_view(compressed).substr(at, piece);
    inflater.set_input(std::span<const char>(part.data(), part.size()));
    std::string buffer(out_size, '\0');
    while (inflater.has_pending()) {
      auto n = inflater.inflate(std::span<char>(buffer));
      EXPECT_TRUE(n) << n.error().message;
      if (!n) return plain;
      plain.append(buffer.data(), *n);
    }
  }
  return plain;
}

const std::string kResponses =
    "* 1 FETCH (UID 1 FLAGS (\\Seen) MODSEQ (5))\r\n* 2 FETCH (UID 2 FLAGS () MODSEQ (6))\r\n"
    "a OK FETCH completed\r\n";

// Each compress() call ends in a sync flush (00 00 FF FF): what was given is decodable
// at once, and the responses shrink.
TEST(Deflate, EveryWriteIsDecodableAtOnce) {
  auto d = Deflater::create();
  ASSERT_TRUE(d);
  std::string first, both;
  d->compress(kResponses, first);
  EXPECT_EQ(first.substr(first.size() - 4), std::string("\0\0\xff\xff", 4));
  EXPECT_EQ(reference_inflate(first), kResponses);
  both = first;
  std::string second;
  d->compress("* 3 EXISTS\r\n", second);
  both += second;
  EXPECT_EQ(reference_inflate(both), kResponses + "* 3 EXISTS\r\n");
  // The same responses again cost few octets: the history is kept between writes.
  std::string again;
  d->compress(kResponses, again);
  EXPECT_LT(again.size(), first.size() / 3);
  // Nothing new after a flush: nothing to send.
  std::string empty;
  d->compress("", empty);
  EXPECT_EQ(empty, "");
}

// Whatever the client's window and however its octets are cut, the text comes back.
TEST(Deflate, InflatesAnyPieces) {
  std::string plain;
  for (int i = 0; i < 2000; ++i) plain += "t" + std::to_string(i) + " UID FETCH 1:* (FLAGS)\r\n";
  std::string compressed = reference_deflate(plain);
  for (size_t piece : {size_t{1}, size_t{7}, size_t{4096}, compressed.size()}) {
    auto inflater = Inflater::create();
    ASSERT_TRUE(inflater);
    EXPECT_EQ(inflate_all(*inflater, compressed, piece), plain) << piece;
  }
}

// Data that is not DEFLATE, and data after the peer ended its stream, are errors; the
// stream stays failed.
TEST(Deflate, CorruptInputIsAnError) {
  auto inflater = Inflater::create();
  ASSERT_TRUE(inflater);
  std::string garbage = "\xff\xff\xff\xff this is not deflate";
  inflater->set_input(std::span<const char>(garbage.data(), garbage.size()));
  std::string buffer(64, '\0');
  auto r = inflater->inflate(std::span<char>(buffer));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::invalid);
  EXPECT_EQ(r.error().message, "bad compressed data");
  auto again = inflater->inflate(std::span<char>(buffer));
  ASSERT_FALSE(again);

  auto ended = Inflater::create();
  std::string finished = reference_deflate("a NOOP\r\n", Z_FINISH) + "more";
  ended->set_input(std::span<const char>(finished.data(), finished.size()));
  auto n = ended->inflate(std::span<char>(buffer));
  ASSERT_TRUE(n);
  EXPECT_EQ(std::string(buffer.data(), *n), "a NOOP\r\n");
  auto after = ended->inflate(std::span<char>(buffer));
  ASSERT_FALSE(after);
  EXPECT_EQ(after.error().message, "data after the end of the compressed stream");
}

// 16 MiB of one octet compress to about 16 KiB; reading hands it out in buffer-sized
// pieces and never more at once.
TEST(Deflate, ABombIsHandedOutPieceByPiece) {
  std::string plain(16 << 20, 'A');
  std::string compressed = reference_deflate(plain);
  ASSERT_LT(compressed.size(), 20000u);
  boost::asio::io_context io;
  MemoryConnection conn;
  conn.feed(compressed);
  auto c = DeflateConnection::create(conn, 4096);
  ASSERT_TRUE(c);
  std::string buffer(8192, '\0');
  size_t total = 0;
  while (total < plain.size()) {
    auto n = testing::run_to_completion(io, (*c)->read_some(std::span<char>(buffer), 1s));
    ASSERT_TRUE(n) << n.error().message;
    ASSERT_LE(*n, buffer.size());
    total += *n;
  }
  EXPECT_EQ(total, plain.size());
}

// Written data reaches the inner connection compressed; read data comes out plain.
TEST(Deflate, ConnectionBothWays) {
  boost::asio::io_context io;
  MemoryConnection conn;
  std::string command = "b NOOP\r\n";
  conn.feed(reference_deflate(command));
  auto c = DeflateConnection::create(conn, 4096);
  ASSERT_TRUE(c);
  std::string buffer(100, '\0');
  auto n = testing::run_to_completion(io, (*c)->read_some(std::span<char>(buffer), 1s));
  ASSERT_TRUE(n);
  EXPECT_EQ(std::string(buffer.data(), *n), command);
  // A quiet peer: the read times out like any read.
  auto quiet = testing::run_to_completion(io, (*c)->read_some(std::span<char>(buffer), 10ms));
  ASSERT_FALSE(quiet);
  EXPECT_EQ(quiet.error().kind, ErrorKind::timeout);

  std::string large(300000, 'x');
  for (size_t i = 0; i < large.size(); i += 97) large[i] = static_cast<char>('a' + i % 26);
  ASSERT_TRUE(testing::run_to_completion(io, (*c)->write(kResponses, 1s)));
  ASSERT_TRUE(testing::run_to_completion(io, (*c)->write(large, 1s)));
  EXPECT_EQ(reference_inflate(conn.written()), kResponses + large);
  EXPECT_LT(conn.written().size(), large.size() / 4);
  auto tls = testing::run_to_completion(io, (*c)->start_tls(1s));
  ASSERT_FALSE(tls);
  EXPECT_EQ(tls.error().kind, ErrorKind::invalid);
}

}  // namespace
}  // namespace postamt::net
