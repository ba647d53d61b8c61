#include "autoconfig/proto/documents.h"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <stdexcept>

#include "autoconfig/proto/xml.h"
#include "base/strings.h"

namespace postamt::autoconfig {
namespace {

// Postamt's namespace for stable_uuid (a random version-4 UUID, fixed forever: changing
// it would change every profile's PayloadUUID).
constexpr std::array<uint8_t, 16> kUuidNamespace = {0x6b, 0x1e, 0x3c, 0x52, 0x9a, 0x47, 0x4d, 0x0e,
                                                    0xb5, 0x21, 0x7f, 0x8c, 0x03, 0xd6, 0xe9, 0x4a};

template <size_t N>
std::array<uint8_t, N> digest(const EVP_MD* md, std::string_view prefix, std::string_view text) {
  std::array<uint8_t, EVP_MAX_MD_SIZE> full{};
  unsigned int length = 0;
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  bool ok = context && EVP_DigestInit_ex(context, md, nullptr) == 1 &&
            EVP_DigestUpdate(context, prefix.data(), prefix.size()) == 1 &&
            EVP_DigestUpdate(context, text.data(), text.size()) == 1 &&
            EVP_DigestFinal_ex(context, full.data(), &length) == 1;
  EVP_MD_CTX_free(context);
  if (!ok || length < N) throw std::runtime_error("message digest failed");
  std::array<uint8_t, N> out{};
  std::copy_n(full.begin(), N, out.begin());
  return out;
}

std::string hex(const uint8_t* data, size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < size; ++i) {
    out += kDigits[data[i] >> 4];
    out += kDigits[data[i] & 0xF];
  }
  return out;
}

std::string_view thunderbird_socket(Security security) {
  return security == Security::implicit_tls ? "SSL" : "STARTTLS";
}

void thunderbird_server(XmlWriter& xml, std::string_view element, std::string_view type,
                        const std::string& hostname, const Endpoint& e) {
  xml.open(element, {{"type", type}});
  xml.element("hostname", hostname);
  xml.element("port", std::to_string(e.port));
  xml.element("socketType", thunderbird_socket(e.security));
  xml.element("username", "%EMAILADDRESS%");
  xml.element("authentication", "password-cleartext");
  xml.close();
}

void outlook_protocol(XmlWriter& xml, std::string_view type, const std::string& hostname,
                      const Endpoint& e, std::string_view login) {
  xml.open("Protocol");
  xml.element("Type", type);
  xml.element("Server", hostname);
  xml.element("Port", std::to_string(e.port));
  xml.element("DomainRequired", "off");
  xml.element("LoginName", login);
  xml.element("SPA", "off");
  xml.element("SSL", "on");
  xml.element("Encryption", e.security == Security::implicit_tls ? "SSL" : "TLS");
  xml.element("AuthRequired", "on");
  xml.close();
}

// "mail.example.org" -> "org.example.mail" (Apple's PayloadIdentifier is reverse-DNS).
std::string reverse_dns(std::string_view name) {
  std::string out;
  for (std::string_view label : split(name, '.')) {
    if (label.empty()) continue;
    out = out.empty() ? std::string(label) : std::string(label) + "." + out;
  }
  return out;
}

}  // namespace

bool configures_clients(const PublicServer& server) {
  return (server.preferred(Protocol::imap) || server.preferred(Protocol::pop3)) &&
         server.preferred(Protocol::smtp);
}

std::string thunderbird_config(const PublicServer& server, std::string_view domain) {
  XmlWriter xml;
  xml.open("clientConfig", {{"version", "1.1"}});
  xml.open("emailProvider", {{"id", domain}});
  xml.element("domain", domain);
  xml.element("displayName", domain);
  xml.element("displayShortName", domain);
  for (const Endpoint& e : server.endpoints) {
    if (e.protocol == Protocol::smtp) continue;
    thunderbird_server(xml, "incomingServer", e.protocol == Protocol::imap ? "imap" : "pop3",
                       server.hostname, e);
  }
  for (const Endpoint& e : server.of(Protocol::smtp))
    thunderbird_server(xml, "outgoingServer", "smtp", server.hostname, e);
  return xml.finish();
}

std::string autodiscover_settings(const PublicServer& server, std::string_view email_address) {
  XmlWriter xml;
  xml.open("Autodiscover", {{"xmlns", kAutodiscoverResponseSchema}});
  xml.open("Response", {{"xmlns", kOutlookResponseSchema}});
  xml.open("Account");
  xml.element("AccountType", "email");
  xml.element("Action", "settings");
  static constexpr std::pair<Protocol, std::string_view> kTypes[] = {
      {Protocol::imap, "IMAP"}, {Protocol::pop3, "POP3"}, {Protocol::smtp, "SMTP"}};
  for (const auto& [protocol, type] : kTypes) {
    if (auto e = server.preferred(protocol))
      outlook_protocol(xml, type, server.hostname, *e, email_address);
  }
  return xml.finish();
}

std::string autodiscover_error(int code, std::string_view message, std::string_view debug_data) {
  XmlWriter xml;
  xml.open("Autodiscover", {{"xmlns", kAutodiscoverResponseSchema}});
  xml.open("Response");
  xml.open("Error");
  xml.element("ErrorCode", std::to_string(code));
  xml.element("Message", message);
  xml.element("DebugData", debug_data);
  return xml.finish();
}

