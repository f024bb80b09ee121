// A single meta server's boot: the table rebuilt from meta.log, made durable before it is served.
#include <algorithm>

#include "core/common/log.h"
#include "core/meta/meta_log.h"
#include "core/meta/meta_server.h"
#include "core/meta/partition_table.h"
#include "core/proto/incarnation.h"

namespace pg {

// Rebuilds the table from meta.log: the last intact record of each partition wins. A partition
// with no record was never created durably; it is created now (the layout is a pure function of
// the options, so a re-creation is the same table).
void MetaServer::OnBoot(Time now, Outbox& out) {
  PG_ASSERT(!fd_ && !leading_ && !stopped_, "a MetaServer boots once; a restart builds anew");
  fd_.emplace(options_.replica_servers, now, options_.grace);
  // The random part tells two starts in one millisecond apart, as a replica server's incarnation.
  epoch_ = IncarnationId(now, env_.rng != nullptr ? env_.rng->NextU64() : 0);
  ResetTable();
  if (options_.coord) {
    // The table is read from the coordination service by whichever meta takes the lock.
    CoordClientOptions o = *options_.coord;
    o.keepalive_timer = kCoordKeepAliveTimer;
    o.retry_timer = kCoordRetryTimer;
    coord_.emplace(o, env_.id, options_.partition_count);
    coord_->Start(now, out);
    out.SetTimer(kCheckTimer, options_.check_interval);
    return;
  }
  LoadMetaLog(out);
  if (!stopped_) out.SetTimer(kCheckTimer, options_.check_interval);
}

void MetaServer::LoadMetaLog(Outbox& out) {
  std::vector<std::optional<PartitionConfiguration>> stored(configs_.size());
  if (env_.disk == nullptr || !env_.disk->Exists(kMetaLogFile)) return AdoptTable(stored, out);
  Result<std::string> bytes = env_.disk->ReadFile(kMetaLogFile);
  if (!bytes.ok()) {
    // Without its table meta must not answer anything: fail-stop.
    PG_LOG(kError, "cannot read {}: {}; fail-stop", kMetaLogFile, bytes.status().ToString());
    stopped_ = true;
    out.Exit("meta.log unreadable");
    return;
  }
  if (!ReplayMetaLog(*bytes, stored, out)) return;
  if (bytes->empty()) return AdoptTable(stored, out);
  // What the replay read may not be durable: an append whose sync failed (this process's
  // predecessor fail-stopped on it) leaves its bytes in the page cache, which a process crash
  // keeps and a power loss takes. Serving them before they are synced lets a replica act on a
  // configuration a power loss then erases. So the file is synced first, and the table served
  // once the sync is done (a failed sync is a fail-stop, as any meta.log failure).
  boot_sync_token_ = next_token_++;
  boot_table_ = std::move(stored);
  out.Mark("meta.boot_sync");
  out.AppendLog({.file = kMetaLogFile, .token = *boot_sync_token_, .bytes = {}, .sync = true});
}

bool MetaServer::ReplayMetaLog(const std::string& bytes,
                               std::vector<std::optional<PartitionConfiguration>>& stored,
                               Outbox& out) {
  const MetaLogReplay replay = ReadMetaLog(bytes);
  if (replay.rotten) {
    // Not a torn append: an acknowledged configuration may be lost or wrong, and meta.log has
    // no second copy. Serving an older ballot could make two primaries: fail-stop.
    PG_LOG(kError, "{}: damaged record at offset {} (not a torn append); fail-stop", kMetaLogFile,
           replay.rot_offset);
    out.Mark("meta.log_damaged");
    stopped_ = true;
    out.Exit("meta.log damaged");
    return false;
  }
  if (replay.skipped_bytes > 0) {
    PG_LOG(kWarn, "{}: skipped {} damaged bytes (torn appends)", kMetaLogFile,
           replay.skipped_bytes);
  }
  for (const PartitionConfiguration& pc : replay.records) {
    if (!ValidPartition(pc.gpid) || ConfigProblem(pc) ||
        pc.partition_count != options_.partition_count) {
      PG_LOG(kWarn, "{}: ignoring a record for {} that is not of this table", kMetaLogFile,
             pc.gpid);
      continue;
    }
    std::optional<PartitionConfiguration>& cur = stored[pc.gpid.partition_index];
    const Ballot ballot = cur ? cur->ballot : Ballot(0);
    if (pc.ballot <= ballot) continue;
    if (pc.ballot != ballot.next()) {
      PG_LOG(kWarn, "{}: {} jumps from ballot {} to {}", kMetaLogFile, pc.gpid, ballot, pc.ballot);
    }
    cur = pc;
  }
  return true;
}

void MetaServer::OnBootSynced(Time now, Outbox& out) {
  PG_ASSERT(boot_sync_token_ && !ready_, "a boot sync completed twice");
  boot_sync_token_.reset();
  AdoptTable(std::exchange(boot_table_, {}), out);
  if (ready_) ServeDeferred(now, out);
}

void MetaServer::ServeDeferred(Time now, Outbox& out) {
  PG_ASSERT(ready_, "serving deferred requests without a table");
  std::vector<Receive> deferred = std::move(deferred_);
  deferred_.clear();
  for (const Receive& r : deferred) OnReceive(r, now, out);
}

}  // namespace pg
