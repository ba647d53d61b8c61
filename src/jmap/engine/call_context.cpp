#include "jmap/engine/call_context.h"

#include "base/log.h"
#include "jmap/engine/arguments.h"
#include "jmap/engine/view_cache.h"

namespace postamt::jmap {

std::string account_object_id(AccountId account) {
  return "A" + std::to_string(account.value());
}

const AccountView& CallContext::view() {
  if (!view_) {
    Result<std::shared_ptr<const AccountView>> loaded = Error{ErrorKind::invalid, "no view"};
    if (services_.views) {
      loaded = services_.views->get(store(), account_.id);
    } else if (auto fresh = AccountView::load(store(), account_.id)) {
      loaded = std::make_shared<const AccountView>(std::move(*fresh));
    } else {
      loaded = fresh.error();
    }
    if (!loaded) {
      log::warning("jmap", "cannot read the account <{}>: {}", account_.address,
                   loaded.error().message);
      fail_store(loaded.error(), "the mailbox store could not be read");
    }
    view_ = std::move(*loaded);
  }
  return *view_;
}

ModSeq CallContext::current_modseq() {
  if (view_) return view_->modseq();
  auto modseq = store().account_modseq(account_.id);
  if (!modseq) {
    log::warning("jmap", "cannot read the state of <{}>: {}", account_.address,
                 modseq.error().message);
    fail_store(modseq.error(), "the mailbox store could not be read");
  }
  return *modseq;
}

void CallContext::require_account(const json::object& args) {
  auto id = read_id(args, "accountId");
  if (!id) fail_argument("accountId", "missing");
  if (*id != account_id()) fail("accountNotFound");
}

std::optional<std::string> CallContext::resolve_id(std::string_view id) const {
  if (!id.starts_with('#')) return std::string(id);
  auto it = created_ids_.find(std::string(id.substr(1)));
  if (it == created_ids_.end()) return std::nullopt;
  return it->second;
}

}  // namespace postamt::jmap
