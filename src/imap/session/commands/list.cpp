#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/strings.h"
#include "imap/session/commands/commands.h"
#include "imap/session/commands/status_data.h"
#include "imap/session/error_codes.h"
#include "mail/mailboxes.h"

namespace postamt::imap::commands {
namespace {

constexpr char kDelimiter = '/';

constexpr size_t kMaxListPatterns = 32;
// Twice the longest mailbox name (kMaxMailboxNameOctets): room for wildcards.
constexpr size_t kMaxListPatternOctets = 2000;

// RFC 3501 §6.3.8: "*" matches anything, "%" anything but the hierarchy delimiter.
// Dynamic programming over prefixes, so that a pattern of many wildcards stays
// O(name * pattern) instead of exponential.
bool matches(std::string_view name, std::string_view pattern) {
  std::vector<char> dp(name.size() + 1, 0), next(name.size() + 1, 0);
  dp[0] = 1;
  for (char p : pattern) {
    for (size_t j = 0; j <= name.size(); ++j) {
      if (p == '*')
        next[j] = dp[j] || (j > 0 && next[j - 1]);
      else if (p == '%')
        next[j] = dp[j] || (j > 0 && next[j - 1] && name[j - 1] != kDelimiter);
      else
        next[j] = j > 0 && dp[j - 1] && name[j - 1] == p;
    }
    dp.swap(next);
  }
  return dp[name.size()] != 0;
}

// INBOX is case-insensitive (RFC 3501 §5.1), and so is the INBOX part of a pattern
// that spells it ("inbox", "Inbox*").
bool name_matches(const std::string& name, std::string_view pattern) {
  if (matches(name, pattern)) return true;
  if (name != "INBOX" || pattern.size() < 5) return false;
  std::string upper = ascii_lower(pattern.substr(0, 5)) == "inbox"
                          ? "INBOX" + std::string(pattern.substr(5))
                          : std::string(pattern);
  return matches(name, upper);
}

struct Entry {
  const store::Mailbox* mailbox = nullptr;  // null: only implied by a child's name
  bool has_children = false;
  bool subscribed_child = false;
};
using Entries = std::map<std::string, Entry>;

bool subscribed(const Entry& e) {
  return e.mailbox && e.mailbox->subscription == store::Subscription::subscribed;
}

bool matches_any(const std::string& name, const proto::ListCmd& cmd) {
  for (const auto& pattern : cmd.patterns) {
    // RFC 5258 §3: an extended LIST ignores empty patterns.
    if (pattern.empty() && cmd.extended) continue;
    if (name_matches(name, cmd.reference + pattern)) return true;
  }
  return false;
}

// LSUB (RFC 3501 §6.3.9): subscribed names; with "%", the parent of a subscribed
// mailbox is listed as \Noselect.
Reply lsub(const proto::ListCmd& cmd, const Entries& entries) {
  Reply reply;
  bool percent = false;
  for (const auto& pattern : cmd.patterns)
    if (pattern.find('%') != std::string::npos) percent = true;
  for (const auto& [name, entry] : entries) {
    if (!matches_any(name, cmd)) continue;
    proto::ListData data;
    data.kind = proto::ListCmd::Kind::lsub;
    data.delimiter = kDelimiter;
    data.mailbox = name;
    if (!subscribed(entry)) {
      if (!entry.subscribed_child || !percent) continue;
      data.attributes.emplace_back("\\Noselect");
    }
    reply.untagged.emplace_back(std::move(data));
  }
  reply.text = "LSUB completed";
  return reply;
}

// RFC 9051 §5.1: names are stored in NFC, so an NFD reference or pattern must find
// them too. Reference and patterns are normalized one by one.
proto::ListCmd with_nfc_names(const proto::ListCmd& request) {
  proto::ListCmd cmd = request;
  cmd.reference = mail::mailbox_pattern_nfc(cmd.reference);
  for (auto& pattern : cmd.patterns) pattern = mail::mailbox_pattern_nfc(pattern);
  return cmd;
}

}  // namespace

// LIST (RFC 3501 §6.3.8), LIST-EXTENDED (RFC 5258): selection SUBSCRIBED, SPECIAL-USE
// (RFC 6154) and RECURSIVEMATCH; return SUBSCRIBED, CHILDREN (always given), SPECIAL-USE
// (always given) and STATUS (RFC 5819). Postamt has no remote mailboxes, so REMOTE
// changes nothing.
Reply list(CommandContext& ctx, const proto::ListCmd& request) {
  // A pattern longer than any name it could match only costs time (matching is
  // O(name * pattern) per mailbox), and so do endless pattern lists.
  if (request.patterns.size() > kMaxListPatterns) return Reply::bad("Too many LIST patterns");
  for (const auto& pattern : request.patterns)
    if (request.reference.size() + pattern.size() > kMaxListPatternOctets)
      return Reply::bad("LIST pattern too long");
  const proto::ListCmd cmd = with_nfc_names(request);
  const bool lsub_command = cmd.kind == proto::ListCmd::Kind::lsub;
  const proto::ListSelect& select = cmd.select;
  // RFC 5258 §3.1: RECURSIVEMATCH alone (or with REMOTE) is a BAD command.
  if (select.recursive_match && !select.subscribed && !select.special_use)
    return Reply::bad("RECURSIVEMATCH needs another selection option");

  // RFC 3501 §6.3.8: an empty pattern asks for the delimiter and the root; an extended
  // LIST never means that (RFC 5258 §3).
  if (!lsub_command && !cmd.extended && cmd.patterns.size() == 1 && cmd.patterns.front().empty()) {
    Reply reply;
    proto::ListData root;
    root.attributes = {"\\Noselect"};
    root.delimiter = kDelimiter;
    reply.untagged.emplace_back(std::move(root));
    reply.text = "LIST completed";
    return reply;
  }

  auto mailboxes = ctx.store.list_mailboxes(ctx.account.id);
  if (!mailboxes) return reply_for(mailboxes.error());

  // Every name plus the parents its path implies; ordered by name, so that the
  // descendants of "a" follow it as one run of "a/..." names.
  Entries entries;
  for (const auto& m : *mailboxes) {
    entries[m.name].mailbox = &m;
    for (size_t slash = m.name.find(kDelimiter); slash != std::string::npos;
         slash = m.name.find(kDelimiter, slash + 1)) {
      Entry& parent = entries[m.name.substr(0, slash)];
      parent.has_children = true;
      if (m.subscription == store::Subscription::subscribed) parent.subscribed_child = true;
    }
  }
  if (lsub_command) return lsub(cmd, entries);

  const bool criteria = select.subscribed || select.special_use;
  auto meets = [&select](const Entry& e) {
    if (!e.mailbox) return false;
    if (select.subscribed && !subscribed(e)) return false;
    if (select.special_use && special_use(e.mailbox->role).empty()) return false;
    return true;
  };
  // RFC 5258 §3.3 rule 2.B: a descendant that meets the criteria and is not listed
  // itself (it does not match the patterns).
  auto unlisted_descendant_meets = [&](const std::string& name) {
    std::string prefix = name + kDelimiter;
    for (auto it = entries.lower_bound(prefix);
         it != entries.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it)
      if (meets(it->second) && !matches_any(it->first, cmd)) return true;
    return false;
  };
  const bool nonexistent_attribute = cmd.extended || ctx.enabled.imap4rev2;

  Reply reply;
  for (const auto& [name, entry] : entries) {
    if (!matches_any(name, cmd)) continue;
    bool listed = !criteria || meets(entry);
    bool child_info = select.recursive_match && unlisted_descendant_meets(name);
    if (!listed && !child_info) continue;
    proto::ListData data;
    data.delimiter = kDelimiter;
    data.mailbox = name;
    // RFC 5258 §3: \NonExistent (which implies \Noselect) for a name no mailbox has.
    if (!entry.mailbox)
      data.attributes.emplace_back(nonexistent_attribute ? "\\NonExistent" : "\\Noselect");
    data.attributes.emplace_back(entry.has_children ? "\\HasChildren" : "\\HasNoChildren");
    if (subscribed(entry) && (select.subscribed || cmd.returns.subscribed))
      data.attributes.emplace_back("\\Subscribed");
    std::string_view use = entry.mailbox ? special_use(entry.mailbox->role) : std::string_view();
    if (!use.empty()) data.attributes.emplace_back(use);
    if (child_info) {
      // RFC 5258 §3.5: the selection criteria the descendant meets.
      if (select.subscribed) data.child_info.emplace_back("SUBSCRIBED");
      if (select.special_use) data.child_info.emplace_back("SPECIAL-USE");
    }
    reply.untagged.emplace_back(std::move(data));
    // RFC 5819 §2: STATUS follows the mailbox's LIST response, only for mailboxes that
    // exist (a \NonExistent name has no status).
    if (!cmd.returns.status.empty() && entry.mailbox) {
      auto status = status_data(ctx.store, *entry.mailbox, cmd.returns.status);
      if (!status) return reply_for(status.error());
      reply.untagged.emplace_back(std::move(*status));
    }
  }
  reply.text = "LIST completed";
  return reply;
}

}  // namespace postamt::imap::commands
