#pragma once
// Replica server <-> meta server messages: beacons and leases (src/failure_detector/fd.thrift),
// configuration changes and config sync (PEGASUS.md §1.8, §1.9).
#include <cstdint>
#include <optional>
#include <vector>

#include "core/common/status.h"
#include "core/common/time.h"
#include "core/proto/codec.h"
#include "core/proto/pegasus_types.h"

namespace pg {

// RPC_FD_FAILURE_DETECTOR_PING. send_time is the worker's local clock when it sent the beacon:
// the worker's lease runs from the send time of its last acknowledged beacon.
struct Beacon {
  static constexpr std::string_view kName = "Beacon";
  Time send_time;
  // The sending process's incarnation id (core/proto/incarnation.h; MetaServer's
  // ServerIncarnations); 0: unstamped.
  uint64_t incarnation = 0;
  PG_FIELDS(send_time, incarnation);
  bool operator==(const Beacon&) const = default;
};

struct BeaconAck {
  static constexpr std::string_view kName = "BeaconAck";
  Time send_time;          // echoed from the beacon
  bool is_master = false;  // only the leader's acks renew a lease (XiaoMi/rdsn PR #213)
  bool allowed = true;
  std::optional<NodeId> leader;
  // The leader's stamp: its process's epoch and how many workers it has declared dead so far.
  // A config sync echoes the newest it received, so that meta can tell a report sent after the
  // worker heard from it past a declared death from one the network held since before it
  // (DddState::FreshReport). 0: unstamped (a follower's ack).
  uint64_t meta_epoch = 0;
  uint64_t deaths = 0;
  PG_FIELDS(send_time, is_master, allowed, leader, meta_epoch, deaths);
  bool operator==(const BeaconAck&) const = default;
};

// RPC_CONFIG_PROPOSAL, meta -> the replica server that must act.
struct ConfigProposal {
  static constexpr std::string_view kName = "ConfigProposal";
  ConfigType type = ConfigType::kAssignPrimary;
  PartitionConfiguration config;  // meta's current configuration
  NodeId node;                    // the node the change is about
  PG_FIELDS(type, config, node);
  bool operator==(const ConfigProposal&) const = default;
};

// RPC_CM_UPDATE_PARTITION_CONFIGURATION, replica -> meta. config.ballot = current + 1.
struct UpdateConfigRequest {
  static constexpr std::string_view kName = "UpdateConfigRequest";
  ConfigType type = ConfigType::kAssignPrimary;
  PartitionConfiguration config;
  NodeId node;
  // Names this request (the same on every resend of it); meta's answer echoes it, and the replica
  // takes only an answer to the request it has pending (rDSN matches a reply to its call, and a
  // new request cancels the previous call: replica_config.cpp update_configuration_on_meta_server).
  uint64_t request_id = 0;
  PG_FIELDS(type, config, node, request_id);
  bool operator==(const UpdateConfigRequest&) const = default;
};

struct UpdateConfigResponse {
  static constexpr std::string_view kName = "UpdateConfigResponse";
  ErrorCode error = ErrorCode::kOk;  // kInvalidVersion: ballot was not current + 1
  PartitionConfiguration config;     // meta's configuration after the request
  uint64_t request_id = 0;           // the request's, echoed
  PG_FIELDS(error, config, request_id);
  bool operator==(const UpdateConfigResponse&) const = default;
};

// RPC_CM_CONFIG_SYNC, replica server -> meta, periodically and after a restart.
struct ConfigSyncRequest {
  static constexpr std::string_view kName = "ConfigSyncRequest";
  std::vector<ReplicaInfo> stored_replicas;
  // The partitions meta's answers listed this server in that it holds no replica of, or holds a
  // failed one of (then also in stored_replicas, as PS_ERROR), each with the ballot of the newest
  // listing: the configuration the report is about (Pegasus's remove_replica_on_meta_server
  // request carries it the same way).
  std::vector<MissingReplica> missing;
  // Names this request; meta's answer echoes it, and the server takes only the answer to its
  // latest request (rDSN matches a reply to its call; a reply to a superseded call is dropped).
  uint64_t sync_id = 0;
  // The sending process's incarnation id, as in Beacon.
  uint64_t incarnation = 0;
  // The newest leader's stamp (BeaconAck::meta_epoch, deaths) the server had when it sent this.
  uint64_t acked_meta_epoch = 0;
  uint64_t acked_deaths = 0;
  PG_FIELDS(stored_replicas, missing, sync_id, incarnation, acked_meta_epoch, acked_deaths);
  bool operator==(const ConfigSyncRequest&) const = default;
};

struct ConfigSyncResponse {
  static constexpr std::string_view kName = "ConfigSyncResponse";
  ErrorCode error = ErrorCode::kOk;
  std::vector<PartitionConfiguration> partitions;  // every partition that lists this node
  std::vector<Gpid> gc_replicas;                   // stored replicas meta no longer lists
  uint64_t sync_id = 0;                            // the request's, echoed
  PG_FIELDS(error, partitions, gc_replicas, sync_id);
  bool operator==(const ConfigSyncResponse&) const = default;
};

}  // namespace pg
