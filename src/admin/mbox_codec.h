// The mbox format (RFC 4155 and the variants it describes) as values: splitting a file
// into messages, the From_ line, ">From " quoting both ways, and the status headers mail
// readers keep flags in. What `postamt import mbox` reads and `postamt export --format
// mbox` writes (src/admin/import.h, src/admin/export.h). No I/O; pure, safe on any thread.
//
// Quoting: a body line that starts with "From " would look like the start of the next
// message, so writers prefix it with ">". mboxo quotes only "From " lines, so a body line
// that already read ">From " cannot be told from a quoted one when reading back (lossy);
// mboxrd also quotes every ">...>From " line, so reading removes exactly one ">" from
// each line that matches ^>+From  and gives back the original bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "model/flags.h"

namespace postamt::admin::mbox {

enum class MboxFormat { mboxrd, mboxo };

// One message as it sits in the file: the From_ line without its line end, and the
// quoted message text after it (without the blank line that separates it from the next
// message). `offset` is where the From_ line starts in the file.
struct Entry {
  uint64_t offset = 0;
  std::string_view from_line;
  std::string_view text;
};

// Splits an mbox file. A message starts at a line beginning with "From " at the start of
// the file or after an empty line ("\n" or "\r\n"); that empty line belongs to the format,
// not to the message before it (RFC 4155 §2: each message ends with an empty line).
// ErrorKind::invalid "not an mbox file" when `file` does not start with "From ". An empty
// file holds no messages.
Result<std::vector<Entry>> split(std::string_view file);

// The message text with the quoting of `format` removed: mboxrd takes one ">" off every
// line matching ^>+From , mboxo only off lines matching ^>From .
std::string unquote(std::string_view text, MboxFormat format);
// mboxrd quoting for writing: one ">" added to every line matching ^>*From .
std::string quote_mboxrd(std::string_view message);

// The From_ line "From SENDER DATE": SENDER and the date as seconds since 1970 UTC when it
// parses. Accepted dates: the asctime form "Www Mmm dd hh:mm[:ss] yyyy" with a one- or
// two-digit day (space padded or not), optionally a zone name before the year or a
// numeric zone ("+0100") after it. A date without a numeric zone is taken as UTC (what
// Postamt writes; the writer's local zone is not known). nullopt date otherwise.
struct FromLine {
  std::string sender;
  std::optional<int64_t> date;
};
FromLine parse_from_line(std::string_view line);
// "From SENDER Www Mmm dd hh:mm:ss yyyy" in UTC (dd space-padded, as asctime). An empty
// or unwritable sender (one with a space or a control character) becomes MAILER-DAEMON.
std::string format_from_line(std::string_view sender, int64_t utc_seconds);

// What the mail-reader status fields of a message's header say, and the message without
// them. Read: "Status:" (R = \Seen; O = old, no flag), "X-Status:" (A \Answered, F
// \Flagged, T \Draft, D \Deleted), "X-Keywords:" (keywords separated by spaces or commas;
// those that are not IMAP atoms are dropped). Removed without being read: "X-UID:",
// "X-IMAP:", "X-IMAPbase:" (Dovecot's and UW IMAP's bookkeeping). Only the header section
// (up to the first empty line) is looked at; each removed field goes with its
// continuation lines.
struct StatusFields {
  std::string message;
  SystemFlags flags;
  std::vector<std::string> keywords;
};
StatusFields take_status_fields(std::string_view message);

// The fields take_status_fields reads, for `flags` and `keywords` (nothing for what is
// unset), each line ending in "\n", inserted at the end of the header section of
// `message` (before its empty line; at the end when it has none).
std::string add_status_fields(std::string_view message, SystemFlags flags,
                              const std::vector<std::string>& keywords);

// The address of the first "Return-Path:" field of the header, without its angle
// brackets; "" when there is none or it is "<>".
std::string return_path(std::string_view message);

}  // namespace postamt::admin::mbox
