#pragma once
// Strong ids: a Ballot is never silently a Decree. Each is a tagged integer with ordering,
// hashing and fmt support, and nothing else.
#include <fmt/format.h>

#include <compare>
#include <cstdint>
#include <functional>

namespace pg {

template <class Tag, class Rep>
class StrongId {
 public:
  using rep = Rep;
  constexpr StrongId() = default;
  constexpr explicit StrongId(Rep v) : v_(v) {}
  constexpr Rep value() const { return v_; }
  constexpr auto operator<=>(const StrongId&) const = default;
  constexpr StrongId next() const { return StrongId(v_ + 1); }
  constexpr StrongId prev() const { return StrongId(v_ - 1); }

 private:
  Rep v_ = Rep{};
};

struct NodeIdTag {};
struct BallotTag {};
struct DecreeTag {};
struct TimerIdTag {};

// A node of the cluster: meta server, replica server or client. Dense from 0 in the simulator.
using NodeId = StrongId<NodeIdTag, uint32_t>;
// PacificA's configuration version; meta accepts only old + 1.
using Ballot = StrongId<BallotTag, int64_t>;
// A partition's mutation sequence number (PacificA's "sn"). 0 = nothing.
using Decree = StrongId<DecreeTag, int64_t>;
// A node's own name for one of its timers; meaningful only to that node.
using TimerId = StrongId<TimerIdTag, uint64_t>;

inline constexpr Ballot kInvalidBallot{-1};
inline constexpr Decree kInvalidDecree{-1};

// Global partition id: (app_id, partition_index), Pegasus's gpid.
struct Gpid {
  int32_t app_id = 0;
  int32_t partition_index = 0;
  constexpr auto operator<=>(const Gpid&) const = default;
};

}  // namespace pg

template <class Tag, class Rep>
struct fmt::formatter<pg::StrongId<Tag, Rep>> : fmt::formatter<Rep> {
  auto format(const pg::StrongId<Tag, Rep>& id, fmt::format_context& ctx) const {
    return fmt::formatter<Rep>::format(id.value(), ctx);
  }
};

template <>
struct fmt::formatter<pg::Gpid> : fmt::formatter<std::string_view> {
  auto format(const pg::Gpid& g, fmt::format_context& ctx) const {
    return fmt::format_to(ctx.out(), "{}.{}", g.app_id, g.partition_index);
  }
};

template <class Tag, class Rep>
struct std::hash<pg::StrongId<Tag, Rep>> {
  size_t operator()(const pg::StrongId<Tag, Rep>& id) const { return std::hash<Rep>()(id.value()); }
};
