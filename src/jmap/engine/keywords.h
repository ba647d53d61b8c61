// JMAP keywords (RFC 8621 §4.1.1) <-> the store's system flags and keywords. JMAP
// spells every keyword in lowercase; "$seen", "$answered", "$flagged" and "$draft" are
// IMAP's \Seen, \Answered, \Flagged and \Draft. IMAP's \Deleted has no JMAP keyword: a
// JMAP change of keywords keeps it as it is.
#pragma once

#include <boost/json/object.hpp>

#include <string>
#include <string_view>

#include "model/flags.h"
#include "store/api/types.h"

namespace postamt::jmap {

namespace json = boost::json;

// The keywords object of a message: {"$seen": true, ...}.
json::object keywords_json(const store::MessageRecord& record);

// Whether the message has `keyword` (any case).
bool has_keyword(const store::MessageRecord& record, std::string_view keyword);

struct FlagSet {
  SystemFlags flags;
  Keywords keywords;
};

// A keywords object from a client (Email/set, Email/import) as flags and keywords.
// Returns false for a value other than true or a name that is not a keyword
// (RFC 8621 §4.1.1: 1-255 printable ASCII without ( ) { ] % * " \ and space).
bool keywords_from_json(const json::object& object, FlagSet& out);

// Adds or removes one JMAP keyword in `set`.
void set_keyword(FlagSet& set, std::string_view keyword, bool on);

// The record's flags as a FlagSet, without \Deleted.
FlagSet flag_set(const store::MessageRecord& record);

}  // namespace postamt::jmap
