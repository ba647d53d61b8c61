// The IMAP URLs CATENATE takes (RFC 4469 §3): relative URLs naming a message, or a part
// of one, of the authenticated user (RFC 5092 §6, "imessagepart"):
//
//   "/" enc-mailbox [";UIDVALIDITY=" n] "/;UID=" n ["/;SECTION=" enc-section]
//       ["/;PARTIAL=" offset ["." length]]
//   ";UID=" n [...]              (relative to the selected mailbox)
//
// Keywords match without regard to case; enc-mailbox and enc-section are %-decoded, the
// mailbox as UTF-8 (RFC 5092 §9), the section parsed as a FETCH section-spec. Anything
// else (a scheme, a server, a search, a malformed part) is an error: the caller answers
// NO [BADURL url] (RFC 4469 §4.1). Pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "imap/proto/types.h"

namespace postamt::imap::proto {

struct ImapUrl {
  std::optional<std::string> mailbox;  // nullopt: the selected mailbox
  std::optional<uint32_t> uid_validity;
  uint32_t uid = 0;
  std::optional<Section> section;  // nullopt: the whole message
  std::optional<Partial> partial;  // length 0: to the end
  friend bool operator==(const ImapUrl&, const ImapUrl&) = default;
};

// Errors: ErrorKind::invalid with a plain-words reason.
Result<ImapUrl> parse_imap_url(std::string_view url);

// A FETCH section-spec without its brackets ("1.2.MIME", "HEADER.FIELDS (From)", "" for
// the whole message), as BODY[...] takes it (parse_fetch.cpp).
Result<Section> parse_section_spec(std::string_view text);

}  // namespace postamt::imap::proto
