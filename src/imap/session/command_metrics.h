// The words IMAP commands are counted under in metrics/catalog.h's
// postamt_command_duration_seconds{protocol="imap"}: the command name as a client writes
// it ("FETCH", "UID FETCH", "EXAMINE", "MOVE", ...; a bounded set, one per command form),
// "unknown" for a line that does not parse, and the tagged response's condition.
// Pure functions, any thread.
#pragma once

#include <string_view>

#include "imap/proto/command.h"
#include "imap/proto/response.h"

namespace postamt::imap {

std::string_view command_metric_name(const proto::CommandBody& body);

// "ok", "no", "bad" (a BYE or PREAUTH never ends a command; "bad" for safety).
std::string_view command_metric_result(proto::Condition condition);

}  // namespace postamt::imap
