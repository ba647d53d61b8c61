#include "pop3/session/dispatch.h"

#include <type_traits>
#include <variant>

#include "pop3/proto/response.h"
#include "pop3/session/commands/commands.h"

// g++ 12 reports -Wmismatched-new-delete for Asio's coroutine frame allocator (a false
// positive: Asio pairs its own operator new/delete).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace postamt::pop3::detail {
namespace {

// The table: one line per command.
// A command type without a line here does not compile: run() calls its nullptr.
template <class T>
constexpr auto kHandler = nullptr;
template <>
constexpr auto kHandler<proto::User> = &commands::user;
template <>
constexpr auto kHandler<proto::Pass> = &commands::pass;
template <>
constexpr auto kHandler<proto::Auth> = &commands::auth;
template <>
constexpr auto kHandler<proto::Stls> = &commands::stls;
template <>
constexpr auto kHandler<proto::Capa> = &commands::capa;
template <>
constexpr auto kHandler<proto::Quit> = &commands::quit;
template <>
constexpr auto kHandler<proto::Stat> = &commands::stat;
template <>
constexpr auto kHandler<proto::List> = &commands::list;
template <>
constexpr auto kHandler<proto::Uidl> = &commands::uidl;
template <>
constexpr auto kHandler<proto::Retr> = &commands::retr;
template <>
constexpr auto kHandler<proto::Top> = &commands::top;
template <>
constexpr auto kHandler<proto::Dele> = &commands::dele;
template <>
constexpr auto kHandler<proto::Rset> = &commands::rset;
template <>
constexpr auto kHandler<proto::Noop> = &commands::noop;

template <class T>
net::awaitable<Next> run(Session& session, T command) {
  constexpr proto::CommandState state = T::kState;
  if (state == proto::CommandState::transaction && session.state_ != State::transaction) {
    auto refused = session.bad_command(proto::err("command not valid before login"));
    co_return co_await std::move(refused);
  }
  if (state == proto::CommandState::authorization && session.state_ != State::authorization) {
    auto refused = session.bad_command(proto::err("command not valid after login"));
    co_return co_await std::move(refused);
  }
  auto handled = kHandler<T>(session, std::move(command));
  co_return co_await std::move(handled);
}

}  // namespace

net::awaitable<Next> dispatch(Session& session, proto::Command command) {
  return std::visit(
      [&session](auto& c) -> net::awaitable<Next> { return run(session, std::move(c)); }, command);
}

}  // namespace postamt::pop3::detail
