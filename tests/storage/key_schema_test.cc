// Key and value layouts (Pegasus's pegasus_key_schema.h, value_schema_v0), TTL, CRC known answers.
#include "core/storage/key_schema.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <string>

#include "core/common/crc.h"
#include "core/proto/partition_hash.h"

namespace pg {
namespace {

using namespace std::string_literals;

TEST(Crc, Crc32cKnownAnswer) {
  EXPECT_EQ(Crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(Crc32c(""), 0u);
  // RFC 3720 B.4: 32 bytes of zeros.
  EXPECT_EQ(Crc32c(std::string(32, '\0')), 0x8A9136AAu);
}

// Pegasus's crc64 (src/utils/crc.cpp) is the reflected polynomial 0x9A6C9329AC4BC9B5 with
// all-ones init and xorout: CRC-64/NVME's parameters, not ECMA-182 (0x6C40DF5F0B497347) nor XZ
// (0x995DC9BBDF1939FA).
TEST(Crc, Crc64IsPegasusVariant) {
  EXPECT_EQ(Crc64("123456789"), 0xAE8B14860A799888ull);
  EXPECT_NE(Crc64("123456789"), 0x6C40DF5F0B497347ull);
  EXPECT_NE(Crc64("123456789"), 0x995DC9BBDF1939FAull);
  EXPECT_EQ(Crc64(""), 0u);
}

RC_GTEST_PROP(Crc, ContinuationEqualsConcatenation, (const std::string& a, const std::string& b)) {
  RC_ASSERT(Crc64(b, Crc64(a)) == Crc64(a + b));
  RC_ASSERT(Crc32c(b, Crc32c(a)) == Crc32c(a + b));
}

TEST(Crc, MaskRoundTripsAndDiffers) {
  for (const uint32_t c : {0u, 1u, 0xE3069283u, 0xFFFFFFFFu}) {
    EXPECT_EQ(UnmaskCrc32c(MaskCrc32c(c)), c);
    EXPECT_NE(MaskCrc32c(c), c);
  }
}

TEST(KeySchema, LayoutIsBigEndianLengthHashkeySortkey) {
  EXPECT_EQ(EncodeKey("ab", "s"),
            "\x00\x02"
            "abs"s);
  EXPECT_EQ(EncodeKey("", ""), "\x00\x00"s);
  EXPECT_EQ(EncodeKey(std::string(258, 'h'), "").substr(0, 2), "\x01\x02"s);
  EXPECT_EQ(EncodeHashkeyPrefix("a"),
            "\x00\x01"
            "a"s);
}

RC_GTEST_PROP(KeySchema, RoundTrip, (const std::string& hashkey, const std::string& sortkey)) {
  const std::string raw = EncodeKey(hashkey, sortkey);
  const Result<KeyView> key = DecodeKey(raw);
  RC_ASSERT(key.ok());
  RC_ASSERT(key->hashkey == hashkey);
  RC_ASSERT(key->sortkey == sortkey);
  RC_ASSERT(raw.starts_with(EncodeHashkeyPrefix(hashkey)));
  RC_ASSERT(!IsMetaKey(raw));
}

// The length prefix keeps "a" and "ab" apart even though "ab" starts with "a".
RC_GTEST_PROP(KeySchema, PrefixNeverMatchesAnotherHashkey,
              (const std::string& h1, const std::string& h2, const std::string& sortkey)) {
  RC_PRE(h1 != h2);
  RC_ASSERT(!EncodeKey(h2, sortkey).starts_with(EncodeHashkeyPrefix(h1)));
}

TEST(KeySchema, MalformedKeysAreCorruption) {
  EXPECT_EQ(DecodeKey("").status().code(), ErrorCode::kCorruption);
  EXPECT_EQ(DecodeKey("\x00"s).status().code(), ErrorCode::kCorruption);
  EXPECT_EQ(DecodeKey("\x00\x03"
                      "ab"s)
                .status()
                .code(),
            ErrorCode::kCorruption);
  EXPECT_EQ(DecodeKey(MetaKey("x")).status().code(), ErrorCode::kCorruption);
  EXPECT_TRUE(DecodeKey("\x00\x02"
                        "ab"s)
                  .ok());
}

TEST(KeySchema, HashkeyLengthLimit) {
  EXPECT_TRUE(ValidateHashkey(std::string(kMaxHashkeyBytes, 'x')).ok());
  EXPECT_EQ(ValidateHashkey(std::string(kMaxHashkeyBytes + 1, 'x')).code(),
            ErrorCode::kInvalidArgument);
  // The longest legal hashkey still stays below the meta range.
  EXPECT_FALSE(IsMetaKey(EncodeKey(std::string(kMaxHashkeyBytes, '\xff'), "\xff\xff")));
}

TEST(KeySchema, MetaKeysSortAfterEveryUserKey) {
  const std::string largest = EncodeKey(std::string(kMaxHashkeyBytes, '\xff'), "\xff\xff\xff");
  EXPECT_LT(largest, MetaKey(""));
  EXPECT_TRUE(IsMetaKey(MetaKey("last_applied_decree")));
}

TEST(ValueSchema, LayoutAndRoundTrip) {
  EXPECT_EQ(EncodeValue(0x01020304, "v"), "\x01\x02\x03\x04v"s);
  const std::string encoded = EncodeValue(77, "hello");  // the view points into it
  const Result<ValueView> v = DecodeValue(encoded);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->expire_ts, 77u);
  EXPECT_EQ(v->user_value, "hello");
  EXPECT_EQ(DecodeValue("\x00\x00\x01"s).status().code(), ErrorCode::kCorruption);
  EXPECT_TRUE(DecodeValue("\x00\x00\x00\x00"s).ok());
}

TEST(ValueSchema, ExpiryFollowsPegasusCheckIfTsExpired) {
  EXPECT_FALSE(IsExpired(0, Time() + Seconds(1000000)));  // 0 = no TTL
  EXPECT_FALSE(IsExpired(10, Time() + Seconds(9)));
  EXPECT_TRUE(IsExpired(10, Time() + Seconds(10)));  // expire_ts <= now
  EXPECT_TRUE(IsExpired(10, Time() + Seconds(11)));
  EXPECT_FALSE(IsExpired(10, Time() + Millis(9999)));
  EXPECT_EQ(EpochSeconds(Time() - Seconds(5)), 0u);  // a clock behind epoch_begin
}

TEST(PartitionHash, IsCrc64OfHashkeyOrSortkey) {
  EXPECT_EQ(PartitionHash("h", "s"), Crc64("h"));
  EXPECT_EQ(PartitionHash("", "s"), Crc64("s"));
}

}  // namespace
}  // namespace pg
