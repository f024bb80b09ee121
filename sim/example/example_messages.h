#pragma once
// Messages of the kernel's example system (sim/example/): a single-copy register store that
// exercises the simulator, the scenario files and the checker end to end without Pegasus, and
// that the kernel's tests and benchmarks use. Not part of Pegasus: they travel as hosted messages
// (Host(value) to send, Unhost<T>(msg) to read; core/proto/message.h).
#include <cstdint>
#include <optional>
#include <string>

#include "core/proto/codec.h"
#include "core/proto/message.h"

namespace pg {

// A message with no meaning beyond its sequence number: kernel tests and benchmarks.
struct Ping {
  static constexpr std::string_view kName = "Ping";
  uint64_t seq = 0;
  std::string payload;
  PG_FIELDS(seq, payload);
  bool operator==(const Ping&) const = default;
};

struct Pong {
  static constexpr std::string_view kName = "Pong";
  uint64_t seq = 0;
  PG_FIELDS(seq);
  bool operator==(const Pong&) const = default;
};

// Client -> register server. A retry reuses request_id, so the server can answer it from its
// dedup table instead of applying the write twice.
struct RegisterRequest {
  static constexpr std::string_view kName = "RegisterRequest";
  uint64_t request_id = 0;
  bool is_write = false;
  std::string key;
  std::string value;  // written value; empty for reads
  PG_FIELDS(request_id, is_write, key, value);
  bool operator==(const RegisterRequest&) const = default;
};

struct RegisterReply {
  static constexpr std::string_view kName = "RegisterReply";
  uint64_t request_id = 0;
  ErrorCode error = ErrorCode::kOk;
  std::optional<std::string> value;  // for reads: the value, or nullopt when absent
  PG_FIELDS(request_id, error, value);
  bool operator==(const RegisterReply&) const = default;
};

}  // namespace pg
