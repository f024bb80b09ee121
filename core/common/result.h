#pragma once
// Result<T>: a value or a non-ok Status. A small stand-in for C++23's std::expected.
#include <optional>
#include <utility>

#include "core/common/assert.h"
#include "core/common/status.h"

namespace pg {

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit on purpose, like expected.
  Result(Status status) : status_(std::move(status)) {  // NOLINT
    PG_ASSERT(!status_.ok(), "a Result built from a Status must carry an error");
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }

  T& value() & {
    PG_ASSERT(ok(), "value() of an error Result: {}", status_.ToString());
    return *value_;
  }
  const T& value() const& {
    PG_ASSERT(ok(), "value() of an error Result: {}", status_.ToString());
    return *value_;
  }
  T&& value() && {
    PG_ASSERT(ok(), "value() of an error Result: {}", status_.ToString());
    return std::move(*value_);
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace pg
