// The originator fields of a message as a submission server checks them against the
// login (RFC 6409 §8): From and Sender (RFC 5322 §3.6.2), Resent-From and Resent-Sender
// (§3.6.6). Reply-To is not one: it names where answers go, often a list or a team.
//
// Read the way lenient readers read a header, not the way a strict parser would: every
// line up to the first empty one that looks like "Name: value" is a field, lines that
// begin with white space continue the field before them, and any other line is skipped
// rather than taken as the end of the header. A client cannot hide a From field from
// the check behind a line that a mail reader would step over (a folded first line, an
// 8-bit field name).
//
// Pure functions, thread-safe. Cost is linear in the header's size.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace postamt::mime {

struct OriginatorField {
  std::string name;                    // as written, e.g. "Resent-From"
  std::vector<std::string> addresses;  // addr-specs of its mailboxes (groups' members too)
  // Address-like words (local@domain) written anywhere else in the field — display names
  // after RFC 2047 decoding, comments, quoted strings — that are none of `addresses`
  // (compared without case), each once. Before the search, quotes and backslashes are
  // dropped, and non-ASCII text is mapped with NFKC_Casefold (which also removes
  // invisible format characters such as U+200B and turns U+FF20 into '@'), so that
  // `"bob@x.test" <alice@x.test>`, `alice@x.test (bob\@x.test)` and
  // `"bob@\u200Bx.test" <alice@x.test>` all yield bob@x.test (lowercased when mapped).
  // Readers show those words where they expect the sender.
  std::vector<std::string> other_addresses;
  size_t value_octets = 0;  // of the unfolded value
};

// Every originator field of `message`'s header, in order of appearance.
std::vector<OriginatorField> originator_fields(std::string_view message);

}  // namespace postamt::mime
