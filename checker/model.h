#pragma once
// Pegasus's data model for one hashkey (DESIGN.md §4): state is sortkey -> value, and get, set,
// del, incr, cas, multi_get and multi_set act on it as Pegasus's server does. Values are interned
// to small integers per partition so that a state is a short vector and cheap to hash.
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "checker/history.h"

namespace pg::checker {

inline constexpr int32_t kAbsent = -1;

// Decimal integer text as Pegasus's incr accepts it; nullopt for anything else.
std::optional<int64_t> ParseInteger(const std::string& s);

// The values of one partition. Not thread-safe: one partition is searched by one thread.
// Besides plain texts it holds two kinds of ids that only states hold, never a read's result
// (model_expiry.cc): a value written with a TTL, and a choice among values.
class ValueTable {
 public:
  int32_t Intern(const std::string& text);
  int32_t Intern(const OptValue& v) { return v ? Intern(*v) : kAbsent; }
  // The text written with a TTL: an id of its own, which reads see as Plain(id) until it expires.
  int32_t InternExpiring(const std::string& text, const Ttl& ttl);
  // What a slot holds after an unobserved atomic operation met a value that may or may not have
  // expired: one of `members` (ids that are not choices), whichever it saw. One member: itself.
  int32_t InternChoice(std::vector<int32_t> members);
  // No value with a TTL was interned: no choice either, and Step takes its plain path.
  bool expiry_free() const { return expiring_ == 0; }
  // The text's plain id, for a value with a TTL; id itself otherwise (and kAbsent for absent).
  int32_t Plain(int32_t id) const;
  const Ttl* TtlOf(int32_t id) const;
  // A choice's members; nullptr for any other id.
  const std::vector<int32_t>* Members(int32_t id) const;
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
  int32_t Add(std::string text, int32_t plain, std::optional<Ttl> ttl,
              std::vector<int32_t> members);

  std::vector<std::string> texts_;
  std::vector<std::optional<int64_t>> numbers_;
  std::vector<int32_t> plain_;  // per id: the plain text's id
  std::vector<std::optional<Ttl>> ttls_;
  std::vector<std::vector<int32_t>> members_;  // per id: a choice's members, else empty
  size_t expiring_ = 0;
  // Lookup only, never iterated: ids depend on insertion order alone.
  std::unordered_map<std::string, int32_t> ids_;
  std::map<std::tuple<int32_t, int64_t, int64_t>, int32_t> expiring_ids_;  // (plain, ttl)
  std::map<std::vector<int32_t>, int32_t> choice_ids_;
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
  // When it ran, in the history's time: invocation to completion (INT64_MAX unless observed).
  // A value with a TTL reads as expired or not by the serving clock somewhere in it.
  int64_t call_ns = 0;
  int64_t return_ns = std::numeric_limits<int64_t>::max();
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
// Whether an observed ranged multi_get returned exactly what on_multi_get computes from state.
bool RangeReadMatches(const ModelOp& op, const State& state);

// set, del, multi_set and multi_del: writes that read nothing, so they always apply.
inline bool IsBlindWrite(Fn f) {
  return f == Fn::kSet || f == Fn::kDel || f == Fn::kMultiSet || f == Fn::kMultiDel;
}
void StepBlindWrite(const ModelOp& op, State* state);
// The writes of a cas or check_and_mutate whose check passed: cas's set, the mutations.
void WritePassedCheck(const ModelOp& op, State* state);

// Step, for all but the blind writes, once a value with a TTL exists (model_expiry.cc): each
// operation sees such a value as present or expired by its own window (ModelOp::call_ns..
// return_ns), and an observation narrows a choice to the members that explain it.
bool StepWithExpiry(const ModelOp& op, State* state, ValueTable* values);

// Why Step rejects op in state, for explanations: "get s0 returned "v1" but the value was "v2"".
std::string WhyRejected(const ModelOp& op, const State& state, const ValueTable& values,
                        const std::vector<std::string>& slot_names);
std::string WhyRejectedWithExpiry(const ModelOp& op, const State& state, const ValueTable& values,
                                  const std::vector<std::string>& slot_names);

}  // namespace pg::checker
