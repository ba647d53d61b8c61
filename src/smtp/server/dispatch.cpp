#include "smtp/server/dispatch.h"

#include <string_view>
#include <type_traits>
#include <variant>

#include "smtp/server/commands/commands.h"

// See smtp/client/client.cpp: g++ 12 false positive on Asio's coroutine frames.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace postamt::smtp::server::detail {
namespace {

namespace code = proto::code;

enum class NeedsGreeting { no, helo_or_ehlo, ehlo };
enum class NeedsTransaction { no, open, none_open };
enum class NeedsLogin { no, in_submission, not_yet };

// A command's state rules and the words of each refusal (503 5.5.1, or 530 5.7.0 for a
// submission without login), checked in this order: greeting, login, transaction.
struct Rules {
  NeedsGreeting greeting = NeedsGreeting::no;
  std::string_view greeting_text;
  NeedsLogin login = NeedsLogin::no;
  std::string_view login_text;
  NeedsTransaction transaction = NeedsTransaction::no;
  std::string_view transaction_text;
};

// The table: one line per command. BDAT has no rules here: RFC 3030 §2 wants its chunk
// read even when the command is refused, so it checks for itself after reading.
// A command type without a line here does not compile: run() calls its nullptr.
template <class T>
constexpr auto kHandler = nullptr;
template <class T>
constexpr Rules kRules{};

template <>
constexpr auto kHandler<proto::Ehlo> = &commands::ehlo;
template <>
constexpr auto kHandler<proto::Helo> = &commands::helo;
template <>
constexpr auto kHandler<proto::Mail> = &commands::mail;
template <>
constexpr Rules kRules<proto::Mail>{NeedsGreeting::helo_or_ehlo, "Send EHLO or HELO first",
                                    NeedsLogin::in_submission,   "Authentication required",
                                    NeedsTransaction::none_open, "Nested MAIL command"};
template <>
constexpr auto kHandler<proto::Rcpt> = &commands::rcpt;
template <>
constexpr Rules kRules<proto::Rcpt>{
    NeedsGreeting::no, "", NeedsLogin::no, "", NeedsTransaction::open, "Need MAIL before RCPT"};
template <>
constexpr auto kHandler<proto::Data> = &commands::data;
template <>
constexpr Rules kRules<proto::Data>{
    NeedsGreeting::no, "", NeedsLogin::no, "", NeedsTransaction::open, "Need MAIL command"};
template <>
constexpr auto kHandler<proto::Bdat> = &commands::bdat;
template <>
constexpr auto kHandler<proto::Rset> = &commands::rset;
template <>
constexpr auto kHandler<proto::Noop> = &commands::noop;
template <>
constexpr auto kHandler<proto::Quit> = &commands::quit;
template <>
constexpr auto kHandler<proto::Vrfy> = &commands::vrfy;
template <>
constexpr auto kHandler<proto::Expn> = &commands::expn;
template <>
constexpr auto kHandler<proto::Help> = &commands::help;
template <>
constexpr auto kHandler<proto::Starttls> = &commands::starttls;
template <>
constexpr auto kHandler<proto::Auth> = &commands::auth;
template <>
constexpr Rules kRules<proto::Auth>{
    NeedsGreeting::ehlo,         "Send EHLO first",
    NeedsLogin::not_yet,         "Already authenticated",
    NeedsTransaction::none_open, "AUTH is not allowed during a mail transaction"};

// Every alternative of proto::Command has a line above.

Reply refusal(std::string_view text) {
  return proto::make_reply(503, code::kBadCommand, std::string(text));
}

// The refusal the rules give in `session`'s state, or nullopt.
std::optional<Reply> refused(const Rules& rules, const Session& session) {
  if (rules.greeting == NeedsGreeting::helo_or_ehlo && !session.helo_)
    return refusal(rules.greeting_text);
  if (rules.greeting == NeedsGreeting::ehlo &&
      (!session.helo_ || session.greeting_ != Greeting::ehlo))
    return refusal(rules.greeting_text);
  if (rules.login == NeedsLogin::in_submission && session.options_.mode == Mode::submission &&
      !session.user_)
    return proto::make_reply(530, code::kAuthRequired, std::string(rules.login_text));
  if (rules.login == NeedsLogin::not_yet && session.user_) return refusal(rules.login_text);
  if (rules.transaction == NeedsTransaction::open && !session.transaction_)
    return refusal(rules.transaction_text);
  if (rules.transaction == NeedsTransaction::none_open && session.transaction_)
    return refusal(rules.transaction_text);
  return std::nullopt;
}

template <class T>
net::awaitable<Next> run(Session& session, T command) {
  if (auto refusal = refused(kRules<T>, session)) {
    // A submission without login is a probe worth a log line (Session::log_reject).
    if constexpr (std::is_same_v<T, proto::Mail>) {
      if (refusal->code == 530)
        session.log_reject("MAIL", *refusal, command.reverse_path.to_string(), "");
    }
    auto answered = session.answer(std::move(*refusal));
    co_return co_await std::move(answered);
  }
  auto handled = kHandler<T>(session, std::move(command));
  co_return co_await std::move(handled);
}

}  // namespace

net::awaitable<Next> dispatch(Session& session, proto::Command command) {
  return std::visit(
      [&session](auto& c) -> net::awaitable<Next> { return run(session, std::move(c)); }, command);
}

}  // namespace postamt::smtp::server::detail
