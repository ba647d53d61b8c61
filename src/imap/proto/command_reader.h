// Incremental IMAP command reader: splits the client's byte stream into complete
// commands, literals included (RFC 9051 §4.3, RFC 7888 LITERAL+/LITERAL-, RFC 3516 /
// RFC 4466 literal8). No I/O: the session feeds bytes it has read and acts on events.
//
//   CommandReader r(limits);
//   r.feed(bytes);
//   for (;;) switch (r.next()) {
//     case Event::need_more: read more, feed, continue
//     case Event::literal_announced: check r.literal() (and r.partial() if needed), then
//          send "+ Ready" and r.accept_literal(), or send "tag NO/BAD" and r.reject_literal();
//          a large literal (r.literal().large): r.stream_literal() (then "+ Ready" when it
//          is synchronising) or r.refuse_literal()
//     case Event::literal_data: a piece of a streamed literal: r.take_literal_data()
//     case Event::command: parse_command(r.take_command())
//     case Event::line: (after expect_line()) SASL response or IDLE's DONE: r.take_command()
//     case Event::error: send "tag BAD ..." (or "* BAD" when r.error().tag is empty); when
//          r.error().recovery is close, send BYE and close. Otherwise keep calling next().
//   }
//
// Memory: the reader holds at most one command (bounded by ReaderLimits::max_command)
// plus the bytes fed and not yet consumed. Feed again only after next() returned
// need_more, so unconsumed input never exceeds one read. Over-limit lines and literals
// are discarded as they arrive, never buffered. A literal over max_inline_literal is
// never held either: the session streams it elsewhere (an APPENDed message into the
// blob store) or refuses it, and the command text keeps "{0}" in its place. Not thread-safe: one
// reader per connection, used from the connection's executor.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace postamt::imap::proto {

// RFC 9051 §4: lines are limited by implementation; these are Postamt's defaults.
inline constexpr size_t kMaxLineAuthenticated = 64 * 1024;
inline constexpr size_t kMaxLineUnauthenticated = 64 * 1024;
// RFC 7888 §5: with LITERAL-, a non-synchronising literal is at most 4096 octets.
inline constexpr uint64_t kLiteralMinusMax = 4096;

// Which non-synchronising literal capability the server advertises (RFC 7888 §5: a
// server never advertises both). Both use the "{n+}" form on the wire.
enum class NonSyncLiterals { literal_plus, literal_minus };

struct ReaderLimits {
  size_t max_line = kMaxLineAuthenticated;     // one line piece, CRLF excluded
  uint64_t max_literal = 64ull * 1024 * 1024;  // one literal, streamed or held
  // The largest literal held in memory as part of the command text; a larger one
  // (up to max_literal) is announced as `large` for the session to stream or refuse.
  uint64_t max_inline_literal = 64 * 1024;
  uint64_t max_command = 1024 * 1024;  // lines + literals held of one command
  // An over-limit non-synchronising literal at most this large is read and thrown
  // away (RFC 7888 §4 choice 1); a larger one makes the reader ask to close (choice 2).
  uint64_t max_discard = 1024 * 1024;
  NonSyncLiterals non_sync = NonSyncLiterals::literal_plus;
};

enum class LiteralSync { synchronizing, non_synchronizing };
enum class LiteralForm { text, binary };  // "{n}" CHAR8 vs "~{n}" literal8 (any OCTET)

struct LiteralAnnouncement {
  uint64_t size = 0;
  LiteralSync sync = LiteralSync::synchronizing;
  LiteralForm form = LiteralForm::text;
  bool large = false;  // over max_inline_literal: stream it or refuse it
};

enum class ReadErrorKind {
  line_too_long,      // a line piece exceeded max_line
  literal_too_large,  // a literal exceeded max_literal, or 4096 with LITERAL-
  command_too_large,  // lines + literals exceeded max_command
};

// resync: the reader drops the command and continues with the next one by itself
// (discarding the rest of the line and any non-synchronising literal that follows).
// close: the rest cannot be skipped cheaply; the caller sends BYE and closes.
enum class Recovery { resync, close };

struct ReadError {
  ReadErrorKind kind = ReadErrorKind::line_too_long;
  Recovery recovery = Recovery::resync;
  std::string tag;  // the command's tag, or empty when it could not be read
  // What the BAD text should say, plain words.
  std::string message;
  // The command's name in upper case ("APPEND"), or empty when it could not be read.
  std::string command;
};

