#pragma once
// Time and Duration in nanoseconds. Time is a point on some clock (a node's local clock inside
// core/, global simulated time inside sim/); Duration is a span. Units are explicit at every
// conversion: Millis(5), d.ms().
#include <fmt/format.h>

#include <compare>
#include <cstdint>

namespace pg {

class Duration {
 public:
  constexpr Duration() = default;
  static constexpr Duration Nanos(int64_t ns) { return Duration(ns); }
  constexpr int64_t ns() const { return ns_; }
  constexpr double ms() const { return static_cast<double>(ns_) / 1e6; }
  constexpr auto operator<=>(const Duration&) const = default;
  constexpr Duration operator+(Duration o) const { return Duration(ns_ + o.ns_); }
  constexpr Duration operator-(Duration o) const { return Duration(ns_ - o.ns_); }
  constexpr Duration operator*(int64_t k) const { return Duration(ns_ * k); }
  constexpr Duration operator/(int64_t k) const { return Duration(ns_ / k); }
  constexpr Duration& operator+=(Duration o) {
    ns_ += o.ns_;
    return *this;
  }

 private:
  constexpr explicit Duration(int64_t ns) : ns_(ns) {}
  int64_t ns_ = 0;
};

constexpr Duration Nanos(int64_t ns) { return Duration::Nanos(ns); }
constexpr Duration Micros(int64_t us) { return Duration::Nanos(us * 1000); }
constexpr Duration Millis(int64_t ms) { return Duration::Nanos(ms * 1000 * 1000); }
constexpr Duration Seconds(int64_t s) { return Duration::Nanos(s * 1000 * 1000 * 1000); }

class Time {
 public:
  constexpr Time() = default;
  static constexpr Time FromNanos(int64_t ns) { return Time(ns); }
  static constexpr Time Zero() { return Time(0); }
  constexpr int64_t ns() const { return ns_; }
  constexpr double ms() const { return static_cast<double>(ns_) / 1e6; }
  constexpr auto operator<=>(const Time&) const = default;
  constexpr Time operator+(Duration d) const { return Time(ns_ + d.ns()); }
  constexpr Time operator-(Duration d) const { return Time(ns_ - d.ns()); }
  constexpr Duration operator-(Time o) const { return Duration::Nanos(ns_ - o.ns_); }
  constexpr Time& operator+=(Duration d) {
    ns_ += d.ns();
    return *this;
  }

 private:
  constexpr explicit Time(int64_t ns) : ns_(ns) {}
  int64_t ns_ = 0;
};

}  // namespace pg

template <>
struct fmt::formatter<pg::Duration> : fmt::formatter<double> {
  auto format(const pg::Duration& d, fmt::format_context& ctx) const {
    return fmt::format_to(ctx.out(), "{:.3f}ms", d.ms());
  }
};
template <>
struct fmt::formatter<pg::Time> : fmt::formatter<double> {
  auto format(const pg::Time& t, fmt::format_context& ctx) const {
    return fmt::format_to(ctx.out(), "t={:.3f}ms", t.ms());
  }
};
