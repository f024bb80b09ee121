#include "sim/scenario/crash_marks.h"

#include <algorithm>
#include <array>

namespace pg::sim {
namespace {

constexpr std::array<std::string_view, 13> kReplicaMarks = {
    "replica.plog_torn_tail",
    "replica_server.booted",
    "replica_server.connected",
    "replica_server.replica_created",
    "learn.start",
    "learn.from_checkpoint",
    "learn.from_log",
    "learn.from_cache",
    "learn.caught_up",
    "learn.upgrade_to_secondary",
    "replica.assign_primary",
    "replica.replay_prepare_list",
    "replica.replay_fill_hole",
};
// With coordination (several metas) a leader takes the lock, loads the table and persists each
// change in the coordination service; a single meta makes its changes durable in meta.log.
constexpr std::array<std::string_view, 4> kCoordMetaMarks = {
    "coord.lock_acquired",
    "meta.leader_elected",
    "meta.table_loaded",
    "meta.persist_update",
};
constexpr std::array<std::string_view, 2> kSingleMetaMarks = {
    "meta.persist_update",
    "meta.config_persisted",
};
// A peer of a coordination quorum (core/coord/coord_peer.h) wins an election, logs its leader's
// sync, or stops leading. A single coordination server emits none.
constexpr std::array<std::string_view, 3> kCoordPeerMarks = {
    "coord.peer.elected",
    "coord.peer.synced",
    "coord.peer.stepped_down",
};

}  // namespace

std::span<const std::string_view> ReplicaCrashMarks() { return kReplicaMarks; }

std::span<const std::string_view> MetaCrashMarks(int meta_servers) {
  if (meta_servers > 1) return kCoordMetaMarks;
  return kSingleMetaMarks;
}

std::span<const std::string_view> CoordPeerCrashMarks() { return kCoordPeerMarks; }

bool IsCrashMark(std::string_view mark) {
  auto in = [mark](std::span<const std::string_view> list) {
    return std::find(list.begin(), list.end(), mark) != list.end();
  };
  return in(kReplicaMarks) || in(kCoordMetaMarks) || in(kSingleMetaMarks) || in(kCoordPeerMarks);
}

std::string CrashMarksText() {
  std::string text;
  auto add = [&text](std::string_view mark) {
    if (text.find(mark) != std::string::npos) return;  // in two lists
    if (!text.empty()) text += ", ";
    text += mark;
  };
  for (auto list :
       {ReplicaCrashMarks(), MetaCrashMarks(2), MetaCrashMarks(1), CoordPeerCrashMarks()}) {
    for (std::string_view mark : list) add(mark);
  }
  return text;
}

}  // namespace pg::sim
