// The io_context, its threads, the blocking pool and signals.
#include "net/runtime.h"

#include <csignal>
#include <thread>
#include <vector>

#include "base/log.h"
#include "net/asio_detail.h"

namespace postamt::net {

struct Runtime::Impl {
  explicit Impl(RuntimeOptions o)
      : options(o),
        io(std::max(1, o.network_threads)),
        work(io.get_executor()),
        pool(static_cast<size_t>(std::max(1, o.blocking_threads))) {
    if (o.signals == SignalHandling::install) {
      signals.emplace(io, SIGINT, SIGTERM);
      signals->add(SIGHUP);
    }
  }

  RuntimeOptions options;
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work;
  asio::thread_pool pool;
  std::optional<asio::signal_set> signals;
  std::vector<std::thread> threads;
};

Runtime::Runtime(RuntimeOptions options) : impl_(std::make_unique<Impl>(options)) {}

Runtime::~Runtime() {
  stop();
  join();
  impl_->pool.stop();
  impl_->pool.join();
}

boost::asio::io_context& Runtime::io_context() {
  return impl_->io;
}

boost::asio::any_io_executor Runtime::executor() {
  return impl_->io.get_executor();
}

void Runtime::start() {
  int n = std::max(1, impl_->options.network_threads);
  for (int i = 0; i < n; ++i) {
    impl_->threads.emplace_back([this] { impl_->io.run(); });
  }
}

void Runtime::stop() {
  impl_->work.reset();
  impl_->io.stop();
}

void Runtime::join() {
  for (auto& t : impl_->threads) {
    if (t.joinable()) t.join();
  }
  impl_->threads.clear();
}

void Runtime::stop_blocking() {
  impl_->pool.stop();
  impl_->pool.join();
}

void Runtime::spawn(awaitable<void> task, std::string what) {
  asio::co_spawn(asio::make_strand(impl_->io), std::move(task),
                 [what = std::move(what)](std::exception_ptr failure) {
                   if (!failure) return;
                   try {
                     std::rethrow_exception(failure);
                   } catch (const std::exception& e) {
                     log::error("master", "{} failed: {}", what, e.what());
                   } catch (...) {
                     log::error("master", "{} failed with a non-standard exception", what);
                   }
                 });
}

awaitable<Result<Signal>> Runtime::wait_signal() {
  if (!impl_->signals) co_return Error{ErrorKind::invalid, "signal handling not installed"};
  auto [ec, number] = co_await impl_->signals->async_wait(asio::as_tuple(asio::use_awaitable));
  if (ec) co_return Error{ErrorKind::closed, "signal wait cancelled"};
  switch (number) {
    case SIGINT:
      co_return Signal::interrupt;
    case SIGTERM:
      co_return Signal::terminate;
    default:
      co_return Signal::hangup;
  }
}

awaitable<void> Runtime::run_blocking_erased(std::function<void()> work) {
  auto& pool = impl_->pool;
  co_await asio::async_initiate<decltype(asio::use_awaitable), void()>(
      [&pool](auto handler, std::function<void()> job) {
        asio::post(pool, [handler = std::move(handler), job = std::move(job)]() mutable {
          job();
          // Back to the coroutine's own executor: the pool thread must never run
          // network code.
          auto executor = asio::get_associated_executor(handler);
          asio::post(executor, std::move(handler));
        });
      },
      asio::use_awaitable, std::move(work));
}

awaitable<void> sleep(Duration duration) {
  asio::steady_timer timer(co_await asio::this_coro::executor, deadline_after(duration));
  co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
}

}  // namespace postamt::net
