#pragma once
// A message on the simulated wire as a frame: its codec encoding followed by a checksum of that
// encoding, as rDSN's message header carries a CRC of the body and a receiver checks it before it
// parses the body. The kernel passes message structs and never encodes a frame for a message that
// travels intact; only a message a corruption rule picks is framed, damaged and checked
// (Cluster::AddCorruption), so a sweep pays for the frames it corrupts and for no others.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/common/rng.h"
#include "core/proto/message.h"

namespace pg::sim {

// The frame of `msg`: Encode(msg), then the masked CRC-32C of those bytes in 4 bytes,
// little-endian. Masked as LevelDB stores a CRC (crc.h): a message may itself carry checksummed
// bytes (a learn response's log records), and a CRC over bytes that embed CRCs is weak.
std::string EncodeFrame(const Message& msg);

// Flips `bits` distinct bits of `frame` (payload or checksum alike), at positions drawn from
// `rng`; at most every bit of the frame. Returns how many it flipped.
uint32_t FlipFrameBits(std::string* frame, uint32_t bits, Rng& rng);

// What a receiver makes of a frame. The checksum is verified before anything is decoded:
// kCrcMismatch is a frame whose bytes disagree with its checksum (every flip of up to 3 bits, as
// CRC-32C's Hamming distance is at least 4 below 2^31 bits). A damaged frame whose checksum still
// matches (more flips, with odds of about 2^-32) is decoded: kUndecodable when its bytes are no
// message, else kIntact with the message those bytes now spell, which the receiver gets.
enum class FrameCheck : uint8_t { kIntact, kCrcMismatch, kUndecodable };
struct OpenedFrame {
  FrameCheck check = FrameCheck::kCrcMismatch;
  Message msg;      // kIntact only
  std::string why;  // kUndecodable: the decoder's complaint
};
OpenedFrame OpenFrame(std::string_view frame);

// "crc mismatch", "undecodable", "intact".
std::string_view FrameCheckName(FrameCheck check);

}  // namespace pg::sim
