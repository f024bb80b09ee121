#pragma once
// Client <-> replica server scans (idl/rrdb.thrift get_scanner, scan; src/server/
// pegasus_server_impl.cpp on_get_scanner, on_scan; src/client_lib/pegasus_scanner_impl.cpp).
// get_scanner opens a scanner context on the primary and answers its first page; each scan
// answers the next page of a context. Every page of one context comes from one snapshot of the
// partition, taken when the context opened.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/common/status.h"
#include "core/proto/codec.h"
#include "core/proto/data_model.h"
#include "core/proto/pegasus_types.h"

namespace pg {

// A scan_response's context_id when the scan reached its end (SCAN_CONTEXT_ID_COMPLETED).
inline constexpr int64_t kScanCompleted = -1;

// One record of a partition, as RocksDB orders them (Pegasus's key schema: the hashkey's length,
// the hashkey, the sortkey).
struct ScanKey {
  std::string hashkey;
  std::string sortkey;
  PG_FIELDS(hashkey, sortkey);
  bool operator==(const ScanKey&) const = default;
};
bool KeyOrderLess(const ScanKey& a, const ScanKey& b);

struct ScanRecord {
  std::string hashkey;
  std::string sortkey;
  std::string value;
  PG_FIELDS(hashkey, sortkey, value);
  bool operator==(const ScanRecord&) const = default;
};

// RPC_RRDB_RRDB_GET_SCANNER. A hashkey scan reads `range` of `hashkey`; a full scan (Pegasus's
// get_unordered_scanners, one scanner per partition) reads the whole partition, or only what
// orders after `after` when it resumes a scan whose context was lost.
struct GetScannerRequest {
  static constexpr std::string_view kName = "GetScannerRequest";
  uint64_t request_id = 0;
  std::string app_name;
  Gpid gpid;
  // The route: crc64(hashkey) for a hashkey scan, the partition index for a full scan.
  uint64_t partition_hash = 0;
  bool full_scan = false;
  std::string hashkey;           // a hashkey scan's
  SortkeyRange range;            // a hashkey scan's (no limit, not reversed)
  std::optional<ScanKey> after;  // a full scan's resume point
  int32_t batch_size = 0;        // records per page, >= 1
  PG_FIELDS(request_id, app_name, gpid, partition_hash, full_scan, hashkey, range, after,
            batch_size);
  bool operator==(const GetScannerRequest&) const = default;
};

// RPC_RRDB_RRDB_SCAN: the next page of an open context.
struct ScanRequest {
  static constexpr std::string_view kName = "ScanRequest";
  uint64_t request_id = 0;
  std::string app_name;
  Gpid gpid;
  uint64_t partition_hash = 0;
  int64_t context_id = 0;
  PG_FIELDS(request_id, app_name, gpid, partition_hash, context_id);
  bool operator==(const ScanRequest&) const = default;
};

// The answer to either: a page, and the context to ask for the next one (kScanCompleted: none).
// kNotFound: the server holds no such context (it expired, or another replica opened it); the
// client opens a new one after the last key it received.
struct ScanResponse {
  static constexpr std::string_view kName = "ScanResponse";
  uint64_t request_id = 0;
  ErrorCode error = ErrorCode::kOk;
  std::vector<ScanRecord> records;
  int64_t context_id = kScanCompleted;
  PG_FIELDS(request_id, error, records, context_id);
  bool operator==(const ScanResponse&) const = default;
};

}  // namespace pg
