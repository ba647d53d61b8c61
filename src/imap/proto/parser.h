// Shared state of one parse_command() call, used by the per-area parsing files
// (parse_command.cpp, parse_fetch.cpp, parse_search.cpp). Internal to imap/proto.
#pragma once

#include "imap/proto/parse_command.h"
#include "imap/proto/scanner.h"

namespace postamt::imap::proto {

struct Parser {
  Parser(std::string_view text, const ParseOptions& o) : sc(text), options(o) {
    sc.require_utf8_quoted(o.utf8_quoted);
  }

  // mailbox = "INBOX" / astring, converted to UTF-8 (mailbox_name.h). An astring that
  // does not decode (e.g. "&" not starting valid modified UTF-7) is legal syntax but
  // names no mailbox that can exist: error_kind no_such_mailbox, or invalid_mailbox_name
  // for a name to be created.
  enum class NameUse { existing, create };
  Result<std::string> mailbox(NameUse use = NameUse::existing);
  // A sequence-set token; "$" allowed unless `allow_saved` is no.
  Result<SequenceSet> sequence_set(AllowSaved allow_saved = AllowSaved::yes);
  // "(" status-att *(SP status-att) ")"
  Result<std::vector<StatusItem>> status_items();
  // mod-sequence-value = 1*DIGIT, 1..2^63-1 (RFC 7162 §7); `allow_zero` for
  // mod-sequence-valzer.
  enum class Zero { reject, allow };
  Result<uint64_t> mod_sequence(Zero zero);

  // The elements of a parenthesised list after its "(": `element()` (returning
  // Result<void>) for each, single spaces between, then ")". An empty list is accepted.
  template <class F>
  Result<void> elements(F element) {
    if (sc.consume(')')) return {};
    for (;;) {
      POSTAMT_TRY(element());
      if (sc.consume(')')) return {};
      POSTAMT_TRY(sc.sp());
    }
  }

  Scanner sc;
  const ParseOptions& options;
  // Set before returning an error that is not plain syntax.
  ParseErrorKind error_kind = ParseErrorKind::syntax;
};

Result<FetchCmd> parse_fetch(Parser& p, NumberKind numbers);
Result<SearchCmd> parse_search(Parser& p, NumberKind numbers);
Result<SortCmd> parse_sort(Parser& p, NumberKind numbers);
Result<ThreadCmd> parse_thread(Parser& p, NumberKind numbers);
// One fetch-att (RFC 9051 §9), appended to `items` (parse_fetch.cpp).
Result<void> parse_fetch_att(Parser& p, std::vector<FetchItem>& items);
// "SETQUOTA" arguments after the command name (parse_quota.cpp).
Result<SetQuotaCmd> parse_set_quota(Parser& p);
// "NOTIFY" arguments after the command name (parse_notify.cpp).
Result<NotifyCmd> parse_notify(Parser& p);

}  // namespace postamt::imap::proto
