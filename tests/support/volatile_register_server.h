#pragma once
// A planted bug for tests of the bench itself: a register server that keeps its state only in
// memory (acknowledges writes it never logs), so it loses acknowledged writes on every crash and
// the checker must call the history illegal. Plug it in with PlantedBugOptions().
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "sim/driver/runner.h"
#include "sim/driver/system_builder.h"
#include "sim/example/register_server.h"

namespace pg::testing {

class VolatileRegisterServer final : public Node {
 public:
  void Step(Time, const Input& input, Outbox& out) override {
    const auto* r = std::get_if<Receive>(&input);
    if (!r) return;
    const auto req = Unhost<RegisterRequest>(r->msg);
    if (!req) return;
    if (req->is_write) {
      state_[req->key] = req->value;  // BUG (planted): acknowledged, never logged
      out.Send(r->from, Host(RegisterReply{.request_id = req->request_id}));
      return;
    }
    std::optional<std::string> value;
    if (auto it = state_.find(req->key); it != state_.end()) value = it->second;
    out.Send(r->from, Host(RegisterReply{.request_id = req->request_id, .value = value}));
  }
  void CheckInvariants() const override {}

 private:
  std::map<std::string, std::string> state_;
};

// RunOptions whose register system runs VolatileRegisterServer as every server.
inline sim::RunOptions PlantedBugOptions() {
  sim::RunOptions options;
  options.system_override = [](sim::Cluster& cluster, const sim::Knobs& knobs) {
    return sim::BuildRegisterSystem(
        cluster, knobs, [](const NodeEnv&) { return std::make_unique<VolatileRegisterServer>(); });
  };
  return options;
}

}  // namespace pg::testing
