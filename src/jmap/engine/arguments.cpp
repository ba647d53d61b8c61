#include "jmap/engine/arguments.h"

#include <fmt/format.h>

namespace postamt::jmap {

void fail(std::string type, std::string description) {
  throw MethodFailure{method_failure(type, std::move(description))};
}

void fail_store(const Error& error, std::string description) {
  const bool temporary = error.kind == ErrorKind::temporary || error.kind == ErrorKind::timeout;
  fail(temporary ? "serverUnavailable" : "serverFail", std::move(description));
}

void fail_argument(std::string_view name, std::string_view what) {
  throw MethodFailure{invalid_arguments(fmt::format("{}: {}", name, what), name)};
}

namespace {

template <class T>
std::optional<T> unwrap(Parsed<T> parsed) {
  if (!parsed) throw MethodFailure{parsed.error()};
  return std::move(*parsed);
}

}  // namespace

std::optional<std::string> read_string(const json::object& args, std::string_view name) {
  return unwrap(string_arg(args, name));
}
std::optional<std::string> read_id(const json::object& args, std::string_view name) {
  return unwrap(id_arg(args, name));
}
std::optional<uint64_t> read_uint(const json::object& args, std::string_view name) {
  return unwrap(uint_arg(args, name));
}
std::optional<int64_t> read_int(const json::object& args, std::string_view name) {
  return unwrap(int_arg(args, name));
}
std::optional<bool> read_bool(const json::object& args, std::string_view name) {
  return unwrap(bool_arg(args, name));
}
std::optional<std::vector<std::string>> read_id_list(const json::object& args,
                                                     std::string_view name) {
  return unwrap(id_list_arg(args, name));
}
std::optional<std::vector<std::string>> read_string_list(const json::object& args,
                                                         std::string_view name) {
  return unwrap(string_list_arg(args, name));
}

const json::object* read_object(const json::object& args, std::string_view name) {
  auto it = args.find(name);
  if (it == args.end() || it->value().is_null()) return nullptr;
  if (!it->value().is_object()) fail_argument(name, "expected an object");
  return &it->value().get_object();
}

std::optional<uint64_t> as_unsigned(const json::value& value) {
  json::object probe{{"v", value}};
  auto parsed = uint_arg(probe, "v");
  if (!parsed || !*parsed) return std::nullopt;
  return **parsed;
}

}  // namespace postamt::jmap
