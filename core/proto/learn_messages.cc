#include "core/proto/learn_messages.h"

namespace pg {

std::string_view LearnTypeName(LearnType t) {
  switch (t) {
    case LearnType::kCache:
      return "LT_CACHE";
    case LearnType::kLog:
      return "LT_LOG";
    case LearnType::kApp:
      return "LT_APP";
  }
  return "LT_INVALID";
}

}  // namespace pg
