#include "core/storage/key_schema.h"

#include <fmt/format.h>

#include <limits>

#include "core/common/assert.h"

namespace pg {
namespace {

constexpr uint16_t kMetaLengthPrefix = 0xFFFF;

uint32_t ReadBigEndian32(std::string_view b) {
  return (static_cast<uint32_t>(static_cast<uint8_t>(b[0])) << 24) |
         (static_cast<uint32_t>(static_cast<uint8_t>(b[1])) << 16) |
         (static_cast<uint32_t>(static_cast<uint8_t>(b[2])) << 8) |
         static_cast<uint32_t>(static_cast<uint8_t>(b[3]));
}

void AppendLengthPrefix(std::string* out, uint16_t length) {
  out->push_back(static_cast<char>(length >> 8));
  out->push_back(static_cast<char>(length & 0xff));
}

}  // namespace

Status ValidateHashkey(std::string_view hashkey) {
  if (hashkey.size() > kMaxHashkeyBytes) {
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("hashkey of {} bytes exceeds the maximum {}", hashkey.size(),
                              kMaxHashkeyBytes));
  }
  return Status::Ok();
}

std::string EncodeHashkeyPrefix(std::string_view hashkey) {
  PG_ASSERT_LE(hashkey.size(), kMaxHashkeyBytes, "caller must ValidateHashkey first");
  std::string out;
  out.reserve(kKeyPrefixBytes + hashkey.size());
  AppendLengthPrefix(&out, static_cast<uint16_t>(hashkey.size()));
  out.append(hashkey);
  return out;
}

std::string EncodeKey(std::string_view hashkey, std::string_view sortkey) {
  std::string out = EncodeHashkeyPrefix(hashkey);
  out.append(sortkey);
  PG_ASSERT(!IsMetaKey(out), "a user key must never fall in the meta range");
  return out;
}

Result<KeyView> DecodeKey(std::string_view raw) {
  if (raw.size() < kKeyPrefixBytes) {
    return Status(ErrorCode::kCorruption,
                  fmt::format("key of {} bytes has no length prefix", raw.size()));
  }
  const size_t length =
      (static_cast<size_t>(static_cast<uint8_t>(raw[0])) << 8) | static_cast<uint8_t>(raw[1]);
  if (length == kMetaLengthPrefix) {
    return Status(ErrorCode::kCorruption, "key carries the reserved meta prefix");
  }
  if (length > raw.size() - kKeyPrefixBytes) {
    return Status(ErrorCode::kCorruption,
                  fmt::format("hashkey length {} exceeds the {} bytes after the prefix", length,
                              raw.size() - kKeyPrefixBytes));
  }
  return KeyView{.hashkey = raw.substr(kKeyPrefixBytes, length),
                 .sortkey = raw.substr(kKeyPrefixBytes + length)};
}

std::string MetaKey(std::string_view name) {
  std::string out;
  AppendLengthPrefix(&out, kMetaLengthPrefix);
  out.append(name);
  return out;
}

bool IsMetaKey(std::string_view raw) {
  return raw.size() >= kKeyPrefixBytes && static_cast<uint8_t>(raw[0]) == 0xFF &&
         static_cast<uint8_t>(raw[1]) == 0xFF;
}

std::string EncodeValue(uint32_t expire_ts, std::string_view user_value) {
  std::string out;
  out.reserve(kValueHeaderBytes + user_value.size());
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(expire_ts >> shift));
  out.append(user_value);
  return out;
}

Result<ValueView> DecodeValue(std::string_view raw) {
  if (raw.size() < kValueHeaderBytes) {
    return Status(ErrorCode::kCorruption,
                  fmt::format("value of {} bytes is shorter than its header", raw.size()));
  }
  return ValueView{.expire_ts = ReadBigEndian32(raw), .user_value = raw.substr(kValueHeaderBytes)};
}

bool IsExpired(uint32_t expire_ts, Time now) {
  return expire_ts > 0 && expire_ts <= EpochSeconds(now);
}

}  // namespace pg
