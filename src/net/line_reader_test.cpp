#include "net/line_reader.h"

#include <gtest/gtest.h>

#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <vector>

#include "net/testing/memory_connection.h"
#include "net/testing/run.h"

namespace postamt::net {
namespace {

using testing::MemoryConnection;
using testing::run_to_completion;
using namespace std::chrono_literals;

constexpr size_t kPieces[] = {1, 2, 7, 1 << 20};

// One read_line as a plain value: text, or "error:<kind>".
struct Outcome {
  std::string text;
  LineEnding ending = LineEnding::crlf;
  bool operator==(const Outcome&) const = default;
};

Outcome line(boost::asio::io_context& io, LineReader& reader, size_t max_bytes) {
  auto r = run_to_completion(io, reader.read_line(max_bytes, 1s));
  if (!r) return Outcome{"error:" + std::string(to_string(r.error().kind)), LineEnding::crlf};
  return Outcome{r->text, r->ending};
}

void PrintTo(const Outcome& o, std::ostream* os) {
  *os << '"' << o.text << "\" " << (o.ending == LineEnding::crlf ? "crlf" : "bare_lf");
}

TEST(LineReader, CrlfAndBareLfInAnyChunking) {
  const std::string input = "HELO a\r\nMAIL FROM:<x>\nDATA\r\n\r\n.\n";
  for (size_t piece : kPieces) {
    SCOPED_TRACE(piece);
    boost::asio::io_context io;
    MemoryConnection conn;
    conn.feed_in_pieces(input, piece);
    LineReader reader(conn);
    EXPECT_EQ(line(io, reader, 100), (Outcome{"HELO a", LineEnding::crlf}));
    EXPECT_EQ(line(io, reader, 100), (Outcome{"MAIL FROM:<x>", LineEnding::bare_lf}));
    EXPECT_EQ(line(io, reader, 100), (Outcome{"DATA", LineEnding::crlf}));
    EXPECT_EQ(line(io, reader, 100), (Outcome{"", LineEnding::crlf}));
    EXPECT_EQ(line(io, reader, 100), (Outcome{".", LineEnding::bare_lf}));
    EXPECT_EQ(line(io, reader, 100), (Outcome{"error:timeout", LineEnding::crlf}));
    EXPECT_EQ(reader.buffered(), 0u);
  }
}

TEST(LineReader, LoneCrIsData) {
  for (size_t piece : kPieces) {
    SCOPED_TRACE(piece);
    boost::asio::io_context io;
    MemoryConnection conn;
    conn.feed_in_pieces("A\rB\r\n\r\r\n\r", piece);
    LineReader reader(conn);
    EXPECT_EQ(line(io, reader, 100), (Outcome{"A\rB", LineEnding::crlf}));
    EXPECT_EQ(line(io, reader, 100), (Outcome{"\r", LineEnding::crlf}));
    EXPECT_EQ(line(io, reader, 100), (Outcome{"error:timeout", LineEnding::crlf}));
    EXPECT_EQ(reader.buffered(), 1u);
  }
}

TEST(LineReader, LimitCountsTextWithoutTerminator) {
  for (size_t piece : kPieces) {
    SCOPED_TRACE(piece);
    boost::asio::io_context io;
    MemoryConnection conn;
    conn.feed_in_pieces("0123456789\r\n0123456789\n0123456789A\r\nNEXT\r\n", piece);
    LineReader reader(conn);
    EXPECT_EQ(line(io, reader, 10), (Outcome{"0123456789", LineEnding::crlf}));
    EXPECT_EQ(line(io, reader, 10), (Outcome{"0123456789", LineEnding::bare_lf}));
    EXPECT_EQ(line(io, reader, 10), (Outcome{"error:limit", LineEnding::crlf}));
    EXPECT_EQ(line(io, reader, 10), (Outcome{"NEXT", LineEnding::crlf}));
  }
}

TEST(LineReader, OverlongLineIsConsumedThroughItsEnd) {
  std::string input = std::string(5000, 'x') + "\r\nQUIT\r\n";
  for (size_t piece : {size_t{1}, size_t{7}, size_t{1000}, size_t{1} << 20}) {
    SCOPED_TRACE(piece);
    boost::asio::io_context io;
    MemoryConnection conn;
    conn.feed_in_pieces(input, piece);
    LineReader reader(conn);
    EXPECT_EQ(line(io, reader, 998), (Outcome{"error:limit", LineEnding::crlf}));
    EXPECT_EQ(line(io, reader, 998), (Outcome{"QUIT", LineEnding::crlf}));
    EXPECT_EQ(reader.buffered(), 0u);
  }
}

TEST(LineReader, UnterminatedLineBeyondCapFailsTheReader) {
  boost::asio::io_context io;
  MemoryConnection conn;
  conn.feed(std::string(200, 'x'));
  conn.feed("\r\nQUIT\r\n");
  LineReader reader(conn, 100);
  EXPECT_EQ(line(io, reader, 10), (Outcome{"error:invalid", LineEnding::crlf}));
  EXPECT_EQ(line(io, reader, 10), (Outcome{"error:invalid", LineEnding::crlf}));
}

TEST(LineReader, OverlongLineWithinCapIsRecoverable) {
  boost::asio::io_context io;
  MemoryConnection conn;
  conn.feed_in_pieces(std::string(100, 'x') + "\nOK\n", 3);
  LineReader reader(conn, 100);
  EXPECT_EQ(line(io, reader, 10), (Outcome{"error:limit", LineEnding::crlf}));
  EXPECT_EQ(line(io, reader, 10), (Outcome{"OK", LineEnding::bare_lf}));
}

TEST(LineReader, EofInsideALineIsClosed) {
  boost::asio::io_context io;
  MemoryConnection conn;
  conn.feed("ONE\r\nPART");
  conn.feed_eof();
  LineReader reader(conn);
  EXPECT_EQ(line(io, reader, 100), (Outcome{"ONE", LineEnding::crlf}));
  EXPECT_EQ(line(io, reader, 100), (Outcome{"error:closed", LineEnding::crlf}));
  EXPECT_EQ(reader.buffered(), 0u);
}

TEST(LineReader, PartialLineSurvivesATimeout) {
  boost::asio::io_context io;
  MemoryConnection conn;
  conn.feed("AB");
  LineReader reader(conn);
  EXPECT_EQ(line(io, reader, 100), (Outcome{"error:timeout", LineEnding::crlf}));
  conn.feed("C\r\n");
  EXPECT_EQ(line(io, reader, 100), (Outcome{"ABC", LineEnding::crlf}));
}

// A peer that sends one byte at a time cannot stretch a line past line_timeout, while
// the idle wait before the line's first byte is the call's timeout alone.
awaitable<void> trickle(MemoryConnection* conn, std::string bytes, Duration gap) {
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
  for (char c : bytes) {
    timer.expires_after(gap);
    co_await timer.async_wait(boost::asio::use_awaitable);
    conn->feed(std::string(1, c));
  }
}

TEST(LineReader, LineTimeoutIsNotExtendedByTrickledBytes) {
  boost::asio::io_context io;
  MemoryConnection conn(testing::MemoryConnectionOptions{
      .when_empty = testing::WhenInputEmpty::wait_for_feed});
  boost::asio::co_spawn(io, trickle(&conn, "NOOP and a long way to go\r\n", 20ms),
                        boost::asio::detached);
  LineReader reader(conn);
  auto r = run_to_completion(io, reader.read_line(100, 10s, 100ms));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::timeout);
  // The idle wait itself is not cut short: a quiet peer gets the whole call's timeout,
  // and a line that arrives whole is fine.
  boost::asio::io_context idle;
  MemoryConnection quiet(testing::MemoryConnectionOptions{
      .when_empty = testing::WhenInputEmpty::wait_for_feed});
  boost::asio::co_spawn(idle, trickle(&quiet, "X", 150ms), boost::asio::detached);
  LineReader patient(quiet);
  auto first = run_to_completion(idle, patient.read_line(100, 10s, 100ms));
  ASSERT_FALSE(first);  // "X" came after 150 ms, then nothing: the line timed out
  EXPECT_EQ(first.error().kind, ErrorKind::timeout);
  EXPECT_EQ(patient.buffered(), 1u);  // "X" was read: the 150 ms before it did not count
  quiet.feed("YZ\r\n");
  auto second = run_to_completion(idle, patient.read_line(100, 10s, 100ms));
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->text, "XYZ");
}

