#include "sim/pegasus/rocks_env.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/common/assert.h"
#include "sim/pegasus/rocks_fs.h"

namespace pg::sim {

SimRocksEnv::SimRocksEnv(SimDisk* disk, std::function<Time()> now)
    : SimRocksEnv(disk, std::make_shared<RocksClock>(std::move(now))) {}

SimRocksEnv::SimRocksEnv(SimDisk* disk, std::shared_ptr<RocksClock> clock)
    : rocksdb::EnvWrapper(rocksdb::NewCompositeEnv(
          std::make_shared<SimFileSystem>(disk, [clock] { return clock->Seconds(); }))),
      clock_(std::move(clock)) {}

SimRocksEnv::~SimRocksEnv() {
  // Every DB on this Env is closed by now, and closing cancels its queued jobs (UnSchedule).
  PG_ASSERT(jobs_.empty(), "{} RocksDB jobs still queued", jobs_.size());
}

void SimRocksEnv::Schedule(void (*function)(void* arg), void* arg, Priority pri, void* tag,
                           void (*unschedule)(void* arg)) {
  jobs_.push_back(
      Job{.function = function, .arg = arg, .pri = pri, .tag = tag, .unschedule = unschedule});
}

int SimRocksEnv::UnSchedule(void* tag, Priority pri) {
  int removed = 0;
  for (auto it = jobs_.begin(); it != jobs_.end();) {
    if (it->tag == tag && it->pri == pri) {
      if (it->unschedule != nullptr) it->unschedule(it->arg);
      it = jobs_.erase(it);
      ++removed;
    } else {
      ++it;
    }
  }
  return removed;
}

unsigned int SimRocksEnv::GetThreadPoolQueueLen(Priority pri) const {
  return static_cast<unsigned int>(
      std::count_if(jobs_.begin(), jobs_.end(), [pri](const Job& j) { return j.pri == pri; }));
}

void SimRocksEnv::SetBackgroundThreads(int /*number*/, Priority /*pri*/) {}

int SimRocksEnv::GetBackgroundThreads(Priority /*pri*/) { return 0; }

void SimRocksEnv::IncBackgroundThreadsIfNeeded(int /*number*/, Priority /*pri*/) {}

int SimRocksEnv::RunScheduled() {
  int ran = 0;
  while (!jobs_.empty()) {
    const Job job = jobs_.front();
    jobs_.pop_front();
    job.function(job.arg);
    ++ran;
  }
  return ran;
}

void SimRocksEnv::StartThread(void (*)(void*), void*) {
  // Nothing in the options RocksDbEngine uses starts a thread through the Env; if a RocksDB
  // upgrade starts doing so, the run must stop rather than go nondeterministic.
  PG_UNREACHABLE("RocksDB asked the simulated Env for a thread");
}

uint64_t SimRocksEnv::NowMicros() { return NowNanos() / 1000; }

uint64_t SimRocksEnv::NowNanos() { return static_cast<uint64_t>(clock_->Nanos()); }

rocksdb::Status SimRocksEnv::GetCurrentTime(int64_t* unix_time) {
  *unix_time = clock_->Seconds();
  return rocksdb::Status::OK();
}

void SimRocksEnv::SleepForMicroseconds(int /*micros*/) {}

std::string SimRocksEnv::GenerateUniqueId() {
  // UUID-shaped, as RocksDB's own ids are.
  return fmt::format("00000000-0000-4000-8000-{:012x}", ++next_id_);
}

}  // namespace pg::sim
