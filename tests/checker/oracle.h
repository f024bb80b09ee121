#pragma once
// A brute-force linearizability oracle for small histories: tries every order of the operations
// that respects real time, with every subset of the unknown-outcome ones left out. Its model is a
// separate, string-based implementation of DESIGN.md §4's table, so that a bug in the checker's
// model does not hide in both.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "checker/history.h"

namespace pg::checker::testing {

// A check on one value, by the table of docs/checker.md (string-based, written apart from the
// checker's): passes, fails, or invalid (an int_* check on a non-integer: the server refuses).
enum class OracleCheck { kPass, kFail, kInvalid };
OracleCheck EvaluateOracleCheck(const CheckArgs& check, const OptValue& value);

class BruteForceOracle {
 public:
  explicit BruteForceOracle(const History& h);
  bool Linearizable();

 private:
  using Store = std::map<std::string, std::string>;  // hashkey \x01 sortkey -> value
  bool Apply(const Operation& op, Store* s) const;
  bool ApplyExtended(const Operation& op, Store* s) const;
  bool Dfs(Store& s);

  const History& h_;
  std::vector<const Operation*> ops_;  // non-failed
  std::vector<bool> done_;
  size_t must_left_ = 0;
};

}  // namespace pg::checker::testing
