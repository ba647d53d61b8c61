#include "store/api/rules.h"

#include <algorithm>
#include <optional>

#include "base/strings.h"

namespace postamt::store {

Result<std::string> check_mailbox_name(std::string_view name) {
  auto invalid = [&](std::string_view why) {
    return Error{ErrorKind::invalid,
                 "mailbox name \"" + std::string(name) + "\" is not valid: " + std::string(why)};
  };
  if (name.empty()) return invalid("it is empty");
  if (name.size() > 1000) return invalid("it is longer than 1000 bytes");
  if (name.front() == '/' || name.back() == '/') return invalid("it starts or ends with /");
  if (name.find("//") != std::string_view::npos) return invalid("it has an empty level");
  for (char c : name) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return invalid("it has a control character");
    if (c == '*' || c == '%') return invalid("it has a wildcard character");
  }
  // RFC 9051 §5.1: INBOX is case-insensitive; every other name is case-sensitive.
  if (iequals(name, "INBOX")) return std::string("INBOX");
  return std::string(name);
}

bool is_same_or_below(std::string_view name, std::string_view parent) {
  if (name == parent) return true;
  return name.size() > parent.size() && name.substr(0, parent.size()) == parent &&
         name[parent.size()] == '/';
}

Result<void> check_keywords(const Keywords& keywords) {
  for (const std::string& k : keywords.items()) {
    if (!is_valid_keyword(k)) {
      return Error{ErrorKind::invalid, "keyword \"" + k + "\" is not valid"};
    }
  }
  return {};
}

Result<void> check_quota(std::string_view address, const QuotaLimits& limits,
                         const QuotaLimits& used, const QuotaLimits& adding) {
  if (limits.storage != 0 && adding.storage > 0 && used.storage + adding.storage > limits.storage)
    return Error{ErrorKind::over_quota, "account " + std::string(address) +
                                            " would pass its storage quota of " +
                                            std::to_string(limits.storage) + " octets"};
  if (limits.messages != 0 && adding.messages > 0 &&
      used.messages + adding.messages > limits.messages)
    return Error{ErrorKind::over_quota, "account " + std::string(address) +
                                            " would pass its message quota of " +
                                            std::to_string(limits.messages) + " messages"};
  return {};
}

std::vector<std::string> thread_link_keys(const NewMessage& message) {
  std::vector<std::string> keys;
  if (!message.message_id.empty()) keys.push_back(message.message_id);
  if (message.thread_refs && !message.thread_refs->empty()) {
    std::vector<std::string_view> refs = split(*message.thread_refs, ' ');
    size_t tail = std::min(refs.size(), kMaxThreadLinkReferences - 1);
    if (refs.size() > tail) keys.emplace_back(refs.front());
    for (size_t i = refs.size() - tail; i < refs.size(); ++i) keys.emplace_back(refs[i]);
  }
  keys.push_back("=" + message.blob.hex());
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return keys;
}

Result<void> check_token_name(std::string_view name) {
  bool ok = !name.empty() && name.size() <= kMaxTokenName;
  for (char c : name) ok = ok && c > 32 && c < 127;
  if (!ok) return Error{ErrorKind::invalid, "token name is not valid"};
  return {};
}

Result<void> check_token_hash(std::string_view hash) {
  bool ok = hash.size() == 64;
  for (char c : hash) ok = ok && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
  if (!ok) return Error{ErrorKind::invalid, "token hash is not 64 lowercase hex digits"};
  return {};
}

Result<void> check_claim(std::string_view name, std::string_view owner,
                         std::chrono::seconds lease) {
  auto check = [](std::string_view text, std::string_view what) -> Result<void> {
    if (text.empty() || text.size() > kMaxClaimText || text.find('\0') != std::string_view::npos)
      return Error{ErrorKind::invalid, std::string("claim ") + std::string(what) +
                                           " must be 1 to " + std::to_string(kMaxClaimText) +
                                           " octets without NUL"};
    return {};
  };
  POSTAMT_TRY(check(name, "name"));
  POSTAMT_TRY(check(owner, "owner"));
  if (lease < std::chrono::seconds(1))
    return Error{ErrorKind::invalid, "claim lease must be at least one second"};
  return {};
}

namespace errors {
namespace {
std::string s(std::string_view v) {
  return std::string(v);
}
}  // namespace

Error domain_missing(std::string_view d) {
  return {ErrorKind::not_found, "domain " + s(d) + " does not exist"};
}
Error domain_exists(std::string_view d) {
  return {ErrorKind::exists, "domain " + s(d) + " exists already"};
}
Error domain_in_use(std::string_view d, int64_t accounts, int64_t aliases) {
  return {ErrorKind::invalid, "domain " + s(d) + " is still used by " + std::to_string(accounts) +
                                  (accounts == 1 ? " account" : " accounts") + " and " +
                                  std::to_string(aliases) + (aliases == 1 ? " alias" : " aliases")};
}
Error user_missing(std::string_view a) {
  return {ErrorKind::not_found, "user " + s(a) + " does not exist"};
}
Error user_exists(std::string_view a) {
  return {ErrorKind::exists, "user " + s(a) + " exists already"};
}
Error account_id_missing(AccountId id) {
  return {ErrorKind::not_found, "account " + std::to_string(id.value()) + " does not exist"};
}
Error alias_missing(std::string_view a) {
  return {ErrorKind::not_found, "alias " + s(a) + " does not exist"};
}
Error alias_exists(std::string_view a) {
  return {ErrorKind::exists, "alias " + s(a) + " exists already"};
}
Error alias_without_targets(std::string_view a) {
  return {ErrorKind::invalid, "alias " + s(a) + " needs at least one target"};
}
Error mailbox_missing(std::string_view n) {
  return {ErrorKind::not_found, "mailbox " + s(n) + " does not exist"};
}
Error too_many_metadata(size_t max_entries) {
  return {ErrorKind::limit,
          "more than " + std::to_string(max_entries) + " annotations on one mailbox or the server"};
}
Error token_exists(std::string_view n) {
  return {ErrorKind::exists, "token " + s(n) + " exists already"};
}
Error token_hash_exists() {
  return {ErrorKind::exists, "a token with this secret exists already"};
}
Error token_missing(std::string_view n) {
  return {ErrorKind::not_found, "token " + s(n) + " does not exist"};
}
Error mailbox_id_missing(MailboxId id) {
  return {ErrorKind::not_found, "mailbox " + std::to_string(id.value()) + " does not exist"};
}
Error mailbox_exists(std::string_view n) {
  return {ErrorKind::exists, "mailbox " + s(n) + " exists already"};
}
Error role_taken(MailboxRole role) {
  return {ErrorKind::exists, "a mailbox with role " + s(role_name(role)) + " exists already"};
}
Error inbox_protected(std::string_view operation) {
  return {ErrorKind::invalid, "INBOX cannot be " + s(operation)};
}
Error rename_below_itself(std::string_view n) {
  return {ErrorKind::invalid, "mailbox " + s(n) + " cannot be moved below itself"};
}
Error message_missing(Uid uid) {
  return {ErrorKind::not_found, "message with UID " + std::to_string(uid) + " does not exist"};
}
}  // namespace errors

}  // namespace postamt::store
