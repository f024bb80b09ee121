#pragma once
// The protocol points a crash may be triggered on (a crash fault's "on_mark"): coverage marks the
// core emits (out.Mark) while a server recovers or changes role, the moments a crash at a drawn
// time almost never hits. The core keeps no registry of its marks, so this list is the contract:
// the loader refuses any other name, and the swarm's crash loops draw from it.
#include <span>
#include <string>
#include <string_view>

namespace pg::sim {

// Marks a replica server emits: reopening its replicas (a boot, torn log tails),
// reconnecting to meta, learning (start, checkpoint or log, caught up), being upgraded by a
// primary, and a new primary reconciling its prepare list.
std::span<const std::string_view> ReplicaCrashMarks();
// Marks a meta server emits: taking the leader lock, loading the table, persisting a change (with
// coordination), or a single meta's change made durable in its own log.
std::span<const std::string_view> MetaCrashMarks(int meta_servers);
// Marks a peer of a coordination quorum emits: elected, synced to its leader, stepped down.
std::span<const std::string_view> CoordPeerCrashMarks();
// Whether `mark` is in any of the lists.
bool IsCrashMark(std::string_view mark);
// Every name, comma-separated, for the loader's "expected one of ..." message.
std::string CrashMarksText();

// A trigger's window when a crash fault leaves "within_ms" out, and the longest it may give.
inline constexpr int64_t kDefaultCrashWithinMs = 30'000;
inline constexpr int64_t kMaxCrashWithinMs = 3'600'000;

}  // namespace pg::sim
