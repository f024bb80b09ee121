#pragma once
// Routing's one rule (PEGASUS.md §1.11): partition index = PartitionHash(hashkey, sortkey) %
// partition_count. In proto, not storage: it is the wire contract of a request's partition_hash,
// which the client computes and the replica checks, and the client must not depend on storage.
#include <cstdint>
#include <string_view>

#include "core/common/crc.h"

namespace pg {

// Pegasus's pegasus_key_hash: crc64 of the hashkey, or of the sortkey when the hashkey is empty.
inline uint64_t PartitionHash(std::string_view hashkey, std::string_view sortkey) {
  return Crc64(hashkey.empty() ? sortkey : hashkey);
}

}  // namespace pg
