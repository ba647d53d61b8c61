// Maildir and Maildir++ names and Dovecot's side files, as values: what `postamt import
// maildir` reads and `postamt export --format maildir` writes (src/admin/import.h,
// src/admin/export.h). No I/O; pure functions, safe on any thread.
//
// The formats (Maildir: D. J. Bernstein's maildir(5) and "Using maildir format";
// Maildir++: Courier's extension with folders as ".Name" directories; Dovecot's
// dovecot-keywords, dovecot-uidlist and subscriptions files):
//   file name      unique[:2,INFO]   INFO = flag letters in ASCII order; upper case are
//                                    the standard flags, "a".."z" Dovecot keywords
//   folder         ".Parent.Child"   levels separated by "."; each level modified UTF-7
//   keywords file  "N name" lines    N = 0..25, letter "a" + N in a file name
//   uidlist        "3 V<validity> N<next> ..." then "<uid> [fields] :<unique>" lines
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "model/flags.h"

namespace postamt::admin::maildir {

// Dovecot keeps at most 26 keywords per folder (letters "a".."z").
inline constexpr size_t kMaxKeywordLetters = 26;

// What a file name says about its message.
struct FileName {
  std::string unique;   // the name up to the info separator: the message's identity
  SystemFlags flags;    // D \Draft, F \Flagged, R \Answered, S \Seen, T \Deleted
  bool passed = false;  // P: forwarded ($Forwarded)
  std::vector<uint8_t> keyword_indexes;  // "a" -> 0 ... "z" -> 25, ascending, no duplicates
  friend bool operator==(const FileName&, const FileName&) = default;
};

// Parses a file name of cur/ or new/. The info starts at the last ':' (Dovecot's and
// Courier's separator); only version "2," info carries flags: "1," info and unknown
// letters are ignored, as maildir(5) asks readers to. Returns nullopt for names a
// maildir never holds: empty, starting with ".", or holding "/" or a NUL.
std::optional<FileName> parse_file_name(std::string_view name);

// "unique:2,<letters>" with the letters in ASCII order (upper case first). Requires
// `unique` to be a valid unique part (no ":" "/"), every index < kMaxKeywordLetters.
std::string format_file_name(std::string_view unique, SystemFlags flags, bool passed,
                             const std::vector<uint8_t>& keyword_indexes);

// Dovecot's dovecot-keywords: the keyword named for each letter; "" where none is.
using KeywordTable = std::array<std::string, kMaxKeywordLetters>;

// Lenient: lines that are not "N name" with N < 26 and a valid IMAP keyword are ignored.
KeywordTable parse_dovecot_keywords(std::string_view text);
// The file for `names` (index = letter), one "N name\n" line for each non-empty name.
std::string format_dovecot_keywords(const KeywordTable& names);

// Courier's keywords (courierimapkeywords/ in a folder): the ":list" file names the
// keywords one per line, then after an empty line maps messages to them
// ("unique:0 2"); a later change of one message sits in an update file ".N.unique" (N
// grows with time) holding its keywords one per line, and the highest N wins over
// ":list". `updates` are the update files' names and contents (others are ignored).
// Keywords that are not IMAP atoms and indexes out of range are dropped.
using CourierKeywords = std::map<std::string, std::vector<std::string>, std::less<>>;
CourierKeywords parse_courier_keywords(
    std::string_view list, const std::vector<std::pair<std::string, std::string>>& updates);

// dovecot-uidlist: unique name -> uid, plus the header's UIDVALIDITY. Lenient as above;
// an unknown version gives an empty map.
struct UidList {
  uint32_t uid_validity = 0;
  std::map<std::string, uint32_t, std::less<>> uids;
};
UidList parse_dovecot_uidlist(std::string_view text);
// Version 3, "3 V<validity> N<next>" then "<uid> :<unique>" per entry in `entries`
// (ascending uids).
std::string format_dovecot_uidlist(uint32_t uid_validity, uint32_t uid_next,
                                   const std::vector<std::pair<uint32_t, std::string>>& entries);

// A Maildir++ folder directory name (".Parent.Child") as a Postamt mailbox name
// ("Parent/Child", UTF-8). ErrorKind::invalid when it does not start with ".", has an
// empty level (".a..b", ".a."), a level that is not modified UTF-7, or a level that holds
// "/" (Postamt's hierarchy separator).
Result<std::string> folder_to_mailbox(std::string_view folder);
// The inverse: "Parent/Child" -> ".Parent.Child". ErrorKind::invalid when a level holds
// "." (Maildir++'s separator, which plain Maildir++ cannot escape).
Result<std::string> mailbox_to_folder(std::string_view mailbox);

// Dovecot's subscriptions file as mailbox names ("Parent/Child"). Version 2 ("V\t2"
// header, one name per line, levels separated by TAB) and the older form (one name per
// line, levels separated by "."); both with modified UTF-7 levels. Names that do not
// decode are left out.
std::vector<std::string> parse_subscriptions(std::string_view text);
// Version 2 for `names` (Postamt names, "/"-separated). Names with a level that cannot be
// written are left out.
std::string format_subscriptions(const std::vector<std::string>& names);

}  // namespace postamt::admin::maildir
