#pragma once
// Error and Result<T> for the checker's library API. checker/ stands alone (DESIGN.md §1), so it
// carries its own small Result instead of core/common's, whose assertions live in pg_core.
#include <fmt/format.h>

#include <cstddef>
#include <string>
#include <utility>
#include <variant>

namespace pg::checker {

// Bad input: names the source, the 1-based line (0 when not line-based) and the field.
struct Error {
  std::string source;
  size_t line = 0;
  std::string field;
  std::string message;

  // "h.jsonl:12: field \"value\": expected a string or null"
  std::string ToString() const {
    std::string where = line > 0 ? fmt::format("{}:{}", source, line) : source;
    if (field.empty()) return fmt::format("{}: {}", where, message);
    return fmt::format("{}: field \"{}\": {}", where, field, message);
  }
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT: implicit, like std::expected.
  Result(Error error) : v_(std::move(error)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  const Error& error() const { return std::get<1>(v_); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }

 private:
  std::variant<T, Error> v_;
};

}  // namespace pg::checker
