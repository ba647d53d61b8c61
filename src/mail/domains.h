// The server's primary domain: where the bare "<postmaster>" recipient goes (RFC 5321
// §4.5.1) and, later, whatever else needs "this server's own domain".
//
// Threads: blocking (store); run on a store thread.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"
#include "store/api/store.h"

namespace postamt::mail {

// The local domain that `hostname` (the configured host name) belongs to: the host name
// itself or its nearest parent that is a local domain ("mail.example.test" ->
// "example.test"); when none is, the first local domain in ascending order. Errors:
// not_found "no local domain" when the store has none; temporary / io when it could not
// be read.
Result<std::string> primary_domain(store::Store& store, std::string_view hostname);

// Whether `domain`, as a mail address carries it, is a local domain: an address literal
// ("[192.0.2.1]") never is; a name with non-ASCII labels (RFC 6531) is compared by its
// A-labels (IDNA 2008, RFC 5891), as local domains are stored; a name that is not a
// valid domain is not local. Errors: temporary / io when the store could not be read.
Result<bool> is_local_domain(store::Store& store, std::string_view domain);

}  // namespace postamt::mail
