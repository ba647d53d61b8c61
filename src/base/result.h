// Result<T>: a value or an Error. g++ 12 with clang 16 has no usable std::expected,
// so this is a small one of our own with the same spirit.
//
//   Result<int> parse(std::string_view s);
//   auto r = parse("42");
//   if (!r) return r.error();          // propagate
//   int v = *r;
//
// Accessing value() of an error Result (or error() of a value) is a bug and aborts.
#pragma once

#include <cstdlib>
#include <utility>
#include <variant>

#include "base/error.h"

namespace postamt {

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}
  Result(ErrorKind kind, std::string message)
      : v_(std::in_place_index<1>, Error{kind, std::move(message)}) {}

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

  const Error& error() const {
    check(false);
    return std::get<1>(v_);
  }

 private:
  void check(bool want_value) const {
    if (ok() != want_value) std::abort();
  }
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}
  Result(ErrorKind kind, std::string message) : error_{kind, std::move(message)}, ok_(false) {}

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const {
    if (ok_) std::abort();
    return error_;
  }

 private:
  Error error_;
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
