// parse_command(): one complete command (as CommandReader returns it) -> typed Command.
// Parses completely before anything touches state (docs/architecture.md, Protocol engines). Pure
// function, safe on any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "base/result.h"
#include "imap/proto/command.h"
#include "imap/proto/mailbox_name.h"

namespace postamt::imap::proto {

struct ParseOptions {
  // Modified UTF-7 until the client enables UTF8=ACCEPT or IMAP4rev2.
  MailboxEncoding mailbox_encoding = MailboxEncoding::modified_utf7;
  // RFC 6855 §3, after ENABLE UTF8=ACCEPT: 8-bit octets in quoted strings must be UTF-8.
  bool utf8_quoted = false;
  // Nesting limit for SEARCH parentheses / NOT / OR (keeps recursion bounded).
  size_t max_search_depth = 64;
};

enum class ParseErrorKind {
  syntax,           // malformed: answer "tag BAD <message>"
  unknown_command,  // the command name is not known: "tag BAD <message>"
  bad_charset,      // SEARCH CHARSET other than US-ASCII / UTF-8: "tag NO [BADCHARSET (...)]"
  limit,            // SEARCH nesting over max_search_depth: "tag BAD"
  // A mailbox name that is a legal astring but cannot be decoded (RFC 3501 §5.1.3), so
  // no such mailbox can exist: "tag NO [NONEXISTENT]", or "tag NO [CANNOT]" for the name
  // of a mailbox to be created (CREATE, RENAME's new name).
  no_such_mailbox,
  invalid_mailbox_name,
};

struct ParseError {
  ParseErrorKind kind = ParseErrorKind::syntax;
  // The tag when it could be read; empty means answer with an untagged "* BAD".
  std::string tag;
  // Which part is wrong, in plain words ("FETCH: unknown data item FOO").
  std::string message;
};

// `text` is a complete command without its final CRLF, literals in place
// ("a1 LOGIN {3}\r\nbob pw"). Never throws; all malformed input yields a ParseError.
Result<Command, ParseError> parse_command(std::string_view text, const ParseOptions& options = {});

}  // namespace postamt::imap::proto
