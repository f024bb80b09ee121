#pragma once
// The run's trace: a rolling 64-bit hash folded over every executed event's bytes (always on; two
// runs agree on it only if they executed the same events with the same inputs and effects), and,
// when recording, the human-readable lines. One Encoder writes into a buffer reused across events,
// so hashing allocates nothing in steady state.
#include <cstdint>
#include <string>
#include <vector>

#include "core/proto/codec.h"
#include "sim/cluster.h"

namespace pg::sim {

class Trace {
 public:
  explicit Trace(bool record) : record_(record), enc_(&buf_) { buf_.reserve(4096); }
  Trace(const Trace&) = delete;  // enc_ points into buf_
  Trace& operator=(const Trace&) = delete;

  // Starts an event's bytes with its global time, node and incarnation; the caller appends the
  // rest through the returned Encoder, then calls End.
  Encoder& Begin(Time at, uint32_t node, uint64_t incarnation, uint8_t kind);
  void End();

  bool recording() const { return record_; }
  void AddLine(TraceLine line) { lines_.push_back(std::move(line)); }

  uint64_t hash() const { return hash_; }
  const std::vector<TraceLine>& lines() const { return lines_; }

 private:
  bool record_;
  std::string buf_;
  Encoder enc_;
  uint64_t hash_ = 0x6a09e667f3bcc908ULL;
  std::vector<TraceLine> lines_;
};

// A fast 64-bit hash of bytes, word at a time. Reads words in host byte order: trace hashes are
// comparable between runs on little-endian machines (every machine this runs on).
uint64_t HashBytes(const std::string& bytes, uint64_t seed);

}  // namespace pg::sim
