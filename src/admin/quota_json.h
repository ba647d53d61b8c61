// The JSON form of an account's quota, shared by `user quota show` and `user list`
// (admin/quota.h). Internal to src/admin: Boost.JSON stays out of the admin interface.
#pragma once

#include <boost/json/value.hpp>

#include "store/api/types.h"

namespace postamt::admin {

// {"storage":{"used":n,"limit":n|null,"own":bool},"messages":{...}}: null = no limit;
// own = set for this account rather than the default.
boost::json::value quota_json(const store::QuotaState& state);

}  // namespace postamt::admin
