#include "jmap/proto/arguments.h"

#include <cmath>

#include "jmap/proto/ijson.h"

namespace postamt::jmap {
namespace {

MethodError wrong(std::string_view name, std::string_view what) {
  return invalid_arguments("\"" + std::string(name) + "\" must be " + std::string(what), name);
}

// The argument's value, or nullptr when absent/null as `presence` allows; `error` set
// when absent/null is not allowed.
const json::value* lookup(const json::object& args, std::string_view name, Presence presence,
                          std::string_view what, std::optional<MethodError>& error) {
  const auto* v = args.if_contains(name);
  if (!v) {
    if (presence == Presence::required) error = wrong(name, what);
    return nullptr;
  }
  if (v->is_null()) {
    if (presence != Presence::nullable) error = wrong(name, what);
    return nullptr;
  }
  return v;
}

// A JSON number that is a whole number in [lo, hi]; doubles count when integral.
std::optional<int64_t> whole_number(const json::value& v, int64_t lo, int64_t hi) {
  if (const auto* i = v.if_int64()) {
    if (*i < lo || *i > hi) return std::nullopt;
    return *i;
  }
  if (const auto* u = v.if_uint64()) {
    if (*u > static_cast<uint64_t>(hi)) return std::nullopt;
    return static_cast<int64_t>(*u);
  }
  if (const auto* d = v.if_double()) {
    // Compared as doubles: lo and hi (±(2^53-1)) are exact in a double.
    if (!std::isfinite(*d) || std::trunc(*d) != *d) return std::nullopt;
    if (*d < static_cast<double>(lo) || *d > static_cast<double>(hi)) return std::nullopt;
    return static_cast<int64_t>(*d);
  }
  return std::nullopt;
}

template <class T, class Convert>
Parsed<T> read(const json::object& args, std::string_view name, Presence presence,
               std::string_view what, Convert convert) {
  std::optional<MethodError> error;
  const auto* v = lookup(args, name, presence, what, error);
  if (error) return std::move(*error);
  if (!v) return std::optional<T>();
  std::optional<T> out = convert(*v);
  if (!out) return wrong(name, what);
  return out;
}

std::optional<std::vector<std::string>> strings(const json::value& v, bool ids) {
  const auto* a = v.if_array();
  if (!a) return std::nullopt;
  std::vector<std::string> out;
  out.reserve(a->size());
  for (const auto& item : *a) {
    const auto* s = item.if_string();
    if (!s || (ids && !is_valid_id(*s))) return std::nullopt;
    out.emplace_back(s->data(), s->size());
  }
  return out;
}

}  // namespace

bool is_valid_id(std::string_view id) {
  if (id.empty() || id.size() > 255) return false;
  for (char c : id) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

Parsed<std::string> string_arg(const json::object& args, std::string_view name, Presence presence) {
  return read<std::string>(args, name, presence, "a String",
                           [](const json::value& v) -> std::optional<std::string> {
                             if (const auto* s = v.if_string()) return std::string(*s);
                             return std::nullopt;
                           });
}

Parsed<std::string> id_arg(const json::object& args, std::string_view name, Presence presence) {
  return read<std::string>(args, name, presence, "an Id (1-255 of A-Z a-z 0-9 - _)",
                           [](const json::value& v) -> std::optional<std::string> {
                             if (const auto* s = v.if_string(); s && is_valid_id(*s))
                               return std::string(*s);
                             return std::nullopt;
                           });
}

Parsed<uint64_t> uint_arg(const json::object& args, std::string_view name, Presence presence) {
  return read<uint64_t>(args, name, presence, "an UnsignedInt (0..2^53-1)",
                        [](const json::value& v) -> std::optional<uint64_t> {
                          auto n = whole_number(v, 0, kMaxSafeInteger);
                          if (!n) return std::nullopt;
                          return static_cast<uint64_t>(*n);
                        });
}

Parsed<int64_t> int_arg(const json::object& args, std::string_view name, Presence presence) {
  return read<int64_t>(args, name, presence, "an Int (-2^53+1..2^53-1)",
                       [](const json::value& v) -> std::optional<int64_t> {
                         return whole_number(v, -kMaxSafeInteger, kMaxSafeInteger);
                       });
}

Parsed<bool> bool_arg(const json::object& args, std::string_view name, Presence presence) {
  return read<bool>(args, name, presence, "a Boolean",
                    [](const json::value& v) -> std::optional<bool> {
                      if (const auto* b = v.if_bool()) return *b;
                      return std::nullopt;
                    });
}

Parsed<std::vector<std::string>> id_list_arg(const json::object& args, std::string_view name,
                                             Presence presence) {
  return read<std::vector<std::string>>(args, name, presence, "an array of Ids",
                                        [](const json::value& v) { return strings(v, true); });
}

Parsed<std::vector<std::string>> string_list_arg(const json::object& args, std::string_view name,
                                                 Presence presence) {
  return read<std::vector<std::string>>(args, name, presence, "an array of Strings",
                                        [](const json::value& v) { return strings(v, false); });
}

Parsed<json::object> object_arg(const json::object& args, std::string_view name,
                                Presence presence) {
  return read<json::object>(args, name, presence, "an object",
                            [](const json::value& v) -> std::optional<json::object> {
                              if (const auto* o = v.if_object()) return *o;
                              return std::nullopt;
                            });
}

}  // namespace postamt::jmap
