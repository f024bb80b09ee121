#pragma once
// The kernel's example system, part 2: a client that runs a closed-loop workload of reads and
// writes against the register servers and records every operation for the checker. Written values
// are unique ("c3-17"), so every read names the one write it saw.
#include <cstdint>
#include <string>

#include "core/node/node.h"
#include "sim/example/example_messages.h"

namespace pg::example {

struct RegisterClientOptions {
  uint32_t process = 0;         // the history's process id
  std::vector<NodeId> servers;  // key k is served by servers[hash(k) % size]
  int keys = 1;
  int ops = 0;  // operations this client runs, then it stops
  double write_fraction = 0.5;
  Duration timeout = Millis(2000);  // per operation; then the outcome is unknown
  Duration retry_interval = Millis(200);
  Duration think_time = Millis(5);  // mean pause between operations
};

class RegisterClient final : public Node {
 public:
  RegisterClient(const NodeEnv& env, RegisterClientOptions options);
  void Step(Time now, const Input& input, Outbox& out) override;
  void CheckInvariants() const override;

  int completed() const { return completed_; }

 private:
  static constexpr TimerId kNextOpTimer{1};
  static constexpr TimerId kRetryTimer{2};

  void StartOp(Time now, Outbox& out);
  void SendCurrent(Outbox& out);
  void OnReply(const RegisterReply& reply, Time now, Outbox& out);
  void OnRetry(Time now, Outbox& out);
  void Finish(std::string type, std::string value_json, Outbox& out);

  NodeEnv env_;
  RegisterClientOptions options_;
  int started_ = 0;
  int completed_ = 0;
  // The open operation, if any. Invariant: open_ implies started_ == completed_ + 1.
  bool open_ = false;
  RegisterRequest current_;
  Time deadline_;
};

// Stable across platforms: the key's server must not depend on std::hash.
uint64_t RegisterKeyHash(const std::string& key);

}  // namespace pg::example
