#pragma once
// A planted bug for the bench to catch: a register server that keeps its state only in memory
// (acknowledges writes it never logs), so every crash loses acknowledged writes.
#include <map>
#include <optional>
#include <string>

#include "core/node/node.h"
#include "core/proto/example_messages.h"

namespace pg::testing {

class VolatileRegisterServer final : public Node {
 public:
  void Step(Time, const Input& input, Outbox& out) override {
    const auto* r = std::get_if<Receive>(&input);
    if (!r) return;
    const auto* req = std::get_if<RegisterRequest>(&r->msg);
    if (!req) return;
    if (req->is_write) {
      state_[req->key] = req->value;  // BUG (planted): acknowledged, never logged
      out.Send(r->from, RegisterReply{.request_id = req->request_id});
      return;
    }
    std::optional<std::string> value;
    if (auto it = state_.find(req->key); it != state_.end()) value = it->second;
    out.Send(r->from, RegisterReply{.request_id = req->request_id, .value = value});
  }
  void CheckInvariants() const override {}

 private:
  std::map<std::string, std::string> state_;
};

}  // namespace pg::testing
