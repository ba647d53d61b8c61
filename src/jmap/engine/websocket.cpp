#include "jmap/engine/websocket.h"

#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/log.h"
#include "base/strings.h"
#include "http/websocket.h"
#include "jmap/engine/api.h"
#include "jmap/engine/change_watch.h"
#include "jmap/engine/problem.h"
#include "jmap/engine/standard.h"
#include "jmap/engine/state_changes.h"
#include "jmap/proto/websocket.h"

namespace postamt::jmap {
namespace {

namespace ws = http::websocket;
using Clock = std::chrono::steady_clock;

// Octets asked of the connection per read.
constexpr size_t kReadChunk = 16 * 1024;

// What to do with the client's octets after the server sent its Close.
enum class AfterClose {
  end,          // nothing (the client's Close was received, or reads fail after shutdown)
  await_close,  // decode frames until the client's Close (RFC 6455 §7.1.1)
  discard,      // the octets no longer decode: read and drop them until the client closes
};

enum class Next { go_on, stop };

class JmapWebSocket final : public http::Upgraded {
 public:
  JmapWebSocket(const Services& services, store::Account account, store::Credential credential,
                std::shared_ptr<AccountSlots> api_slots, AccountSlots::Slot slot)
      : services_(services),
        account_(std::move(account)),
        credential_(credential),
        api_slots_(std::move(api_slots)),
        slot_(std::move(slot)),
        decoder_(services.limits.max_websocket_message),
        watch_(services, account_) {}

  net::awaitable<void> run(net::Connection& connection, std::string already_read) override;

 private:
  net::awaitable<Next> handle(ws::Message message);
  net::awaitable<Next> on_text(std::string text);
  net::awaitable<Next> run_request(WebSocketRequest request);
  net::awaitable<Next> enable_push(WebSocketPushEnable enable);
  // Sends a StateChange when a wanted type changed since modseq_; false when the
  // connection is gone.
  net::awaitable<bool> push_changes();
  net::awaitable<bool> send_state_change(std::vector<std::pair<std::string, std::string>> states);
  net::awaitable<bool> send(ws::Opcode opcode, std::string payload);
  net::awaitable<void> close(uint16_t code, std::string reason, AfterClose after);
  bool wanted(std::string_view type) const {
    return !data_types_ ||
           std::find(data_types_->begin(), data_types_->end(), type) != data_types_->end();
  }

