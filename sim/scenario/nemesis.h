#pragma once
// The nemesis: turns a run's fault schedule (Knobs::faults, explicit or swarm-drawn) into host
// actions on the cluster. Each fault becomes one Cluster::Schedule at its at_ms; faults with a
// duration schedule their own end when they take effect (a pause that did not happen schedules no
// resume). Steps the cluster state makes impossible at that moment (crash a down node, restart an
// up one, pause a paused one, heal a healed partition) are not asserted: the cluster records them
// as ignored in fault_log(), so the verdict shows what the nemesis tried and what happened.
#include "sim/kernel/cluster.h"
#include "sim/scenario/knobs.h"

namespace pg::sim {

// Schedules every fault of `knobs`. Call once, after the nodes are added (names are resolved with
// Cluster::FindNode when each fault fires; a name the cluster lacks is logged and skipped).
void ScheduleFaults(Cluster& cluster, const Knobs& knobs);

// The run's baseline link, from the network knobs; a "network" spell overrides it for its duration
// and the baseline (or the newest still-running spell) comes back when it ends. Same rounding as
// the runner's default_link: milliseconds to whole microseconds, truncated.
LinkConfig LinkConfigFromKnobs(const Knobs& knobs);
// The disk's latency from the scenario's `disk` section: an append takes Exp(write mean), plus
// Exp(sync mean) when it syncs.
DiskLatency DiskLatencyFromKnobs(const Knobs& knobs);

// The label a fault's scheduled action carries in the trace: kind and fields, e.g.
// crash {"mode":"machine","node":"replica/1"}.
std::string FaultLabel(const Fault& fault);

}  // namespace pg::sim
