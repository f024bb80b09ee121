#include "core/meta/coord_table.h"

#include <charconv>

#include "core/common/log.h"
#include "core/meta/meta_log.h"

namespace pg {

std::string PartitionZnodePath(int partition_index) {
  return fmt::format("/meta/app/{}", partition_index);
}

CoordTable::CoordTable(CoordClientOptions client, NodeId self, int partition_count)
    : client_(std::move(client)), self_(self), partition_count_(partition_count) {
  PG_ASSERT_GT(partition_count_, 0);
}

bool CoordTable::OnMessage(NodeId from, const Message& msg, Time now, Outbox& out) {
  if (!client_.OnMessage(from, msg, now, out)) return false;
  // A new lock attempt forgets the holder until its read returns: keep the last one seen.
  if (std::optional<std::string> holder = client_.lock_holder()) last_holder_ = std::move(holder);
  for (const CoordResult& r : client_.TakeResults()) OnResult(r);
  return true;
}

bool CoordTable::OnTimer(TimerId timer, Time now, Outbox& out) {
  if (!client_.OnTimer(timer, now, out)) return false;
  for (const CoordResult& r : client_.TakeResults()) OnResult(r);
  return true;
}

void CoordTable::Campaign(Time now, Outbox& out) {
  client_.TryAcquireLock(kMetaLeaderPath, std::to_string(self_.value()), now, out);
}

std::optional<NodeId> CoordTable::LeaderHint() const {
  const std::optional<std::string>& holder = last_holder_;
  if (!holder) return std::nullopt;
  uint32_t id = 0;
  const char* end = holder->data() + holder->size();
  auto [ptr, ec] = std::from_chars(holder->data(), end, id);
  if (ec != std::errc() || ptr != end || NodeId(id) == self_) return std::nullopt;
  return NodeId(id);
}

void CoordTable::Resign(Time now, Outbox& out) {
  loads_.clear();
  writes_.clear();
  writes_left_.clear();
  versions_.clear();
  client_.Close(now, out);
  (void)client_.TakeResults();  // the closed session's operations, all kTimeout: nobody waits
  events_.clear();
  // Closed: nothing can hold the lock any more, and no operation of the old session is left.
  PG_ASSERT(!client_.HoldsLock(now) && !client_.SessionAlive(now), "resigned but still holding");
  client_.Start(now, out);
}

void CoordTable::Load(Time now, Outbox& out) {
  PG_ASSERT(loads_.empty() && writes_.empty(), "loading while the table is in use");
  loaded_.assign(partition_count_, std::nullopt);
  versions_.assign(partition_count_, std::nullopt);
  for (int i = 0; i < partition_count_; ++i) {
    loads_[client_.Get(PartitionZnodePath(i), now, out)] = i;
  }
  // One read per partition, each under its own operation id.
  PG_ASSERT_EQ(loads_.size(), static_cast<size_t>(partition_count_));
  for (const CoordResult& r : client_.TakeResults()) OnResult(r);
}

void CoordTable::Write(uint64_t token, const std::vector<PartitionConfiguration>& configs, Time now,
                       Outbox& out) {
  PG_ASSERT(loads_.empty() && versions_.size() == static_cast<size_t>(partition_count_),
            "writing before the table was loaded");
  PG_ASSERT(!configs.empty());
  PG_ASSERT(!writes_left_.contains(token), "token {} reused", token);
  writes_left_[token] = static_cast<int>(configs.size());
  for (const PartitionConfiguration& pc : configs) {
    const int i = pc.gpid.partition_index;
    PG_ASSERT(i >= 0 && i < partition_count_, "partition {}", pc.gpid);
    const std::string path = PartitionZnodePath(i);
    const std::string data = EncodeMetaLogRecord(pc);
    const bool create = !versions_[i].has_value();
    const uint64_t op = create ? client_.Create(path, data, /*ephemeral=*/false, now, out)
                               : client_.Set(path, data, *versions_[i], now, out);
    PG_ASSERT(!writes_.contains(op), "operation {} issued twice", op);
    writes_[op] = PendingWrite{.token = token, .partition = i, .create = create};
  }
  for (const CoordResult& r : client_.TakeResults()) OnResult(r);
}

std::vector<CoordTable::Event> CoordTable::TakeEvents() {
  std::vector<Event> e = std::move(events_);
  events_.clear();
  return e;
}

void CoordTable::Fail(std::string why) {
  PG_ASSERT(!why.empty(), "a failure says why");
  // One failure ends the term: what is still in flight no longer matters.
  loads_.clear();
  writes_.clear();
  writes_left_.clear();
  events_.push_back(Event{.kind = EventKind::kFailed, .why = std::move(why)});
}

void CoordTable::OnResult(const CoordResult& r) {
  if (auto it = loads_.find(r.op_id); it != loads_.end()) {
    const int i = it->second;
    PG_ASSERT(i >= 0 && i < partition_count_, "load of partition {}", i);
    PG_ASSERT_EQ(loaded_.size(), static_cast<size_t>(partition_count_), "a load without its table");
    loads_.erase(it);
    if (r.error == ErrorCode::kObjectNotFound) {
      // Not created yet: the leader creates it.
    } else if (r.error != ErrorCode::kOk) {
      return Fail(fmt::format("reading {}: {}", r.path, ErrorCodeName(r.error)));
    } else {
      const MetaLogReplay replay = ReadMetaLog(r.data);
      if (replay.records.size() != 1 || replay.skipped_bytes != 0 ||
          replay.records[0].gpid.partition_index != i) {
        return Fail(fmt::format("{} does not hold one configuration of partition {}", r.path, i));
      }
      loaded_[i] = replay.records[0];
      versions_[i] = r.version;
    }
    if (loads_.empty()) {
      events_.push_back(Event{.kind = EventKind::kLoaded, .table = std::move(loaded_)});
      loaded_.clear();
    }
    return;
  }
  auto it = writes_.find(r.op_id);
  if (it == writes_.end()) return;  // of a load or write given up
  const PendingWrite w = it->second;
  PG_ASSERT(writes_left_.contains(w.token) && writes_left_.at(w.token) > 0, "token {}", w.token);
  PG_ASSERT_EQ(versions_.size(), static_cast<size_t>(partition_count_), "a write before a load");
  writes_.erase(it);
  if (r.error != ErrorCode::kOk) {
    // kInvalidVersion / kNodeAlreadyExist: another leader wrote, or an earlier attempt of this
    // very write did; kExpired / kTimeout: the session is gone or the outcome unknown.
    return Fail(
        fmt::format("writing {} (attempt {}): {}", r.path, r.attempts, ErrorCodeName(r.error)));
  }
  versions_[w.partition] = w.create ? int64_t{0} : r.version;
  if (--writes_left_[w.token] == 0) {
    writes_left_.erase(w.token);
    events_.push_back(Event{.kind = EventKind::kWritten, .token = w.token});
  }
}

void CoordTable::CheckInvariants() const {
  client_.CheckInvariants();
  PG_ASSERT_GT(partition_count_, 0);
  // Versions are known for the whole table once loaded, or not at all.
  PG_ASSERT(versions_.empty() || versions_.size() == static_cast<size_t>(partition_count_));
  // A load and writes never overlap: writes start only after the table was loaded.
  PG_ASSERT(loads_.empty() || writes_.empty(), "{} loads and {} writes", loads_.size(),
            writes_.size());
  if (!loads_.empty()) PG_ASSERT_EQ(loaded_.size(), static_cast<size_t>(partition_count_));
  for (const auto& [op, i] : loads_) PG_ASSERT(i >= 0 && i < partition_count_, "op {}", op);
  // Each token's count is the number of its writes still in flight.
  std::map<uint64_t, int> in_flight;
  for (const auto& [op, w] : writes_) {
    PG_ASSERT(w.partition >= 0 && w.partition < partition_count_, "op {}", op);
    ++in_flight[w.token];
  }
  PG_ASSERT(in_flight == writes_left_, "{} tokens in flight, {} counted", in_flight.size(),
            writes_left_.size());
}

}  // namespace pg
