#include "sim/driver/history_export.h"

#include "sim/driver/runner.h"

namespace pg::sim {

std::string HistoryToJsonl(const std::vector<RecordedOp>& history) {
  std::string out;
  uint64_t index = 0;
  for (const RecordedOp& r : history) {
    nlohmann::ordered_json line;
    line["index"] = index++;
    line["process"] = r.op.process;
    line["type"] = r.op.type;
    line["f"] = r.op.f;
    line["hashkey"] = r.op.hashkey;
    if (!r.op.sortkey.empty()) line["sortkey"] = r.op.sortkey;
    line["value"] = nlohmann::ordered_json::parse(r.op.value_json);
    line["time"] = r.at.ns();
    out += line.dump();
    out += '\n';
  }
  return out;
}

size_t CountCompletions(const std::vector<RecordedOp>& history) {
  size_t n = 0;
  for (const RecordedOp& r : history) n += r.op.type != "invoke";
  return n;
}

}  // namespace pg::sim
