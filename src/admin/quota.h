// Quota administration behind `postamt user quota ...` and the usage `postamt user list
// --format json` shows (README.md, "Running it"; docs/protocols/imap.md, Quota; RFC 9208 STORAGE
// and MESSAGE).
//
// Contract, as in admin.h: each function returns the text for standard output or an
// Error whose message is one plain line for standard error. Blocking (store calls).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "admin/admin.h"
#include "base/result.h"
#include "store/api/store.h"

namespace postamt::admin {

// `postamt user quota set ADDRESS RESOURCE VALUE [RESOURCE VALUE]`: RESOURCE is storage
// or messages; VALUE a number (storage in octets, or with K, M, G or T for powers of
// 1024: "2G"), "none" (no limit) or "default" (follow [quota]). A resource not named
// keeps its setting. invalid for anything else; not_found for an unknown user.
Result<std::string> user_quota_set(store::Store& store, std::string_view address,
                                   const std::vector<std::string>& words);

// `postamt user quota show ADDRESS [--format json]`. Text, one line per resource:
//   storage 1300 of 2147483648 octets (default)
//   messages 3 of none (own)
// JSON: admin/quota_json.h. not_found for an unknown user.
Result<std::string> user_quota_show(store::Store& store, std::string_view address, Format format);

}  // namespace postamt::admin
