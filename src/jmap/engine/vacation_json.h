// The VacationResponse object (RFC 8621 §8) over the stored settings of src/vacation:
// JSON in and out, its state string, and loading and saving on the calling store thread.
// Shared by VacationResponse/get and /set.
#pragma once

#include <boost/json/object.hpp>

#include <optional>
#include <string>

#include "jmap/engine/call_context.h"
#include "jmap/proto/errors.h"
#include "vacation/settings.h"

namespace postamt::jmap {

// §8: the only VacationResponse of an account.
inline constexpr std::string_view kVacationId = "singleton";

// Every property, id included; dates as UTCDate.
json::object vacation_json(const vacation::Settings& settings);

// Reads a complete VacationResponse object (as vacation_json() writes it, after a patch)
// into `out`. SetError invalidProperties naming each property of a wrong type or value,
// an unknown property, or an id other than "singleton".
std::optional<SetError> vacation_from_json(const json::object& object, vacation::Settings& out);

// The type's state: changes whenever the stored settings change (a digest of them).
std::string vacation_state(const vacation::Settings& settings);

// Throw MethodFailure serverFail when the store fails.
vacation::Settings load_vacation(CallContext& context);
void save_vacation(CallContext& context, const vacation::Settings& settings,
                   const vacation::Settings& previous);

}  // namespace postamt::jmap