  const Services& services_;
  store::Account account_;
  store::Credential credential_;  // what the handshake authenticated with
  std::shared_ptr<AccountSlots> api_slots_;
  AccountSlots::Slot slot_;  // this WebSocket's place among the account's
  net::Connection* conn_ = nullptr;
  ws::Decoder decoder_;
  std::array<char, kReadChunk> chunk_{};
  // Push (RFC 8887 §4.3.5): on or off, the types wanted (nullopt: all), the account's
  // changes since the state the client has been told about.
  bool push_ = false;
  std::optional<std::vector<std::string>> data_types_;
  ChangeWatch watch_;
  // Liveness: when the client was last heard from, when the server last pinged.
  Clock::time_point last_heard_;
  Clock::time_point last_ping_;
};

net::awaitable<void> JmapWebSocket::run(net::Connection& connection, std::string already_read) {
  conn_ = &connection;
  const Limits& limits = services_.limits;
  decoder_.feed(already_read);
  last_heard_ = last_ping_ = Clock::now();
  for (;;) {
    // Everything decoded so far, in order.
    for (;;) {
      auto next = decoder_.next();
      if (std::holds_alternative<std::monostate>(next)) break;
      if (auto* failure = std::get_if<ws::Failure>(&next)) {
        log::info("jmap", "websocket of <{}> from {} failed: {}", account_.address,
                  conn_->remote().address, failure->reason);
        co_await close(failure->code, failure->reason, AfterClose::discard);
        co_return;
      }
      auto handling = handle(std::get<ws::Message>(std::move(next)));
      if (co_await std::move(handling) == Next::stop) co_return;
    }
    if (conn_->shutdown_requested()) {
      co_await close(ws::kGoingAway, "server shutting down", AfterClose::end);
      co_return;
    }
    if (push_ && watch_.may_have_changed() && !co_await push_changes()) co_return;

    Clock::time_point now = Clock::now();
    const Clock::time_point idle_at = last_heard_ + limits.websocket_idle_timeout;
    if (now >= idle_at) {
      co_await close(ws::kGoingAway, "idle timeout", AfterClose::await_close);
      co_return;
    }
    // RFC 6455 §5.5.2: a Ping now and then tells a live client from a vanished one.
    Clock::time_point ping_at = std::max(last_heard_, last_ping_) + limits.websocket_ping_interval;
    if (now >= ping_at) {
      if (!co_await send(ws::Opcode::ping, "")) co_return;
      last_ping_ = now;
      ping_at = now + limits.websocket_ping_interval;
    }
    Clock::time_point wake = std::min(ping_at, idle_at);
    if (push_) wake = std::min(wake, now + (services_.watch ? kWatchCheck : kStoreCheck));
    auto got = co_await conn_->read_some(std::span<char>(chunk_.data(), chunk_.size()),
                                         std::max<net::Duration>(wake - now, kWatchCheck / 10));
    if (got) {
      decoder_.feed(std::string_view(chunk_.data(), *got));
      last_heard_ = Clock::now();
      continue;
    }
    if (got.error().kind == ErrorKind::timeout) continue;
    if (conn_->shutdown_requested()) {
      co_await close(ws::kGoingAway, "server shutting down", AfterClose::end);
      co_return;
    }
    co_return;  // the client went away without a Close
  }
}

net::awaitable<Next> JmapWebSocket::handle(ws::Message message) {
  switch (message.opcode) {
    case ws::Opcode::text: {
      auto task = on_text(std::move(message.payload));
      co_return co_await std::move(task);
    }
    case ws::Opcode::binary:
      // RFC 8887 §4.3.1: a binary frame may be answered with 1003.
      co_await close(ws::kUnsupportedData, "JMAP messages are text", AfterClose::await_close);
      co_return Next::stop;
    case ws::Opcode::ping:
      co_return co_await send(ws::Opcode::pong, std::move(message.payload)) ? Next::go_on
                                                                            : Next::stop;
    case ws::Opcode::close: {
      auto parsed = ws::parse_close_payload(message.payload);
      if (auto* failure = std::get_if<ws::Failure>(&parsed)) {
        co_await close(failure->code, failure->reason, AfterClose::end);
        co_return Next::stop;
      }
      // RFC 6455 §5.5.1: answer with a Close, echoing the code; then the server closes
      // the TCP connection at once.
      const auto& received = std::get<ws::ClosePayload>(parsed);
      std::string payload = received.code ? ws::close_payload(*received.code, "") : "";
      co_await send(ws::Opcode::close, std::move(payload));
      co_return Next::stop;
    }
    case ws::Opcode::pong:
    case ws::Opcode::continuation:
      break;
  }
  co_return Next::go_on;
}

net::awaitable<Next> JmapWebSocket::on_text(std::string text) {
  std::vector<std::string_view> known = server_capabilities();
  WebSocketMessage message = parse_websocket_message(text, request_limits(services_), known);
  text.clear();
  if (auto* request = std::get_if<WebSocketRequest>(&message)) {
    auto task = run_request(std::move(*request));
    co_return co_await std::move(task);
  }
  if (auto* enable = std::get_if<WebSocketPushEnable>(&message)) {
    auto task = enable_push(std::move(*enable));
    co_return co_await std::move(task);
  }
  if (std::holds_alternative<WebSocketPushDisable>(message)) {
    push_ = false;
    co_return Next::go_on;
  }
  const auto& error = std::get<WebSocketRequestError>(message);
  bool sent =
      co_await send(ws::Opcode::text, encode_websocket_problem(error.request_id, error.problem));
  co_return sent ? Next::go_on : Next::stop;
}

net::awaitable<Next> JmapWebSocket::run_request(WebSocketRequest request) {
  // RFC 8887 §4.3.2: maxConcurrentRequests covers WebSocket requests too.
  auto place =
      AccountSlots::take(api_slots_, account_.id, services_.limits.max_concurrent_requests);
  if (!place) {
    ProblemDetails limit{std::string(kProblemLimit), 400,
                         "too many requests of this account at once", "maxConcurrentRequests"};
    bool sent = co_await send(ws::Opcode::text, encode_websocket_problem(request.id, limit));
    co_return sent ? Next::go_on : Next::stop;
  }
  const Services* services = &services_;
  store::Account who = account_;
  store::Credential credential = credential_;
  auto work = [services, who, credential, calls = std::move(request.request)]() mutable {
    return run_api_request(*services, who, credential, std::move(calls));
  };
  auto task = services_.runtime->run_blocking(std::move(work));
  ApiOutcome outcome = co_await std::move(task);
  place.reset();
  bool sent = co_await send(ws::Opcode::text,
                            encode_websocket_response(request.id, outcome.responses,
                                                      outcome.session_state, outcome.created_ids));
  if (services_.downloads)
    for (const mail::DownloadEvent& e : outcome.downloads) services_.downloads->on_download(e);
  co_return sent ? Next::go_on : Next::stop;
}

net::awaitable<Next> JmapWebSocket::enable_push(WebSocketPushEnable enable) {
  push_ = true;
  data_types_ = std::move(enable.data_types);
  auto starting = watch_.start();
  Result<ModSeq> now = co_await std::move(starting);
  if (!now) {
    log::warning("jmap", "cannot read the state of <{}>: {}", account_.address,
                 now.error().message);
    co_await close(ws::kInternalError, "temporary failure", AfterClose::await_close);
    co_return Next::stop;
  }
  if (!enable.push_state) co_return Next::go_on;
  // RFC 8887 §4.3.5.2: the changes since the client's pushState, at once.
  std::optional<ModSeq> since = parse_state(*enable.push_state);
  if (since && *since <= *now) {
    watch_.continue_from(*since);
    co_return co_await push_changes() ? Next::go_on : Next::stop;
  }
  // A state this server never gave: everything the client keeps may have changed.
  Moved all;
  all.modseq = *now;
  all.mailboxes = all.emails = all.threads = true;
  auto states = changed_types(all, [this](std::string_view type) { return wanted(type); });
  if (states.empty()) co_return Next::go_on;
  co_return co_await send_state_change(std::move(states)) ? Next::go_on : Next::stop;
}

net::awaitable<bool> JmapWebSocket::push_changes() {
  auto task = watch_.changed([this](std::string_view type) { return wanted(type); });
  auto states = co_await std::move(task);
  if (states.empty()) co_return true;
  co_return co_await send_state_change(std::move(states));
}

net::awaitable<bool> JmapWebSocket::send_state_change(
    std::vector<std::pair<std::string, std::string>> states) {
  // The pushState is the account's state: every type's state names it (standard.h).
  std::string text = encode_websocket_state_change(account_object_id(account_.id), states,
                                                   state_string(watch_.modseq()));
  co_return co_await send(ws::Opcode::text, std::move(text));
}

net::awaitable<bool> JmapWebSocket::send(ws::Opcode opcode, std::string payload) {
  std::string frame = ws::encode_frame(opcode, payload);
  auto written = co_await conn_->write(frame, kWebSocketWriteTimeout);
  if (!written) {
    log::info("jmap", "write to {} failed: {}", conn_->remote().address, written.error().message);
    co_return false;
  }
  co_return true;
}

net::awaitable<void> JmapWebSocket::close(uint16_t code, std::string reason, AfterClose after) {
  if (!co_await send(ws::Opcode::close, ws::close_payload(code, reason))) co_return;
  if (after == AfterClose::end) co_return;
  // RFC 6455 §7.1.1: the server closes the TCP connection once the client's Close has
  // arrived; until then (or kCloseWait) its octets are read, so that closing does not
  // reset a connection with unread data and lose the Close just sent.
  const Clock::time_point deadline = Clock::now() + kCloseWait;
  for (;;) {
    if (after == AfterClose::await_close) {
      for (;;) {
        auto next = decoder_.next();
        if (std::holds_alternative<std::monostate>(next)) break;
        if (std::holds_alternative<ws::Failure>(next)) co_return;
        if (std::get<ws::Message>(next).opcode == ws::Opcode::close) co_return;
      }
    }
    Clock::time_point now = Clock::now();
    if (now >= deadline) co_return;
    auto got =
        co_await conn_->read_some(std::span<char>(chunk_.data(), chunk_.size()), deadline - now);
    if (!got) {
      if (got.error().kind == ErrorKind::timeout) continue;
      co_return;
    }
    if (after == AfterClose::await_close) decoder_.feed(std::string_view(chunk_.data(), *got));
  }
}

// "https://mail.example.org" of "https://mail.example.org/anything".
std::string_view origin_of(std::string_view url) {
  size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return url;
  return url.substr(0, url.find('/', scheme + 3));
}

bool allowed_origin(std::string_view origin, std::string_view base,
                    const std::vector<std::string>& others) {
  if (iequals(origin, origin_of(base))) return true;
  return std::any_of(others.begin(), others.end(),
                     [origin](const std::string& o) { return iequals(origin, o); });
}

}  // namespace

http::Response open_websocket(const Services& services, WebSocketSlots slots,
                              store::Account account, store::Credential credential,
                              const http::Request& request, std::string_view base) {
  auto checked = http::websocket::check_client_handshake(request);
  if (auto* refusal = std::get_if<http::websocket::HandshakeRefusal>(&checked)) {
    http::Response r = problem(refusal->status, "about:blank", refusal->detail);
    // RFC 6455 §4.2.2: the versions the server speaks.
    if (refusal->status == 426) r.with("Sec-WebSocket-Version", "13");
    return r;
  }
  const auto& handshake = std::get<http::websocket::ClientHandshake>(checked);
  // RFC 6455 §10.2: only pages of this service may open a WebSocket with credentials a
  // browser may have remembered; clients that are not browsers send no Origin.
  if (auto origin = request.header("Origin");
      origin && !allowed_origin(trim(*origin), base, services.cors_origins))
    return problem(403, "about:blank", "WebSockets from this origin are not allowed");
  if (std::find(handshake.protocols.begin(), handshake.protocols.end(), kWebSocketProtocol) ==
      handshake.protocols.end())
    return problem(400, "about:blank",
                   "the WebSocket subprotocol \"jmap\" is required (RFC 8887 §4.2)");
  auto place =
      AccountSlots::take(std::move(slots.sockets), account.id, services.limits.max_websockets);
  if (!place)
    return problem(429, "urn:ietf:params:jmap:error:limit",
                   "too many WebSockets of this account at once", "maxWebSockets");
  http::Response r;
  r.status = 101;
  r.with("Upgrade", "websocket")
      .with("Connection", "Upgrade")
      .with("Sec-WebSocket-Accept", handshake.accept)
      .with("Sec-WebSocket-Protocol", std::string(kWebSocketProtocol));
  r.upgrade = std::make_unique<JmapWebSocket>(services, std::move(account), credential,
                                              std::move(slots.api), std::move(*place));
  return r;
}

}  // namespace postamt::jmap
