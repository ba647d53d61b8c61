// Which mailbox names IMAP clients may create or name (CREATE, RENAME, DELETE, SELECT,
// STATUS, APPEND, COPY/MOVE). Stricter than the store on purpose: names that look like
// path tricks ("a/../b", "./x", "a//b") or grow without bound would confuse clients and
// admins even where the store could hold them. Pure functions, any thread.
#pragma once

#include <cstddef>
#include <string_view>

#include "base/error.h"
#include "base/result.h"

namespace postamt::imap::commands {

// Named limits (DESIGN.md §4.9) for one full mailbox name in UTF-8.
inline constexpr size_t kMaxMailboxNameOctets = 1000;
inline constexpr size_t kMaxMailboxDepth = 32;  // levels, "a/b/c" has 3

// Ok for an acceptable name. ErrorKind::invalid (-> NO [CANNOT], error_codes.h) with a
// plain sentence for a name that is empty, longer than kMaxMailboxNameOctets, deeper
// than kMaxMailboxDepth, starts or ends with "/", contains "//", or has "." or ".." as a
// level. The caller strips CREATE's one trailing "/" first (RFC 3501 §6.3.3).
inline Result<void> check_mailbox_name(std::string_view name) {
  if (name.empty()) return Error{ErrorKind::invalid, "Mailbox name is empty"};
  if (name.size() > kMaxMailboxNameOctets)
    return Error{ErrorKind::invalid, "Mailbox name is longer than 1000 octets"};
  if (name.front() == '/' || name.back() == '/')
    return Error{ErrorKind::invalid, "Mailbox name starts or ends with the delimiter"};
  size_t levels = 0;
  size_t start = 0;
  while (true) {
    size_t slash = name.find('/', start);
    std::string_view level = name.substr(
        start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (level.empty()) return Error{ErrorKind::invalid, "Mailbox name contains an empty level"};
    if (level == "." || level == "..")
      return Error{ErrorKind::invalid, "Mailbox name contains a \".\" or \"..\" level"};
    if (++levels > kMaxMailboxDepth)
      return Error{ErrorKind::invalid, "Mailbox name is deeper than 32 levels"};
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return {};
}

}  // namespace postamt::imap::commands
