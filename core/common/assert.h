#pragma once
// Always-on assertions. A failure prints the condition, both operands, file:line and the context
// the host set (simulated time, node, partition), then aborts: an assertion states what must not
// be, so continuing would only hide the first wrong step. Never assert on what the network, a
// disk, a client or a scenario file can cause: handle those as errors.
#include <fmt/format.h>

#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "core/common/ids.h"

namespace pg {

// What the host is executing, printed with every assertion failure and log line. The simulator
// sets it around each Step; core code adds the partition it works on with AssertPartitionScope.
struct AssertContext {
  std::string node;               // "replica/2", or empty outside any node
  int64_t time_ns = -1;           // the node's local time, -1 when unknown
  std::optional<Gpid> partition;  // printed "1.3"; formatted only when a report is made
};
AssertContext& CurrentAssertContext();

// Sets the partition part of the context for the scope of one handler.
class AssertPartitionScope {
 public:
  explicit AssertPartitionScope(Gpid partition);
  ~AssertPartitionScope();
  AssertPartitionScope(const AssertPartitionScope&) = delete;
  AssertPartitionScope& operator=(const AssertPartitionScope&) = delete;

 private:
  std::optional<Gpid> saved_;
};

// The handler is per thread. Tests and the simulator may install one that throws instead of
// aborting (the run is then discarded); the default
// prints to stderr and aborts.
using AssertFailureHandler = void (*)(const std::string& report);
void SetAssertFailureHandler(AssertFailureHandler handler);

namespace detail {

[[noreturn]] void AssertFail(const char* file, int line, const std::string& what,
                             const std::string& message);

template <class T>
std::string Show(const T& v) {
  if constexpr (fmt::is_formattable<T>::value) {
    return fmt::format("{}", v);
  } else if constexpr (requires { v.ToString(); }) {
    return v.ToString();
  } else {
    return "<unprintable>";
  }
}

inline std::string FormatMessage() { return {}; }
template <class... Args>
std::string FormatMessage(fmt::format_string<Args...> f, Args&&... args) {
  return fmt::format(f, std::forward<Args>(args)...);
}

template <class A, class B>
[[noreturn]] void CompareFail(const char* file, int line, const char* expr, const A& a, const B& b,
                              const std::string& message) {
  AssertFail(file, line, fmt::format("{} (left: {}, right: {})", expr, Show(a), Show(b)), message);
}

}  // namespace detail
}  // namespace pg

#define PG_ASSERT(cond, ...)                                              \
  do {                                                                    \
    if (!(cond)) [[unlikely]] {                                           \
      ::pg::detail::AssertFail(__FILE__, __LINE__, #cond,                 \
                               ::pg::detail::FormatMessage(__VA_ARGS__)); \
    }                                                                     \
  } while (0)

#define PG_ASSERT_OP_(op, a, b, ...)                                                 \
  do {                                                                               \
    const auto& pg_a_ = (a);                                                         \
    const auto& pg_b_ = (b);                                                         \
    if (!(pg_a_ op pg_b_)) [[unlikely]] {                                            \
      ::pg::detail::CompareFail(__FILE__, __LINE__, #a " " #op " " #b, pg_a_, pg_b_, \
                                ::pg::detail::FormatMessage(__VA_ARGS__));           \
    }                                                                                \
  } while (0)

#define PG_ASSERT_EQ(a, b, ...) PG_ASSERT_OP_(==, a, b, __VA_ARGS__)
#define PG_ASSERT_NE(a, b, ...) PG_ASSERT_OP_(!=, a, b, __VA_ARGS__)
#define PG_ASSERT_LT(a, b, ...) PG_ASSERT_OP_(<, a, b, __VA_ARGS__)
#define PG_ASSERT_LE(a, b, ...) PG_ASSERT_OP_(<=, a, b, __VA_ARGS__)
#define PG_ASSERT_GT(a, b, ...) PG_ASSERT_OP_(>, a, b, __VA_ARGS__)
#define PG_ASSERT_GE(a, b, ...) PG_ASSERT_OP_(>=, a, b, __VA_ARGS__)
#define PG_UNREACHABLE(...)                                   \
  ::pg::detail::AssertFail(__FILE__, __LINE__, "unreachable", \
                           ::pg::detail::FormatMessage(__VA_ARGS__))
