#pragma once
// Which incarnation of each replica server meta hears from. A server draws an incarnation id at
// every start and sends it with each beacon and config sync. A dead process's socket data is still
// sent, so a report its previous incarnation sent can arrive after the new one's: once meta has
// heard a newer incarnation of a server, it ignores the older one's messages. Volatile: a meta that
// restarted learns afresh, and kept across a server's death by the failure detector (a late
// message of the old incarnation may arrive while the server is down).
#include <cstdint>
#include <map>
#include <set>

#include "core/common/ids.h"

namespace pg {

class ServerIncarnations {
 public:
  // Whether a message of `incarnation` from `node` is current; records a new incarnation. 0 is an
  // unstamped message (a test's): always current, never recorded.
  bool Admit(NodeId node, uint64_t incarnation);

 private:
  struct Seen {
    uint64_t current = 0;
    std::set<uint64_t> retired;
  };
  std::map<NodeId, Seen> seen_;
};

}  // namespace pg
