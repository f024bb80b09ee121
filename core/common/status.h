#pragma once
// Status and error codes. Protocol outcomes travel as codes in replies (Pegasus's ERR_* names);
// no exceptions cross core/, sim/ or checker/.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace pg {

// Named after Pegasus's error codes (src/utils/error_code.h) where Pegasus has one.
enum class ErrorCode : uint8_t {
  kOk = 0,
  kInvalidState,       // ERR_INVALID_STATE: not primary, or not serving.
  kObjectNotFound,     // ERR_OBJECT_NOT_FOUND: the server hosts no replica of that gpid.
  kNotEnoughMember,    // ERR_NOT_ENOUGH_MEMBER: too few replicas to accept a write.
  kCapacityExceeded,   // ERR_CAPACITY_EXCEEDED: the prepare pipeline is full.
  kTimeout,            // ERR_TIMEOUT: outcome unknown.
  kInvalidVersion,     // ERR_INVALID_VERSION: ballot is not old + 1.
  kInactiveState,      // ERR_INACTIVE_STATE
  kTryAgain,           // ERR_TRY_AGAIN
  kWrongChecksum,      // ERR_WRONG_CHECKSUM: stale learning signature.
  kInconsistentState,  // ERR_INCONSISTENT_STATE
  kForwardToOthers,    // ERR_FORWARD_TO_OTHERS: not the meta leader.
  kAppNotExist,        // ERR_APP_NOT_EXIST
  kInvalidArgument,    // a malformed request or input
  kIoError,            // an injected or real disk error
  kCorruption,         // a record failed its checksum
  kNotFound,           // a key or file is absent (storage level)
  kBusy,               // ERR_BUSY
  kNodeAlreadyExist,   // ERR_NODE_ALREADY_EXIST: a znode of that path exists (ZK's ZNODEEXISTS).
  kExpired,            // ERR_EXPIRED: the coordination session is closed or expired.
  kNoSpace,            // ERR_DISK_INSUFFICIENT: a write found the disk full (ENOSPC).
};

std::string_view ErrorCodeName(ErrorCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }

  bool ok() const { return code_ == ErrorCode::kOk; }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "kIoError: replica/2 log: injected write error"
  std::string ToString() const;

  friend bool operator==(const Status& a, const Status& b) { return a.code_ == b.code_; }

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
};

// Propagates a non-ok Status out of the enclosing function.
#define PG_RETURN_IF_ERROR(expr)             \
  do {                                       \
    ::pg::Status pg_status_ = (expr);        \
    if (!pg_status_.ok()) return pg_status_; \
  } while (0)

}  // namespace pg
