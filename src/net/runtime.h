// Runtime: the io_context, its network threads, a separate pool for blocking work
// (store calls), timers and process signals. Asio itself stays in runtime.cpp.
//
// Network threads must never block: anything that may wait on disk or a lock
// (SQLite, fsync, password hashing) goes through run_blocking.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>

#include "net/connection.h"

namespace boost::asio {
class io_context;
}

namespace postamt::net {

enum class Signal { interrupt, terminate, hangup };  // SIGINT, SIGTERM, SIGHUP

enum class SignalHandling {
  none,     // leave process signals alone (tests, tools)
  install,  // catch SIGINT, SIGTERM and SIGHUP for wait_signal()
};

struct RuntimeOptions {
  int network_threads = 1;   // threads running the io_context (>= 1)
  int blocking_threads = 2;  // threads for run_blocking (>= 1)
  SignalHandling signals = SignalHandling::none;
};

class Runtime {
 public:
  explicit Runtime(RuntimeOptions options = {});
  // Stops the io_context and the blocking pool and joins all threads.
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  boost::asio::io_context& io_context();
  boost::asio::any_io_executor executor();

  // Starts network_threads threads running the io_context and returns. The io_context
  // keeps running (even when idle) until stop().
  void start();
  // Asks the io_context to stop; threads return after their current handler. Pending
  // coroutines are not resumed again. Callable from any thread, also from a handler.
  void stop();
  // Waits for the threads started by start() to return (after stop()). Not from a
  // network thread.
  void join();
  // After join(): stops the blocking pool and waits for the work running on it; work
  // still queued never runs. So that objects the work touches may be destroyed before
  // the Runtime. Not from a pool thread.
  void stop_blocking();

  // Runs `task` detached on the io_context. An exception escaping it is logged
  // (service "master", naming `what`) and swallowed: it never takes the process down.
  void spawn(awaitable<void> task, std::string what);

  // Completes with the next SIGINT/SIGTERM/SIGHUP. Meant for one waiter (the app's main
  // loop) at a time; signals arriving with no waiter are queued. Errors:
  // ErrorKind::invalid without SignalHandling::install, ErrorKind::closed when the
  // runtime is shutting down.
  awaitable<Result<Signal>> wait_signal();

  // Runs f() on the blocking pool and resumes the calling coroutine on its own
  // executor with f's result; an exception from f is rethrown in the coroutine. The
  // network thread is free meanwhile. f is moved to the pool thread; it must not touch
  // the Connection or other executor-bound objects. The Runtime must outlive the call.
  template <class F>
  awaitable<std::invoke_result_t<F>> run_blocking(F f);

 private:
  // Non-template core: runs `work` on the pool, then resumes on the caller's executor.
  awaitable<void> run_blocking_erased(std::function<void()> work);

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Suspends the calling coroutine for `duration` (e.g. the delay after a failed login)
// without holding a thread. Runs on the coroutine's executor.
awaitable<void> sleep(Duration duration);

template <class F>
awaitable<std::invoke_result_t<F>> Runtime::run_blocking(F f) {
  using R = std::invoke_result_t<F>;
  std::exception_ptr failure;
  if constexpr (std::is_void_v<R>) {
    co_await run_blocking_erased([&f, &failure] {
      try {
        f();
      } catch (...) {
        failure = std::current_exception();
      }
    });
    if (failure) std::rethrow_exception(failure);
  } else {
    std::optional<R> result;
    co_await run_blocking_erased([&f, &failure, &result] {
      try {
        result.emplace(f());
      } catch (...) {
        failure = std::current_exception();
      }
    });
    if (failure) std::rethrow_exception(failure);
    co_return std::move(*result);
  }
}

}  // namespace postamt::net
