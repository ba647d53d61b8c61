// SETQUOTA (RFC 9208 §4.1.3, grammar §7):
//   setquota          = "SETQUOTA" SP quota-root-name SP setquota-list
//   setquota-list     = "(" [setquota-resource *(SP setquota-resource)] ")"
//   setquota-resource = resource-name SP resource-limit   (atom, number64)
#include <algorithm>

#include "base/strings.h"
#include "imap/proto/parser.h"

namespace postamt::imap::proto {

Result<SetQuotaCmd> parse_set_quota(Parser& p) {
  SetQuotaCmd cmd;
  POSTAMT_TRY(p.sc.sp());
  auto root = p.sc.astring();
  if (!root) return root.error();
  cmd.root = std::move(*root);
  POSTAMT_TRY(p.sc.sp());
  POSTAMT_TRY(p.sc.expect('(', "'(' opening the resource limits"));
  if (!p.sc.consume(')')) {
    do {
      auto name = p.sc.atom();
      if (!name) return syntax_error("expected a resource name");
      std::string upper = ascii_upper(*name);
      if (std::any_of(cmd.limits.begin(), cmd.limits.end(),
                      [&](const auto& l) { return l.first == upper; }))
        return syntax_error("resource " + upper.substr(0, 32) + " given twice");
      POSTAMT_TRY(p.sc.sp());
      auto limit = p.sc.number64();
      if (!limit) return limit.error();
      cmd.limits.emplace_back(std::move(upper), *limit);
    } while (p.sc.consume(' '));
    POSTAMT_TRY(p.sc.expect(')', "')' closing the resource limits"));
  }
  POSTAMT_TRY(p.sc.end());
  return cmd;
}

}  // namespace postamt::imap::proto
