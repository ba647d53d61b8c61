#include "dns/unbound_resolver.h"

#include <arpa/inet.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unbound.h>
#include <unistd.h>

#include <fmt/format.h>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <thread>

#include "dns/names.h"
#include "dns/rdata.h"

namespace postamt::dns {
namespace {

std::string_view type_name(RrType type) {
  switch (type) {
    case RrType::a:
      return "A";
    case RrType::aaaa:
      return "AAAA";
    case RrType::mx:
      return "MX";
    case RrType::txt:
      return "TXT";
    case RrType::ptr:
      return "PTR";
    case RrType::tlsa:
      return "TLSA";
  }
  return "?";
}

std::string_view rcode_name(int rcode) {
  // RFC 1035 §4.1.1, RFC 6895 §2.3.
  switch (rcode) {
    case 1:
      return "FORMERR";
    case 2:
      return "SERVFAIL";
    case 4:
      return "NOTIMP";
    case 5:
      return "REFUSED";
    default:
      return "error";
  }
}

// A query name as libunbound takes it: printable ASCII without spaces, labels of 1-63
// octets, at most 253 characters without the trailing dot (RFC 1035 §2.3.4).
Result<std::string> query_name(std::string_view name) {
  std::string n(name);
  if (!n.empty() && n.back() == '.') n.pop_back();
  if (n.empty() || n.size() > 253)
    return Error(ErrorKind::invalid, fmt::format("not a valid DNS name: \"{}\"", name));
  size_t label = 0;
  for (char c : n) {
    if (c == '.') {
      if (label == 0) break;
      label = 0;
      continue;
    }
    if (c <= ' ' || c > '~' || c == '\\' || ++label > 63)
      return Error(ErrorKind::invalid, fmt::format("not a valid DNS name: \"{}\"", name));
  }
  if (label == 0)
    return Error(ErrorKind::invalid, fmt::format("not a valid DNS name: \"{}\"", name));
  return n;
}

// One outstanding query: filled by the callback, which runs inside ub_process on the
// collector thread.
struct Pending {
  std::mutex mutex;
  std::condition_variable done_cv;
  bool done = false;
  int err = 0;
  ub_result* result = nullptr;
};

void on_answer(void* data, int err, ub_result* result) {
  auto* pending = static_cast<Pending*>(data);
  std::lock_guard lock(pending->mutex);
  pending->done = true;
  pending->err = err;
  pending->result = result;
  pending->done_cv.notify_all();
}

}  // namespace

struct UnboundResolver::Context {
  ub_ctx* ctx = nullptr;
  int wake_fd = -1;  // eventfd: tells the collector to stop
  std::chrono::milliseconds timeout{};
  bool dnssec = true;
  // Held around ub_process (where callbacks run) and ub_cancel, so that a cancelled
  // query's callback can never run after its caller gave up on it.
  std::mutex process_mutex;
  std::thread collector;

  ~Context() {
    if (collector.joinable()) {
      const uint64_t one = 1;
      (void)!::write(wake_fd, &one, sizeof one);
      collector.join();
    }
    if (ctx) ub_ctx_delete(ctx);
    if (wake_fd >= 0) ::close(wake_fd);
  }

  void collect() {
    pollfd fds[2] = {{ub_fd(ctx), POLLIN, 0}, {wake_fd, POLLIN, 0}};
    for (;;) {
      fds[0].revents = fds[1].revents = 0;
      if (::poll(fds, 2, -1) < 0) continue;  // EINTR
      if (fds[1].revents) return;
      if (fds[0].revents) {
        std::lock_guard lock(process_mutex);
        ub_process(ctx);
      }
    }
  }

  // The raw answer for (name, type), or the error the contract names.
  Result<ub_result*> query(const std::string& name, RrType type) {
    Pending pending;
    int id = 0;
    const int rc = ub_resolve_async(ctx, name.c_str(), static_cast<int>(type), 1 /* IN */, &pending,
                                    on_answer, &id);
    if (rc != 0)
      return Error(ErrorKind::temporary,
                   fmt::format("DNS {} lookup of {}: {}", type_name(type), name, ub_strerror(rc)));
    std::unique_lock lock(pending.mutex);
    if (!pending.done_cv.wait_for(lock, timeout, [&] { return pending.done; })) {
      lock.unlock();
      std::lock_guard process(process_mutex);
      lock.lock();
      // Answered between the wait and the lock: take it. Otherwise cancel, which
      // guarantees (under process_mutex) that the callback never runs.
      if (!pending.done) {
        ub_cancel(ctx, id);
        return Error(ErrorKind::temporary, fmt::format("DNS {} lookup of {}: no answer within {}ms",
                                                       type_name(type), name, timeout.count()));
      }
    }
    if (pending.err != 0)
      return Error(ErrorKind::temporary, fmt::format("DNS {} lookup of {}: {}", type_name(type),
                                                     name, ub_strerror(pending.err)));
    return pending.result;
  }

