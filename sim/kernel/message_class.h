#pragma once
// Which class a message belongs to, for the delay rules that filter by it (cluster_config.h),
// and which of rDSN's two sessions between a pair of nodes it rides.
#include "core/proto/message.h"
#include "sim/kernel/cluster_config.h"

namespace pg::sim {

MessageClass ClassOf(const Message& msg);

// rDSN keeps one client session (a TCP connection) per peer: a node's requests to a peer, and the
// peer's replies to them, ride its session; the peer's own requests ride the peer's. So between A
// and B, A's requests and A's replies travel on different connections, each in order. A one-way
// message (meta's proposals, add-learner, removals) is sent as a request.
RpcSession SessionOf(const Message& msg);

}  // namespace pg::sim
