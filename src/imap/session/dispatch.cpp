#include "imap/session/dispatch.h"

#include <type_traits>

#include "imap/session/commands/commands.h"

namespace postamt::imap {
namespace {

// The table: one line per command.
template <class T>
constexpr auto kHandler = nullptr;
template <>
constexpr auto kHandler<proto::SelectCmd> = &commands::select;
template <>
constexpr auto kHandler<proto::ListCmd> = &commands::list;
template <>
constexpr auto kHandler<proto::StatusCmd> = &commands::status;
template <>
constexpr auto kHandler<proto::CreateCmd> = &commands::create;
template <>
constexpr auto kHandler<proto::DeleteCmd> = &commands::delete_mailbox;
template <>
constexpr auto kHandler<proto::RenameCmd> = &commands::rename;
template <>
constexpr auto kHandler<proto::SubscribeCmd> = &commands::subscribe;
template <>
constexpr auto kHandler<proto::CloseCmd> = &commands::close;
template <>
constexpr auto kHandler<proto::UnselectCmd> = &commands::unselect;
template <>
constexpr auto kHandler<proto::ExpungeCmd> = &commands::expunge;
template <>
constexpr auto kHandler<proto::CheckCmd> = &commands::check;
template <>
constexpr auto kHandler<proto::NoopCmd> = &commands::noop;
template <>
constexpr auto kHandler<proto::FetchCmd> = &commands::fetch;
template <>
constexpr auto kHandler<proto::StoreCmd> = &commands::store;

template <class T>
constexpr bool kHasHandler =
    !std::is_same_v<std::remove_cv_t<decltype(kHandler<T>)>, std::nullptr_t>;

}  // namespace

bool allowed_after_login(proto::CommandState state, bool mailbox_selected) {
  switch (state) {
    case proto::CommandState::any:
    case proto::CommandState::authenticated:
      return true;
    case proto::CommandState::selected:
      return mailbox_selected;
    case proto::CommandState::not_authenticated:
      return false;
  }
  return false;
}

bool has_handler(const proto::CommandBody& body) {
  return std::visit([](const auto& c) { return kHasHandler<std::decay_t<decltype(c)>>; }, body);
}

Reply run_handler(CommandContext& ctx, const proto::CommandBody& body) {
  return std::visit(
      [&ctx](const auto& c) -> Reply {
        using T = std::decay_t<decltype(c)>;
        if constexpr (kHasHandler<T>)
          return kHandler<T>(ctx, c);
        else
          return Reply::bad("Command not implemented");
      },
      body);
}

}  // namespace postamt::imap