TEST(LineReader, ReadExactForLiterals) {
  for (size_t piece : kPieces) {
    SCOPED_TRACE(piece);
    boost::asio::io_context io;
    MemoryConnection conn;
    conn.feed_in_pieces("A APPEND x {11}\r\nhello\r\nworld)\r\n", piece);
    LineReader reader(conn);
    EXPECT_EQ(line(io, reader, 100), (Outcome{"A APPEND x {11}", LineEnding::crlf}));
    auto literal = run_to_completion(io, reader.read_exact(11, 100, 1s));
    ASSERT_TRUE(literal);
    EXPECT_EQ(*literal, "hello\r\nworl");
    EXPECT_EQ(line(io, reader, 100), (Outcome{"d)", LineEnding::crlf}));
  }
}

TEST(LineReader, ReadExactOverLimitConsumesNothing) {
  boost::asio::io_context io;
  MemoryConnection conn;
  conn.feed("0123456789");
  LineReader reader(conn);
  auto big = run_to_completion(io, reader.read_exact(11, 10, 1s));
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().kind, ErrorKind::limit);
  auto ok = run_to_completion(io, reader.read_exact(4, 10, 1s));
  ASSERT_TRUE(ok);
  EXPECT_EQ(*ok, "0123");
  auto short_read = run_to_completion(io, reader.read_exact(7, 10, 1s));
  ASSERT_FALSE(short_read);
  EXPECT_EQ(short_read.error().kind, ErrorKind::timeout);
  EXPECT_EQ(reader.buffered(), 6u);
}

