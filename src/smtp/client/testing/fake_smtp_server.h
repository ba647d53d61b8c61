// Test-only: a scripted SMTP server on a real loopback socket (net::Server), for tests
// of the client and of the queue's delivery worker. Header-only.
#pragma once

#include <fmt/format.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/strings.h"
#include "net/line_reader.h"
#include "net/server.h"

namespace postamt::smtp::client::testing {

struct FakeSmtpScript {
  std::string greeting = "220 fake.test ESMTP";
  // Whole EHLO reply without the final CRLF; lines joined by "\r\n".
  std::string ehlo = "250-fake.test\r\n250-SIZE 1000000\r\n250-8BITMIME\r\n250 DSN";
  std::string ehlo_after_tls = "250-fake.test\r\n250-SIZE 1000000\r\n250-8BITMIME\r\n250 DSN";
  // Reply by exact command line first ("RCPT TO:<b@y.test>"), then by verb ("RCPT").
  std::map<std::string, std::string> replies;
  std::string data_end = "250 2.0.0 Ok: queued as FAKE1";
};

struct FakeSmtpState {
  std::mutex mutex;
  FakeSmtpScript script;
  std::vector<std::string> commands;  // every command line received, in order
  std::string data;                   // DATA content as received (dot-stuffed), last one
  int sessions = 0;
  bool saw_tls = false;
};

inline net::awaitable<void> fake_smtp_session(std::unique_ptr<net::Connection> conn,
                                              net::SessionContext,
                                              std::shared_ptr<FakeSmtpState> st) {
  using namespace std::chrono_literals;
  FakeSmtpScript script;
  {
    std::lock_guard lock(st->mutex);
    script = st->script;
    ++st->sessions;
  }
  std::string greet = script.greeting + "\r\n";
  if (!co_await conn->write(greet, 5s)) co_return;
  net::LineReader reader(*conn);
  for (;;) {
    auto line = co_await reader.read_line(4096, 10s);
    if (!line) co_return;
    std::string verb = ascii_upper(line->text.substr(0, line->text.find_first_of(" :")));
    {
      std::lock_guard lock(st->mutex);
      st->commands.push_back(line->text);
    }
    std::string reply;
    if (auto it = script.replies.find(line->text); it != script.replies.end())
      reply = it->second;
    else if (auto v = script.replies.find(verb); v != script.replies.end())
      reply = v->second;
    else if (verb == "EHLO")
      reply = conn->is_tls() ? script.ehlo_after_tls : script.ehlo;
    else if (verb == "HELO")
      reply = "250 fake.test";
    else if (verb == "MAIL")
      reply = "250 2.1.0 Ok";
    else if (verb == "RCPT")
      reply = "250 2.1.5 Ok";
    else if (verb == "DATA")
      reply = "354 End data with <CR><LF>.<CR><LF>";
    else if (verb == "RSET")
      reply = "250 2.0.0 Ok";
    else if (verb == "STARTTLS")
      reply = "220 2.0.0 Ready to start TLS";
    else if (verb == "QUIT")
      reply = "221 2.0.0 Bye";
    else
      reply = "502 5.5.2 Error: command not recognized";
    reply += "\r\n";
    if (!co_await conn->write(reply, 5s)) co_return;
    if (verb == "QUIT") co_return;
    if (verb == "STARTTLS" && reply.starts_with("220")) {
      reader.discard_buffered();
      if (!co_await conn->start_tls(5s)) co_return;
      std::lock_guard lock(st->mutex);
      st->saw_tls = true;
      continue;
    }
    if (verb == "DATA" && reply.starts_with("354")) {
      std::string data;
      for (;;) {
        auto l = co_await reader.read_line(4096, 10s);
        if (!l) co_return;
        if (l->text == ".") break;
        data += l->text + "\r\n";
      }
      {
        std::lock_guard lock(st->mutex);
        st->data = data;
      }
      std::string end = script.data_end + "\r\n";
      if (!co_await conn->write(end, 5s)) co_return;
    }
  }
}

// Starts listening on 127.0.0.1:0 and returns the port (0 on failure).
inline uint16_t listen_fake_smtp(net::Server& server, std::shared_ptr<FakeSmtpState> state) {
  auto bound =
      server.add_listener("fake-smtp", "127.0.0.1:0", net::TlsMode::plain,
                          [state](std::unique_ptr<net::Connection> c, net::SessionContext ctx) {
                            return fake_smtp_session(std::move(c), std::move(ctx), state);
                          });
  return bound ? bound->port : 0;
}

}  // namespace postamt::smtp::client::testing
