#pragma once
// The checker's always-on assertions, the same shape as core/common/assert.h (which checker/ must
// not include: it knows nothing of the others, DESIGN.md §1). A failure prints the condition, both
// operands and file:line to stderr and aborts: a wrong step of the search would otherwise turn into
// a wrong verdict. They state what the checker's own code guarantees; what an input file can cause
// is an Error (result.h) and a "fail"/exit 2, never an assertion. The search loop is hot: only O(1)
// conditions there; O(n) checks go in a CheckInvariants called at coarse points.
#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>

namespace pg::checker::detail {

[[noreturn]] inline void AssertFail(const char* file, int line, const std::string& what,
                                    const std::string& message) {
  fmt::print(stderr, "checker assertion failed: {}{}{}\n  at {}:{}\n", what,
             message.empty() ? "" : ": ", message, file, line);
  std::fflush(stderr);
  std::abort();
}

template <class T>
std::string Show(const T& v) {
  if constexpr (fmt::is_formattable<T>::value) {
    return fmt::format("{}", v);
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

}  // namespace pg::checker::detail

#define CK_ASSERT(cond, ...)                                                                \
  do {                                                                                      \
    if (!(cond)) [[unlikely]] {                                                             \
      ::pg::checker::detail::AssertFail(__FILE__, __LINE__, #cond,                          \
                                        ::pg::checker::detail::FormatMessage(__VA_ARGS__)); \
    }                                                                                       \
  } while (0)

#define CK_ASSERT_OP_(op, a, b, ...)                                                          \
  do {                                                                                        \
    const auto& ck_a_ = (a);                                                                  \
    const auto& ck_b_ = (b);                                                                  \
    if (!(ck_a_ op ck_b_)) [[unlikely]] {                                                     \
      ::pg::checker::detail::CompareFail(__FILE__, __LINE__, #a " " #op " " #b, ck_a_, ck_b_, \
                                         ::pg::checker::detail::FormatMessage(__VA_ARGS__));  \
    }                                                                                         \
  } while (0)

#define CK_ASSERT_EQ(a, b, ...) CK_ASSERT_OP_(==, a, b, __VA_ARGS__)
#define CK_ASSERT_NE(a, b, ...) CK_ASSERT_OP_(!=, a, b, __VA_ARGS__)
#define CK_ASSERT_LT(a, b, ...) CK_ASSERT_OP_(<, a, b, __VA_ARGS__)
#define CK_ASSERT_LE(a, b, ...) CK_ASSERT_OP_(<=, a, b, __VA_ARGS__)
#define CK_ASSERT_GT(a, b, ...) CK_ASSERT_OP_(>, a, b, __VA_ARGS__)
#define CK_ASSERT_GE(a, b, ...) CK_ASSERT_OP_(>=, a, b, __VA_ARGS__)
#define CK_UNREACHABLE(...)                                            \
  ::pg::checker::detail::AssertFail(__FILE__, __LINE__, "unreachable", \
                                    ::pg::checker::detail::FormatMessage(__VA_ARGS__))
