#include "sim/driver/system_builder.h"

#include <memory>

#include "sim/example/register_client.h"
#include "sim/example/register_server.h"
#include "sim/pegasus/pegasus_system.h"
#include "sim/scenario/system_parts.h"

namespace pg::sim {
namespace {

example::RegisterClientOptions ClientOptions(const Knobs& knobs, int index,
                                             const std::vector<NodeId>& servers) {
  const int base = knobs.ops / knobs.clients;
  const double set_weight = knobs.mix.contains("set") ? knobs.mix.at("set") : 0;
  const double get_weight = knobs.mix.contains("get") ? knobs.mix.at("get") : 0;
  const double total = set_weight + get_weight;
  const int ops = base + (index < knobs.ops % knobs.clients ? 1 : 0);
  // Spread each client's operations over the first 80 % of the run, so faults meet traffic.
  const int64_t think_ms = ops > 0 ? std::max<int64_t>(1, knobs.duration_ms * 8 / 10 / ops) : 1;
  return {.process = static_cast<uint32_t>(index),
          .servers = servers,
          .keys = knobs.hashkeys,
          .ops = ops,
          .write_fraction = total > 0 ? set_weight / total : 0.5,
          .timeout = Millis(knobs.timeout_ms),
          .retry_interval = Millis(std::max<int64_t>(knobs.timeout_ms / 8, 1)),
          .think_time = Millis(think_ms)};
}

}  // namespace

Status BuildRegisterSystem(Cluster& cluster, const Knobs& knobs, const NodeFactory& server) {
  Rng& clocks = cluster.stream("clocks");
  std::vector<NodeId> servers;
  for (const std::string& name : NodeNames(knobs)) {
    const ClockConfig clock = DrawClock(knobs, clocks);
    if (name.starts_with("meta/")) {
      cluster.AddNode(
          name, [](const NodeEnv&) { return std::make_unique<IdleNode>(); }, clock);
    } else if (name.starts_with("replica/")) {
      servers.push_back(cluster.AddNode(name, server, clock));
    } else {
      const int index = std::stoi(name.substr(name.find('/') + 1));
      auto options = ClientOptions(knobs, index, servers);
      // A restarted client lost its open operation, which stays open (unknown) in the history;
      // reusing the process id would open a second one, so a rebuilt client runs no operations.
      auto builds = std::make_shared<int>(0);
      cluster.AddNode(
          name,
          [options, builds](const NodeEnv& env) {
            auto o = options;
            if ((*builds)++ > 0) o.ops = 0;
            return std::make_unique<example::RegisterClient>(env, o);
          },
          clock);
    }
  }
  return Status::Ok();
}

Status BuildSystem(Cluster& cluster, const Knobs& knobs) {
  if (knobs.system == "register") {
    return BuildRegisterSystem(cluster, knobs, [](const NodeEnv& env) {
      return std::make_unique<example::RegisterServer>(env);
    });
  }
  if (knobs.system == "pegasus") return BuildPegasusSystem(cluster, knobs);
  return Status(
      ErrorCode::kInvalidArgument,
      fmt::format("unknown system \"{}\"; use \"pegasus\" or \"register\"", knobs.system));
}

}  // namespace pg::sim
