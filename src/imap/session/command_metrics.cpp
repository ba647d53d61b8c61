#include "imap/session/command_metrics.h"

#include <type_traits>
#include <variant>

namespace postamt::imap {
namespace {

using namespace proto;

// A command type without a name here does not compile (the primary template is empty
// and the visitor below refuses it).
template <class T>
constexpr std::string_view kName = {};
template <>
constexpr std::string_view kName<CapabilityCmd> = "CAPABILITY";
template <>
constexpr std::string_view kName<NoopCmd> = "NOOP";
template <>
constexpr std::string_view kName<LogoutCmd> = "LOGOUT";
template <>
constexpr std::string_view kName<IdleCmd> = "IDLE";
template <>
constexpr std::string_view kName<NamespaceCmd> = "NAMESPACE";
template <>
constexpr std::string_view kName<StartTlsCmd> = "STARTTLS";
template <>
constexpr std::string_view kName<CheckCmd> = "CHECK";
template <>
constexpr std::string_view kName<CloseCmd> = "CLOSE";
template <>
constexpr std::string_view kName<UnselectCmd> = "UNSELECT";
template <>
constexpr std::string_view kName<AuthenticateCmd> = "AUTHENTICATE";
template <>
constexpr std::string_view kName<LoginCmd> = "LOGIN";
template <>
constexpr std::string_view kName<SelectCmd> = "SELECT";
template <>
constexpr std::string_view kName<CreateCmd> = "CREATE";
template <>
constexpr std::string_view kName<DeleteCmd> = "DELETE";
template <>
constexpr std::string_view kName<RenameCmd> = "RENAME";
template <>
constexpr std::string_view kName<SubscribeCmd> = "SUBSCRIBE";
template <>
constexpr std::string_view kName<ListCmd> = "LIST";
template <>
constexpr std::string_view kName<StatusCmd> = "STATUS";
template <>
constexpr std::string_view kName<AppendCmd> = "APPEND";
template <>
constexpr std::string_view kName<ExpungeCmd> = "EXPUNGE";
template <>
constexpr std::string_view kName<SearchCmd> = "SEARCH";
template <>
constexpr std::string_view kName<FetchCmd> = "FETCH";
template <>
constexpr std::string_view kName<StoreCmd> = "STORE";
template <>
constexpr std::string_view kName<CopyCmd> = "COPY";
template <>
constexpr std::string_view kName<IdCmd> = "ID";
template <>
constexpr std::string_view kName<EnableCmd> = "ENABLE";
template <>
constexpr std::string_view kName<GetQuotaCmd> = "GETQUOTA";
template <>
constexpr std::string_view kName<GetQuotaRootCmd> = "GETQUOTAROOT";
template <>
constexpr std::string_view kName<SortCmd> = "SORT";
template <>
constexpr std::string_view kName<ThreadCmd> = "THREAD";
template <>
constexpr std::string_view kName<CompressCmd> = "COMPRESS";
template <>
constexpr std::string_view kName<CancelUpdateCmd> = "CANCELUPDATE";
template <>
constexpr std::string_view kName<GetMetadataCmd> = "GETMETADATA";
template <>
constexpr std::string_view kName<SetMetadataCmd> = "SETMETADATA";
template <>
constexpr std::string_view kName<NotifyCmd> = "NOTIFY";
template <>
constexpr std::string_view kName<SetQuotaCmd> = "SETQUOTA";

template <class T>
constexpr bool kHasUidForm =
    std::is_same_v<T, SearchCmd> || std::is_same_v<T, FetchCmd> || std::is_same_v<T, StoreCmd> ||
    std::is_same_v<T, CopyCmd> || std::is_same_v<T, SortCmd> || std::is_same_v<T, ThreadCmd>;

}  // namespace

std::string_view command_metric_name(const CommandBody& body) {
  return std::visit(
      [](const auto& c) -> std::string_view {
        using T = std::decay_t<decltype(c)>;
        static_assert(!kName<T>.empty(), "every IMAP command needs a metric name");
        if constexpr (std::is_same_v<T, SelectCmd>)
          return c.mode == SelectMode::examine ? "EXAMINE" : "SELECT";
        if constexpr (std::is_same_v<T, SubscribeCmd>)
          return c.action == Subscription::unsubscribe ? "UNSUBSCRIBE" : "SUBSCRIBE";
        if constexpr (std::is_same_v<T, ListCmd>)
          return c.kind == ListCmd::Kind::lsub ? "LSUB" : "LIST";
        if constexpr (std::is_same_v<T, ExpungeCmd>) return c.uids ? "UID EXPUNGE" : "EXPUNGE";
        if constexpr (std::is_same_v<T, CopyCmd>) {
          const bool uid = c.numbers == NumberKind::uid;
          if (c.action == Transfer::move) return uid ? "UID MOVE" : "MOVE";
          return uid ? "UID COPY" : "COPY";
        }
        if constexpr (kHasUidForm<T> && !std::is_same_v<T, CopyCmd>) {
          if (c.numbers == NumberKind::uid) {
            if constexpr (std::is_same_v<T, SearchCmd>) return "UID SEARCH";
            if constexpr (std::is_same_v<T, FetchCmd>) return "UID FETCH";
            if constexpr (std::is_same_v<T, StoreCmd>) return "UID STORE";
            if constexpr (std::is_same_v<T, SortCmd>) return "UID SORT";
            if constexpr (std::is_same_v<T, ThreadCmd>) return "UID THREAD";
          }
        }
        return kName<T>;
      },
      body);
}

std::string_view command_metric_result(Condition condition) {
  switch (condition) {
    case Condition::ok:
      return "ok";
    case Condition::no:
      return "no";
    default:
      return "bad";
  }
}

}  // namespace postamt::imap
