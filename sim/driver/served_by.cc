#include "sim/driver/served_by.h"

#include <fmt/format.h>

#include <cctype>
#include <set>

#include "core/proto/partition_hash.h"
#include "core/replica/replica_server.h"

namespace pg::sim {
namespace {

// "primary", "secondary", "potential_secondary": Pegasus's PS_ names, as the page writes them.
std::string StatusName(const ReplicaServer::ReplicaView& view) {
  std::string name(PartitionStatusName(view.status));
  if (name.starts_with("PS_")) name.erase(0, 3);
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  // A primary whose lease lapsed still says primary, but it must not serve: worth seeing.
  if (view.status == PartitionStatus::kPrimary && !view.serving_as_primary)
    name += " without a lease";
  return name;
}

// The partition the client routed the operation to (PegasusClient: PartitionHash % count) and
// the server's replica of it, read from the server as it is now (the client's step changed only
// the client).
void AddReplica(const Cluster& cluster, NodeId server, const RecordOp& op, int partitions,
                ServedBy& out) {
  if (partitions <= 0) return;
  const auto index = static_cast<int32_t>(PartitionHash(op.hashkey, op.sortkey) %
                                          static_cast<uint64_t>(partitions));
  const auto* replicas = dynamic_cast<const ReplicaServer*>(cluster.node(server));
  if (replicas == nullptr) return;
  for (const ReplicaServer::ReplicaView& view : replicas->Views(cluster.LocalTime(server))) {
    if (view.gpid.partition_index != index) continue;
    out.partition = fmt::format("{}", view.gpid);
    out.ballot = view.ballot.value();
    out.status = StatusName(view);
    return;
  }
  out.partition = fmt::format("?.{}", index);  // the server holds no replica of it any more
}

// Called after every step. A completion the client recorded while stepping a message was
// answered by that message's sender.
class ServedByRecorder {
 public:
  ServedByRecorder(const Cluster& cluster, int partitions, ServedByLog* log)
      : cluster_(&cluster), partitions_(partitions), log_(log), seen_(cluster.history().size()) {}

  void operator()(uint64_t, Time, NodeId node, const Input& input) {
    const std::vector<RecordedOp>& history = cluster_->history();
    const size_t first = seen_;
    seen_ = history.size();
    const auto* receive = std::get_if<Receive>(&input);
    if (receive == nullptr) return;
    // An operation both invoked and completed in this step (e.g. failed at once: no table) was
    // not answered by this message, which completed the one before it.
    std::set<uint32_t> invoked_now;
    for (size_t i = first; i < history.size(); ++i) {
      const RecordedOp& recorded = history[i];
      if (recorded.node != node) continue;
      if (recorded.op.type == "invoke") {
        invoked_now.insert(recorded.op.process);
        continue;
      }
      if (invoked_now.count(recorded.op.process)) continue;
      ServedBy served{.server = cluster_->name(receive->from)};
      AddReplica(*cluster_, receive->from, recorded.op, partitions_, served);
      log_->emplace(i, std::move(served));
    }
  }

 private:
  const Cluster* cluster_;
  int partitions_;
  ServedByLog* log_;
  size_t seen_;  // history entries already looked at
};

}  // namespace

void RecordServedBy(Cluster& cluster, const Knobs& knobs, ServedByLog* log) {
  const int partitions = knobs.system == "pegasus" ? knobs.partitions : 0;
  cluster.AddEventObserver(ServedByRecorder(cluster, partitions, log));
}

std::string Describe(const ServedBy& served) {
  std::string out = served.server;
  if (served.ballot) out += fmt::format(", ballot {}", *served.ballot);
  if (served.status) out += fmt::format(" ({})", *served.status);
  if (served.partition) out += fmt::format(" of {}", *served.partition);
  return out;
}

}  // namespace pg::sim
