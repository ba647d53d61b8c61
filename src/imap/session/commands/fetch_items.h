// Building FETCH data items (RFC 3501 §6.4.5, §7.4.2) from the store's record and the
// MIME parser's view of the message. Pure functions, any thread.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "imap/proto/fetch_data.h"
#include "mime/imap_data.h"
#include "mime/message.h"
#include "store/api/types.h"

namespace postamt::imap::commands {

// "\Seen", ... (then "\Recent" when `recent`), then keywords, as FETCH FLAGS shows them.
enum class Recent { no, yes };
std::vector<std::string> flag_list(SystemFlags flags, const Keywords& keywords,
                                   Recent recent = Recent::no);
// UTC, as INTERNALDATE shows it.
proto::DateTime to_date_time(store::InternalDate date);
proto::Envelope to_imap(const mime::Envelope& envelope);
proto::BodyStructure to_imap(const mime::BodyStructure& body);
// The octets of BODY[section] (RFC 3501 §6.4.5), nullopt when the part does not exist.
// HEADER, HEADER.FIELDS(.NOT) and TEXT of a part path apply to a message/rfc822 part.
std::optional<std::string> section_bytes(const mime::Message& message,
                                         const proto::Section& section);

}  // namespace postamt::imap::commands
