#include "imap/proto/command_reader.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace postamt::imap::proto {
namespace {

using Event = CommandReader::Event;

enum class OnLiteral { accept, reject, stream_large, refuse_large };

// Drives a reader over `input` fed in pieces of `piece` octets and records what the
// session would see: "C:<command>", "L:<line>", "A:<size>[+][~]" for an announced
// literal, "E:<kind>:<tag>:<recovery>" for errors; a large literal is streamed
// ("S:<size>", then "D:<octets>" once its data pieces are over) or refused ("R:<size>").
std::vector<std::string> run(std::string_view input, size_t piece, ReaderLimits limits = {},
                             OnLiteral on_literal = OnLiteral::accept) {
  CommandReader r(limits);
  std::vector<std::string> log;
  size_t pos = 0;
  size_t streamed = 0;
  for (;;) {
    Event e = r.next();
    if (e == Event::literal_data) {
      streamed += r.take_literal_data().size();
      EXPECT_LE(r.held(), limits.max_command + piece);
      continue;
    }
    if (streamed > 0 && e != Event::need_more) {
      log.push_back("D:" + std::to_string(streamed));
      streamed = 0;
    }
    if (e == Event::need_more) {
      if (pos >= input.size()) break;
      size_t n = std::min(piece, input.size() - pos);
      r.feed(input.substr(pos, n));
      pos += n;
      continue;
    }
    if (e == Event::command) log.push_back("C:" + r.take_command());
    if (e == Event::line) log.push_back("L:" + r.take_command());
    if (e == Event::literal_announced && r.literal().large) {
      log.push_back((on_literal == OnLiteral::stream_large ? "S:" : "R:") +
                    std::to_string(r.literal().size));
      if (on_literal == OnLiteral::stream_large)
        r.stream_literal();
      else
        r.refuse_literal();
    } else if (e == Event::literal_announced) {
      log.push_back("A:" + std::to_string(r.literal().size) +
                    (r.literal().form == LiteralForm::binary ? "~" : ""));
      if (on_literal == OnLiteral::reject)
        r.reject_literal();
      else
        r.accept_literal();
    }
    if (e == Event::error) {
      const ReadError& err = r.error();
      std::string kind = err.kind == ReadErrorKind::line_too_long       ? "line"
                         : err.kind == ReadErrorKind::literal_too_large ? "literal"
                                                                        : "command";
      log.push_back("E:" + kind + ":" + err.tag + ":" +
                    (err.recovery == Recovery::close ? "close" : "resync"));
      if (err.recovery == Recovery::close) break;
    }
  }
  return log;
}

const size_t kPieces[] = {1, 2, 7, 1 << 20};

TEST(ImapCommandReader, SplitsPipelinedCommandsInAnyPieces) {
  for (size_t piece : kPieces) {
    EXPECT_EQ(run("a1 NOOP\r\na2 CAPABILITY\r\na3 LOGOUT\r\n", piece),
              (std::vector<std::string>{"C:a1 NOOP", "C:a2 CAPABILITY", "C:a3 LOGOUT"}))
        << piece;
  }
}

TEST(ImapCommandReader, SynchronisingLiteralIsAnnouncedBeforeItsBytes) {
  for (size_t piece : kPieces) {
    EXPECT_EQ(run("A003 LOGIN {11}\r\nFRED FOOBAR {7}\r\nfat man\r\nA004 NOOP\r\n", piece),
              (std::vector<std::string>{
                  "A:11", "A:7", "C:A003 LOGIN {11}\r\nFRED FOOBAR {7}\r\nfat man", "C:A004 NOOP"}))
        << piece;
  }
}

TEST(ImapCommandReader, AnnouncesWithoutHavingTheLiteralBytes) {
  CommandReader r({});
  r.feed("a APPEND INBOX {5}\r\n");
  ASSERT_EQ(r.next(), Event::literal_announced);
  EXPECT_EQ(r.literal().size, 5u);
  EXPECT_EQ(r.literal().sync, LiteralSync::synchronizing);
  EXPECT_EQ(r.partial(), "a APPEND INBOX {5}\r\n");
  // Until the caller answers, the reader keeps asking.
  EXPECT_EQ(r.next(), Event::literal_announced);
  r.accept_literal();
  EXPECT_EQ(r.next(), Event::need_more);
  r.feed("hel");
  EXPECT_EQ(r.next(), Event::need_more);
  r.feed("lo\r\n");
  ASSERT_EQ(r.next(), Event::command);
  EXPECT_EQ(r.take_command(), "a APPEND INBOX {5}\r\nhello");
}

TEST(ImapCommandReader, NonSynchronisingLiteralsNeedNoAnswer) {
  for (size_t piece : kPieces) {
    EXPECT_EQ(run("a LOGIN {4+}\r\nuser {2+}\r\npw\r\nb NOOP\r\n", piece),
              (std::vector<std::string>{"C:a LOGIN {4+}\r\nuser {2+}\r\npw", "C:b NOOP"}))
        << piece;
  }
}

TEST(ImapCommandReader, Literal8AndEmptyLiteral) {
  for (size_t piece : kPieces) {
    std::string bin("x\0y", 3);
    EXPECT_EQ(run("a APPEND INBOX ~{3}\r\n" + bin + "\r\nb LOGIN {0}\r\n {0+}\r\n\r\n", piece),
              (std::vector<std::string>{"A:3~", "C:a APPEND INBOX ~{3}\r\n" + bin, "A:0",
                                        "C:b LOGIN {0}\r\n {0+}\r\n"}))
        << piece;
  }
}

TEST(ImapCommandReader, LiteralBytesMayLookLikeCommands) {
  for (size_t piece : kPieces) {
    EXPECT_EQ(run("a LOGIN {10+}\r\nb NOOP\r\n{3} x\r\n", piece),
              (std::vector<std::string>{"C:a LOGIN {10+}\r\nb NOOP\r\n{3} x"}))
        << piece;
  }
}

TEST(ImapCommandReader, MinusFormIsNotALiteral) {
  // RFC 7888 §5: LITERAL- keeps the "{n+}" form; "{n-}" is no literal marker at all, so
  // the line is a complete (malformed) command for parse_command() to reject.
  EXPECT_EQ(run("a LOGIN {5-}\r\nb NOOP\r\n", 1),
            (std::vector<std::string>{"C:a LOGIN {5-}", "C:b NOOP"}));
}

TEST(ImapCommandReader, AcceptsBareLf) {
  EXPECT_EQ(run("a NOOP\nb NOOP\r\n", 1), (std::vector<std::string>{"C:a NOOP", "C:b NOOP"}));
}

TEST(ImapCommandReader, RejectedLiteralDropsTheCommand) {
  // The client gets "a NO" and does not send the literal; its next line is a command.
  EXPECT_EQ(run("a APPEND INBOX {500}\r\nb NOOP\r\n", 3, {}, OnLiteral::reject),
            (std::vector<std::string>{"A:500", "C:b NOOP"}));
}

TEST(ImapCommandReader, LineTooLongResynchronises) {
  ReaderLimits limits;
  limits.max_line = 16;
  for (size_t piece : kPieces) {
    EXPECT_EQ(run("t1 " + std::string(40, 'x') + "\r\nt2 NOOP\r\n", piece, limits),
              (std::vector<std::string>{"E:line:t1:resync", "C:t2 NOOP"}))
        << piece;
  }
  // Exactly at the limit passes; CRLF does not count.
  EXPECT_EQ(run("t1 " + std::string(13, 'x') + "\r\n", 1, limits),
            (std::vector<std::string>{"C:t1 " + std::string(13, 'x')}));
  EXPECT_EQ(run("t1 " + std::string(14, 'x') + "\r\nt2 NOOP\r\n", 1, limits),
            (std::vector<std::string>{"E:line:t1:resync", "C:t2 NOOP"}));
}

TEST(ImapCommandReader, OverlongLineWithoutTagReportsNoTag) {
  ReaderLimits limits;
  limits.max_line = 8;
  EXPECT_EQ(run(std::string(30, 'x') + "\r\nb NOOP\r\n", 4, limits),
            (std::vector<std::string>{"E:line::resync", "C:b NOOP"}));
}

TEST(ImapCommandReader, OverlongLineEndingInNonSyncLiteralSkipsTheLiteral) {
  ReaderLimits limits;
  limits.max_line = 16;
  for (size_t piece : kPieces) {
    EXPECT_EQ(
        run("t1 LOGIN " + std::string(30, 'u') + " {6+}\r\nb NOOP\r\nc NOOP\r\n", piece, limits),
        (std::vector<std::string>{"E:line:t1:resync", "C:c NOOP"}))
        << piece;
  }
}

TEST(ImapCommandReader, SynchronisingLiteralOverLimitIsRejectedWithoutContinuation) {
  ReaderLimits limits;
  limits.max_literal = 100;
  for (size_t piece : kPieces) {
    EXPECT_EQ(run("a APPEND INBOX {101}\r\nb NOOP\r\n", piece, limits),
              (std::vector<std::string>{"E:literal:a:resync", "C:b NOOP"}))
        << piece;
  }
  // A length beyond 64 bits is just as over the limit.
  EXPECT_EQ(run("a LOGIN {99999999999999999999999}\r\nb NOOP\r\n", 5, limits),
            (std::vector<std::string>{"E:literal:a:resync", "C:b NOOP"}));
}

TEST(ImapCommandReader, NonSyncLiteralOverLimitIsDiscardedOrCloses) {
  ReaderLimits limits;
  limits.max_literal = 10;
  limits.max_discard = 20;
  for (size_t piece : kPieces) {
    EXPECT_EQ(
        run("a APPEND INBOX {12+}\r\n123456789012 more {3+}\r\nabc\r\nb NOOP\r\n", piece, limits),
        (std::vector<std::string>{"E:literal:a:resync", "C:b NOOP"}))
        << piece;
  }
  EXPECT_EQ(run("a APPEND INBOX {21+}\r\n123456789012345678901\r\nb NOOP\r\n", 3, limits),
            (std::vector<std::string>{"E:literal:a:close"}));
}

TEST(ImapCommandReader, LiteralMinusLimitsNonSyncTo4096) {
  ReaderLimits limits;
  limits.non_sync = NonSyncLiterals::literal_minus;
  std::string ok_body(4096, 'm');
  EXPECT_EQ(run("a APPEND INBOX {4096+}\r\n" + ok_body + "\r\n", 1000, limits),
            (std::vector<std::string>{"C:a APPEND INBOX {4096+}\r\n" + ok_body}));
  std::string big(4097, 'm');
  EXPECT_EQ(run("a APPEND INBOX {4097+}\r\n" + big + "\r\nb NOOP\r\n", 1000, limits),
            (std::vector<std::string>{"E:literal:a:resync", "C:b NOOP"}));
  // Synchronising literals stay under max_literal only.
  EXPECT_EQ(run("a APPEND INBOX {4097}\r\n" + big + "\r\n", 1000, limits),
            (std::vector<std::string>{"A:4097", "C:a APPEND INBOX {4097}\r\n" + big}));
}

TEST(ImapCommandReader, CommandSizeCapCountsLiterals) {
  ReaderLimits limits;
  limits.max_command = 40;
  EXPECT_EQ(run("a LOGIN {10+}\r\n0123456789 {10+}\r\n0123456789\r\nb NOOP\r\n", 4, limits),
            (std::vector<std::string>{"E:command:a:resync", "C:b NOOP"}));
  EXPECT_EQ(run("a LOGIN {30}\r\nb NOOP\r\n", 4, limits),
            (std::vector<std::string>{"E:command:a:resync", "C:b NOOP"}));
}

// A literal over max_inline_literal is never held: streamed, it comes out in pieces and
// the command keeps "{0}" in its place; refused, a synchronising one is never sent and a
// non-synchronising one is read and dropped. Either way the next command follows.
TEST(ImapCommandReader, LargeLiteralsAreStreamedOrRefused) {
  ReaderLimits limits;
  limits.max_inline_literal = 100;
  limits.max_command = 300;
  limits.max_discard = 5000;
  const std::string body(4000, 'x');
  for (size_t piece : kPieces) {
    SCOPED_TRACE(piece);
    EXPECT_EQ(run("a APPEND INBOX (\\Seen) {4000}\r\n" + body + "\r\nb NOOP\r\n", piece, limits,
                  OnLiteral::stream_large),
              (std::vector<std::string>{"S:4000", "D:4000", "C:a APPEND INBOX (\\Seen) {0}\r\n",
                                        "C:b NOOP"}));
    EXPECT_EQ(
        run("a APPEND INBOX ~{4000+}\r\n" + body + "\r\nb NOOP\r\n", piece, limits,
            OnLiteral::stream_large),
        (std::vector<std::string>{"S:4000", "D:4000", "C:a APPEND INBOX ~{0}\r\n", "C:b NOOP"}));
    EXPECT_EQ(run("a SEARCH TEXT {4000}\r\nb NOOP\r\n", piece, limits, OnLiteral::refuse_large),
              (std::vector<std::string>{"R:4000", "E:literal:a:resync", "C:b NOOP"}));
    EXPECT_EQ(run("a SEARCH TEXT {4000+}\r\n" + body + " BODY {101+}\r\n" + body.substr(0, 101) +
                      "\r\nb NOOP\r\n",
                  piece, limits, OnLiteral::refuse_large),
              (std::vector<std::string>{"R:4000", "E:literal:a:resync", "C:b NOOP"}));
  }
  EXPECT_EQ(run("a SEARCH TEXT {5001+}\r\n" + std::string(5001, 'y') + "\r\n", 100, limits,
                OnLiteral::refuse_large),
            (std::vector<std::string>{"R:5001", "E:literal:a:close"}));
  CommandReader r(limits);
  r.feed("t APPEND INBOX {101}\r\n");
  ASSERT_EQ(r.next(), Event::literal_announced);
  EXPECT_EQ(r.command_name(), "APPEND");
  EXPECT_TRUE(r.literal().large);
}

TEST(ImapCommandReader, LineLimitChangesForTheNextCommand) {
  ReaderLimits pre;
  pre.max_line = 10;
  CommandReader r(pre);
  r.feed("a LOGIN u p\r\n");
  EXPECT_EQ(r.next(), Event::error);
  EXPECT_EQ(r.error().tag, "a");
  EXPECT_EQ(r.error().message, "Command line too long");
  ReaderLimits post;
  post.max_line = 100;
  r.set_limits(post);
  EXPECT_EQ(r.next(), Event::need_more);
  r.feed("b LOGIN user pass\r\n");
  ASSERT_EQ(r.next(), Event::command);
  EXPECT_EQ(r.take_command(), "b LOGIN user pass");
}

TEST(ImapCommandReader, RawLinesForSaslAndIdle) {
  CommandReader r({});
  r.feed("a IDLE\r\nDONE\r\nb NOOP {3}\r\n");
  ASSERT_EQ(r.next(), Event::command);
  EXPECT_EQ(r.take_command(), "a IDLE");
  r.expect_line();
  ASSERT_EQ(r.next(), Event::line);
  EXPECT_EQ(r.take_command(), "DONE");
  // Back to command mode: the literal marker counts again.
  EXPECT_EQ(r.next(), Event::literal_announced);

  CommandReader s({});
  s.expect_line();
  s.feed("dXNlcg== {5}\r\n");
  ASSERT_EQ(s.next(), Event::line);
  EXPECT_EQ(s.take_command(), "dXNlcg== {5}");
}

TEST(ImapCommandReader, DoesNotBufferAnOverlongLine) {
  ReaderLimits limits;
  limits.max_line = 64;
  CommandReader r(limits);
  r.feed("a ");
  EXPECT_EQ(r.next(), Event::need_more);
  r.feed(std::string(100, 'z'));
  EXPECT_EQ(r.next(), Event::error);
  for (int i = 0; i < 1000; ++i) {
    EXPECT_EQ(r.next(), Event::need_more);
    r.feed(std::string(4096, 'z'));
  }
  EXPECT_EQ(r.next(), Event::need_more);
  EXPECT_TRUE(r.partial().empty());
  r.feed("\r\nb NOOP\r\n");
  ASSERT_EQ(r.next(), Event::command);
  EXPECT_EQ(r.take_command(), "b NOOP");
}

}  // namespace
}  // namespace postamt::imap::proto
