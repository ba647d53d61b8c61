// Secrets the server makes up: unguessable codes from the OS entropy source (OpenSSL's
// RAND_bytes). Any thread.
#pragma once

#include <cstddef>
#include <string>

namespace postamt::auth {

// `octets` random octets as lowercase hex (2 * octets characters), e.g. the
// verification code of a JMAP push subscription (RFC 8620 §7.2.2, 16 octets = 128
// bits). Aborts if the entropy source fails (never hands out a guessable code).
std::string random_hex(size_t octets);

}  // namespace postamt::auth
