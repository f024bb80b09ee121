#pragma once
// Which incarnation of each replica server meta hears from. A server names each start with an
// incarnation id that orders its starts (IncarnationId, core/proto/incarnation.h: the start time on
// the server's clock, as upstream's beacon carries `start_time`, in the high bits) and sends it
// with each beacon and config sync. A dead process's socket data is still sent, so a report an
// earlier incarnation sent can arrive after a later one's: meta ignores the messages of an
// incarnation older than the newest it heard. The order matters, not only "the last one heard":
// with two restarts in quick succession the middle incarnation's late messages must not displace
// the live one (swarm seeds 1622 and 1782). Volatile: a meta that restarted learns afresh; kept
// across a server's death by the failure detector (a late message of the old incarnation may arrive
// while the server is down).
#include <cstdint>
#include <map>

#include "core/common/ids.h"

namespace pg {

class ServerIncarnations {
 public:
  // Whether a message of `incarnation` from `node` is current: not older than the newest heard,
  // which it becomes. 0 is an unstamped message (a test's): always current, never recorded.
  bool Admit(NodeId node, uint64_t incarnation);

 private:
  std::map<NodeId, uint64_t> newest_;
};

}  // namespace pg