TEST(LineReader, ReadAtMostReturnsBufferedFirst) {
  boost::asio::io_context io;
  MemoryConnection conn;
  conn.feed("L\r\nabcdef");
  conn.feed("ghi");
  LineReader reader(conn);
  EXPECT_EQ(line(io, reader, 100), (Outcome{"L", LineEnding::crlf}));
  auto a = run_to_completion(io, reader.read_at_most(4, 1s));
  ASSERT_TRUE(a);
  EXPECT_EQ(*a, "abcd");
  auto b = run_to_completion(io, reader.read_at_most(100, 1s));
  ASSERT_TRUE(b);
  EXPECT_EQ(*b, "ef");
  auto c = run_to_completion(io, reader.read_at_most(100, 1s));
  ASSERT_TRUE(c);
  EXPECT_EQ(*c, "ghi");
}

TEST(LineReader, DiscardBufferedDropsPipelinedBytes) {
  boost::asio::io_context io;
  MemoryConnection conn;
  conn.feed("STARTTLS\r\nNOOP\r\nRSET\r\n");
  LineReader reader(conn);
  EXPECT_EQ(line(io, reader, 100), (Outcome{"STARTTLS", LineEnding::crlf}));
  EXPECT_EQ(reader.buffered(), 12u);
  EXPECT_EQ(reader.discard_buffered(), 12u);
  EXPECT_EQ(reader.buffered(), 0u);
  EXPECT_EQ(reader.discard_buffered(), 0u);
  EXPECT_EQ(line(io, reader, 100), (Outcome{"error:timeout", LineEnding::crlf}));
}

}  // namespace
}  // namespace postamt::net
