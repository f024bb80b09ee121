#pragma once
// Which class a message belongs to, for the delay rules that filter by it (cluster_config.h).
#include "core/proto/message.h"
#include "sim/kernel/cluster_config.h"

namespace pg::sim {

MessageClass ClassOf(const Message& msg);

}  // namespace pg::sim
