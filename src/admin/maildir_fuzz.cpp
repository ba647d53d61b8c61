// libFuzzer target: maildir file names and Dovecot's side files come from disk trees a
// user hands `postamt import maildir`. Parsing must never crash; a parsed file name must
// format back to a name that parses to the same value.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "admin/maildir_codec.h"

namespace {
void check(bool ok) {
  if (!ok) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace postamt::admin::maildir;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto name = parse_file_name(text)) {
    check(!name->unique.empty());
    for (uint8_t i : name->keyword_indexes) check(i < kMaxKeywordLetters);
    // Only unique parts without ":" format back to the same value.
    if (name->unique.find(':') == std::string::npos) {
      auto again = parse_file_name(
          format_file_name(name->unique, name->flags, name->passed, name->keyword_indexes));
      check(again && *again == *name);
    }
  }
  KeywordTable keywords = parse_dovecot_keywords(text);
  check(parse_dovecot_keywords(format_dovecot_keywords(keywords)) == keywords);
  (void)parse_dovecot_uidlist(text);
  for (const auto& [unique, names] : parse_courier_keywords(text, {{".1.x", std::string(text)}}))
    for (const std::string& k : names) check(postamt::is_valid_keyword(k));
  if (auto mailbox = folder_to_mailbox(text)) {
    auto folder = mailbox_to_folder(*mailbox);
    if (folder) check(*folder_to_mailbox(*folder) == *mailbox);
  }
  (void)parse_subscriptions(text);
  return 0;
}
