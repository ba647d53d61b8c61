#include "autoconfig/proto/settings.h"

namespace postamt::autoconfig {
namespace {

struct ServiceRow {
  Protocol protocol;
  Security security;
  uint16_t iana_port;
  const std::vector<ListenAddress> Config::Listen::*listen;
  const std::optional<uint16_t> Config::Autoconfig::*override_port;
};

// In the order of PublicServer::endpoints.
constexpr ServiceRow kRows[] = {
    {Protocol::imap, Security::implicit_tls, 993, &Config::Listen::imaps,
     &Config::Autoconfig::imaps_port},
    {Protocol::imap, Security::starttls, 143, &Config::Listen::imap,
     &Config::Autoconfig::imap_port},
    {Protocol::pop3, Security::implicit_tls, 995, &Config::Listen::pop3s,
     &Config::Autoconfig::pop3s_port},
    {Protocol::pop3, Security::starttls, 110, &Config::Listen::pop3,
     &Config::Autoconfig::pop3_port},
    {Protocol::smtp, Security::implicit_tls, 465, &Config::Listen::submissions,
     &Config::Autoconfig::submissions_port},
    {Protocol::smtp, Security::starttls, 587, &Config::Listen::submission,
     &Config::Autoconfig::submission_port},
};

// nullopt: not advertised.
std::optional<uint16_t> public_port(const std::vector<ListenAddress>& listen,
                                    const std::optional<uint16_t>& override_port,
                                    uint16_t iana_port) {
  if (listen.empty()) return std::nullopt;
  if (override_port) {
    if (*override_port == 0) return std::nullopt;
    return *override_port;
  }
  return listen.front().port != 0 ? listen.front().port : iana_port;
}

}  // namespace

PublicServer public_server(const Config& config) {
  PublicServer out;
  out.hostname = config.autoconfig.hostname.empty() ? config.hostname : config.autoconfig.hostname;
  for (const ServiceRow& row : kRows) {
    auto port =
        public_port(config.listen.*row.listen, config.autoconfig.*row.override_port, row.iana_port);
    if (port) out.endpoints.push_back({row.protocol, row.security, *port});
  }
  out.https_port = public_port(config.listen.https, config.autoconfig.https_port, 443);
  out.receives_mail = !config.listen.smtp.empty();
  return out;
}

std::vector<Endpoint> PublicServer::of(Protocol protocol) const {
  std::vector<Endpoint> out;
  for (const Endpoint& e : endpoints)
    if (e.protocol == protocol) out.push_back(e);
  return out;
}

std::optional<Endpoint> PublicServer::preferred(Protocol protocol) const {
  for (const Endpoint& e : endpoints)
    if (e.protocol == protocol) return e;
  return std::nullopt;
}

std::optional<Endpoint> PublicServer::find(Protocol protocol, Security security) const {
  for (const Endpoint& e : endpoints)
    if (e.protocol == protocol && e.security == security) return e;
  return std::nullopt;
}

std::string_view service_name(Protocol protocol, Security security) {
  const bool tls = security == Security::implicit_tls;
  switch (protocol) {
    case Protocol::imap:
      return tls ? "imaps" : "imap";
    case Protocol::pop3:
      return tls ? "pop3s" : "pop3";
    case Protocol::smtp:
      return tls ? "submissions" : "submission";
  }
  return "";
}

}  // namespace postamt::autoconfig
