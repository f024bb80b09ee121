#include "sim/pegasus/engine_store.h"

#include "core/common/assert.h"
#include "core/storage/mem_engine.h"
#include "core/storage/rocksdb_engine.h"
#include "sim/kernel/sim_disk.h"
#include "sim/pegasus/rocks_env.h"

namespace pg::sim {

struct EngineStore::Slot {
  std::shared_ptr<MemEngine> mem;  // "memory": the engine itself, kept across crashes
  Decree durable{0};
  bool open = false;
  uint64_t disk_generation = 0;  // the disk's generation the engine lives on
  // The content of the durable state, at the decree it was made durable (nullopt: unknown,
  // after a failed flush or restore).
  struct DurableContent {
    Decree decree{0};
    EngineContent content;
  };
  std::optional<DurableContent> durable_content = DurableContent{};

  // The engine and everything durable of it are gone (a replaced disk, a discarded replica).
  void Forget() {
    mem.reset();
    durable = Decree(0);
    durable_content = DurableContent{};
  }
};

// Where an engine's content digests go: the run's ledger, under the node's name.
struct ContentRecorder {
  std::shared_ptr<ContentLedger> ledger;  // nullptr: nothing is recorded
  std::string node;
  Gpid gpid;
};

namespace {

// What the replica holds: forwards to the engine, keeps the slot's durable decree current, and
// closes the engine (losing everything unflushed) when dropped.
class EngineHandle final : public KvEngine {
 public:
  EngineHandle(std::shared_ptr<EngineStore::Slot> slot, std::shared_ptr<KvEngine> engine,
               std::shared_ptr<SimRocksEnv> env, ContentRecorder recorder)
      : slot_(std::move(slot)),
        engine_(std::move(engine)),
        env_(std::move(env)),
        recorder_(std::move(recorder)) {
    slot_->open = true;
    slot_->durable = engine_->last_durable();
    if (slot_->durable_content && slot_->durable_content->decree == engine_->last_applied()) {
      content_ = slot_->durable_content->content;
    }
  }
  ~EngineHandle() override {
    engine_.reset();  // a RocksDB engine closes before its Env may go
    slot_->open = false;
  }

  Status ApplyBatch(Decree decree, const WriteBatch& batch) override {
    Status s = engine_->ApplyBatch(decree, batch);
    if (!s.ok()) {
      if (engine_->last_applied() == decree) content_.reset();  // applied, then failed: unknown
      return s;
    }
    if (content_) {
      content_->Apply(batch);
      Record(decree);
    }
    return s;
  }
  Result<std::optional<std::string>> Get(std::string_view hashkey, std::string_view sortkey,
                                         Time now) const override {
    return engine_->Get(hashkey, sortkey, now);
  }
  Result<std::vector<SortkeyValue>> MultiGet(std::string_view hashkey, Time now) const override {
    return engine_->MultiGet(hashkey, now);
  }
  Result<std::vector<ScanRecord>> Scan(Time now) const override { return engine_->Scan(now); }
  Decree last_applied() const override { return engine_->last_applied(); }
  uint64_t expired_reads() const override { return engine_->expired_reads(); }
  Decree last_durable() const override { return engine_->last_durable(); }
  Status Flush() override {
    Status s = engine_->Flush();
    slot_->durable = engine_->last_durable();
    KeepDurableContent(s.ok());
    return s;
  }
  Result<Checkpoint> TakeCheckpoint() const override { return engine_->TakeCheckpoint(); }
  Status RestoreCheckpoint(const Checkpoint& checkpoint) override {
    Status s = engine_->RestoreCheckpoint(checkpoint);
    slot_->durable = engine_->last_durable();
    if (s.ok()) {
      content_.emplace();
      content_->Reset(checkpoint);
      Record(checkpoint.decree);
    } else {
      content_.reset();
    }
    KeepDurableContent(s.ok());
    return s;
  }
  Result<std::unique_ptr<KvEngine>> Clone() const override { return engine_->Clone(); }
  void CheckInvariants() const override { engine_->CheckInvariants(); }
  bool data_corrupted() const override { return engine_->data_corrupted(); }

