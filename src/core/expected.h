#pragma once
// costwise::expected is std::expected where the standard library has it (GCC 12 in C++23 mode).
// Clang up to 18 cannot use libstdc++'s <expected> (it needs __cpp_concepts >= 202002L), and the
// libFuzzer builds use Debian's clang, so this header carries a small stand-in with the subset of
// std::expected's interface that costwise uses. Code always spells costwise::expected/unexpected.
#include <utility>
#include <version>

#if defined(__cpp_lib_expected) && __cpp_lib_expected >= 202202L
#include <expected>
namespace costwise {
using std::expected;
using std::unexpected;
}  // namespace costwise
#else
#include <cassert>
#include <type_traits>
#include <variant>

namespace costwise {

template <typename E>
class unexpected {  // NOLINT(readability-identifier-naming): mirrors std::unexpected
 public:
  explicit unexpected(E error) : error_(std::move(error)) {}
  [[nodiscard]] const E& error() const& { return error_; }
  [[nodiscard]] E& error() & { return error_; }
  [[nodiscard]] E&& error() && { return std::move(error_); }

 private:
  E error_;
};

template <typename T, typename E>
class expected {  // NOLINT(readability-identifier-naming): mirrors std::expected
 public:
  using value_type = T;
  using error_type = E;

  expected() requires std::is_default_constructible_v<T> : data_(std::in_place_index<0>) {}
  template <typename U = T>
  requires(std::is_constructible_v<T, U&&> && !std::is_same_v<std::decay_t<U>, expected> &&
           !std::is_same_v<std::decay_t<U>, unexpected<E> >) expected(U&& value)
      : data_(std::in_place_index<0>, std::forward<U>(value)) {}  // NOLINT
  template <typename G>
  expected(const unexpected<G>& error) : data_(std::in_place_index<1>, error.error()) {}  // NOLINT
  template <typename G>
  expected(unexpected<G>&& error)  // NOLINT
      : data_(std::in_place_index<1>, std::move(error).error()) {}

  [[nodiscard]] bool has_value() const { return data_.index() == 0; }
  explicit operator bool() const { return has_value(); }
  T& operator*() & { return std::get<0>(data_); }
  const T& operator*() const& { return std::get<0>(data_); }
  T&& operator*() && { return std::get<0>(std::move(data_)); }
  T* operator->() { return &std::get<0>(data_); }
  const T* operator->() const { return &std::get<0>(data_); }
  T& value() & { return std::get<0>(data_); }
  const T& value() const& { return std::get<0>(data_); }
  T&& value() && { return std::get<0>(std::move(data_)); }
  E& error() & { return std::get<1>(data_); }
  const E& error() const& { return std::get<1>(data_); }
  E&& error() && { return std::get<1>(std::move(data_)); }
  template <typename U>
  T value_or(U&& fallback) const& {
    return has_value() ? **this : static_cast<T>(std::forward<U>(fallback));
  }

 private:
  std::variant<T, E> data_;
};

template <typename E>
class expected<void, E> {  // NOLINT(readability-identifier-naming)
 public:
  using value_type = void;
  using error_type = E;
  expected() = default;
  template <typename G>
  expected(const unexpected<G>& error) : error_(error.error()), ok_(false) {}  // NOLINT
  template <typename G>
  expected(unexpected<G>&& error) : error_(std::move(error).error()), ok_(false) {}  // NOLINT
  [[nodiscard]] bool has_value() const { return ok_; }
  explicit operator bool() const { return ok_; }
  void value() const { assert(ok_); }
  void operator*() const { assert(ok_); }
  E& error() & { return error_; }
  const E& error() const& { return error_; }
  E&& error() && { return std::move(error_); }

 private:
  E error_{};
  bool ok_ = true;
};

}  // namespace costwise
#endif
