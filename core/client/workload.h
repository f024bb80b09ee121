#pragma once
// The client workload of pegasim's Pegasus system: which operation to run next, and how each
// operation and its result are written to the history (DESIGN.md §4, read by checker/jsonl.cc).
// Pure functions of the Rng and the client's own knowledge, so they can be tested alone.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/client/history_json.h"
#include "core/common/rng.h"
#include "core/proto/client_messages.h"

namespace pg {

// incr always targets this sortkey, which set/del/cas/multi_set/multi_del and check_and_mutate's
// mutations never touch: incr fails on a value that is not an integer, so sharing sortkeys would
// make most incrs fail. check_and_mutate may check it (its int comparisons need an integer).
inline constexpr char kCounterSortkey[] = "cnt";

struct WorkloadShape {
  uint32_t process = 0;
  int hashkeys = 1;
  int sortkeys = 1;
  // Key rotation (Jepsen's independent keys): after every `key_rotation_ops` operations this
  // client moves on to the next `hashkeys` fresh hashkeys (h0..h{n-1}, then hn..h{2n-1}, ...),
  // so no hashkey sees more than clients x key_rotation_ops operations and the checker's search,
  // exponential in a key's concurrent and unknown-outcome operations, stays bounded. 0: off.
  int key_rotation_ops = 0;
  // operation -> weight (get, set, del, incr, cas, multi_get, multi_set, multi_get_range,
  // sortkey_count, multi_del, check_and_mutate, scan, full_scan); others are ignored.
  // multi_get_range is the history's multi_get with a sortkey range.
  std::map<std::string, double> mix;
  // The share of sets and multi_sets written with a TTL, each drawn in [1, ttl_s_max] seconds
  // (Pegasus's ttl_seconds; the client turns it into an expire_ts by its clock). 0: none.
  double ttl_fraction = 0;
  int ttl_s_max = 0;
};

// One operation: the request (without routing fields) and its history invocation.
struct WorkloadOp {
  std::string f;  // the history's f
  ClientRequest request;
  std::string invoke_value_json;
  uint32_t ttl_s = 0;  // set and multi_set: the TTL to write with, in seconds; 0: none
  // Scans: records per page; a full scan's partition (taken modulo the partition count) and the
  // hashkeys of the client's current key set (those of that partition are its invocation's).
  int32_t batch_size = 0;
  uint32_t partition_pick = 0;
  std::vector<std::string> key_set;
};

// Whether the history names a sortkey for this kind (docs/checker.md): get, set, del, incr and
// cas do; the operations over several sortkeys do not.
bool HistoryNamesSortkey(OpKind kind);

// The sortkeys a multi_get reports: every workload sortkey plus the counter, so that the
// result names every sortkey the server can hold for the hashkey (absent ones as null).
std::vector<std::string> WorkloadSortkeys(int sortkeys);

class WorkloadGenerator {
 public:
  explicit WorkloadGenerator(WorkloadShape shape);

  // False when the mix has no positive weight for any known operation.
  bool has_operations() const { return total_weight_ > 0; }

  // Draws the next operation; written values are unique ("c<process>-<n>").
  WorkloadOp Next(Rng& rng);

  // What the client learned from a completed operation (used to pick cas expectations).
  void Learn(const WorkloadOp& op, const ClientResponse& resp);

 private:
  std::string NextValue();
  std::string DrawSortkey(Rng& rng) const;
  // A write's TTL in seconds, or 0; draws nothing when the shape writes no TTL.
  uint32_t DrawTtl(Rng& rng) const;
  std::optional<std::string> DrawExpectation(Rng& rng, const std::string& hashkey,
                                             const std::string& sortkey) const;
  // The arguments of the richer operations (workload_draws.cc).
  std::map<std::string, std::string> DrawSubset(Rng& rng, bool with_values);
  SortkeyRange DrawRange(Rng& rng) const;
  CasCheck DrawCheck(Rng& rng, const std::string& hashkey, const std::string& sortkey,
                     bool int_checks) const;
  std::vector<Mutate> DrawMutations(Rng& rng);
  void DrawScan(Rng& rng, uint64_t key_set, WorkloadOp& op) const;
  void LearnMutations(const ClientRequest& r);

  // The mix's known operations of positive weight, in the mix's order: what Next draws from.
  struct Drawable {
    std::string name;  // the mix's
    OpKind kind;
    bool range = false;  // multi_get_range
    double weight = 0;
  };

  const Drawable& DrawKind(Rng& rng) const;

  WorkloadShape shape_;
  std::vector<Drawable> drawable_;
  double total_weight_ = 0;
  uint64_t next_value_ = 0;
  uint64_t drawn_ = 0;  // operations drawn so far (key rotation)
  // (hashkey, sortkey) -> the value this client last saw or wrote there.
  std::map<std::pair<std::string, std::string>, std::optional<std::string>> known_;
};

}  // namespace pg
