#pragma once
// Client <-> replica server and client <-> meta messages: Pegasus's rrdb operations (get, set, del,
// incr, check_and_set, multi_get with or without a sortkey range, multi_set, multi_remove,
// sortkey_count, check_and_mutate) as docs/checker.md's history format records them.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/common/status.h"
#include "core/proto/codec.h"
#include "core/proto/data_model.h"
#include "core/proto/pegasus_types.h"

namespace pg {

enum class OpKind : uint8_t {
  kGet = 0,
  kSet = 1,
  kDel = 2,
  kIncr = 3,
  kCheckAndSet = 4,
  kMultiGet = 5,
  kMultiSet = 6,
  kSortkeyCount = 7,
  kMultiDel = 8,  // Pegasus's multi_remove
  kCheckAndMutate = 9,
  kScan = 10,      // a hashkey scan: get_scanner and scan (scan_messages.h), not a ClientRequest
  kFullScan = 11,  // one partition's full scan (get_unordered_scanners), likewise
};
inline constexpr uint8_t kOpKindCount = static_cast<uint8_t>(OpKind::kFullScan) + 1;
std::string_view OpKindName(OpKind k);
inline bool IsWrite(OpKind k) {
  return k != OpKind::kGet && k != OpKind::kMultiGet && k != OpKind::kSortkeyCount &&
         k != OpKind::kScan && k != OpKind::kFullScan;
}
inline bool IsScan(OpKind k) { return k == OpKind::kScan || k == OpKind::kFullScan; }

// One client operation as sent to a partition's primary.
struct ClientRequest {
  static constexpr std::string_view kName = "ClientRequest";
  uint64_t request_id = 0;  // unique per client; a retry reuses it
  std::string app_name;
  Gpid gpid;
  uint64_t partition_hash = 0;  // crc64(hashkey); the server checks it maps to gpid
  OpKind kind = OpKind::kGet;
  std::string hashkey;
  // get, set, del, incr, check_and_set; check_and_mutate's check sortkey
  std::string sortkey;
  std::string value;                       // set; check_and_set's new value
  int64_t increment = 0;                   // incr
  CasCheck check;                          // check_and_set, check_and_mutate
  std::map<std::string, std::string> kvs;  // multi_set: sortkey -> value
  uint32_t expire_ts = 0;                  // set/multi_set TTL (seconds, local clock); 0 = none
  std::optional<SortkeyRange> range;       // multi_get: nullopt = every sortkey of the hashkey
  std::vector<std::string> sortkeys;       // multi_del
  std::vector<Mutate> mutations;           // check_and_mutate, applied in order
  PG_FIELDS(request_id, app_name, gpid, partition_hash, kind, hashkey, sortkey, value, increment,
            check, kvs, expire_ts, range, sortkeys, mutations);
  bool operator==(const ClientRequest&) const = default;
};

struct ClientResponse {
  static constexpr std::string_view kName = "ClientResponse";
  uint64_t request_id = 0;
  ErrorCode error = ErrorCode::kOk;
  std::optional<std::string> value;        // get: the value or absent
  std::map<std::string, std::string> kvs;  // multi_get: present sortkeys only
  int64_t new_value = 0;                   // incr
  bool cas_matched = false;                // check_and_set, check_and_mutate: the check passed
  int64_t count = 0;                       // sortkey_count
  Decree decree{0};                        // writes: the decree that carried it (debugging)
  PG_FIELDS(request_id, error, value, kvs, new_value, cas_matched, count, decree);
  bool operator==(const ClientResponse&) const = default;
};

// RPC_CM_QUERY_PARTITION_CONFIG_BY_INDEX (all partitions).
struct QueryConfigRequest {
  static constexpr std::string_view kName = "QueryConfigRequest";
  std::string app_name;
  PG_FIELDS(app_name);
  bool operator==(const QueryConfigRequest&) const = default;
};

struct QueryConfigResponse {
  static constexpr std::string_view kName = "QueryConfigResponse";
  ErrorCode error = ErrorCode::kOk;  // kForwardToOthers: ask `leader`
  int32_t app_id = 0;
  int32_t partition_count = 0;
  std::vector<PartitionConfiguration> partitions;
  std::optional<NodeId> leader;
  PG_FIELDS(error, app_id, partition_count, partitions, leader);
  bool operator==(const QueryConfigResponse&) const = default;
};

}  // namespace pg
