// Test support: run one coroutine to completion on a private io_context and return its
// result. For unit tests only (includes Asio).
#pragma once

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <exception>
#include <future>
#include <optional>
#include <stdexcept>

#include "net/connection.h"
#include "net/runtime.h"

namespace postamt::net::testing {

namespace detail {
// co_spawn needs a default-constructible result; Result<T> is not, so store it here.
template <class T>
awaitable<void> store_result(awaitable<T> task, std::optional<T>* out) {
  out->emplace(co_await std::move(task));
}
template <class T>
awaitable<void> fulfil(awaitable<T> task, std::promise<T>* out) {
  try {
    out->set_value(co_await std::move(task));
  } catch (...) {
    out->set_exception(std::current_exception());
  }
}
}  // namespace detail

// Runs `task` on `io` until the io_context runs out of work; rethrows its exception.
// Throws std::logic_error if the task did not finish (it is waiting for something that
// never comes).
template <class T>
T run_to_completion(boost::asio::io_context& io, awaitable<T> task) {
  std::optional<T> result;
  std::exception_ptr failure;
  boost::asio::co_spawn(io, detail::store_result(std::move(task), &result),
                        [&](std::exception_ptr e) { failure = e; });
  io.restart();
  io.run();
  if (failure) std::rethrow_exception(failure);
  if (!result) throw std::logic_error("coroutine did not finish");
  return std::move(*result);
}

inline void run_to_completion(boost::asio::io_context& io, awaitable<void> task) {
  bool done = false;
  std::exception_ptr failure;
  boost::asio::co_spawn(io, std::move(task), [&](std::exception_ptr e) {
    failure = e;
    done = true;
  });
  io.restart();
  io.run();
  if (failure) std::rethrow_exception(failure);
  if (!done) throw std::logic_error("coroutine did not finish");
}

// Runs `task` on a started Runtime (on a fresh strand) and blocks the calling thread,
// which must not be a network thread, until it finishes; rethrows its exception.
template <class T>
T block_on(Runtime& runtime, awaitable<T> task) {
  std::promise<T> promise;
  auto future = promise.get_future();
  runtime.spawn(detail::fulfil(std::move(task), &promise), "test task");
  return future.get();
}

}  // namespace postamt::net::testing
