#include "jmap/proto/references.h"

#include <utility>

namespace postamt::jmap {
namespace {

// RFC 6901 §4: array-index = "0" / ( %x31-39 *DIGIT ); nullopt for anything else, and
// for an index that cannot be below `size`.
std::optional<size_t> array_index(std::string_view token, size_t size) {
  if (token.empty() || (token.size() > 1 && token[0] == '0')) return std::nullopt;
  size_t index = 0;
  for (char c : token) {
    if (c < '0' || c > '9') return std::nullopt;
    if (index >= size) return std::nullopt;  // also stops overflow on long tokens
    index = index * 10 + static_cast<size_t>(c - '0');
  }
  if (index >= size) return std::nullopt;
  return index;
}

std::optional<json::value> evaluate(const json::value& at, std::span<const std::string> tokens) {
  const json::value* v = &at;
  for (size_t i = 0; i < tokens.size(); ++i) {
    const std::string& token = tokens[i];
    if (const auto* o = v->if_object()) {
      v = o->if_contains(token);
      if (!v) return std::nullopt;
    } else if (const auto* a = v->if_array()) {
      if (token == "*") {
        // RFC 8620 §3.7: map the rest over the items, flattening array results.
        json::array out;
        for (const auto& item : *a) {
          auto r = evaluate(item, tokens.subspan(i + 1));
          if (!r) return std::nullopt;
          if (auto* inner = r->if_array()) {
            for (auto& x : *inner) out.push_back(std::move(x));
          } else {
            out.push_back(std::move(*r));
          }
        }
        return json::value(std::move(out));
      }
      auto index = array_index(token, a->size());
      if (!index) return std::nullopt;
      v = &(*a)[*index];
    } else {
      return std::nullopt;
    }
  }
  return *v;
}

// evaluate_pointer on an object, without copying the object unless the pointer is "".
std::optional<json::value> evaluate_in_object(const json::object& root, std::string_view pointer) {
  auto tokens = pointer_tokens(pointer);
  if (!tokens) return std::nullopt;
  if (tokens->empty()) return json::value(root);
  const auto* first = root.if_contains((*tokens)[0]);
  if (!first) return std::nullopt;
  return evaluate(*first, std::span<const std::string>(*tokens).subspan(1));
}

struct Reference {
  std::string name;  // without "#"
  json::value value;
};

}  // namespace

std::optional<std::vector<std::string>> pointer_tokens(std::string_view pointer) {
  std::vector<std::string> tokens;
  if (pointer.empty()) return tokens;
  if (pointer[0] != '/') return std::nullopt;
  std::string token;
  for (size_t i = 1; i <= pointer.size(); ++i) {
    if (i == pointer.size() || pointer[i] == '/') {
      tokens.push_back(std::move(token));
      token.clear();
      continue;
    }
    if (pointer[i] != '~') {
      token.push_back(pointer[i]);
      continue;
    }
    // RFC 6901 §3: escaped = "~" ( "0" / "1" ).
    if (i + 1 == pointer.size() || (pointer[i + 1] != '0' && pointer[i + 1] != '1')) {
      return std::nullopt;
    }
    token.push_back(pointer[i + 1] == '0' ? '~' : '/');
    ++i;
  }
  return tokens;
}

std::optional<json::value> evaluate_pointer(const json::value& root, std::string_view pointer) {
  auto tokens = pointer_tokens(pointer);
  if (!tokens) return std::nullopt;
  return evaluate(root, *tokens);
}

std::optional<MethodError> resolve_result_references(json::object& arguments,
                                                     std::span<const Invocation> responses) {
  // RFC 8620 §3.7: the same name in both forms is invalidArguments, whatever else fails.
  for (const auto& [key, value] : arguments) {
    if (key.starts_with('#') && arguments.contains(key.substr(1))) {
      std::string name(key.substr(1));
      return invalid_arguments("\"" + name + "\" is given both directly and as a reference", name);
    }
  }
  std::vector<Reference> resolved;
  for (const auto& [key, value] : arguments) {
    if (!key.starts_with('#')) continue;
    std::string name(key.substr(1));
    auto fail = [&](std::string why) {
      return invalid_result_reference("\"#" + name + "\": " + why);
    };
    const auto* ref = value.if_object();
    if (!ref) return fail("not a ResultReference object");
    const auto* result_of = ref->if_contains("resultOf");
    const auto* method = ref->if_contains("name");
    const auto* path = ref->if_contains("path");
    if (!result_of || !result_of->is_string() || !method || !method->is_string() || !path ||
        !path->is_string()) {
      return fail("resultOf, name and path must be strings");
    }
    // Step 1: the first response with that call id; step 2: its name must match.
    const Invocation* response = nullptr;
    for (const auto& r : responses) {
      if (r.call_id == result_of->get_string()) {
        response = &r;
        break;
      }
    }
    if (!response) return fail("no earlier response has the call id given as resultOf");
    if (response->name != method->get_string()) {
      return fail("the response to that call is \"" + response->name + "\", not the name given");
    }
    // Step 3: the path, applied to the response's arguments.
    auto v = evaluate_in_object(response->arguments, path->get_string());
    if (!v) return fail("the path does not evaluate on that response");
    resolved.push_back(Reference{std::move(name), std::move(*v)});
  }
  for (auto& r : resolved) {
    arguments.erase("#" + r.name);
    arguments[r.name] = std::move(r.value);
  }
  return std::nullopt;
}

}  // namespace postamt::jmap
