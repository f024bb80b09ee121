#pragma once
// A batch of one put on hashkey "h": the update the engine tests apply decree by decree, in one
// spelling every test area shares.
#include <string>

#include "core/proto/kv_data.h"

namespace pg::testing {

inline WriteBatch PutOnH(const std::string& sortkey, const std::string& value) {
  WriteBatch b;
  b.Put("h", sortkey, value);
  return b;
}

}  // namespace pg::testing
