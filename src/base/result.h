// Result<T, E>: a value or an error. g++ 12 with clang 16 has no usable std::expected,
// so this is a small one of our own with the same spirit, and the only one in Postamt:
// every layer uses it, the codecs with their own error type where one ErrorKind cannot
// carry what the protocol answers (smtp::proto::CommandError, imap::proto::ParseError).
//
//   Result<int> parse(std::string_view s);
//   auto r = parse("42");
//   if (!r) return r.error();          // propagate
//   int v = *r;
//
// E defaults to Error. A Result can be built from a value, from anything T can be built
// from (`return Mail{...};` into a Result<Command>), from an E, or from an error kind
// and a message when E is {kind, message}. Accessing value() of an error Result (or
// error() of a value) is a bug and aborts.
#pragma once

#include <cstdlib>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

#include "base/error.h"

namespace postamt {

template <class T, class E = Error>
class Result;

namespace result_detail {
template <class X>
struct is_result : std::false_type {};
template <class T, class E>
struct is_result<Result<T, E>> : std::true_type {};

// E is {kind, message}: Error, smtp::proto::CommandError, ...
template <class E, class Kind>
concept KindAndMessage = std::is_enum_v<Kind> && requires(Kind k, std::string m) { E{k, m}; };
}  // namespace result_detail

template <class T, class E>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}
  template <class U>
    requires(!std::is_same_v<std::remove_cvref_t<U>, T> &&
             !std::is_same_v<std::remove_cvref_t<U>, E> &&
             !result_detail::is_result<std::remove_cvref_t<U>>::value &&
             std::is_constructible_v<T, U &&> && !std::is_constructible_v<E, U &&>)
  Result(U&& value) : v_(std::in_place_index<0>, std::forward<U>(value)) {}
  Result(E error) : v_(std::in_place_index<1>, std::move(error)) {}
  template <class Kind>
    requires result_detail::KindAndMessage<E, Kind>
  Result(Kind kind, std::string message) : v_(std::in_place_index<1>, E{kind, std::move(message)}) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    check(true);
    return std::get<0>(v_);
  }
  const T& value() const& {
    check(true);
    return std::get<0>(v_);
  }
  T&& value() && {
    check(true);
    return std::get<0>(std::move(v_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const E& error() const {
    check(false);
    return std::get<1>(v_);
  }

 private:
  void check(bool want_value) const {
    if (ok() != want_value) std::abort();
  }
  std::variant<T, E> v_;
};

template <class E>
class [[nodiscard]] Result<void, E> {
 public:
  Result() = default;
  Result(E error) : error_(std::move(error)), ok_(false) {}
  template <class Kind>
    requires result_detail::KindAndMessage<E, Kind>
  Result(Kind kind, std::string message) : error_{kind, std::move(message)}, ok_(false) {}

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const E& error() const {
    if (ok_) std::abort();
    return error_;
  }

 private:
  E error_{};
  bool ok_ = true;
};

// Propagates the error of a Result expression out of the enclosing function, which
// must return a Result (or Error-convertible) type.
#define POSTAMT_TRY(expr)                               \
  do {                                                  \
    auto&& postamt_try_r_ = (expr);                     \
    if (!postamt_try_r_) return postamt_try_r_.error(); \
  } while (0)

}  // namespace postamt
