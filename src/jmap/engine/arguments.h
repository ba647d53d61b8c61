// Reading a method's arguments inside the engine: the codec's typed readers
// (jmap/proto/arguments.h) with their errors thrown as MethodFailure, which the
// dispatcher (api.cpp) turns into the call's error response. Methods thus read their
// arguments in straight lines and every one answers a malformed argument the same way.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "jmap/proto/arguments.h"
#include "jmap/proto/errors.h"

namespace postamt::jmap {

namespace json = boost::json;

// A method's error, thrown from deep inside it; api.cpp catches it.
struct MethodFailure {
  MethodError error;
};

[[noreturn]] void fail(std::string type, std::string description = {});
// fail() for a store or blob error: "serverUnavailable" when it is temporary (the
// database is unreachable or busy, a statement timed out: RFC 8620 §3.6.2, the client
// may try again later), "serverFail" for anything else.
[[noreturn]] void fail_store(const Error& error, std::string description);
[[noreturn]] void fail_argument(std::string_view name, std::string_view what);

// nullopt when the argument is absent or null.
std::optional<std::string> read_string(const json::object& args, std::string_view name);
std::optional<std::string> read_id(const json::object& args, std::string_view name);
std::optional<uint64_t> read_uint(const json::object& args, std::string_view name);
std::optional<int64_t> read_int(const json::object& args, std::string_view name);
std::optional<bool> read_bool(const json::object& args, std::string_view name);
std::optional<std::vector<std::string>> read_id_list(const json::object& args,
                                                     std::string_view name);
std::optional<std::vector<std::string>> read_string_list(const json::object& args,
                                                         std::string_view name);
// The object itself (not a copy); nullptr when absent or null.
const json::object* read_object(const json::object& args, std::string_view name);

// An UnsignedInt value (RFC 8620 §1.3); nullopt for anything else.
std::optional<uint64_t> as_unsigned(const json::value& value);

}  // namespace postamt::jmap
