#include "sim/kernel/frame.h"

#include <algorithm>
#include <vector>

#include "core/common/crc.h"

namespace pg::sim {
namespace {

constexpr size_t kFrameCrcBytes = 4;

}  // namespace

std::string EncodeFrame(const Message& msg) {
  std::string frame = Encode(msg);
  const uint32_t crc = MaskCrc32c(Crc32c(frame));
  for (size_t i = 0; i < kFrameCrcBytes; ++i) frame.push_back(static_cast<char>(crc >> (8 * i)));
  return frame;
}

uint32_t FlipFrameBits(std::string* frame, uint32_t bits, Rng& rng) {
  const uint64_t frame_bits = uint64_t{frame->size()} * 8;
  const auto n = static_cast<uint32_t>(std::min<uint64_t>(bits, frame_bits));
  // Distinct positions: flipping one bit twice would undo the damage and count it as done.
  std::vector<uint64_t> flipped;
  flipped.reserve(n);
  while (flipped.size() < n) {
    const uint64_t bit = rng.Uniform(frame_bits);
    if (std::find(flipped.begin(), flipped.end(), bit) != flipped.end()) continue;
    flipped.push_back(bit);
    (*frame)[bit / 8] = static_cast<char>((*frame)[bit / 8] ^ (1 << (bit % 8)));
  }
  return n;
}

OpenedFrame OpenFrame(std::string_view frame) {
  OpenedFrame out;
  if (frame.size() < kFrameCrcBytes) return out;  // too short to hold its checksum
  const std::string_view payload = frame.substr(0, frame.size() - kFrameCrcBytes);
  uint32_t stored = 0;
  for (size_t i = 0; i < kFrameCrcBytes; ++i) {
    stored |= static_cast<uint32_t>(static_cast<uint8_t>(frame[payload.size() + i])) << (8 * i);
  }
  if (UnmaskCrc32c(stored) != Crc32c(payload)) return out;
  Result<Message> decoded = Decode<Message>(payload);
  if (!decoded.ok()) {
    out.check = FrameCheck::kUndecodable;
    out.why = decoded.status().ToString();
    return out;
  }
  out.check = FrameCheck::kIntact;
  out.msg = std::move(decoded).value();
  return out;
}

std::string_view FrameCheckName(FrameCheck check) {
  switch (check) {
    case FrameCheck::kIntact:
      return "intact";
    case FrameCheck::kCrcMismatch:
      return "crc mismatch";
    case FrameCheck::kUndecodable:
      return "undecodable";
  }
  return "unknown";
}

}  // namespace pg::sim
