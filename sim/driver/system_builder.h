#pragma once
// Builds the nodes of the system a scenario names ("pegasus": the Pegasus core; "register": the
// kernel's example system) into a cluster, in NodeNames order.
#include "core/common/result.h"
#include "sim/kernel/cluster.h"
#include "sim/scenario/knobs.h"

namespace pg::sim {

// kInvalidArgument when the system is unknown or not available in this build.
Status BuildSystem(Cluster& cluster, const Knobs& knobs);

// The register example system with the given server factory (tests plant bugs through it).
Status BuildRegisterSystem(Cluster& cluster, const Knobs& knobs, const NodeFactory& server);

}  // namespace pg::sim
