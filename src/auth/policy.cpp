#include "auth/policy.h"

namespace postamt::auth {

PlaintextMechanisms plaintext_mechanisms(PlaintextAuth policy, ConnectionTrust connection) {
  if (connection.security == ConnectionSecurity::tls) return PlaintextMechanisms::allowed;
  switch (policy) {
    case PlaintextAuth::never:
      return PlaintextMechanisms::refused;
    case PlaintextAuth::loopback:
      return connection.locality == RemoteLocality::loopback ? PlaintextMechanisms::allowed
                                                             : PlaintextMechanisms::refused;
    case PlaintextAuth::always:
      return PlaintextMechanisms::allowed;
  }
  return PlaintextMechanisms::refused;
}

}  // namespace postamt::auth
