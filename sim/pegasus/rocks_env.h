#pragma once
// SimRocksEnv: the rocksdb::Env one node's RocksDB instances run on in the simulator.
//
//  - Files: SimFileSystem over the node's SimDisk (made into an Env with NewCompositeEnv).
//  - Time: NowMicros/NowNanos/GetCurrentTime read a RocksClock over the node's simulated clock
//    (rocks_clock.h: monotone and never negative, however the node's clock is skewed or jumps);
//    SleepForMicroseconds returns at once (RocksDB sleeps 1 s after a failed flush).
//  - Background work: Schedule() does not hand jobs to a thread pool; it queues them, and
//    RunScheduled() runs them on the caller's thread. RocksDbEngine calls it right after asking
//    for a flush, so a flush (and the purge of obsolete files that follows it) happens inside the
//    replica's step, in the same order in every run. With auto compaction off and memtables sized
//    so none fills, flushes are the only jobs RocksDB schedules.
//  - Ids: GenerateUniqueId counts instead of reading /proc or a random device (the DB id is
//    written to IDENTITY and the MANIFEST).
// Because jobs only run when the caller runs them, nothing may WAIT for one: RocksDbEngine's
// options rule out every such wait (no flushing Close, no write stall, Flush without wait); a
// new RocksDB option that waits would hang the run rather than make it nondeterministic.
// What stays outside our control, and why it cannot change a run: RocksDB's per-session id (in
// SST properties; fixed length, never read back by pegasim), skiplist heights (memtable layout,
// not its content), and the PeriodicTaskScheduler's timer thread, whose only job with stats off is
// flushing the info log, which is a null logger. RocksDbEngine also disables the block cache, so
// which blocks are read from the disk (and so which reads can fault) does not depend on the
// session id that cache keys are made of.
#include <rocksdb/env.h>

#include <deque>
#include <functional>
#include <memory>
#include <string>

#include "core/common/time.h"
#include "sim/kernel/sim_disk.h"
#include "sim/pegasus/rocks_clock.h"

namespace pg::sim {

class SimRocksEnv final : public rocksdb::EnvWrapper {
 public:
  // `disk` must outlive the Env; `now` is the node's local clock.
  SimRocksEnv(SimDisk* disk, std::function<Time()> now);
  ~SimRocksEnv() override;
  SimRocksEnv(const SimRocksEnv&) = delete;
  SimRocksEnv& operator=(const SimRocksEnv&) = delete;

  static const char* kClassName() { return "PegasimEnv"; }
  const char* Name() const override { return kClassName(); }

  void Schedule(void (*function)(void* arg), void* arg, Priority pri, void* tag,
                void (*unschedule)(void* arg)) override;
  int UnSchedule(void* tag, Priority pri) override;
  unsigned int GetThreadPoolQueueLen(Priority pri) const override;
  // RocksDB sizes the thread pools at DB::Open; forwarded, that would start Env::Default()'s
  // (idle) threads. There are no pools here, so there is nothing to size.
  void SetBackgroundThreads(int number, Priority pri) override;
  int GetBackgroundThreads(Priority pri) override;
  void IncBackgroundThreadsIfNeeded(int number, Priority pri) override;
  // Runs queued jobs, oldest first, including any they queue, until none is left; returns how many
  // ran.
  int RunScheduled();

  void StartThread(void (*function)(void* arg), void* arg) override;
  uint64_t NowMicros() override;
  uint64_t NowNanos() override;
  rocksdb::Status GetCurrentTime(int64_t* unix_time) override;
  void SleepForMicroseconds(int micros) override;
  std::string GenerateUniqueId() override;

 private:
  SimRocksEnv(SimDisk* disk, std::shared_ptr<RocksClock> clock);

  struct Job {
    void (*function)(void*);
    void* arg;
    Priority pri;
    void* tag;
    void (*unschedule)(void*);
  };
  std::shared_ptr<RocksClock> clock_;  // shared with the file system (file mtimes)
  std::deque<Job> jobs_;
  uint64_t next_id_ = 0;
};

}  // namespace pg::sim
