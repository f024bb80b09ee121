#pragma once
// What a node's step produced, picked out of its Outbox: the step-level tests of every node read
// effects through these.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/node/io.h"

namespace pg::testing {

// Every message of type T the outbox sends, with its destination, in effect order.
template <class T>
std::vector<std::pair<NodeId, T>> SentOf(const Outbox& out) {
  std::vector<std::pair<NodeId, T>> v;
  for (const Effect& e : out.effects()) {
    if (const auto* s = std::get_if<Send>(&e)) {
      if (const auto* m = std::get_if<T>(&s->msg)) v.emplace_back(s->to, *m);
    }
  }
  return v;
}

inline std::vector<AppendLog> AppendsOf(const Outbox& out) {
  std::vector<AppendLog> v;
  for (const Effect& e : out.effects()) {
    if (const auto* a = std::get_if<AppendLog>(&e)) v.push_back(*a);
  }
  return v;
}

inline bool HasMark(const Outbox& out, std::string_view name) {
  for (const Effect& e : out.effects()) {
    if (const auto* m = std::get_if<Mark>(&e); m && m->name == name) return true;
  }
  return false;
}

// The reason of the step's Exit effect, which must be its last effect; nullopt without one.
inline std::optional<std::string> ExitOf(const Outbox& out) {
  std::optional<std::string> reason;
  for (const Effect& e : out.effects()) {
    if (reason) return "effects after the exit";
    if (const auto* x = std::get_if<Exit>(&e)) reason = x->reason;
  }
  return reason;
}

}  // namespace pg::testing
