#pragma once
// PegasusClient: a closed-loop client of one table that runs the workload and records every
// operation for the checker (DESIGN.md §4). Routing follows Pegasus's partition resolver
// (src/client/partition_resolver*.cpp, PEGASUS.md §1.11): partition = crc64(hashkey) %
// partition_count, configurations cached per partition from the meta server, requests sent to
// the partition's primary.
//
// Retries (partition_resolver::call_task): backoff min(8 << retry, 1000) ms within the
// operation's timeout. kInvalidState / kObjectNotFound drop the partition's cached configuration
// and re-query meta; kNotEnoughMember / kCapacityExceeded retry without re-querying. Those four
// are rejections before any prepare, so the attempt certainly had no effect. Unlike Pegasus's
// C++ client, a write that may have been applied (sent, no definite answer) is never re-sent:
// its outcome is unknown and recorded as "info" at the deadline (a read as "fail": it had no
// effect). Every attempt carries a fresh request_id, so a late reply to an earlier attempt can
// never be mistaken for the answer to the current one.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/client/workload.h"
#include "core/common/bugs.h"
#include "core/node/node.h"
#include "core/proto/message.h"

namespace pg {

struct PegasusClientOptions {
  uint32_t process = 0;  // the history's process id
  std::vector<NodeId> meta_servers;
  std::string app_name = "temp";
  int hashkeys = 1;
  int sortkeys = 1;
  int key_rotation_ops = 0;  // WorkloadShape::key_rotation_ops
  int ops = 0;               // operations this client runs, then it stops
  std::map<std::string, double> mix;
  double ttl_fraction = 0;          // WorkloadShape::ttl_fraction
  int ttl_s_max = 0;                // WorkloadShape::ttl_s_max
  Duration timeout = Millis(2000);  // per operation
  Duration think_time = Millis(5);  // mean pause between operations
  BugSet bugs;                      // the bug zoo (core/common/bugs.h)
};

class PegasusClient final : public Node {
 public:
  PegasusClient(const NodeEnv& env, PegasusClientOptions options);
  void Step(Time now, const Input& input, Outbox& out) override;
  void CheckInvariants() const override;

  // ---- Observation (tests) ----
  int completed() const { return completed_; }
  // Every operation of its workload has been started and completed.
  bool finished() const { return !open_ && started_ >= options_.ops; }
  int32_t partition_count() const { return partition_count_; }
  const std::optional<PartitionConfiguration>& cached_config(int partition) const;

  static constexpr TimerId kNextOpTimer{1};
  static constexpr TimerId kRetryTimer{2};
  static constexpr TimerId kDeadlineTimer{3};
  // Only under the bug zoo's client_incr_retry: an incr attempt unanswered this long is re-sent.
  static constexpr TimerId kAttemptTimer{4};

 private:
  // The open operation. Invariant: at most one attempt is awaiting a reply (in_flight).
  struct OpenOp {
    WorkloadOp op;
    uint64_t partition_hash = 0;
    Time deadline;
    int retries = 0;
    std::optional<uint64_t> in_flight;  // request_id of the attempt awaiting a reply
    // A write attempt was sent and got no definite "no effect" answer.
    bool maybe_applied = false;
    bool backing_off = false;
    // No further attempt fits before the deadline: the deadline timer ends the operation.
    bool out_of_time = false;
    // A scan (pegasus_client_scan.cc): each scanner context is a history operation of its own.
    struct Scan {
      int32_t partition = -1;           // a full scan's
      std::optional<int64_t> context;   // where the next page comes from; nullopt: open one
      ScanRecords records;              // what the current context returned
      std::optional<ScanKey> last_key;  // the last record any context returned: where to resume
      int contexts = 1;                 // contexts opened (history operations) so far
    };
    std::optional<Scan> scan;
  };

  void StartOp(Time now, Outbox& out);
  void TrySend(Time now, Outbox& out);
  void Backoff(Time now, Outbox& out);
  uint64_t NextRequestId();
  void RequestConfig(Time now, Outbox& out);
  void OnQueryConfig(const QueryConfigResponse& resp, Time now, Outbox& out);
  void OnResponse(const ClientResponse& resp, Time now, Outbox& out);
  void OnDeadline(Outbox& out);
  void OnAttemptTimeout(Time now, Outbox& out);
  // Bug zoo client_incr_retry: the open operation is an incr and the switch is on.
  bool RetriesIncr() const;
  void Finish(const std::string& type, std::string value_json, Outbox& out);
  // ---- Scans (pegasus_client_scan.cc) ----
  // Prepares a scan's state; false when a full scan must wait for the partition count.
  bool BeginScan(OpenOp& op) const;
  SortkeyRange ScanRangeFromHere() const;
  std::string ScanInvokeValue() const;
  void SendScanAttempt(const PartitionConfiguration& pc, Outbox& out);
  void OnScanResponse(const ScanResponse& resp, Time now, Outbox& out);
  // The context was lost: this context's operation fails, and a new one resumes after the last
  // record received.
  void ResumeScan(Time now, Outbox& out);

  NodeEnv env_;
  PegasusClientOptions options_;
  WorkloadGenerator workload_;
  int started_ = 0;
  int completed_ = 0;
  std::optional<OpenOp> open_;
  // A full scan drawn before the partition count was known: started once it is.
  std::optional<WorkloadOp> deferred_;
  uint64_t next_request_id_ = 1;
  // The configuration cache: 0 partitions until the first answer from meta.
  int32_t app_id_ = 0;
  int32_t partition_count_ = 0;
  std::vector<std::optional<PartitionConfiguration>> configs_;
  bool app_missing_ = false;
  size_t meta_index_ = 0;
  std::optional<Time> query_sent_at_;  // an unanswered QueryConfigRequest
};

}  // namespace pg
