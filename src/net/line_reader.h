// LineReader: protocol-level reads over a Connection, with its own buffer.
//
// Line rule (one rule for every protocol, the protocol judges the terminator):
//   - A line ends at the first LF. If the byte before that LF is CR, the line ended
//     with CRLF (LineEnding::crlf); otherwise with a bare LF (LineEnding::bare_lf).
//     Neither terminator byte is part of Line::text.
//   - A CR not followed by LF is ordinary data and stays in Line::text.
//   SMTP must reject or refuse bare LF (RFC 5321 §2.3.8, SMTP smuggling), IMAP and POP3
//   may be lenient; that choice lives in the protocol, not here.
//
// Limits:
//   - read_line(max_bytes): max_bytes bounds Line::text (terminator not counted; SMTP's
//     1000-octet line incl. CRLF is max_bytes = 998). A longer line is consumed and
//     dropped through its LF, then ErrorKind::limit is returned so the protocol can
//     answer and read the next line. Dropped bytes are not kept in memory.
//   - An over-long line that is still unterminated after `max_discard` bytes
//     (constructor, default 1 MiB) returns ErrorKind::invalid and fails the reader: every
//     later call returns the same error. The protocol should say goodbye and close.
//   - Memory held is at most max_bytes + one read chunk (16 KiB).
//
// Deadlines: `timeout` is for the whole call, not for each socket read, so a peer that
// dribbles one byte at a time cannot extend it.
//
// Threading: as for the Connection; one call at a time. The Connection must outlive the
// reader. Errors from the connection (closed, timeout, io) are passed through unchanged;
// bytes already received stay buffered, so a timed-out call can be repeated.
#pragma once

#include <cstddef>
#include <string>

#include "net/connection.h"

namespace postamt::net {

enum class LineEnding { crlf, bare_lf };

struct Line {
  std::string text;
  LineEnding ending = LineEnding::crlf;
};

class LineReader {
 public:
  static constexpr size_t kDefaultMaxDiscard = 1024 * 1024;

  explicit LineReader(Connection& connection, size_t max_discard = kDefaultMaxDiscard);

  // One line as described above. Errors: ErrorKind::limit (over-long line, consumed),
  // ErrorKind::invalid (unterminated line beyond max_discard, reader failed), plus the
  // connection's closed/timeout/io. A peer that closes in the middle of a line gives
  // ErrorKind::closed; the partial line is dropped.
  //
  // `line_timeout` bounds the line from the moment its first octet is buffered (the
  // call's deadline then moves closer, never further): a peer that sends one byte a
  // minute cannot hold the connection with one endless line. ErrorKind::timeout then.
  awaitable<Result<Line>> read_line(size_t max_bytes, Duration timeout,
                                    Duration line_timeout = Duration::max());

  // Exactly n bytes (IMAP literals, SMTP BDAT chunks). If n > max_bytes, nothing is
  // consumed and ErrorKind::limit is returned. Other errors as for read_line; bytes
  // received before a closed/timeout error stay buffered.
  awaitable<Result<std::string>> read_exact(size_t n, size_t max_bytes, Duration timeout);

  // Between 1 and max_bytes bytes (max_bytes > 0): whatever is buffered, or else what
  // one socket read delivers. For streaming large bodies without holding them whole.
  awaitable<Result<std::string>> read_at_most(size_t max_bytes, Duration timeout);

  // Drops everything buffered and returns how many bytes that was. Must be called
  // right before Connection::start_tls: bytes a client pipelined after STARTTLS arrived
  // in plaintext and must not be taken as protected commands (RFC 3207 §4.2,
  // CVE-2011-0411). A protocol may log or refuse when the count is not 0.
  size_t discard_buffered();

  // Bytes received but not yet returned by any call.
  size_t buffered() const { return buffer_.size() - start_; }

 private:
  // Reads once more from the connection into the buffer, within `deadline`.
  awaitable<Result<void>> fill(std::chrono::steady_clock::time_point deadline);
  void compact();

  Connection& connection_;
  size_t max_discard_;
  std::string buffer_;
  size_t start_ = 0;             // first unconsumed byte in buffer_
  size_t scanned_ = 0;           // bytes after start_ known to hold no LF
  bool overlong_ = false;        // inside a line already known to be too long
  size_t overlong_dropped_ = 0;  // bytes of that line dropped so far
  bool failed_ = false;          // an unterminated line exceeded max_discard_
};

}  // namespace postamt::net
