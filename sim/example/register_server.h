#pragma once
// The kernel's example system, part 1: a single-copy register store. Not Pegasus: it exists so the
// simulator, scenario files, nemesis and checker run end to end before the Pegasus core lands, and
// it is small enough to be obviously right, so a red run of it is a bug in the bench.
//
// Each server owns the keys that hash to it. A write is logged (synced) before it is applied and
// acknowledged, so no acknowledged write is lost by any crash; retries carry the same request id
// and are answered from a dedup table rebuilt from the log on Boot, so a duplicate or retried
// write is never applied twice. Reads are answered from applied state. A replayed log may hold
// records that never became durable (a write whose sync failed, still in the page cache after a
// process crash), so a booted server syncs the files it replayed before it serves anything, as
// PostgreSQL syncs its data directory after a crash: what it shows is then durable.
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>

#include "core/node/node.h"
#include "sim/example/example_messages.h"

namespace pg::example {

// Each incarnation appends to its own log file, register.<N>.log: a machine crash may leave a torn
// record at the end of the previous file, and LocalDisk cannot truncate, so appending after it
// would hide every later record from the next replay (which stops at the tear).
std::string RegisterLogFile(int generation);

// One logged write: what the server replays on Boot.
struct RegisterLogRecord {
  uint64_t request_id = 0;
  std::string key;
  std::string value;
  PG_FIELDS(request_id, key, value);
};

class RegisterServer final : public Node {
 public:
  explicit RegisterServer(const NodeEnv& env);
  void Step(Time now, const Input& input, Outbox& out) override;
  void CheckInvariants() const override;

  const std::map<std::string, std::string>& state() const { return state_; }

 private:
  struct PendingWrite {
    NodeId client;
    RegisterLogRecord record;
    bool appended = false;
  };

  // Replays the earlier generations' logs and syncs each (Outbox: the syncs in flight).
  void Replay(Outbox& out);
  // Replays one generation's file; false when it is unreadable.
  bool ReplayFile(const std::string& file);
  void OnRequest(NodeId from, const RegisterRequest& req, Outbox& out);
  void OnLogAppended(uint64_t token, Outbox& out);
  void Apply(const RegisterLogRecord& record);

  NodeEnv env_;
  bool failed_ = false;  // fail-stop after a log error: serve nothing
  // Syncs of replayed files still in flight (tokens below first_pending_token_): serve nothing
  // until they are done.
  uint64_t recovery_syncs_ = 0;
  std::map<std::string, std::string> state_;
  // request_id of every applied write: a retried write is acknowledged, not applied again.
  std::map<uint64_t, bool> applied_;
  // Writes logged but not yet applied, in log order. Applied strictly in this order, whatever
  // order their completions arrive in, so memory state always equals a replay of the log.
  // Invariant: every entry's request_id is absent from applied_.
  std::deque<PendingWrite> pending_;
  std::string log_file_;  // this incarnation's file
  uint64_t next_token_ = 1;
  uint64_t first_pending_token_ = 1;  // token of pending_.front()
};

}  // namespace pg::example
