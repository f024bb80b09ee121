#pragma once
// A node's object cast to its server type, for checks that run after every event. dynamic_cast
// walks the type info on every call: the cast is redone only when the node's object or
// incarnation changes (a restart builds a new object).
#include <cstdint>

#include "core/common/ids.h"
#include "core/node/node.h"
#include "sim/kernel/cluster.h"

namespace pg::sim {

template <class T>
class CastCache {
 public:
  const T* Get(const Cluster& cluster, NodeId id) {
    const Node* node = cluster.node(id);
    const uint64_t incarnation = cluster.incarnation(id);
    if (node != node_ || incarnation != incarnation_) {
      node_ = node;
      incarnation_ = incarnation;
      cast_ = dynamic_cast<const T*>(node);
    }
    return cast_;
  }

 private:
  const Node* node_ = nullptr;
  uint64_t incarnation_ = 0;
  const T* cast_ = nullptr;
};

}  // namespace pg::sim