  template <class T>
  Result<Answer<T>> lookup(std::string_view raw_name, RrType type,
                           Result<T> (*decode)(std::string_view)) {
    auto name = query_name(raw_name);
    POSTAMT_TRY(name);
    auto raw = query(*name, type);
    POSTAMT_TRY(raw);
    std::unique_ptr<ub_result, void (*)(ub_result*)> result(*raw, ub_resolve_free);
    // RFC 4035 §4.3: a bogus answer must not be used; it is a failure to retry later.
    if (result->bogus)
      return Error(ErrorKind::temporary,
                   fmt::format("DNS {} lookup of {}: DNSSEC bogus: {}", type_name(type), *name,
                               result->why_bogus ? result->why_bogus : "no reason given"));
    if (result->nxdomain || result->rcode == 3)
      return Error(ErrorKind::not_found, fmt::format("{}: NXDOMAIN", *name));
    if (result->rcode != 0)
      return Error(ErrorKind::temporary, fmt::format("DNS {} lookup of {}: {}", type_name(type),
                                                     *name, rcode_name(result->rcode)));
    Answer<T> answer;
    answer.secure = dnssec && result->secure != 0;
    if (result->havedata) {
      for (int i = 0; result->data[i] != nullptr; ++i) {
        auto record =
            decode(std::string_view(result->data[i], static_cast<size_t>(result->len[i])));
        if (!record)
          return Error(ErrorKind::invalid, fmt::format("DNS {} lookup of {}: {}", type_name(type),
                                                       *name, record.error().message));
        answer.records.push_back(std::move(*record));
      }
    }
    return answer;
  }
};

Result<std::string> unbound_forwarder(std::string_view forwarder) {
  const std::string text(forwarder);
  auto bad = [&](std::string_view why) {
    return Error(ErrorKind::invalid, fmt::format("DNS forwarder \"{}\": {}", text, why));
  };
  unsigned char raw[16];
  std::string host = text;
  std::string port;
  bool has_port = false;
  if (!text.empty() && text.front() == '[') {
    const size_t close = text.find(']');
    if (close == std::string::npos) return bad("missing ']'");
    host = text.substr(1, close - 1);
    if (close + 1 != text.size()) {
      if (text[close + 1] != ':') return bad("expected ':' and a port after ']'");
      port = text.substr(close + 2);
      has_port = true;
    }
    if (inet_pton(AF_INET6, host.c_str(), raw) != 1) return bad("not an IPv6 address");
  } else if (inet_pton(AF_INET6, text.c_str(), raw) == 1) {
    host = text;
  } else {
    const size_t colon = text.find(':');
    if (colon != std::string::npos) {
      host = text.substr(0, colon);
      port = text.substr(colon + 1);
      has_port = true;
    }
    if (inet_pton(AF_INET, host.c_str(), raw) != 1)
      return bad("not an IP address (use \"ip\", \"ip:port\" or \"[ipv6]:port\")");
  }
  if (!has_port) return host;
  unsigned value = 0;
  for (char c : port) {
    if (c < '0' || c > '9' || value > 65535) return bad("port must be 1-65535");
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (port.empty() || port.size() > 5 || value == 0 || value > 65535)
    return bad("port must be 1-65535");
  return fmt::format("{}@{}", host, value);
}

UnboundResolver::UnboundResolver(std::unique_ptr<Context> context) : context_(std::move(context)) {}

UnboundResolver::~UnboundResolver() = default;

Result<std::unique_ptr<UnboundResolver>> UnboundResolver::create(const UnboundSettings& settings) {
  if (settings.timeout < std::chrono::milliseconds(1) || settings.timeout > kMaxLookupTimeout)
    return Error(ErrorKind::invalid,
                 fmt::format("DNS timeout {}ms is outside 1ms-{}ms", settings.timeout.count(),
                             kMaxLookupTimeout.count()));
  std::vector<std::string> forwarders;
  for (const std::string& f : settings.forwarders) {
    auto parsed = unbound_forwarder(f);
    POSTAMT_TRY(parsed);
    forwarders.push_back(std::move(*parsed));
  }

  auto context = std::make_unique<Context>();
  context->timeout = settings.timeout;
  context->dnssec = settings.dnssec;
  context->ctx = ub_ctx_create();
  if (!context->ctx) return Error(ErrorKind::temporary, "libunbound: cannot create a context");
  ub_ctx* ctx = context->ctx;
  auto failed = [](std::string_view what, int rc) {
    return Error(ErrorKind::invalid, fmt::format("libunbound: {}: {}", what, ub_strerror(rc)));
  };
  // Errors come back to the caller as values; unbound's own log lines would only repeat
  // them on stderr.
  ub_ctx_debugout(ctx, nullptr);
  // Answers are collected by our thread; queries run on a thread, not a forked process.
  if (int rc = ub_ctx_async(ctx, 1)) return failed("async mode", rc);
  // Forwarders are chosen by the admin, and a validating resolver on loopback is the
  // recommended set-up (docs/mail-authentication/dns.md): allow 127.0.0.0/8 and ::1.
  if (int rc = ub_ctx_set_option(ctx, "do-not-query-localhost:", "no"))
    return failed("do-not-query-localhost", rc);

  if (forwarders.empty()) {
    if (::access(settings.resolv_conf.c_str(), R_OK) != 0)
      return Error(ErrorKind::io,
                   fmt::format("cannot read {}: {}", settings.resolv_conf, std::strerror(errno)));
    if (int rc = ub_ctx_resolvconf(ctx, settings.resolv_conf.c_str()))
      return failed(settings.resolv_conf, rc);
  } else {
    for (const std::string& f : forwarders)
      if (int rc = ub_ctx_set_fwd(ctx, f.c_str())) return failed("forwarder " + f, rc);
  }

  if (settings.dnssec) {
    std::ifstream anchors(settings.trust_anchor_file);
    if (!anchors)
      return Error(ErrorKind::io,
                   fmt::format("cannot read the trust-anchor file {}", settings.trust_anchor_file));
    // A plain file (not RFC 5011 tracking): Debian keeps /usr/share/dns/root.key current,
    // and the file need not be writable.
    if (int rc = ub_ctx_add_ta_file(ctx, settings.trust_anchor_file.c_str()))
      return failed("trust-anchor file " + settings.trust_anchor_file, rc);
  } else {
    // No validator module at all: nothing is "secure", nothing "bogus".
    if (int rc = ub_ctx_set_option(ctx, "module-config:", "iterator"))
      return failed("module-config", rc);
  }

  // Last: removing a local zone finalizes the configuration (libunbound(3)).
  if (settings.resolve_test_names)
    if (int rc = ub_ctx_zone_remove(ctx, "test.")) return failed("local zone test.", rc);

  context->wake_fd = ::eventfd(0, EFD_CLOEXEC);
  if (context->wake_fd < 0)
    return Error(ErrorKind::temporary, fmt::format("eventfd: {}", std::strerror(errno)));
  Context* raw = context.get();
  context->collector = std::thread([raw] { raw->collect(); });
  return std::unique_ptr<UnboundResolver>(new UnboundResolver(std::move(context)));
}

Result<Answer<MxRecord>> UnboundResolver::mx(std::string_view name) {
  return context_->lookup(name, RrType::mx, &decode_mx);
}
Result<Answer<std::string>> UnboundResolver::a(std::string_view name) {
  return context_->lookup(name, RrType::a, &decode_a);
}
Result<Answer<std::string>> UnboundResolver::aaaa(std::string_view name) {
  return context_->lookup(name, RrType::aaaa, &decode_aaaa);
}
Result<Answer<std::string>> UnboundResolver::txt(std::string_view name) {
  return context_->lookup(name, RrType::txt, &decode_txt);
}
Result<Answer<std::string>> UnboundResolver::ptr(std::string_view address) {
  auto name = reverse_name(address);
  POSTAMT_TRY(name);
  return context_->lookup(*name, RrType::ptr, &decode_ptr);
}
Result<Answer<TlsaRecord>> UnboundResolver::tlsa(std::string_view name) {
  return context_->lookup(name, RrType::tlsa, &decode_tlsa);
}

}  // namespace postamt::dns
