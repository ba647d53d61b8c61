// `postamt token create|list|revoke USER [--name N]`: the bearer tokens of the HTTP
// services (JMAP). The store keeps only each token's hash (auth/api_token.h): create
// prints the token once, and nobody can show it again. Revoking takes effect at the next
// request, in every process. Contract as admin.h.
#pragma once

#include <string>
#include <string_view>

#include "admin/admin.h"

namespace postamt::admin {

// The name defaults to "default". Errors: not_found (no such account), exists (the
// account has a token of that name), invalid (a bad name).
Result<std::string> token_create(store::Store& store, std::string_view address,
                                 std::string_view name);
// One line per token: "<name> created <UTC time>", or a JSON array.
Result<std::string> token_list(store::Store& store, std::string_view address, Format format);
Result<std::string> token_revoke(store::Store& store, std::string_view address,
                                 std::string_view name);

}  // namespace postamt::admin
