// RFC 8620 §5.3 PatchObject.
#include <algorithm>
#include <vector>

#include "jmap/proto/arguments.h"
#include "jmap/proto/references.h"

namespace postamt::jmap {
namespace {

struct Patch {
  std::vector<std::string> tokens;
  const json::value* value;
  std::string_view key;
};

// True when `a`'s tokens are a proper or equal prefix of `b`'s.
bool is_prefix(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  return a.size() <= b.size() && std::equal(a.begin(), a.end(), b.begin());
}

// The object holding the last token of `tokens`, or nullptr when a part before the last
// is missing or not an object.
json::object* parent(json::object& target, const std::vector<std::string>& tokens) {
  json::object* at = &target;
  for (size_t i = 0; i + 1 < tokens.size(); ++i) {
    auto* next = at->if_contains(tokens[i]);
    if (!next || !next->is_object()) return nullptr;
    at = &next->get_object();
  }
  return at;
}

}  // namespace

std::optional<SetError> apply_patch(json::object& target, const json::object& patch) {
  std::vector<Patch> patches;
  patches.reserve(patch.size());
  for (const auto& [key, value] : patch) {
    // §5.3: keys are pointers with an implicit leading "/".
    auto tokens = pointer_tokens("/" + std::string(key));
    if (!tokens) {
      return invalid_patch("\"" + std::string(key) + "\" is not a valid JSON Pointer");
    }
    patches.push_back(Patch{std::move(*tokens), &value, key});
  }
  // §5.3: no pointer may be a prefix of another. Sorted, a prefix sits right before the
  // paths it prefixes, so neighbours suffice.
  std::vector<const Patch*> sorted;
  for (const auto& p : patches) sorted.push_back(&p);
  std::sort(sorted.begin(), sorted.end(),
            [](const Patch* a, const Patch* b) { return a->tokens < b->tokens; });
  for (size_t i = 1; i < sorted.size(); ++i) {
    if (is_prefix(sorted[i - 1]->tokens, sorted[i]->tokens)) {
      return invalid_patch("\"" + std::string(sorted[i - 1]->key) + "\" and \"" +
                           std::string(sorted[i]->key) + "\" patch the same place");
    }
  }
  // §5.3: every part before the last must exist. No patch changes another's parents
  // (they would be prefixes), so checking all first keeps a failed patch unapplied.
  for (const auto& p : patches) {
    if (!parent(target, p.tokens)) {
      return invalid_patch("\"" + std::string(p.key) +
                           "\" goes through a member that is missing or not an object");
    }
  }
  for (const auto& p : patches) {
    json::object* at = parent(target, p.tokens);
    const std::string& last = p.tokens.back();
    if (p.value->is_null()) {
      at->erase(last);
    } else {
      (*at)[last] = *p.value;
    }
  }
  return std::nullopt;
}

}  // namespace postamt::jmap