 private:
  void Record(Decree d) const {
    if (recorder_.ledger)
      recorder_.ledger->Record(recorder_.node, recorder_.gpid, d, content_->digest());
  }
  // After a flush or restore: what a reopened engine holds is what this one holds now, if the
  // write succeeded; after a failure the durable state is not known.
  void KeepDurableContent(bool succeeded) {
    slot_->durable_content.reset();
    if (succeeded && content_) {
      slot_->durable_content =
          EngineStore::Slot::DurableContent{engine_->last_applied(), *content_};
    }
  }

  std::shared_ptr<EngineStore::Slot> slot_;
  std::shared_ptr<KvEngine> engine_;
  std::shared_ptr<SimRocksEnv> env_;
  ContentRecorder recorder_;
  std::optional<EngineContent> content_;  // nullopt: unknown (not recorded)
};

}  // namespace

std::string EngineStore::DbPath(Gpid gpid) const {
  return fmt::format("/pegasim/{}/{}", node_name_, gpid);
}

EngineStore::EngineStore(std::string storage, std::string node_name)
    : storage_(std::move(storage)), node_name_(std::move(node_name)) {}

void EngineStore::AttachDisk(SimDisk* disk, std::function<Time()> now) {
  PG_ASSERT(disk != nullptr);
  PG_ASSERT(disk_ == nullptr, "{}: disk attached twice", node_name_);
  disk_ = disk;
  if (storage_ == "rocksdb") env_ = std::make_shared<SimRocksEnv>(disk, std::move(now));
}

EngineStore::~EngineStore() = default;

void EngineStore::AttachContentLedger(std::shared_ptr<ContentLedger> ledger) {
  ledger_ = std::move(ledger);
}

ContentRecorder EngineStore::Recorder(Gpid gpid) const {
  return ContentRecorder{.ledger = ledger_, .node = node_name_, .gpid = gpid};
}

Result<std::unique_ptr<KvEngine>> EngineStore::Open(Gpid gpid) {
  std::shared_ptr<Slot>& slot = slots_[gpid];
  if (!slot) slot = std::make_shared<Slot>();
  if (slot->open) {
    return Status(ErrorCode::kBusy, fmt::format("{} engine {} is already open", node_name_, gpid));
  }
  if (disk_ != nullptr && slot->disk_generation != disk_->generation()) {
    slot->Forget();  // the disk it stood for was replaced
    slot->disk_generation = disk_->generation();
  }
  if (storage_ == "memory") {
    if (!slot->mem) slot->mem = std::make_shared<MemEngine>();
    // Whatever the previous holder applied without flushing died with it.
    slot->mem->SimulateCrash();
    return std::unique_ptr<KvEngine>(
        std::make_unique<EngineHandle>(slot, slot->mem, nullptr, Recorder(gpid)));
  }
  if (storage_ == "rocksdb") {
    if (env_ == nullptr) {
      return Status(ErrorCode::kInvalidState, fmt::format("{} has no disk attached", node_name_));
    }
    SimRocksEnv* env = env_.get();
    auto db = RocksDbEngine::Open(
        {.env = env, .path = DbPath(gpid), .run_background_work = [env] { env->RunScheduled(); }});
    if (!db.ok()) return db.status();
    std::shared_ptr<KvEngine> engine(std::move(db).value());
    return std::unique_ptr<KvEngine>(
        std::make_unique<EngineHandle>(slot, engine, env_, Recorder(gpid)));
  }
  return Status(ErrorCode::kInvalidArgument, fmt::format("unknown storage {:?}", storage_));
}

void EngineStore::Discard(Gpid gpid) {
  auto it = slots_.find(gpid);
  if (it != slots_.end()) {
    PG_ASSERT(!it->second->open, "{}: discarding engine {} while it is open", node_name_, gpid);
    it->second->Forget();
  }
  if (disk_ == nullptr) return;
  // Directly on the disk, as a host's rename to the error path: no I/O fault is drawn.
  const std::string dir = DbPath(gpid);
  for (const std::string& file : disk_->Files()) {
    if (file.starts_with(dir + "/")) disk_->Delete(file);
  }
  disk_->DeleteDir(dir);
}

Decree EngineStore::DurableDecree(Gpid gpid) const {
  auto it = slots_.find(gpid);
  return it == slots_.end() ? Decree(0) : it->second->durable;
}

bool EngineStore::IsOpen(Gpid gpid) const {
  auto it = slots_.find(gpid);
  return it != slots_.end() && it->second->open;
}

}  // namespace pg::sim
