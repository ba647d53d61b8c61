// Internal to src/auth: the SCRAM-SHA-256 mechanism (RFC 5802, RFC 7677). Sessions
// obtain it through create_mechanism() in auth/sasl.h; the contract is documented there.
#pragma once

#include <memory>

#include "auth/sasl.h"

namespace postamt::auth {

// Server side of SCRAM-SHA-256 without channel binding ("n" and "y" GS2 flags; "p=" fails
// with not_found because SCRAM-SHA-256-PLUS is never advertised). After a valid client
// proof it returns Challenge{"v=<ServerSignature>"}, then Authenticated on the client's
// empty reply (RFC 4422 §5 for protocols without success data). `nonce` supplies the
// server nonce part; an empty function means random_nonce.
std::unique_ptr<Mechanism> make_scram_sha256(const SaslLimits& limits, NonceSource nonce);

}  // namespace postamt::auth
