#include "admin/mbox_codec.h"

#include <gtest/gtest.h>

namespace postamt::admin::mbox {
namespace {

TEST(MboxSplit, MessagesEndBeforeTheEmptyLineBeforeFrom) {
  std::string file =
      "From a@example.test Mon Jan  1 00:00:00 2024\n"
      "Subject: one\n\nbody\nFrom inside a paragraph stays\n\n"
      "From b@example.test Tue Jan  2 00:00:00 2024\n"
      "Subject: two\n\nends with an empty line\n\n\n"
      "From c@example.test Wed Jan  3 00:00:00 2024\n"
      "Subject: three\n\nlast\n\n";
  auto entries = split(file);
  ASSERT_TRUE(entries);
  ASSERT_EQ(entries->size(), 3u);
  EXPECT_EQ((*entries)[0].offset, 0u);
  EXPECT_EQ((*entries)[0].from_line, "From a@example.test Mon Jan  1 00:00:00 2024");
  EXPECT_EQ((*entries)[0].text, "Subject: one\n\nbody\nFrom inside a paragraph stays\n");
  EXPECT_EQ((*entries)[1].text, "Subject: two\n\nends with an empty line\n\n");
  EXPECT_EQ((*entries)[1].offset, file.find("From b@"));
  EXPECT_EQ((*entries)[2].text, "Subject: three\n\nlast\n");
}

TEST(MboxSplit, CrlfFilesNoFinalEmptyLineEmptyAndNotMbox) {
  auto crlf = split(
      "From a Mon Jan  1 00:00:00 2024\r\nS: 1\r\n\r\nx\r\n\r\nFrom b Mon Jan  1 "
      "00:00:00 2024\r\nS: 2\r\n");
  ASSERT_TRUE(crlf);
  ASSERT_EQ(crlf->size(), 2u);
  EXPECT_EQ((*crlf)[0].from_line, "From a Mon Jan  1 00:00:00 2024");
  EXPECT_EQ((*crlf)[0].text, "S: 1\r\n\r\nx\r\n");
  EXPECT_EQ((*crlf)[1].text, "S: 2\r\n");  // no empty line at the end: nothing to drop
  auto empty = split("");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
  auto not_mbox = split("Subject: hi\n\nFrom x\n");
  ASSERT_FALSE(not_mbox);
  EXPECT_EQ(not_mbox.error().kind, ErrorKind::invalid);
  EXPECT_EQ(not_mbox.error().message, "not an mbox file");
  auto only_from = split("From x Mon Jan  1 00:00:00 2024");
  ASSERT_TRUE(only_from);
  ASSERT_EQ(only_from->size(), 1u);
  EXPECT_EQ((*only_from)[0].text, "");
}

TEST(MboxQuoting, MboxrdBothWaysIsLossless) {
  std::string original = "From x\n>From y\n>>From z\nFrom\n>From\nFromage\n > From a\n";
  std::string quoted = quote_mboxrd(original);
  EXPECT_EQ(quoted, ">From x\n>>From y\n>>>From z\nFrom\n>From\nFromage\n > From a\n");
  EXPECT_EQ(unquote(quoted, MboxFormat::mboxrd), original);
}

TEST(MboxQuoting, MboxoTakesOneLevelOnlyFromSingleQuotes) {
  // An mboxo writer quoted "From x" only; reading back cannot tell the original ">From y"
  // from a quoted one (the format's known loss), and leaves ">>From" alone.
  std::string text = ">From x\n>From y\n>>From z\n";
  EXPECT_EQ(unquote(text, MboxFormat::mboxo), "From x\nFrom y\n>>From z\n");
  EXPECT_EQ(unquote(text, MboxFormat::mboxrd), "From x\nFrom y\n>From z\n");
  // CRLF lines and a last line without a line end.
  EXPECT_EQ(unquote(">From a\r\n>>From b", MboxFormat::mboxrd), "From a\r\n>From b");
}

TEST(MboxFromLine, AsctimeAndOddDates) {
  auto plain = parse_from_line("From alice@example.test Mon Jan  1 10:20:30 2024");
  EXPECT_EQ(plain.sender, "alice@example.test");
  EXPECT_EQ(plain.date, 1704104430);
  // Two-digit day without padding, no seconds.
  auto no_seconds = parse_from_line("From a@b Sat Feb 29 23:59 2020");
  EXPECT_EQ(no_seconds.date, 1583020740);
  // A zone name before the year (not interpreted), a numeric zone after it (applied).
  EXPECT_EQ(parse_from_line("From a@b Mon Jan  1 10:20:30 PST 2024").date, 1704104430);
  EXPECT_EQ(parse_from_line("From a@b Mon Jan  1 10:20:30 2024 +0100").date, 1704104430 - 3600);
  EXPECT_EQ(parse_from_line("From a@b Mon Jan  1 10:20:30 2024 -0230").date, 1704104430 + 9000);
  // A sender with a space (a quoted local part), and MAILER-DAEMON.
  auto spaced = parse_from_line("From \"a b\"@example.test Mon Jan  1 10:20:30 2024");
  EXPECT_EQ(spaced.sender, "\"a b\"@example.test");
  EXPECT_EQ(spaced.date, 1704104430);
  // Dates that do not parse: no date, the first word is the sender.
  for (std::string_view bad :
       {"From a@b", "From a@b yesterday", "From a@b Mon Jan 32 10:20:30 2024",
        "From a@b Mon Feb 30 10:20:30 2023", "From a@b Mon Jan  1 25:00:00 2024",
        "From a@b Mon Foo  1 10:20:30 2024", "From a@b Mon Jan  1 10:20:30 1969",
        "From a@b Mon Jan  1 10:20:30"}) {
    auto r = parse_from_line(bad);
    EXPECT_FALSE(r.date) << bad;
    EXPECT_EQ(r.sender, "a@b") << bad;
  }
  EXPECT_EQ(parse_from_line("not a from line").sender, "");
}

TEST(MboxFromLine, FormatAndBack) {
  EXPECT_EQ(format_from_line("alice@example.test", 1704104430),
            "From alice@example.test Mon Jan  1 10:20:30 2024");
  EXPECT_EQ(format_from_line("", 0), "From MAILER-DAEMON Thu Jan  1 00:00:00 1970");
  EXPECT_EQ(format_from_line("a b@c", 1583020740), "From MAILER-DAEMON Sat Feb 29 23:59:00 2020");
  auto back = parse_from_line(format_from_line("x@y", 1796614791));
  EXPECT_EQ(back.sender, "x@y");
  EXPECT_EQ(back.date, 1796614791);
}

TEST(MboxStatusFields, ReadAndRemovedFromTheHeaderOnly) {
  std::string message =
      "Subject: hi\nStatus: RO\nX-Status: AFTD\nX-Keywords: $Forwarded, Important\n"
      " $Label1\nX-UID: 7\nX-IMAPbase: 1 2\nTo: b@c\n\nStatus: R stays in the body\n";
  StatusFields f = take_status_fields(message);
  EXPECT_EQ(f.message, "Subject: hi\nTo: b@c\n\nStatus: R stays in the body\n");
  EXPECT_EQ(f.flags.bits(), SystemFlags::kAllBits);
  EXPECT_EQ(f.keywords, (std::vector<std::string>{"$Forwarded", "Important", "$Label1"}));
  // "O" alone is no flag; field names are case-insensitive; CRLF kept as it is.
  StatusFields old = take_status_fields("status: O\r\nSubject: x\r\n\r\nb\r\n");
  EXPECT_EQ(old.message, "Subject: x\r\n\r\nb\r\n");
  EXPECT_TRUE(old.flags.empty());
  // A field that only starts like one is kept.
  EXPECT_EQ(take_status_fields("Statuses: R\n\n").message, "Statuses: R\n\n");
}

TEST(MboxStatusFields, AddThenTakeGivesTheMessageBack) {
  std::string message = "Subject: hi\nTo: b@c\n\nbody\n";
  std::string with = add_status_fields(message, SystemFlags{SystemFlag::seen, SystemFlag::flagged},
                                       {"$Forwarded", "Work"});
  EXPECT_EQ(with,
            "Subject: hi\nTo: b@c\nStatus: RO\nX-Status: F\nX-Keywords: $Forwarded Work\n\nbody\n");
  StatusFields back = take_status_fields(with);
  EXPECT_EQ(back.message, message);
  EXPECT_EQ(back.flags, (SystemFlags{SystemFlag::seen, SystemFlag::flagged}));
  EXPECT_EQ(back.keywords, (std::vector<std::string>{"$Forwarded", "Work"}));
  EXPECT_EQ(add_status_fields(message, SystemFlags{}, {}), message);
  // A message that is only a header, without a final line end.
  EXPECT_EQ(add_status_fields("Subject: x", SystemFlags{SystemFlag::seen}, {}),
            "Subject: x\nStatus: RO\n");
}

TEST(MboxReturnPath, FirstFieldWithoutBrackets) {
  EXPECT_EQ(return_path("Return-Path: <a@b.test>\r\nSubject: x\r\n\r\n"), "a@b.test");
  EXPECT_EQ(return_path("return-path: <>\n\n"), "");
  EXPECT_EQ(return_path("Subject: x\n\nReturn-Path: <body@x>\n"), "");
}

}  // namespace
}  // namespace postamt::admin::mbox
