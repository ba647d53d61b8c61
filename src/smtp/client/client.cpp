#include "smtp/client/client.h"

// g++ 12 reports -Wmismatched-new-delete for Asio's coroutine frame allocator in large
// coroutines (a false positive: Asio pairs its own operator new/delete).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

#include <fmt/format.h>

#include <array>

#include "base/base64.h"
#include "base/strings.h"
#include "smtp/proto/reply_parser.h"
#include "smtp/proto/xtext.h"

namespace postamt::smtp::client {
namespace {

std::string reply_line(const proto::Reply& r) {
  std::string out = std::to_string(r.code);
  if (r.enhanced) out += " " + r.enhanced->to_string();
  for (const auto& l : r.lines) {
    out += ' ';
    out += l;
  }
  return std::string(trim(out));
}

std::string status_of(const proto::Reply& r) {
  if (r.enhanced) return r.enhanced->to_string();
  // RFC 3463 §3.1: X.0.0 when nothing more specific is known.
  return fmt::format("{}.0.0", r.code / 100);
}

RecipientResult from_reply(const proto::Reply& r) {
  RecipientResult out;
  out.outcome = r.code < 400 ? Outcome::sent : r.code < 500 ? Outcome::deferred : Outcome::failed;
  out.status = status_of(r);
  out.diagnostic = reply_line(r);
  return out;
}

RecipientResult local_result(Outcome outcome, std::string status, std::string diagnostic) {
  RecipientResult out;
  out.outcome = outcome;
  out.status = std::move(status);
  out.diagnostic = std::move(diagnostic);
  return out;
}

bool is_ascii(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  return true;
}

struct AuthOutcome {
  std::optional<RecipientResult> failure;  // nullopt: authenticated
  bool usable = true;                      // false: the connection broke
};

RecipientResult auth_refused(const proto::Reply& r, std::string_view host);
bool offers_mechanism(const proto::EhloInfo& ehlo, std::string_view mechanism);

class Session {
 public:
  Session(net::Connection& c, const Options& o) : conn_(c), options_(o) {}

  // Sends `command` (without CRLF; empty = only read, for the greeting) and reads the
  // reply. On a network or protocol error returns nullopt and records why in failure_.
  // `command` must stay alive until the call completes (literals, or a local of the
  // caller's frame): string_view, so that no std::string temporary sits inside the
  // caller's co_await expression (g++ 12 coroutine bug).
  net::awaitable<std::optional<proto::Reply>> exchange(std::string_view command,
                                                       net::Duration timeout,
                                                       std::string_view what) {
    if (!command.empty()) {
      std::string line = std::string(command) + "\r\n";
      auto w = co_await conn_.write(line, timeout);
      if (!w) {
        failure_ = fmt::format("lost connection while sending {}: {}", what, w.error().message);
        co_return std::nullopt;
      }
    }
    co_return co_await read_reply(timeout, what);
  }

  net::awaitable<std::optional<proto::Reply>> read_reply(net::Duration timeout,
                                                         std::string_view what) {
    auto deadline = net::deadline_after(timeout);
    std::array<char, 4096> buf;
    for (;;) {
      auto next = parser_.next();
      if (!next) {
        failure_ = fmt::format("bad reply to {}: {}", what, next.error().message);
        co_return std::nullopt;
      }
      if (*next) co_return std::move(**next);
      auto left = deadline - std::chrono::steady_clock::now();
      if (left <= net::Duration::zero()) {
        failure_ = fmt::format("timeout waiting for the reply to {}", what);
        co_return std::nullopt;
      }
      auto n = co_await conn_.read_some(std::span<char>(buf), left);
      if (!n) {
        failure_ = fmt::format("lost connection while waiting for the reply to {}: {}", what,
                               n.error().message);
        co_return std::nullopt;
      }
      parser_.feed(std::string_view(buf.data(), *n));
    }
  }

