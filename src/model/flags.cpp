#include "model/flags.h"

#include <algorithm>

#include "base/strings.h"

namespace postamt {

namespace {
constexpr SystemFlag kAllFlags[] = {SystemFlag::seen, SystemFlag::answered, SystemFlag::flagged,
                                    SystemFlag::deleted, SystemFlag::draft};
}

std::string_view to_string(SystemFlag flag) {
  switch (flag) {
    case SystemFlag::seen:
      return "\\Seen";
    case SystemFlag::answered:
      return "\\Answered";
    case SystemFlag::flagged:
      return "\\Flagged";
    case SystemFlag::deleted:
      return "\\Deleted";
    case SystemFlag::draft:
      return "\\Draft";
  }
  return "";
}

std::optional<SystemFlag> parse_system_flag(std::string_view text) {
  for (SystemFlag f : kAllFlags) {
    if (iequals(text, to_string(f))) return f;
  }
  return std::nullopt;
}

std::vector<std::string_view> flag_names(SystemFlags flags) {
  std::vector<std::string_view> names;
  for (SystemFlag f : kAllFlags) {
    if (flags.has(f)) names.push_back(to_string(f));
  }
  return names;
}

bool is_valid_keyword(std::string_view keyword) {
  if (keyword.empty() || keyword.size() > 255) return false;
  // RFC 9051 §9: ATOM-CHAR = any CHAR except atom-specials; flag-keyword excludes "]"
  // through resp-specials as well.
  constexpr std::string_view kSpecials = "(){%*\"\\]";
  return std::all_of(keyword.begin(), keyword.end(), [&](char c) {
    auto u = static_cast<unsigned char>(c);
    return u > 0x20 && u < 0x7f && kSpecials.find(c) == std::string_view::npos;
  });
}

Keywords::Keywords(std::initializer_list<std::string_view> keywords) {
  for (std::string_view k : keywords) add(k);
}

bool Keywords::add(std::string_view keyword) {
  if (contains(keyword)) return false;
  items_.emplace_back(keyword);
  return true;
}

bool Keywords::remove(std::string_view keyword) {
  auto it = std::find_if(items_.begin(), items_.end(),
                         [&](const std::string& k) { return iequals(k, keyword); });
  if (it == items_.end()) return false;
  items_.erase(it);
  return true;
}

bool Keywords::contains(std::string_view keyword) const {
  return find(keyword).has_value();
}

std::optional<std::string_view> Keywords::find(std::string_view keyword) const {
  for (const std::string& k : items_) {
    if (iequals(k, keyword)) return std::string_view(k);
  }
  return std::nullopt;
}

bool operator==(const Keywords& a, const Keywords& b) {
  if (a.size() != b.size()) return false;
  return std::all_of(a.items_.begin(), a.items_.end(),
                     [&](const std::string& k) { return b.contains(k); });
}

void apply_flag_update(const FlagUpdate& update, SystemFlags& flags, Keywords& keywords) {
  // Every store applies this inside its write transaction, so that no client's view of
  // the flags, however stale, can clear the latch (RFC 3503 §2, docs/read-receipts.md).
  std::optional<std::string> latched;
  if (auto found = keywords.find(kMdnSentKeyword)) latched = std::string(*found);
  switch (update.operation) {
    case FlagOperation::add:
      flags = flags | update.flags;
      for (const std::string& k : update.keywords.items()) keywords.add(k);
      break;
    case FlagOperation::remove:
      flags = flags.without(update.flags);
      for (const std::string& k : update.keywords.items()) keywords.remove(k);
      break;
    case FlagOperation::replace: {
      flags = update.flags;
      // Keep the message's spelling for keywords it keeps.
      Keywords next;
      for (const std::string& k : update.keywords.items()) {
        auto existing = keywords.find(k);
        next.add(existing ? *existing : std::string_view(k));
      }
      keywords = std::move(next);
      break;
    }
  }
  if (latched && !keywords.contains(*latched)) keywords.add(*latched);
}

}  // namespace postamt
