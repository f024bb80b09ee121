#include "core/common/status.h"

namespace pg {

std::string_view ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk:
      return "kOk";
    case ErrorCode::kInvalidState:
      return "kInvalidState";
    case ErrorCode::kObjectNotFound:
      return "kObjectNotFound";
    case ErrorCode::kNotEnoughMember:
      return "kNotEnoughMember";
    case ErrorCode::kCapacityExceeded:
      return "kCapacityExceeded";
    case ErrorCode::kTimeout:
      return "kTimeout";
    case ErrorCode::kInvalidVersion:
      return "kInvalidVersion";
    case ErrorCode::kInactiveState:
      return "kInactiveState";
    case ErrorCode::kTryAgain:
      return "kTryAgain";
    case ErrorCode::kWrongChecksum:
      return "kWrongChecksum";
    case ErrorCode::kInconsistentState:
      return "kInconsistentState";
    case ErrorCode::kForwardToOthers:
      return "kForwardToOthers";
    case ErrorCode::kAppNotExist:
      return "kAppNotExist";
    case ErrorCode::kInvalidArgument:
      return "kInvalidArgument";
    case ErrorCode::kIoError:
      return "kIoError";
    case ErrorCode::kCorruption:
      return "kCorruption";
    case ErrorCode::kNotFound:
      return "kNotFound";
    case ErrorCode::kBusy:
      return "kBusy";
    case ErrorCode::kNodeAlreadyExist:
      return "kNodeAlreadyExist";
    case ErrorCode::kExpired:
      return "kExpired";
    case ErrorCode::kNoSpace:
      return "kNoSpace";
  }
  return "kUnknown";
}

std::string Status::ToString() const {
  std::string out(ErrorCodeName(code_));
  if (!message_.empty()) {
    out += ": ";
    out += message_;
  }
  return out;
}

}  // namespace pg
