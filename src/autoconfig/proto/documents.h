// The autoconfiguration documents (docs/protocols/autoconfig.md), rendered from the
// PublicServer (settings.h). A codec: pure, any thread; every value is XML-escaped.
//
// Every client document needs an incoming and an outgoing server: callers check
// PublicServer::configures_clients() before rendering one.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "autoconfig/proto/settings.h"
#include "base/config.h"

namespace postamt::autoconfig {

// Outlook's POX autodiscover (Exchange's "Plain Old XML" schema): the request schema, the
// response's outer schema, and the Outlook response schema the settings are written in.
inline constexpr std::string_view kAutodiscoverRequestSchema =
    "http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006";
inline constexpr std::string_view kAutodiscoverResponseSchema =
    "http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006";
inline constexpr std::string_view kOutlookResponseSchema =
    "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a";

// Whether `server` advertises at least one IMAP or POP3 and one submission endpoint.
bool configures_clients(const PublicServer& server);

// Thunderbird's autoconfig file (clientConfig version 1.1) for `domain`: every advertised
// IMAP and POP3 endpoint as an incomingServer, every submission endpoint as an
// outgoingServer, in PublicServer's order (Thunderbird takes the first that works);
// socketType "SSL" for implicit TLS and "STARTTLS"; username %EMAILADDRESS% (Postamt's
// logins are mail addresses); authentication password-cleartext (inside TLS).
std::string thunderbird_config(const PublicServer& server, std::string_view domain);

// Outlook's autodiscover answer for `email_address`: Account with AccountType email and
// Action settings, and one Protocol per protocol (IMAP, POP3, SMTP), its preferred
// endpoint. Implicit TLS is SSL on + Encryption SSL, STARTTLS is SSL on + Encryption TLS
// (Encryption overrides SSL; a client that knows only SSL then fails instead of sending
// the password in clear). LoginName is the address; SPA off; AuthRequired on.
std::string autodiscover_settings(const PublicServer& server, std::string_view email_address);

// Outlook's error answer: ErrorCode 600 (invalid request) or 601 (no provider for the
// requested AcceptableResponseSchema), a Message and DebugData (may be empty).
std::string autodiscover_error(int code, std::string_view message, std::string_view debug_data);

// An unsigned Apple configuration profile with one com.apple.mail.managed payload for
// `email_address`: the preferred IMAP endpoint (POP3 when there is no IMAP) and the
// preferred submission endpoint, the address as user name for both, no password (the
// device asks for it). UseSSL is true for implicit TLS endpoints; for STARTTLS endpoints
// it is false (iOS then upgrades with STARTTLS, which Postamt always offers).
// PayloadUUIDs are name-based (stable_uuid) on the host name and the address, so that
// installing a profile again replaces the old one.
std::string apple_profile(const PublicServer& server, std::string_view email_address);

// A name-based UUID (RFC 9562 §5.5, version 5: SHA-1) of `name` in the namespace
// `name_space`, lowercase "xxxxxxxx-xxxx-5xxx-yxxx-xxxxxxxxxxxx".
std::string uuid_v5(const std::array<uint8_t, 16>& name_space, std::string_view name);
// uuid_v5 in Postamt's own namespace.
std::string stable_uuid(std::string_view name);

// The MTA-STS policy (RFC 8461 §3.2) of any local domain: version STSv1, the mode, one
// mx (the public host name) and max_age, CRLF after each line.
std::string mta_sts_policy(const PublicServer& server, MtaStsMode mode,
                           std::chrono::seconds max_age);

// The "id" of the _mta-sts TXT record (RFC 8461 §3.1: 1-32 letters and digits) for a
// policy: 20 hex digits of its SHA-256, so that the id changes exactly when the policy
// does.
std::string mta_sts_id(std::string_view policy);

}  // namespace postamt::autoconfig
