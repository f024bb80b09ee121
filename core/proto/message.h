#pragma once
// Every message any node sends, as one std::variant of plain structs. The simulator treats it
// opaquely (it moves, encodes and names messages); adding a message never changes the kernel.
#include <string>
#include <string_view>
#include <variant>

#include "core/proto/codec.h"
#include "core/proto/example_messages.h"

namespace pg {

using Message = std::variant<Ping, Pong, RegisterRequest, RegisterReply>;

inline std::string_view MessageName(const Message& m) {
  return std::visit([](const auto& alt) -> std::string_view { return alt.kName; }, m);
}

inline std::string MessageDebugString(const Message& m) {
  return std::visit([](const auto& alt) { return DebugString(alt); }, m);
}

}  // namespace pg
