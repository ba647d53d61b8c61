#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/strings.h"
#include "imap/session/commands/commands.h"
#include "imap/session/error_codes.h"

namespace postamt::imap::commands {
namespace {

constexpr char kDelimiter = '/';

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

}  // namespace

Reply list(CommandContext& ctx, const proto::ListCmd& cmd) {
  const bool lsub = cmd.kind == proto::ListCmd::Kind::lsub;
  if (!cmd.returns.status.empty()) return Reply::bad("LIST RETURN (STATUS) is not supported");
  if (cmd.select.recursive_match) return Reply::bad("LIST (RECURSIVEMATCH) is not supported");

  Reply reply;
  // RFC 3501 §6.3.8: an empty pattern asks for the delimiter and the root.
  if (!lsub && cmd.patterns.size() == 1 && cmd.patterns.front().empty()) {
    proto::ListData root;
    root.attributes = {"\\Noselect"};
    root.delimiter = kDelimiter;
    reply.untagged.emplace_back(std::move(root));
    reply.text = "LIST completed";
    return reply;
  }

  auto mailboxes = ctx.store.list_mailboxes(ctx.account.id);
  if (!mailboxes) return reply_for(mailboxes.error());

  // Every name plus the parents its path implies; ordered by name.
  std::map<std::string, Entry> entries;
  for (const auto& m : *mailboxes) {
    entries[m.name].mailbox = &m;
    for (size_t slash = m.name.find(kDelimiter); slash != std::string::npos;
         slash = m.name.find(kDelimiter, slash + 1)) {
      Entry& parent = entries[m.name.substr(0, slash)];
      parent.has_children = true;
      if (m.subscription == store::Subscription::subscribed) parent.subscribed_child = true;
    }
  }

  const bool only_subscribed = lsub || cmd.select.subscribed;
  for (const auto& [name, entry] : entries) {
    bool matched = false;
    for (const auto& pattern : cmd.patterns)
      if (name_matches(name, cmd.reference + pattern)) matched = true;
    if (!matched) continue;
    bool subscribed =
        entry.mailbox && entry.mailbox->subscription == store::Subscription::subscribed;
    proto::ListData data;
    data.kind = cmd.kind;
    data.delimiter = kDelimiter;
    data.mailbox = name;
    if (only_subscribed && !subscribed) {
      // RFC 3501 §6.3.9: with "%", a parent of a subscribed mailbox is listed as
      // \Noselect; RFC 5258 §3.5 answers it with CHILDINFO instead.
      if (!entry.subscribed_child) continue;
      bool percent = false;
      for (const auto& pattern : cmd.patterns)
        if (pattern.find('%') != std::string::npos) percent = true;
      if (!percent) continue;
      data.attributes.emplace_back("\\Noselect");
      if (!lsub && cmd.extended) data.child_info.emplace_back("SUBSCRIBED");
      reply.untagged.emplace_back(std::move(data));
      continue;
    }
    if (!entry.mailbox) data.attributes.emplace_back("\\Noselect");
    if (!lsub)
      data.attributes.emplace_back(entry.has_children ? "\\HasChildren" : "\\HasNoChildren");
    if (subscribed && (cmd.select.subscribed || cmd.returns.subscribed))
      data.attributes.emplace_back("\\Subscribed");
    std::string_view use = entry.mailbox ? special_use(entry.mailbox->role) : std::string_view();
    if (!lsub && !use.empty()) data.attributes.emplace_back(use);
    if (cmd.select.special_use && use.empty()) continue;
    reply.untagged.emplace_back(std::move(data));
  }
  reply.text = lsub ? "LSUB completed" : "LIST completed";
  return reply;
}

}  // namespace postamt::imap::commands
