#include "core/proto/scan_messages.h"

#include <tuple>

namespace pg {

// src/base/pegasus_key_schema.h: a key is the hashkey's length (2 bytes, big-endian), the hashkey
// and the sortkey, compared bytewise; so a shorter hashkey orders first. std::string compares
// bytes as unsigned char, as RocksDB's bytewise comparator does.
bool KeyOrderLess(const ScanKey& a, const ScanKey& b) {
  return std::forward_as_tuple(a.hashkey.size(), a.hashkey, a.sortkey) <
         std::forward_as_tuple(b.hashkey.size(), b.hashkey, b.sortkey);
}

}  // namespace pg
