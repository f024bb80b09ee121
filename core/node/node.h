#pragma once
// A Node is a pure state machine: equal state + equal (now, input) => equal new state and equal
// effects. Every server and client is one. `now` is the node's local clock; randomness comes from
// the Rng in its NodeEnv; local disk reads go through NodeEnv::disk (the one synchronous exception,
// DESIGN.md §2). A crash deletes the Node; a restart builds a new one and delivers Boot.
#include <functional>
#include <memory>
#include <string>

#include "core/common/ids.h"
#include "core/common/result.h"
#include "core/common/rng.h"
#include "core/common/time.h"
#include "core/node/io.h"

namespace pg {

// Read access to what survived on a node's disk. Writes go through AppendLog effects.
class LocalDisk {
 public:
  virtual ~LocalDisk() = default;
  // The file's whole content as this node can read it now (synced and unsynced bytes alike).
  virtual Result<std::string> ReadFile(const std::string& file) const = 0;
  virtual bool Exists(const std::string& file) const = 0;
};

// What the host hands a node when it builds it.
struct NodeEnv {
  NodeId id;
  std::string name;  // "replica/2"
  Rng* rng = nullptr;
  const LocalDisk* disk = nullptr;
};

class Node {
 public:
  virtual ~Node() = default;
  virtual void Step(Time now, const Input& input, Outbox& out) = 0;
  // Asserts the node's own invariants; the simulator calls it after every step.
  virtual void CheckInvariants() const = 0;
};

using NodeFactory = std::function<std::unique_ptr<Node>(const NodeEnv& env)>;

}  // namespace pg
