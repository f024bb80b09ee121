#pragma once
// Pegasus's data model for one hashkey (DESIGN.md §4): state is sortkey -> value, and get, set,
// del, incr, cas, multi_get and multi_set act on it as Pegasus's server does. Values are interned
// to small integers per partition so that a state is a short vector and cheap to hash.
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "checker/history.h"

namespace pg::checker {

inline constexpr int32_t kAbsent = -1;

// Decimal integer text as Pegasus's incr accepts it; nullopt for anything else.
std::optional<int64_t> ParseInteger(const std::string& s);

// The values of one partition. Not thread-safe: one partition is searched by one thread.
class ValueTable {
 public:
  int32_t Intern(const std::string& text);
  int32_t Intern(const OptValue& v) { return v ? Intern(*v) : kAbsent; }
  // The canonical text of an incr result, interned.
  int32_t InternNumber(int64_t n) { return Intern(std::to_string(n)); }
  // "\"v3\"" or "absent".
  std::string Show(int32_t id) const;
  // The integer a value holds as Pegasus's incr reads it: absent is 0; text that is not an
  // integer makes incr fail.
  std::optional<int64_t> Number(int32_t id) const;
  // The text of a value that is not absent.
  const std::string& Text(int32_t id) const;
  size_t size() const { return texts_.size(); }

 private:
  std::vector<std::string> texts_;
  std::vector<std::optional<int64_t>> numbers_;
  // Lookup only, never iterated: ids depend on insertion order alone.
  std::unordered_map<std::string, int32_t> ids_;
};

// A state: slot (sortkey index within the partition) -> value id.
using State = std::vector<int32_t>;

// One operation compiled against its partition's slots and values.
struct ModelOp {
  size_t op_id = 0;  // Operation::id in the History
  Fn f = Fn::kGet;
  bool observed = false;     // completed ok: its result constrains the state
  int32_t slot = -1;         // single-key operations
  int32_t value = kAbsent;   // set: the value written; get: the value read
  int64_t delta = 0;         // incr
  int64_t incr_result = 0;   // incr, when observed
  int32_t expect = kAbsent;  // cas
  int32_t cas_set = kAbsent;
  bool cas_result = false;
  // multi_set: the pairs written; multi_get: the pairs read; multi_del: (slot, kAbsent) per
  // key; check_and_mutate: the net effect of its mutations. (slot, value id), by slot.
  std::vector<std::pair<int32_t, int32_t>> kvs;
  // cas in its check form, and check_and_mutate (whose slot is the check's sortkey): the check
  // decides instead of expect. operand is the check operand's value id.
  bool checked = false;
  CheckType check = CheckType::kNoCheck;
  int32_t operand = kAbsent;
  // multi_get by sort-key range: the slots in the range that pass its filter, in the order it
  // returns them; it returns the first limit present ones.
  bool ranged = false;
  std::vector<int32_t> range;
  int64_t limit = 0;
  int64_t count = 0;  // sortkey_count, when observed
};

// Whether op is beyond the register operations the fast paths know (get, set, del, incr, cas
// with expect, multi_get by keys, multi_set): those step aside for a partition holding one.
bool IsExtended(const ModelOp& op);

// Pegasus's check of a cas or check_and_mutate on one value: passes, fails, or is an invalid
// argument (an int_* check on a value or operand that is not an integer): the server then
// answers an error and changes nothing.
enum class CheckOutcome : uint8_t { kPass, kFail, kInvalid };
CheckOutcome EvaluateCheck(CheckType type, int32_t value, int32_t operand,
                           const ValueTable& values);

// Applies op if it can take effect with its observed result; returns false and leaves state
// unchanged otherwise. An unobserved op (info) may have any result, so it only fails where
// Pegasus would reject it (incr of a non-integer or on overflow).
bool Step(const ModelOp& op, State* state, ValueTable* values);

// Why Step rejects op in state, for explanations: "get s0 returned "v1" but the value was "v2"".
std::string WhyRejected(const ModelOp& op, const State& state, const ValueTable& values,
                        const std::vector<std::string>& slot_names);

}  // namespace pg::checker
