#include "core/proto/client_messages.h"

namespace pg {

std::string_view OpKindName(OpKind k) {
  switch (k) {
    case OpKind::kGet:
      return "get";
    case OpKind::kSet:
      return "set";
    case OpKind::kDel:
      return "del";
    case OpKind::kIncr:
      return "incr";
    case OpKind::kCheckAndSet:
      return "cas";
    case OpKind::kMultiGet:
      return "multi_get";
    case OpKind::kMultiSet:
      return "multi_set";
    case OpKind::kSortkeyCount:
      return "sortkey_count";
    case OpKind::kMultiDel:
      return "multi_del";
    case OpKind::kCheckAndMutate:
      return "check_and_mutate";
    case OpKind::kScan:
      return "scan";
    case OpKind::kFullScan:
      return "full_scan";
  }
  return "invalid";
}

}  // namespace pg
