#pragma once
// Client <-> replica server and client <-> meta messages: Pegasus's rrdb operations reduced to the
// data model of DESIGN.md §4 (get, set, del, incr, check_and_set, multi_get, multi_set).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/common/status.h"
#include "core/proto/codec.h"
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
};
std::string_view OpKindName(OpKind k);
inline bool IsWrite(OpKind k) { return k != OpKind::kGet && k != OpKind::kMultiGet; }

// One client operation as sent to a partition's primary.
struct ClientRequest {
  static constexpr std::string_view kName = "ClientRequest";
  uint64_t request_id = 0;  // unique per client; a retry reuses it
  std::string app_name;
  Gpid gpid;
  uint64_t partition_hash = 0;  // crc64(hashkey); the server checks it maps to gpid
  OpKind kind = OpKind::kGet;
  std::string hashkey;
  std::string sortkey;                     // get, set, del, incr, check_and_set
  std::string value;                       // set; check_and_set's new value
  int64_t increment = 0;                   // incr
  std::optional<std::string> check_value;  // check_and_set: expected value, nullopt = absent
  std::map<std::string, std::string> kvs;  // multi_set: sortkey -> value
  uint32_t expire_ts = 0;                  // set/multi_set TTL (seconds, local clock); 0 = none
  PG_FIELDS(request_id, app_name, gpid, partition_hash, kind, hashkey, sortkey, value, increment,
            check_value, kvs, expire_ts);
  bool operator==(const ClientRequest&) const = default;
};

struct ClientResponse {
  static constexpr std::string_view kName = "ClientResponse";
  uint64_t request_id = 0;
  ErrorCode error = ErrorCode::kOk;
  std::optional<std::string> value;        // get: the value or absent
  std::map<std::string, std::string> kvs;  // multi_get: present sortkeys only
  int64_t new_value = 0;                   // incr
  bool cas_matched = false;                // check_and_set
  Decree decree{0};                        // writes: the decree that carried it (debugging)
  PG_FIELDS(request_id, error, value, kvs, new_value, cas_matched, decree);
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
