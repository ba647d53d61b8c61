#include "net/testing/memory_connection.h"

#include <gtest/gtest.h>

#include "net/line_reader.h"
#include "net/testing/run.h"

namespace postamt::net::testing {
namespace {

using namespace std::chrono_literals;

awaitable<Result<Line>> read_line(LineReader* reader) {
  co_return co_await reader->read_line(100, 1s);
}

TEST(MemoryConnection, StartTlsStopsAtTheBoundary) {
  boost::asio::io_context io;
  MemoryConnection conn;
  conn.feed("STARTTLS\r\n");
  conn.feed_tls_boundary();
  conn.feed("EHLO x\r\n");
  LineReader reader(conn);
  auto first = run_to_completion(io, read_line(&reader));
  ASSERT_TRUE(first);
  EXPECT_EQ(first->text, "STARTTLS");
  auto blocked = run_to_completion(io, read_line(&reader));
  ASSERT_FALSE(blocked);
  EXPECT_EQ(blocked.error().kind, ErrorKind::timeout);
  EXPECT_FALSE(conn.is_tls());
  ASSERT_TRUE(run_to_completion(io, conn.start_tls(1s)));
  ASSERT_TRUE(conn.is_tls());
  EXPECT_EQ(conn.tls_info()->version, "TLSv1.3");
  auto after = run_to_completion(io, read_line(&reader));
  ASSERT_TRUE(after);
  EXPECT_EQ(after->text, "EHLO x");
  auto again = run_to_completion(io, conn.start_tls(1s));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().kind, ErrorKind::invalid);
}

TEST(MemoryConnection, UnreadPlaintextBeforeTheBoundaryFailsTheHandshake) {
  boost::asio::io_context io;
  MemoryConnection conn;
  conn.feed("NOOP\r\n");
  conn.feed_tls_boundary();
  auto r = run_to_completion(io, conn.start_tls(1s));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::io);
  EXPECT_FALSE(conn.is_tls());
}

TEST(MemoryConnection, ConfiguredHandshakeFailure) {
  boost::asio::io_context io;
  MemoryConnection conn(MemoryConnectionOptions{.tls = TlsOutcome::fail});
  auto r = run_to_completion(io, conn.start_tls(1s));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::io);
}

TEST(MemoryConnection, WaitModeWakesOnFeed) {
  boost::asio::io_context io;
  MemoryConnection conn(MemoryConnectionOptions{.when_empty = WhenInputEmpty::wait_for_feed});
  LineReader reader(conn);
  std::optional<Result<Line>> got;
  boost::asio::co_spawn(io, testing::detail::store_result(reader.read_line(100, 1h), &got),
                        [](std::exception_ptr) {});
  io.poll();
  EXPECT_FALSE(got.has_value());
  conn.feed("HI");
  io.poll();
  EXPECT_FALSE(got.has_value());
  conn.feed("\r\n");
  io.run();
  ASSERT_TRUE(got.has_value());
  ASSERT_TRUE(*got);
  EXPECT_EQ((*got)->text, "HI");
}

TEST(MemoryConnection, WaitModeTimesOut) {
  boost::asio::io_context io;
  MemoryConnection conn(MemoryConnectionOptions{.when_empty = WhenInputEmpty::wait_for_feed});
  char buffer[8];
  auto r = run_to_completion(io, conn.read_some(buffer, 5ms));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::timeout);
}

TEST(MemoryConnection, ShutdownAndEofAndClose) {
  boost::asio::io_context io;
  MemoryConnection conn;
  char buffer[8];
  conn.feed_eof();
  auto eof = run_to_completion(io, conn.read_some(buffer, 1s));
  ASSERT_FALSE(eof);
  EXPECT_EQ(eof.error().kind, ErrorKind::closed);

  MemoryConnection stopping;
  stopping.feed("X");
  stopping.request_shutdown();
  EXPECT_TRUE(stopping.shutdown_requested());
  auto r = run_to_completion(io, stopping.read_some(buffer, 1s));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::closed);
  ASSERT_TRUE(run_to_completion(io, stopping.write("* BYE\r\n", 1s)));
  EXPECT_EQ(stopping.take_written(), "* BYE\r\n");
  EXPECT_EQ(stopping.written(), "");
  stopping.close();
  auto w = run_to_completion(io, stopping.write("x", 1s));
  ASSERT_FALSE(w);
  EXPECT_EQ(w.error().kind, ErrorKind::closed);
}

TEST(MemoryConnection, AddressesAndLoopback) {
  MemoryConnection remote;
  EXPECT_EQ(remote.remote().to_string(), "192.0.2.10:49152");
  EXPECT_FALSE(remote.remote_is_loopback());
  MemoryConnection local(MemoryConnectionOptions{.remote = {"::1", 5}});
  EXPECT_EQ(local.remote().to_string(), "[::1]:5");
  EXPECT_TRUE(local.remote_is_loopback());
  EXPECT_EQ(remote.trust().locality, RemoteLocality::remote);
  EXPECT_EQ(remote.trust().security, ConnectionSecurity::plain);
  EXPECT_EQ(local.trust().locality, RemoteLocality::loopback);
  for (std::string_view loopback :
       {"127.0.0.1", "127.1.2.3", "127.255.0.9", "::1", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1"})
    EXPECT_TRUE(is_loopback_address(loopback)) << loopback;
  for (std::string_view remote : {"128.0.0.1", "10.0.0.1", "::2", "::ffff:10.0.0.1",
                                  "::127.0.0.1", "localhost", "127.0.0.1 ", ""})
    EXPECT_FALSE(is_loopback_address(remote)) << remote;
}

}  // namespace
}  // namespace postamt::net::testing
