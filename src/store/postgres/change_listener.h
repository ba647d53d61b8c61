// ChangeListener: LISTEN/NOTIFY for the nodes of a cluster. Every write transaction of a
// PostgresConnection sends NOTIFY postamt_change with its commit; a listener hears the
// writes of every node, so a node's StoreWatch can poll at once instead of on a timer.
//
// start() returns once the first connection LISTENs, or the connection's error
// (ErrorKind::temporary when the server is unreachable). Then a thread of its own calls
// on_change() for every notification (several pending ones may be reported as one), and
// once after every reconnect, since changes may have been missed while disconnected. A
// lost connection is retried with a backoff from 50 ms doubling to at most 1 s.
// on_change runs on the listener's thread and must return quickly. The destructor
// stops and joins the thread (within about 100 ms).
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <thread>

#include "store/postgres/postgres_connection.h"

namespace postamt::store::postgres {

class ChangeListener {
 public:
  static Result<std::unique_ptr<ChangeListener>> start(PostgresOptions options,
                                                       std::function<void()> on_change);
  ~ChangeListener();
  ChangeListener(const ChangeListener&) = delete;
  ChangeListener& operator=(const ChangeListener&) = delete;

 private:
  ChangeListener(PostgresOptions options, std::function<void()> on_change);
  void run(pg_conn* conn);

  PostgresOptions options_;
  std::function<void()> on_change_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace postamt::store::postgres