  net::awaitable<void> quit() {
    auto r = co_await exchange("QUIT", options_.timeouts.command, "QUIT");
    (void)r;
  }

  // RFC 4954 with the options' credentials, after the EHLO that `ehlo` was read from.
  // Sends them only over TLS; PLAIN is preferred, LOGIN is used when only it is offered.
  net::awaitable<AuthOutcome> authenticate(const proto::EhloInfo* ehlo) {
    const Credentials& c = *options_.credentials;
    const std::string& host = options_.server_name;
    const net::Duration timeout = options_.timeouts.command;
    auto refuse = [](std::string status, std::string why) {
      return AuthOutcome{local_result(Outcome::deferred, std::move(status), std::move(why))};
    };
    if (!conn_.is_tls())
      co_return refuse("4.7.0", fmt::format("{} does not offer STARTTLS; the credentials are "
                                            "sent only over TLS",
                                            host));
    std::optional<proto::Reply> reply;
    if (offers_mechanism(*ehlo, "PLAIN")) {
      std::string command = auth_plain_command(c);
      reply = co_await exchange(command, timeout, "AUTH PLAIN");
    } else if (offers_mechanism(*ehlo, "LOGIN")) {
      // The LOGIN mechanism (draft-murchison-sasl-login): user name, then password, each
      // answering a 334 challenge.
      reply = co_await exchange("AUTH LOGIN", timeout, "AUTH LOGIN");
      if (reply && reply->code == 334) {
        std::string user = base64::encode(c.username);
        reply = co_await exchange(user, timeout, "AUTH LOGIN");
      }
      if (reply && reply->code == 334) {
        std::string password = base64::encode(c.password);
        reply = co_await exchange(password, timeout, "AUTH LOGIN");
      }
    } else {
      co_return refuse("4.7.0", fmt::format("{} offers no AUTH PLAIN or LOGIN", host));
    }
    if (!reply) co_return AuthOutcome{local_result(Outcome::deferred, "4.4.2", failure_), false};
    if (reply->code != 235) co_return AuthOutcome{auth_refused(*reply, host)};
    co_return AuthOutcome{};
  }

  proto::ReplyParser& parser() { return parser_; }
  const std::string& failure() const { return failure_; }

