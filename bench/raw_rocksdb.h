#pragma once
// The raw RocksDB the benchmarks compare against: the engine's own write path without pegasim's
// schema or decree key (WAL off, no compaction, one big memtable, no compression), on `env`.
#include <rocksdb/db.h>
#include <rocksdb/options.h>

#include <memory>
#include <string>

namespace pg::bench {

inline std::unique_ptr<rocksdb::DB> OpenRawRocksDb(rocksdb::Env* env, const std::string& path) {
  rocksdb::Options options;
  options.env = env;
  options.create_if_missing = true;
  options.disable_auto_compactions = true;
  options.write_buffer_size = size_t{256} << 20;
  options.compression = rocksdb::kNoCompression;
  // An Env that queues jobs for its caller (sim/pegasus/rocks_env.h) must never be waited on: a
  // flushing Close would hang. No flush is wanted here anyway.
  options.avoid_flush_during_shutdown = true;
  rocksdb::DB* raw = nullptr;
  if (!rocksdb::DB::Open(options, path, &raw).ok()) return nullptr;
  return std::unique_ptr<rocksdb::DB>(raw);
}

}  // namespace pg::bench
