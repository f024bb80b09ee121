#include "core/meta/server_incarnations.h"

#include "core/common/assert.h"

namespace pg {

bool ServerIncarnations::Admit(NodeId node, uint64_t incarnation) {
  if (incarnation == 0) return true;
  Seen& s = seen_[node];
  if (incarnation == s.current) return true;
  if (s.retired.contains(incarnation)) return false;
  if (s.current != 0) s.retired.insert(s.current);
  s.current = incarnation;
  PG_ASSERT(!s.retired.contains(s.current), "node {}: incarnation {} retired", node, incarnation);
  return true;
}

}  // namespace pg
