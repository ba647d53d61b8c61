#include "store/postgres/change_listener.h"

#include <libpq-fe.h>
#include <poll.h>

#include <algorithm>
#include <chrono>

#include "base/log.h"

namespace postamt::store::postgres {

namespace {

constexpr std::chrono::milliseconds kFirstBackoff{50};
constexpr std::chrono::milliseconds kMaxBackoff{1000};
constexpr int kPollMilliseconds = 100;  // how soon the destructor is noticed

// Connects and LISTENs; the connection or the error.
Result<PGconn*> listen(const PostgresOptions& options) {
  auto conn = detail::connect(options);
  if (!conn) return conn.error();
  std::string sql = "LISTEN " + std::string(kChangeChannel);
  PGresult* r = PQexec(*conn, sql.c_str());
  bool ok = r && PQresultStatus(r) == PGRES_COMMAND_OK;
  PQclear(r);
  if (!ok) {
    Error e{ErrorKind::temporary,
            "database unavailable: cannot listen: " + std::string(PQerrorMessage(*conn))};
    PQfinish(*conn);
    return e;
  }
  return *conn;
}

}  // namespace

Result<std::unique_ptr<ChangeListener>> ChangeListener::start(PostgresOptions options,
                                                              std::function<void()> on_change) {
  auto conn = listen(options);
  if (!conn) return conn.error();
  std::unique_ptr<ChangeListener> listener(
      new ChangeListener(std::move(options), std::move(on_change)));
  PGconn* first = *conn;
  listener->thread_ = std::thread([raw = listener.get(), first] { raw->run(first); });
  return listener;
}

ChangeListener::ChangeListener(PostgresOptions options, std::function<void()> on_change)
    : options_(std::move(options)), on_change_(std::move(on_change)) {}

ChangeListener::~ChangeListener() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void ChangeListener::run(PGconn* conn) {
  auto backoff = kFirstBackoff;
  on_change_();  // whatever changed before the first LISTEN took effect
  while (!stop_) {
    if (conn == nullptr) {
      auto fresh = listen(options_);
      if (!fresh) {
        // Sleep in short steps so that the destructor is not kept waiting.
        auto until = std::chrono::steady_clock::now() + backoff;
        while (!stop_ && std::chrono::steady_clock::now() < until) {
          std::this_thread::sleep_for(std::chrono::milliseconds(kPollMilliseconds / 2));
        }
        backoff = std::min(backoff * 2, kMaxBackoff);
        continue;
      }
      conn = *fresh;
      backoff = kFirstBackoff;
      log::info("store", "change listener connected again");
      on_change_();  // notifications sent while disconnected are lost
    }
    pollfd fd{PQsocket(conn), POLLIN, 0};
    int ready = ::poll(&fd, 1, kPollMilliseconds);
    if (ready < 0) continue;  // EINTR
    if (ready == 0) continue;
    if (!PQconsumeInput(conn) || PQstatus(conn) != CONNECTION_OK) {
      log::warning("store", "change listener lost its connection: {}",
                   std::string(PQerrorMessage(conn)));
      PQfinish(conn);
      conn = nullptr;
      continue;
    }
    bool changed = false;
    while (PGnotify* n = PQnotifies(conn)) {
      changed = true;
      PQfreemem(n);
    }
    if (changed) on_change_();
  }
  if (conn) PQfinish(conn);
}

}  // namespace postamt::store::postgres
