#pragma once
// A message of a system other than Pegasus that the simulator hosts (the kernel's example
// register store, the kernel's own tests and benchmarks): the name of its type and its encoding.
// Pegasus never sends one; the kernel moves, encodes and names it like any other message, so those
// systems need no alternative of their own in the production message variant.
#include <string>
#include <string_view>

#include "core/proto/codec.h"

namespace pg {

struct HostedMessage {
  static constexpr std::string_view kName = "Hosted";
  std::string kind;     // the hosted type's kName
  std::string payload;  // Encode() of the hosted value
  PG_FIELDS(kind, payload);
  bool operator==(const HostedMessage&) const = default;
};

// Wraps a value of a hosted system's message type (a PG_FIELDS struct with a kName).
template <class T>
HostedMessage Host(const T& value) {
  return HostedMessage{.kind = std::string(T::kName), .payload = Encode(value)};
}

}  // namespace pg
