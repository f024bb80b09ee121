#pragma once
// The run's trace: a rolling 64-bit hash folded over every executed event's bytes (always on; two
// runs agree on it only if they executed the same events with the same inputs and effects), and,
// when recording, the human-readable lines. One Encoder writes into a buffer reused across events,
// so hashing allocates nothing in steady state.
#include <cstdint>
#include <string>
#include <vector>

#include "core/proto/codec.h"
#include "sim/kernel/trace_line.h"

namespace pg::sim {

// Folds one 64-bit word into a running hash.
inline uint64_t FoldWord(uint64_t h, uint64_t word) {
  h = (h ^ word) * 0x9e3779b97f4a7c15ULL;
  return h ^ (h >> 29);
}

// A fast 64-bit hash of bytes, word at a time. Reads words in host byte order: trace hashes are
// comparable between runs on little-endian machines (every machine this runs on).
uint64_t HashBytes(const std::string& bytes, uint64_t seed);

class Trace {
 public:
  explicit Trace(bool record) : record_(record), enc_(&buf_) { buf_.reserve(4096); }
  Trace(const Trace&) = delete;  // enc_ points into buf_
  Trace& operator=(const Trace&) = delete;

  // Starts an event's record with its global time, node and incarnation; the caller adds the rest
  // with Word (fixed-size fields, folded in directly: the hot path) and bytes() (strings, through
  // the codec), then calls End.
  void Begin(Time at, uint32_t node, uint64_t incarnation, uint8_t kind);
  void Word(uint64_t w) { event_ = FoldWord(event_, w); }
  Encoder& bytes() { return enc_; }
  void End();

  // The digest of a value's codec encoding. A message is folded into the trace as its digest,
  // computed once when it is sent and carried by every copy, so a hop costs one encoding, not two.
  template <class T>
  uint64_t Digest(const T& v) {
    scratch_.clear();
    Encoder(&scratch_).Put(v);
    return HashBytes(scratch_, 0);
  }

  bool recording() const { return record_; }
  // Called after End(): the line carries the hash that includes its record.
  void AddLine(TraceLine line) {
    line.hash = hash_;
    lines_.push_back(std::move(line));
  }

  uint64_t hash() const { return hash_; }
  const std::vector<TraceLine>& lines() const { return lines_; }

 private:
  bool record_;
  std::string buf_;
  std::string scratch_;
  Encoder enc_;
  uint64_t event_ = 0;  // the current event's words
  uint64_t hash_ = 0x6a09e667f3bcc908ULL;
  std::vector<TraceLine> lines_;
};

}  // namespace pg::sim
