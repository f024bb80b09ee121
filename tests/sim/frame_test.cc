// The frame a corruption rule puts on the wire (sim/kernel/frame.h): an intact frame opens to the
// message it carries; every single flipped bit, payload or checksum, fails the checksum; a
// damaged payload whose checksum was made to match is decoded, and delivered only if it decodes.
#include "sim/kernel/frame.h"

#include <gtest/gtest.h>

#include "core/common/crc.h"
#include "sim/example/example_messages.h"
#include "sim/kernel/rng.h"

namespace pg::sim {
namespace {

const Message kPing = Host(Ping{.seq = 42, .payload = "frame me"});

// `payload` framed with a checksum that matches it, as undetected damage would leave a frame.
std::string FrameWithMatchingCrc(const std::string& payload) {
  std::string frame = payload;
  const uint32_t crc = MaskCrc32c(Crc32c(payload));
  for (int i = 0; i < 4; ++i) frame.push_back(static_cast<char>(crc >> (8 * i)));
  return frame;
}

TEST(Frame, AnIntactFrameOpensToItsMessage) {
  const std::string frame = EncodeFrame(kPing);
  EXPECT_EQ(frame.size(), Encode(kPing).size() + 4);
  const OpenedFrame opened = OpenFrame(frame);
  ASSERT_EQ(opened.check, FrameCheck::kIntact);
  EXPECT_EQ(opened.msg, kPing);
}

TEST(Frame, EverySingleFlippedBitFailsTheChecksum) {
  const std::string frame = EncodeFrame(kPing);
  for (size_t bit = 0; bit < frame.size() * 8; ++bit) {
    std::string damaged = frame;
    damaged[bit / 8] = static_cast<char>(damaged[bit / 8] ^ (1 << (bit % 8)));
    EXPECT_EQ(OpenFrame(damaged).check, FrameCheck::kCrcMismatch) << "bit " << bit;
  }
}

TEST(Frame, FlipsAreDistinctAndDrawnFromTheRng) {
  const std::string frame = EncodeFrame(kPing);
  for (uint32_t bits = 1; bits <= 3; ++bits) {
    for (uint64_t seed = 1; seed <= 50; ++seed) {
      std::string damaged = frame;
      Xoshiro256 rng(seed);
      ASSERT_EQ(FlipFrameBits(&damaged, bits, rng), bits);
      int differing = 0;
      for (size_t i = 0; i < frame.size(); ++i) {
        differing += __builtin_popcount(static_cast<uint8_t>(frame[i] ^ damaged[i]));
      }
      EXPECT_EQ(differing, static_cast<int>(bits)) << "seed " << seed;
      // Up to 3 flips are always caught: CRC-32C's Hamming distance is at least 4 here.
      EXPECT_EQ(OpenFrame(damaged).check, FrameCheck::kCrcMismatch) << "seed " << seed;
    }
  }
  std::string a = frame, b = frame;
  Xoshiro256 ra(7), rb(7);
  FlipFrameBits(&a, 3, ra);
  FlipFrameBits(&b, 3, rb);
  EXPECT_EQ(a, b) << "the same draws flip the same bits";
}

TEST(Frame, NoMoreFlipsThanTheFrameHasBits) {
  std::string tiny(2, '\0');
  Xoshiro256 rng(1);
  EXPECT_EQ(FlipFrameBits(&tiny, 64, rng), 16u);
  EXPECT_EQ(tiny, std::string(2, '\xff'));
}

// Damage the checksum does not see is not assumed away: the receiver decodes the bytes, and gets
// what they now say, or drops them when they are no message.
TEST(Frame, DamageThatPassesTheChecksumIsDecodedNotAssumedDropped) {
  std::string payload = Encode(kPing);
  payload[payload.size() - 1] = 'E';  // "frame mE": still a Ping, a different one
  const OpenedFrame changed = OpenFrame(FrameWithMatchingCrc(payload));
  ASSERT_EQ(changed.check, FrameCheck::kIntact);
  EXPECT_NE(changed.msg, kPing);
  EXPECT_EQ(Unhost<Ping>(changed.msg)->payload, "frame mE");

  std::string garbage = Encode(kPing);
  garbage[0] = static_cast<char>(0x7f);  // a variant index no message has
  const OpenedFrame undecodable = OpenFrame(FrameWithMatchingCrc(garbage));
  EXPECT_EQ(undecodable.check, FrameCheck::kUndecodable);
  EXPECT_FALSE(undecodable.why.empty());

  EXPECT_EQ(OpenFrame("abc").check, FrameCheck::kCrcMismatch) << "shorter than its checksum";
}

}  // namespace
}  // namespace pg::sim
