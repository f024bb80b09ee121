#pragma once
// Pegasus's RocksDB key and value layouts (src/base/pegasus_key_schema.h, value_schema_v0) and the
// TTL rule. Pure functions over bytes. (The partition hash is routing's: core/proto/
// partition_hash.h.)
//
// Key:   [u16 big-endian hashkey length][hashkey][sortkey]. The length prefix is what keeps the
//        hashkeys "a" and "ab" apart: every key of "a" starts with 00 01 'a', every key of "ab"
//        with 00 02 'a' 'b', so a prefix scan for one never sees the other.
// Value: [u32 big-endian expire_ts][user value], expire_ts in seconds since Pegasus's epoch_begin
//        (2016-01-01, src/base/pegasus_utils.h); 0 means no TTL.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/common/epoch.h"
#include "core/common/result.h"
#include "core/common/status.h"
#include "core/common/time.h"

namespace pg {

// Pegasus: CHECK_LT(hash_key.length(), UINT16_MAX). The one length a user key can never carry,
// 0xFFFF, is reserved for pegasim's own meta keys (see MetaKey).
inline constexpr size_t kMaxHashkeyBytes = 0xFFFE;
inline constexpr size_t kKeyPrefixBytes = 2;
inline constexpr size_t kValueHeaderBytes = 4;

// kInvalidArgument when a client's hashkey is too long to encode.
Status ValidateHashkey(std::string_view hashkey);

// Precondition (asserted): ValidateHashkey(hashkey).ok(). Callers validate client input first.
std::string EncodeKey(std::string_view hashkey, std::string_view sortkey);
// The bytes every key of `hashkey` starts with (and no key of any other hashkey): multi_get.
std::string EncodeHashkeyPrefix(std::string_view hashkey);

// Views into the decoded bytes; valid while they are.
struct KeyView {
  std::string_view hashkey;
  std::string_view sortkey;
};
// kCorruption when the bytes are not a user key: shorter than the prefix, a length past the end,
// or the reserved meta prefix.
Result<KeyView> DecodeKey(std::string_view raw);

// Reserved keys for the engine's own bookkeeping: [FF FF][name]. A user key's prefix is at most
// 0xFFFE, so no user key equals or starts with this; it also sorts after every user key.
std::string MetaKey(std::string_view name);
bool IsMetaKey(std::string_view raw);

std::string EncodeValue(uint32_t expire_ts, std::string_view user_value);
struct ValueView {
  uint32_t expire_ts = 0;
  std::string_view user_value;
};
// kCorruption when shorter than the header.
Result<ValueView> DecodeValue(std::string_view raw);

// Pegasus's check_if_ts_expired: expire_ts > 0 && expire_ts <= now (in epoch seconds).
bool IsExpired(uint32_t expire_ts, Time now);

}  // namespace pg
