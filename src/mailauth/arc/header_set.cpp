#include "mailauth/arc/header_set.h"

#include <algorithm>
#include <array>
#include <map>

#include "base/strings.h"

namespace postamt::arc {
namespace {

bool is_wsp(char c) {
  return c == ' ' || c == '\t';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Skips CFWS (RFC 5322 §3.2.2): whitespace, folding CRLFs and (nested) comments with
// quoted-pairs. Returns false for a comment that does not end.
bool skip_cfws(std::string_view s, size_t& pos) {
  while (pos < s.size()) {
    const char c = s[pos];
    if (is_wsp(c) || c == '\r' || c == '\n') {
      ++pos;
    } else if (c == '(') {
      int depth = 0;
      while (pos < s.size()) {
        const char d = s[pos];
        if (d == '\\') {
          pos += 2;
          continue;
        }
        if (d == '(') ++depth;
        if (d == ')' && --depth == 0) break;
        ++pos;
      }
      if (pos >= s.size()) return false;
      ++pos;
    } else {
      break;
    }
  }
  return true;
}

// position = 1*2DIGIT, 1 - 50 (RFC 8617 §3.9).
Result<int> parse_position(std::string_view digits) {
  if (digits.empty() || digits.size() > 2 || !std::all_of(digits.begin(), digits.end(), is_digit))
    return Error(ErrorKind::invalid,
                 "instance \"" + std::string(digits) + "\" is not 1 or 2 digits");
  const int value = std::stoi(std::string(digits));
  if (value < 1 || value > kMaxInstances)
    return Error(ErrorKind::invalid, "instance " + std::to_string(value) + " is outside 1..50");
  return value;
}

std::string_view type_name(FieldType type) {
  switch (type) {
    case FieldType::authentication_results:
      return "ARC-Authentication-Results";
    case FieldType::message_signature:
      return "ARC-Message-Signature";
    case FieldType::seal:
      return "ARC-Seal";
    case FieldType::none:
      break;
  }
  return "?";
}

Error fail(std::string reason) {
  return Error(ErrorKind::invalid, std::move(reason));
}

// One ARC field with its instance read; the tag-list for AMS and AS.
struct Parsed {
  FieldType type = FieldType::none;
  int instance = 0;
  std::string_view raw;
  dkim::TagList tags;
};

Result<Parsed> parse_field(FieldType type, std::string_view raw) {
  Parsed out;
  out.type = type;
  out.raw = raw;
  const std::string_view value = field_value(raw);
  const std::string name(type_name(type));
  if (type == FieldType::authentication_results) {
    auto instance = aar_instance(value);
    if (!instance) return fail(name + ": " + instance.error().message);
    out.instance = *instance;
    return out;
  }
  // AMS and AS: "instance [CFWS] ';' tag-list" (§4.1.2, §4.1.3). The instance is itself
  // a tag=value pair, so the whole value is read as one tag-list and i= taken from it
  // (the i= of DKIM is not imported: here it is always the instance).
  auto tags = dkim::TagList::parse(value);
  if (!tags) return fail(name + ": " + tags.error().message);
  auto i = tags->get("i");
  if (!i) return fail(name + ": no instance tag i=");
  auto instance = parse_position(*i);
  if (!instance) return fail(name + ": " + instance.error().message);
  out.instance = *instance;
  out.tags = std::move(*tags);
  return out;
}

// The tags every AMS / AS must carry (§4.1.2 with RFC 6376 §3.5; §4.1.3).
Result<void> check_required(const Parsed& field) {
  static constexpr std::array<std::string_view, 6> kAms = {"a", "b", "bh", "d", "h", "s"};
  static constexpr std::array<std::string_view, 5> kSeal = {"a", "b", "cv", "d", "s"};
  const std::string where =
      std::string(type_name(field.type)) + " i=" + std::to_string(field.instance);
  auto require = [&](auto& names) -> Result<void> {
    for (std::string_view tag : names)
      if (!field.tags.get(tag)) return fail(where + " has no " + std::string(tag) + "= tag");
    return {};
  };
  if (field.type == FieldType::message_signature) return require(kAms);
  if (auto r = require(kSeal); !r) return r;
  // §4.1.3: "the DKIM h tag is NOT allowed and, if found, MUST result in a cv status of
  // fail".
  if (field.tags.get("h")) return fail(where + " has an h= tag");
  const std::string_view cv = *field.tags.get("cv");
  if (cv != "none" && cv != "pass" && cv != "fail")
    return fail(where + " has cv=" + std::string(cv) + " (not none, pass or fail)");
  return {};
}

}  // namespace

FieldType field_type(std::string_view name) {
  if (iequals(name, "ARC-Authentication-Results")) return FieldType::authentication_results;
  if (iequals(name, "ARC-Message-Signature")) return FieldType::message_signature;
  if (iequals(name, "ARC-Seal")) return FieldType::seal;
  return FieldType::none;
}

std::string_view field_value(std::string_view raw) {
  const size_t colon = raw.find(':');
  std::string_view value =
      colon == std::string_view::npos ? std::string_view() : raw.substr(colon + 1);
  if (value.ends_with("\r\n")) value.remove_suffix(2);
  return value;
}

Result<int> aar_instance(std::string_view value) {
  size_t pos = 0;
  if (!skip_cfws(value, pos) || pos >= value.size() || value[pos] != 'i')
    return fail("does not start with the instance i=");
  ++pos;
  if (!skip_cfws(value, pos) || pos >= value.size() || value[pos] != '=')
    return fail("does not start with the instance i=");
  ++pos;
  if (!skip_cfws(value, pos)) return fail("unterminated comment");
  const size_t start = pos;
  while (pos < value.size() && is_digit(value[pos])) ++pos;
  auto instance = parse_position(value.substr(start, pos - start));
  if (!instance) return instance.error();
  if (!skip_cfws(value, pos) || pos >= value.size() || value[pos] != ';')
    return fail("no ';' after the instance");
  return *instance;
}

ChainTop chain_top(const std::vector<dkim::HeaderField>& header) {
  ChainTop top;
  std::vector<Parsed> seals;
  for (const auto& field : header) {
    const FieldType type = field_type(field.name);
    if (type == FieldType::none) continue;
    auto parsed = parse_field(type, field.raw);
    if (!parsed) continue;
    top.highest = std::max(top.highest, parsed->instance);
    if (type == FieldType::seal) seals.push_back(std::move(*parsed));
  }
  for (const auto& s : seals)
    if (s.instance == top.highest && s.tags.get("cv") == "fail") top.newest_seal_failed = true;
  return top;
}

Result<Chain> collect_chain(const std::vector<dkim::HeaderField>& header, int max_instances) {
  max_instances = std::clamp(max_instances, 1, kMaxInstances);

  // Step 1: collect every ARC field by instance. Reading the instance is all that is
  // done here, so that a chain longer than the limit fails as such.
  std::vector<Parsed> fields;
  int highest = 0;
  for (const auto& field : header) {
    const FieldType type = field_type(field.name);
    if (type == FieldType::none) continue;
    auto parsed = parse_field(type, field.raw);
    if (!parsed) return parsed.error();
    if (parsed->instance > max_instances)
      return fail(std::string(type_name(type)) + " i=" + std::to_string(parsed->instance) +
                  ": more than " + std::to_string(max_instances) + " ARC sets");
    highest = std::max(highest, parsed->instance);
    fields.push_back(std::move(*parsed));
  }
  Chain chain;
  if (fields.empty()) return chain;

  // Step 2: the newest seal says the chain had already failed.
  for (const auto& f : fields)
    if (f.type == FieldType::seal && f.instance == highest && f.tags.get("cv") == "fail")
      return fail("ARC-Seal i=" + std::to_string(highest) + " says cv=fail");

  // Step 3 A and B: exactly one AAR, AMS and AS for each of 1..N.
  std::vector<std::array<const Parsed*, 3>> by_instance(highest + 1, {nullptr, nullptr, nullptr});
  for (const auto& f : fields) {
    const Parsed*& slot = by_instance[f.instance][static_cast<int>(f.type) - 1];
    if (slot)
      return fail("ARC set " + std::to_string(f.instance) + " has more than one " +
                  std::string(type_name(f.type)));
    slot = &f;
  }
  for (int i = 1; i <= highest; ++i) {
    const auto& slots = by_instance[i];
    if (!slots[0] && !slots[1] && !slots[2])
      return fail("ARC set " + std::to_string(i) + " is missing (the highest is " +
                  std::to_string(highest) + ")");
    for (int t = 0; t < 3; ++t)
      if (!slots[t])
        return fail("ARC set " + std::to_string(i) + " has no " +
                    std::string(type_name(static_cast<FieldType>(t + 1))));
  }

  // Step 3 C and the tags each field needs.
  for (int i = 1; i <= highest; ++i) {
    const auto& slots = by_instance[i];
    for (int t = 1; t < 3; ++t)
      if (auto r = check_required(*slots[t]); !r) return r.error();
    const std::string_view cv = *slots[2]->tags.get("cv");
    const std::string_view want = i == 1 ? "none" : "pass";
    if (cv != want)
      return fail("ARC-Seal i=" + std::to_string(i) + " says cv=" + std::string(cv) + " (must be " +
                  std::string(want) + ")");
    ArcSet set;
    set.instance = i;
    set.aar = slots[0]->raw;
    set.ams = slots[1]->raw;
    set.seal = slots[2]->raw;
    set.ams_tags = slots[1]->tags;
    set.seal_tags = slots[2]->tags;
    set.cv = cv;
    chain.sets.push_back(std::move(set));
  }
  return chain;
}

}  // namespace postamt::arc
