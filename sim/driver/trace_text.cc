#include "sim/driver/trace_text.h"

namespace pg::sim {

std::string TraceText(const std::vector<TraceLine>& trace) {
  std::string out;
  for (const TraceLine& line : trace) {
    out += fmt::format("#{} {:.3f}ms {} {} [{:016x}]\n", line.index, line.at.ms(), line.node,
                       line.what, line.hash);
  }
  return out;
}

std::string VerdictText(const nlohmann::ordered_json& v) {
  std::string out = fmt::format("scenario: {} (seed {})\n", v["scenario"].get<std::string>(),
                                v["seed"].get<uint64_t>());
  out += fmt::format("verdict:  {}", v["verdict"].get<std::string>());
  if (!v["failure"].is_null()) {
    out += fmt::format(" — {} at event {}: {}", v["failure"]["kind"].get<std::string>(),
                       v["failure"]["event"].get<uint64_t>(),
                       v["failure"]["detail"].get<std::string>());
  }
  out += "\n";
  if (!v["expectation"]["met"].get<bool>()) {
    out += fmt::format("expectation NOT met: {}\n", v["expectation"]["why"].get<std::string>());
  }
  out += fmt::format("events:   {}  simulated: {} ms  wall: {} ms  operations: {}\n",
                     v["events"].get<uint64_t>(), v["sim_time_ms"].get<int64_t>(),
                     v["wall_ms"].get<int64_t>(), v["operations"].get<size_t>());
  out += fmt::format("trace:    {}\n", v["trace_hash"].get<std::string>());
  return out;
}

}  // namespace pg::sim
