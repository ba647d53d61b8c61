#include "mail/quota.h"

namespace postamt::mail {

Result<QuotaRoom> room_for(store::Store& store, AccountId account, uint64_t size) {
  auto state = store.quota(account);
  if (!state) return state.error();
  const store::QuotaLimits& limit = state->limits;
  const store::QuotaLimits& used = state->used;
  if (limit.storage != 0 && size > limit.storage) return QuotaRoom::too_large;
  if (limit.storage != 0 && (used.storage >= limit.storage || used.storage + size > limit.storage))
    return QuotaRoom::full;
  if (limit.messages != 0 && used.messages >= limit.messages) return QuotaRoom::full;
  return QuotaRoom::fits;
}

}  // namespace postamt::mail
