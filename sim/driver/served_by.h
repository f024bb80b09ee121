#pragma once
// Who answered each client operation: the node whose message the client was stepping when it
// recorded the completion, and, for a Pegasus replica server, that server's replica of the
// operation's partition at that moment (its ballot and status). The run page (run_html.h) shows
// it on every operation. Observation only: the recorder reads nodes after their steps, draws no
// random number and schedules nothing, so the run and its trace hash are the same with it or not.
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "sim/kernel/cluster.h"
#include "sim/scenario/knobs.h"

namespace pg::sim {

struct ServedBy {
  std::string server;                    // the node's name, e.g. "replica/2"
  std::optional<std::string> partition;  // "1.3": the operation's partition, when partitioned
  std::optional<int64_t> ballot;         // the server's replica of it: its ballot then
  std::optional<std::string> status;     // ... and its status ("primary", "secondary", ...)
  bool operator==(const ServedBy&) const = default;
};

// Keyed by the completion's position in the cluster's history (its line in history.jsonl).
// A completion no message caused (a deadline, a crash) has no entry.
using ServedByLog = std::map<size_t, ServedBy>;

// From now on, records into `log` (which must outlive the cluster's run) the server of every
// completion the cluster records.
void RecordServedBy(Cluster& cluster, const Knobs& knobs, ServedByLog* log);

// "replica/2, ballot 3 (primary) of 1.3", the line the page shows.
std::string Describe(const ServedBy& served);

}  // namespace pg::sim
