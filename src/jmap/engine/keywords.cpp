#include "jmap/engine/keywords.h"

#include "base/strings.h"

namespace postamt::jmap {
namespace {

struct SystemKeyword {
  std::string_view keyword;
  SystemFlag flag;
};
constexpr SystemKeyword kSystemKeywords[] = {{"$seen", SystemFlag::seen},
                                             {"$answered", SystemFlag::answered},
                                             {"$flagged", SystemFlag::flagged},
                                             {"$draft", SystemFlag::draft}};

const SystemKeyword* system_keyword(std::string_view keyword) {
  for (const SystemKeyword& k : kSystemKeywords)
    if (iequals(k.keyword, keyword)) return &k;
  return nullptr;
}

// The registered IMAP spellings (RFC 5788 registry, RFC 3503, RFC 5550) of keywords JMAP
// writes in lowercase, so that an IMAP client sees "$MDNSent" and not "$mdnsent" when JMAP
// sets it first (the store keeps an account's first spelling).
constexpr std::string_view kImapSpellings[] = {
    "$MDNSent", "$Forwarded", "$Junk", "$NotJunk", "$Phishing", "$SubmitPending", "$Submitted"};

std::string_view imap_spelling(std::string_view keyword) {
  for (std::string_view k : kImapSpellings)
    if (iequals(k, keyword)) return k;
  return keyword;
}

}  // namespace

json::object keywords_json(const store::MessageRecord& record) {
  json::object out;
  for (const SystemKeyword& k : kSystemKeywords)
    if (record.flags.has(k.flag)) out[k.keyword] = true;
  for (const std::string& k : record.keywords.items()) out[ascii_lower(k)] = true;
  return out;
}

bool has_keyword(const store::MessageRecord& record, std::string_view keyword) {
  if (const SystemKeyword* k = system_keyword(keyword)) return record.flags.has(k->flag);
  return record.keywords.contains(keyword);
}

void set_keyword(FlagSet& set, std::string_view keyword, bool on) {
  if (const SystemKeyword* k = system_keyword(keyword)) {
    if (on)
      set.flags.add(k->flag);
    else
      set.flags.remove(k->flag);
    return;
  }
  if (on)
    set.keywords.add(imap_spelling(keyword));
  else
    set.keywords.remove(keyword);
}

bool keywords_from_json(const json::object& object, FlagSet& out) {
  for (const auto& [name, value] : object) {
    if (!value.is_bool() || !value.get_bool()) return false;
    std::string_view keyword(name.data(), name.size());
    if (!is_valid_keyword(keyword) || keyword.find(']') != std::string_view::npos) return false;
    set_keyword(out, keyword, true);
  }
  return true;
}

FlagSet flag_set(const store::MessageRecord& record) {
  return {record.flags.without(SystemFlags{SystemFlag::deleted}), record.keywords};
}

}  // namespace postamt::jmap