 private:
  net::Connection& conn_;
  const Options& options_;
  proto::ReplyParser parser_;
  std::string failure_;
};

void set_all(Delivery& d, const std::vector<size_t>& which, const RecipientResult& r) {
  for (size_t i : which) d.recipients[i] = r;
}

// The certificate check for the delivery's TLS requirement (net::PeerCheck).
net::PeerCheck peer_check(const Options& o) {
  net::PeerCheck check;
  check.names = o.tls_names.empty() ? std::vector<std::string>{o.server_name} : o.tls_names;
  switch (o.tls_requirement) {
    case TlsRequirement::none:
      check.how = o.tls_report_only ? net::PeerAuthentication::pkix : net::PeerAuthentication::none;
      check.enforce = !o.tls_report_only;
      break;
    case TlsRequirement::encrypt:
      check.how = net::PeerAuthentication::none;
      break;
    case TlsRequirement::verify:
      check.how = net::PeerAuthentication::pkix;
      break;
    case TlsRequirement::dane:
      check.how = net::PeerAuthentication::dane;
      check.tlsa = o.tlsa;
      break;
  }
  return check;
}

bool offers_mechanism(const proto::EhloInfo& ehlo, std::string_view mechanism) {
  const proto::EhloExtension* auth = ehlo.find("AUTH");
  if (!auth) return false;
  for (const std::string& p : auth->params)
    if (ascii_upper(p) == mechanism) return true;
  return false;
}

// A refused AUTH is deferred whatever its class: the admin can fix the credentials, and
// RFC 4954 §6's 535 5.7.8 becomes 4.7.8.
RecipientResult auth_refused(const proto::Reply& r, std::string_view host) {
  std::string status = "4.7.8";
  if (r.enhanced) status = "4" + r.enhanced->to_string().substr(1);
  return local_result(Outcome::deferred, status,
                      fmt::format("{} refused the credentials: {}", host, reply_line(r)));
}

}  // namespace

std::string auth_plain_command(const Credentials& credentials) {
  std::string message;
  message += '\0';  // RFC 4616 §2: empty authzid (act as the authenticated user)
  message += credentials.username;
  message += '\0';
  message += credentials.password;
  return "AUTH PLAIN " + base64::encode(message);
}

std::string dot_stuff(std::string_view body) {
  std::string out;
  out.reserve(body.size() + body.size() / 64 + 8);
  bool line_start = true;
  for (char c : body) {
    // RFC 5321 §4.5.2: a line starting with "." gets one more.
    if (line_start && c == '.') out += '.';
    out += c;
    line_start = c == '\n';
  }
  if (!body.empty() && !(body.size() >= 2 && body.substr(body.size() - 2) == "\r\n")) out += "\r\n";
  out += ".\r\n";
  return out;
}

net::awaitable<Delivery> deliver(net::Connection& connection, Envelope envelope, Options options) {
  Delivery d;
  d.recipients.resize(envelope.recipients.size());
  std::vector<size_t> all;
  for (size_t i = 0; i < envelope.recipients.size(); ++i) all.push_back(i);
  const Timeouts& t = options.timeouts;
  Session s(connection, options);

  auto fail_network = [&](const std::vector<size_t>& which) {
    set_all(d, which, local_result(Outcome::deferred, "4.4.2", s.failure()));
  };
  const bool tls_required = options.tls_requirement != TlsRequirement::none;
  // A TLS requirement not met: nothing of the message goes out.
  auto fail_tls = [&](std::string status, std::string_view why, std::string failure_type) {
    set_all(d, all,
            local_result(Outcome::deferred, std::move(status),
                         fmt::format("TLS required by {} for {}: {}", options.tls_required_by,
                                     options.server_name, why)));
    d.tls_failure = std::move(failure_type);
  };
  // A failed handshake: under a requirement, a 4.7.5 with the check's failure type.
  auto fail_handshake = [&](const Error& e) {
    if (!tls_required) {
      set_all(d, all,
              local_result(Outcome::deferred, "4.7.0", "TLS handshake failed: " + e.message));
      return;
    }
    std::string type = connection.tls_failure();
    if (e.kind == ErrorKind::invalid && options.tls_requirement == TlsRequirement::dane)
      type = "tlsa-invalid";  // no usable TLSA record to check against
    if (type.empty()) type = "validation-failure";
    std::string why =
        e.kind == ErrorKind::permission ? e.message : "TLS handshake failed: " + e.message;
    fail_tls("4.7.5", why, type);
  };

  if (tls_required && !options.tls) {
    fail_tls("4.7.5", "no TLS client settings", "validation-failure");
    co_return d;
  }
  if (options.implicit_tls) {
    if (!options.tls) {
      set_all(d, all, local_result(Outcome::deferred, "4.7.5", "implicit TLS without settings"));
      co_return d;
    }
    // RFC 8314 §3.3: the handshake comes first; the greeting arrives over TLS.
    auto hs_task = connection.start_tls_client(options.tls, options.server_name, t.tls_handshake,
                                               peer_check(options));
    auto hs = co_await std::move(hs_task);
    if (!hs) {
      fail_handshake(hs.error());
      co_return d;
    }
    d.tls = connection.tls_info();
  }

  auto greeting = co_await s.exchange("", t.greeting, "the greeting");
  if (!greeting) {
    fail_network(all);
    co_return d;
  }
  if (greeting->code != 220) {
    set_all(d, all, from_reply(*greeting));
    if (greeting->code < 400)
      set_all(d, all,
              local_result(Outcome::deferred, "4.5.0",
                           "unexpected greeting: " + reply_line(*greeting)));
    co_await s.quit();
    co_return d;
  }

  proto::EhloInfo ehlo;
  std::string ehlo_cmd = "EHLO " + options.helo_name;
  auto ehlo_reply = co_await s.exchange(ehlo_cmd, t.command, "EHLO");
  if (!ehlo_reply) {
    fail_network(all);
    co_return d;
  }
  if (ehlo_reply->code >= 500) {
    // RFC 5321 §3.2: fall back to HELO for a server that does not know EHLO.
    std::string helo_cmd = "HELO " + options.helo_name;
    auto helo = co_await s.exchange(helo_cmd, t.command, "HELO");
    if (!helo) {
      fail_network(all);
      co_return d;
    }
    if (helo->code != 250) {
      set_all(d, all, from_reply(*helo));
      co_await s.quit();
      co_return d;
    }
  } else if (ehlo_reply->code != 250) {
    set_all(d, all, from_reply(*ehlo_reply));
    co_await s.quit();
    co_return d;
  } else {
    auto parsed = proto::parse_ehlo(*ehlo_reply);
    if (parsed) ehlo = std::move(*parsed);
  }

  if (tls_required && !connection.is_tls() && !ehlo.has("STARTTLS")) {
    fail_tls("4.7.4", "STARTTLS not offered", "starttls-not-supported");
    co_await s.quit();
    co_return d;
  }
  if (options.tls && ehlo.has("STARTTLS") && !connection.is_tls()) {
    auto st = co_await s.exchange("STARTTLS", t.command, "STARTTLS");
    if (!st) {
      fail_network(all);
      co_return d;
    }
    if (st->code != 220 && tls_required) {
      fail_tls("4.7.4", "STARTTLS refused: " + reply_line(*st), "starttls-not-supported");
      co_await s.quit();
      co_return d;
    }
    if (st->code == 220) {
      if (s.parser().has_pending_input()) {
        // RFC 3207 §5: nothing may follow 220 before the handshake (response injection).
        set_all(d, all,
                local_result(Outcome::deferred, "4.7.0", "server sent data after 220 to STARTTLS"));
        co_return d;
      }
      auto hs_task = connection.start_tls_client(options.tls, options.server_name, t.tls_handshake,
                                                 peer_check(options));
      auto hs = co_await std::move(hs_task);
      if (!hs) {
        fail_handshake(hs.error());
        co_return d;
      }
      d.tls = connection.tls_info();
      // RFC 3207 §4.2: forget everything learnt before TLS and ask again.
      s.parser() = proto::ReplyParser{};
      auto again = co_await s.exchange(ehlo_cmd, t.command, "EHLO");
      if (!again) {
        fail_network(all);
        co_return d;
      }
      if (again->code != 250) {
        set_all(d, all, from_reply(*again));
        co_await s.quit();
        co_return d;
      }
      auto parsed = proto::parse_ehlo(*again);
      ehlo = parsed ? std::move(*parsed) : proto::EhloInfo{};
    }
    // Opportunistic (RFC 7435): a refused STARTTLS continues in plaintext.
  }

  if (options.credentials) {
    auto auth_task = s.authenticate(&ehlo);
    AuthOutcome authenticated = co_await std::move(auth_task);
    if (authenticated.failure) {
      set_all(d, all, *authenticated.failure);
      if (authenticated.usable) co_await s.quit();
      co_return d;
    }
  }

  bool needs_utf8 = !is_ascii(envelope.sender);
  for (const auto& r : envelope.recipients) needs_utf8 = needs_utf8 || !is_ascii(r.address);
  if (needs_utf8 && !ehlo.has("SMTPUTF8")) {
    set_all(d, all,
            local_result(Outcome::failed, "5.6.7",
                         "the server does not support SMTPUTF8, needed for the addresses"));
    co_await s.quit();
    co_return d;
  }
  auto size_limit = ehlo.size_limit();
  if (size_limit && *size_limit > 0 && envelope.body.size() > *size_limit) {
    set_all(d, all,
            local_result(Outcome::failed, "5.3.4",
                         fmt::format("message size {} exceeds the server's limit {}",
                                     envelope.body.size(), *size_limit)));
    co_await s.quit();
    co_return d;
  }

  bool dsn = ehlo.has("DSN");
  std::string mail = fmt::format("MAIL FROM:<{}>", envelope.sender);
  if (size_limit) mail += fmt::format(" SIZE={}", envelope.body.size());
  if (!is_ascii(envelope.body) && ehlo.has("8BITMIME")) mail += " BODY=8BITMIME";
  if (needs_utf8) mail += " SMTPUTF8";
  if (dsn && envelope.ret == DsnReturn::full) mail += " RET=FULL";
  if (dsn && envelope.ret == DsnReturn::headers) mail += " RET=HDRS";
  if (dsn && !envelope.envid.empty()) mail += " ENVID=" + proto::xtext_encode(envelope.envid);
  auto mail_reply = co_await s.exchange(mail, t.command, "MAIL FROM");
  if (!mail_reply) {
    fail_network(all);
    co_return d;
  }
  if (mail_reply->code != 250) {
    set_all(d, all, from_reply(*mail_reply));
    co_await s.quit();
    co_return d;
  }

  std::vector<size_t> accepted;
  for (size_t i = 0; i < envelope.recipients.size(); ++i) {
    const Recipient& r = envelope.recipients[i];
    std::string rcpt = fmt::format("RCPT TO:<{}>", r.address);
    if (dsn && !r.notify.empty()) rcpt += " NOTIFY=" + r.notify;
    if (dsn && !r.orcpt.empty()) {
      size_t semi = r.orcpt.find(';');
      if (semi != std::string::npos)
        rcpt += fmt::format(" ORCPT={};{}", r.orcpt.substr(0, semi),
                            proto::xtext_encode(r.orcpt.substr(semi + 1)));
    }
    auto reply = co_await s.exchange(rcpt, t.command, "RCPT TO");
    if (!reply) {
      std::vector<size_t> rest(all.begin() + static_cast<long>(i), all.end());
      fail_network(rest);
      fail_network(accepted);
      co_return d;
    }
    d.recipients[i] = from_reply(*reply);
    if (reply->code == 250 || reply->code == 251)
      accepted.push_back(i);
    else if (reply->code < 400)
      d.recipients[i].outcome = Outcome::deferred;
  }
  if (accepted.empty()) {
    co_await s.quit();
    co_return d;
  }

  auto data = co_await s.exchange("DATA", t.data_start, "DATA");
  if (!data) {
    fail_network(accepted);
    co_return d;
  }
  if (data->code != 354) {
    RecipientResult r = from_reply(*data);
    if (data->code < 400) r.outcome = Outcome::deferred;
    set_all(d, accepted, r);
    co_await s.quit();
    co_return d;
  }
  std::string stuffed = dot_stuff(envelope.body);
  auto w = co_await connection.write(stuffed, t.data_block);
  if (!w) {
    set_all(d, accepted,
            local_result(Outcome::deferred, "4.4.2",
                         "lost connection while sending the message: " + w.error().message));
    co_return d;
  }
  auto end = co_await s.read_reply(t.data_end, "end of DATA");
  if (!end) {
    fail_network(accepted);
    co_return d;
  }
  RecipientResult final_result = from_reply(*end);
  if (end->code < 400 && end->code != 250) final_result.outcome = Outcome::deferred;
  final_result.dsn_passed_on = dsn;
  for (size_t i : accepted) {
    RecipientResult r = final_result;
    r.dsn_passed_on = dsn && !envelope.recipients[i].notify.empty();
    d.recipients[i] = r;
  }
  co_await s.quit();
  co_return d;
}

}  // namespace postamt::smtp::client