std::string apple_profile(const PublicServer& server, std::string_view email_address) {
  const std::string address = ascii_lower(email_address);
  const std::string_view domain = std::string_view(address).substr(address.rfind('@') + 1);
  const std::string profile_uuid = stable_uuid("profile " + server.hostname + " " + address);
  const std::string mail_uuid = stable_uuid("mail " + server.hostname + " " + address);
  const std::string identifier =
      reverse_dns(server.hostname) + ".postamt.mobileconfig." + profile_uuid;
  auto incoming = server.preferred(Protocol::imap);
  if (!incoming) incoming = server.preferred(Protocol::pop3);
  auto outgoing = server.preferred(Protocol::smtp);

  XmlWriter xml;
  xml.raw_line(
      "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" "
      "\"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">");
  xml.open("plist", {{"version", "1.0"}});
  xml.open("dict");
  plist_key(xml, "PayloadContent");
  xml.open("array");
  xml.open("dict");
  plist_string(xml, "EmailAccountDescription", domain);
  plist_string(xml, "EmailAccountType",
               incoming->protocol == Protocol::imap ? "EmailTypeIMAP" : "EmailTypePOP");
  plist_string(xml, "EmailAddress", email_address);
  plist_string(xml, "IncomingMailServerAuthentication", "EmailAuthPassword");
  plist_string(xml, "IncomingMailServerHostName", server.hostname);
  plist_integer(xml, "IncomingMailServerPortNumber", incoming->port);
  plist_bool(xml, "IncomingMailServerUseSSL", incoming->security == Security::implicit_tls);
  plist_string(xml, "IncomingMailServerUsername", email_address);
  plist_string(xml, "OutgoingMailServerAuthentication", "EmailAuthPassword");
  plist_string(xml, "OutgoingMailServerHostName", server.hostname);
  plist_integer(xml, "OutgoingMailServerPortNumber", outgoing->port);
  plist_bool(xml, "OutgoingMailServerUseSSL", outgoing->security == Security::implicit_tls);
  plist_string(xml, "OutgoingMailServerUsername", email_address);
  plist_bool(xml, "OutgoingPasswordSameAsIncomingPassword", true);
  plist_string(xml, "PayloadDescription", fmt::format("Mail account {}", email_address));
  plist_string(xml, "PayloadDisplayName", email_address);
  plist_string(xml, "PayloadIdentifier", identifier + ".mail");
  plist_string(xml, "PayloadType", "com.apple.mail.managed");
  plist_string(xml, "PayloadUUID", mail_uuid);
  plist_integer(xml, "PayloadVersion", 1);
  xml.close();  // dict
  xml.close();  // array
  plist_string(xml, "PayloadDescription",
               fmt::format("Mail settings for {} from {}", email_address, server.hostname));
  plist_string(xml, "PayloadDisplayName", fmt::format("Mail ({})", domain));
  plist_string(xml, "PayloadIdentifier", identifier);
  plist_string(xml, "PayloadOrganization", domain);
  plist_bool(xml, "PayloadRemovalDisallowed", false);
  plist_string(xml, "PayloadType", "Configuration");
  plist_string(xml, "PayloadUUID", profile_uuid);
  plist_integer(xml, "PayloadVersion", 1);
  return xml.finish();
}

std::string stable_uuid(std::string_view name) {
  return uuid_v5(kUuidNamespace, name);
}

std::string uuid_v5(const std::array<uint8_t, 16>& name_space, std::string_view name) {
  // RFC 9562 §5.5: SHA-1 over the namespace's 16 octets then the name; the first 16
  // octets of the hash, with version 5 in octet 6 and the variant 10 in octet 8.
  std::string_view ns(reinterpret_cast<const char*>(name_space.data()), name_space.size());
  std::array<uint8_t, 16> u = digest<16>(EVP_sha1(), ns, name);
  u[6] = static_cast<uint8_t>((u[6] & 0x0F) | 0x50);
  u[8] = static_cast<uint8_t>((u[8] & 0x3F) | 0x80);
  std::string h = hex(u.data(), u.size());
  return fmt::format("{}-{}-{}-{}-{}", h.substr(0, 8), h.substr(8, 4), h.substr(12, 4),
                     h.substr(16, 4), h.substr(20));
}

std::string mta_sts_policy(const PublicServer& server, MtaStsMode mode,
                           std::chrono::seconds max_age) {
  std::string_view mode_name = mode == MtaStsMode::enforce ? "enforce"
                               : mode == MtaStsMode::none  ? "none"
                                                           : "testing";
  // RFC 8461 §3.2: CRLF-separated key/value pairs; "mx" names the host the MX records
  // point to (`postamt dns records` prints them with the same name).
  return fmt::format("version: STSv1\r\nmode: {}\r\nmx: {}\r\nmax_age: {}\r\n", mode_name,
                     server.hostname, max_age.count());
}

std::string mta_sts_id(std::string_view policy) {
  std::array<uint8_t, 10> d = digest<10>(EVP_sha256(), "", policy);
  return hex(d.data(), d.size());
}

}  // namespace postamt::autoconfig
