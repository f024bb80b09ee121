#pragma once
// A brute-force linearizability oracle for small histories: tries every order of the operations
// that respects real time, with every subset of the unknown-outcome ones left out. Its model is a
// separate, string-based implementation of DESIGN.md §4's table, so that a bug in the checker's
// model does not hide in both.
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "checker/history.h"

namespace pg::checker::testing {

// A check on one value, by the table of docs/checker.md (string-based, written apart from the
// checker's): passes, fails, or invalid (an int_* check on a non-integer: the server refuses).
enum class OracleCheck { kPass, kFail, kInvalid };
OracleCheck EvaluateOracleCheck(const CheckArgs& check, const OptValue& value);

// The key Pegasus stores a record under (src/base/pegasus_key_schema.h): the hashkey's length in
// two big-endian bytes, the hashkey, the sortkey. Scans read in its bytewise order.
std::string PegasusStoredKey(const std::string& hashkey, const std::string& sortkey);

class BruteForceOracle {
 public:
  explicit BruteForceOracle(const History& h);
  bool Linearizable();

 private:
  // hashkey \x01 sortkey -> value: what an operation sees, expired values left out.
  using View = std::map<std::string, std::string>;
  // What the store holds: a value and its TTL, kept after it expires (a read filters it).
  struct Entry {
    std::string value;
    std::optional<Ttl> ttl;
  };
  using Store = std::map<std::string, Entry>;
  // Applies op to what it sees; *written gets the keys it sets or deletes.
  bool Apply(const Operation& op, View* s, std::set<std::string>* written) const;
  bool ApplyExtended(const Operation& op, View* s, std::set<std::string>* written) const;
  // A scan or full_scan, judged from its events as recorded (never from the reads BuildHistory
  // lowers it into): it returned exactly the records s holds where it reads.
  bool ScanMatches(const Operation& op, const View& s) const;
  // Each way op may see its hashkey: every value with a TTL whose expiry op's window may meet
  // is present in some views and absent in others (each operation judges by its own clock).
  std::vector<View> Views(const Operation& op, const Store& s) const;
  bool Dfs(Store& s);

  const History& h_;
  // Non-failed, one per invocation: of a scan's reads (which share it), the first stands for it.
  std::vector<const Operation*> ops_;
  std::vector<bool> done_;
  size_t must_left_ = 0;
};

}  // namespace pg::checker::testing