class CommandReader {
 public:
  enum class Event { need_more, command, literal_announced, literal_data, line, error };

  explicit CommandReader(ReaderLimits limits) : limits_(limits), next_limits_(limits) {}

  // Applies from the next command on (e.g. the 64 KiB line limit after LOGIN).
  void set_limits(const ReaderLimits& limits) { next_limits_ = limits; }

  // Appends received bytes. Requires that next() returned need_more (see above).
  void feed(std::string_view bytes);

  // Advances over buffered input and reports what happened.
  Event next();

  // After Event::command: the whole command without its final CRLF; literals stay in
  // place as "{n}\r\n" + n octets ("{n+}", "~{n}" likewise). After Event::line: the
  // line without CRLF. Moves the text out.
  std::string take_command();

  // After Event::literal_announced: synchronising literals, and large ones of either
  // kind (non-synchronising ones within max_inline_literal are read without an event).
  const LiteralAnnouncement& literal() const { return literal_; }
  // The command text received so far (lets the session see "APPEND" before deciding).
  std::string_view partial() const { return cmd_; }
  // The command's name as received so far, upper-cased ("APPEND"), or "".
  std::string command_name() const;
  // A literal within max_inline_literal: its octets become part of the command text.
  void accept_literal();
  // The client will not send the literal; the command is dropped.
  void reject_literal();
  // A large literal: its octets come as Event::literal_data pieces instead; the command
  // text gets "{0}" ("~{0}" for literal8) in its place.
  void stream_literal();
  // A large literal the session does not take: "Literal too large" as Event::error.
  // A synchronising one is never sent; a non-synchronising one is read and dropped
  // (up to max_discard; beyond, Recovery::close).
  void refuse_literal();
  // After Event::literal_data: the piece (moved out; the reader keeps no copy).
  std::string take_literal_data();
  // Received octets not yet looked at (what a client sent after the last command).
  size_t buffered() const { return in_.size() - in_pos_; }
  // Octets the reader holds now (command text, unconsumed input, a literal piece).
  size_t held() const { return cmd_.size() + (in_.size() - in_pos_) + piece_.size(); }

  // After Event::error.
  const ReadError& error() const { return error_; }

  // True while a command (or a bare line) has begun and its line is not complete: some
  // octets arrived, the LF has not (also while skipping the rest of a bad line). False
  // between commands and while literal octets are read. The session bounds how long a
  // line may take from the moment this turns true (docs/architecture.md, Limits).
  bool mid_line() const {
    return (state_ == State::line && !fresh_) || state_ == State::discard_line;
  }

  // The next thing to read is a bare line (AUTHENTICATE responses, RFC 9051 §6.2.2;
  // "DONE" ending IDLE, RFC 2177): no literal interpretation. Requires being between
  // commands.
  void expect_line() { raw_line_ = true; }

 private:
  enum class State {
    line,             // reading a line piece of a command
    awaiting_answer,  // a synchronising or large literal was announced
    literal,          // reading literal octets
    streaming,        // handing out a large literal's octets as literal_data
    discard_line,     // skipping the rest of a bad line
    discard_literal,  // skipping a non-synchronising literal of a bad command
    closed,           // Recovery::close was reported
  };

  Event finish_line(size_t line_end);
  Event on_literal_marker(const LiteralAnnouncement& lit);
  Event fail(ReadErrorKind kind, Recovery recovery, std::string message);
  void start_command();
  std::string current_tag() const;

  ReaderLimits limits_;
  ReaderLimits next_limits_;
  std::string in_;
  size_t in_pos_ = 0;

  State state_ = State::line;
  bool raw_line_ = false;
  bool error_pending_ = false;  // refuse_literal() reported an error for next()
  bool fresh_ = true;           // no octet of the next command read yet
  std::string cmd_;
  size_t line_start_ = 0;
  uint64_t remaining_ = 0;  // literal octets still to read or discard
  std::string discard_tail_;
  std::string piece_;  // the literal_data not yet taken
  LiteralAnnouncement literal_;
  ReadError error_;
  std::string ready_;
};

}  // namespace postamt::imap::proto
