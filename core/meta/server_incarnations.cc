#include "core/meta/server_incarnations.h"

namespace pg {

bool ServerIncarnations::Admit(NodeId node, uint64_t incarnation) {
  if (incarnation == 0) return true;
  uint64_t& newest = newest_[node];
  if (incarnation < newest) return false;
  newest = incarnation;
  return true;
}

}  // namespace pg
