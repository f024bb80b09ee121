#include "checker/model.h"

#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>
#include <limits>

#include "checker/assert.h"

namespace pg::checker {
namespace {

// incr's new value, or nullopt when Pegasus would fail it (non-integer value, overflow).
std::optional<int64_t> IncrResult(const ModelOp& op, const State& state, const ValueTable& v) {
  CK_ASSERT_EQ(op.f, Fn::kIncr);
  CK_ASSERT(op.slot >= 0 && static_cast<size_t>(op.slot) < state.size(), "slot {}", op.slot);
  auto cur = v.Number(state[op.slot]);
  if (!cur) return std::nullopt;
  int64_t out = 0;
  if (__builtin_add_overflow(*cur, op.delta, &out)) return std::nullopt;
  return out;
}

// A ranged multi_get's result, as on_multi_get (src/server/pegasus_server_impl.cpp) computes it
// from state: the first limit present slots of its range, in its order. Returns whether op's
// observed result is exactly that: every computed pair returned, and nothing else.
bool RangeMatches(const ModelOp& op, const State& s, std::string* why,
                  const std::vector<std::string>* names, const ValueTable* values) {
  int64_t n = 0;
  for (int32_t slot : op.range) {
    if (n == op.limit) break;
    if (s[slot] == kAbsent) continue;
    ++n;
    auto it = std::lower_bound(op.kvs.begin(), op.kvs.end(), std::pair{slot, INT32_MIN});
    if (it == op.kvs.end() || it->first != slot || it->second != s[slot]) {
      if (why) {
        *why = it == op.kvs.end() || it->first != slot
                   ? fmt::format(
                         "the range read did not return {} = {}, which the range "
                         "holds (its present sortkey {} in the range's order{})",
                         (*names)[slot], values->Show(s[slot]), n,
                         op.limit == std::numeric_limits<int64_t>::max()
                             ? ""
                             : fmt::format(", limit {}", op.limit))
                   : fmt::format("the range read returned {} = {} but the value was {}",
                                 (*names)[slot], values->Show(it->second), values->Show(s[slot]));
      }
      return false;
    }
  }
  if (static_cast<size_t>(n) == op.kvs.size()) return true;
  if (why) {
    // Some returned pair is not among the first limit present slots of the range.
    for (const auto& [slot, v] : op.kvs) {
      const bool candidate = std::find(op.range.begin(), op.range.end(), slot) != op.range.end();
      if (!candidate || s[slot] == kAbsent) {
        *why =
            fmt::format("the range read returned {} = {}, but {}", (*names)[slot], values->Show(v),
                        candidate ? "it was absent" : "that sortkey is outside the range");
        return false;
      }
    }
    *why = fmt::format("the range read returned {} sortkeys, beyond its limit or order ({})",
                       op.kvs.size(), n);
  }
  return false;
}

int64_t PresentCount(const State& s) {
  return std::count_if(s.begin(), s.end(), [](int32_t v) { return v != kAbsent; });
}

}  // namespace

void WritePassedCheck(const ModelOp& op, State* state) {
  if (op.f == Fn::kCas) (*state)[op.slot] = op.cas_set;
  for (const auto& [slot, v] : op.kvs) (*state)[slot] = v;
}

namespace {

// cas (check form) and check_and_mutate: the check, then the write if it passed.
bool StepChecked(const ModelOp& op, State* state, const ValueTable& values) {
  State& s = *state;
  CK_ASSERT(op.slot >= 0 && static_cast<size_t>(op.slot) < s.size(), "slot {}", op.slot);
  const CheckOutcome c = EvaluateCheck(op.check, s[op.slot], op.operand, values);
  // An invalid argument changes nothing, and the client sees an error, never ok.
  if (c == CheckOutcome::kInvalid) return !op.observed;
  const bool pass = c == CheckOutcome::kPass;
  if (op.observed && pass != op.cas_result) return false;
  if (!pass) return true;
  WritePassedCheck(op, state);
  return true;
}

}  // namespace

bool RangeReadMatches(const ModelOp& op, const State& state) {
  return RangeMatches(op, state, nullptr, nullptr, nullptr);
}

std::optional<int64_t> ParseInteger(const std::string& s) {
  int64_t v = 0;
  const char* end = s.data() + s.size();
  auto [p, ec] = std::from_chars(s.data(), end, v);
  if (s.empty() || ec != std::errc() || p != end) return std::nullopt;
  return v;
}

int32_t ValueTable::Add(std::string text, int32_t plain, std::optional<Ttl> ttl,
                        std::vector<int32_t> members) {
  const auto id = static_cast<int32_t>(texts_.size());
  numbers_.push_back(members.empty() ? ParseInteger(text) : std::nullopt);
  texts_.push_back(std::move(text));
  plain_.push_back(plain < 0 ? id : plain);
  ttls_.push_back(ttl);
  members_.push_back(std::move(members));
  return id;
}

int32_t ValueTable::Intern(const std::string& text) {
  auto [it, inserted] = ids_.try_emplace(text, static_cast<int32_t>(texts_.size()));
  if (inserted) Add(text, -1, std::nullopt, {});
  // Ids are dense and every id has its text, its number and its plain id.
  CK_ASSERT(texts_.size() == numbers_.size() && plain_.size() == texts_.size(), "{} texts",
            texts_.size());
  CK_ASSERT(it->second >= 0 && static_cast<size_t>(it->second) < texts_.size(), "id {}",
            it->second);
  return it->second;
}

int32_t ValueTable::InternExpiring(const std::string& text, const Ttl& ttl) {
  const int32_t plain = Intern(text);
  auto [it, inserted] = expiring_ids_.try_emplace({plain, ttl.expire_ts, ttl.skew_ms},
                                                  static_cast<int32_t>(texts_.size()));
  if (inserted) {
    Add(text, plain, ttl, {});
    ++expiring_;
  }
  return it->second;
}

int32_t ValueTable::InternChoice(std::vector<int32_t> members) {
  std::sort(members.begin(), members.end());
  members.erase(std::unique(members.begin(), members.end()), members.end());
  CK_ASSERT(!members.empty(), "a choice among nothing");
  for (int32_t m : members) CK_ASSERT(Members(m) == nullptr, "a choice {} inside a choice", m);
  if (members.size() == 1) return members.front();
  auto it = choice_ids_.find(members);
  if (it != choice_ids_.end()) return it->second;
  const int32_t id = Add("", -1, std::nullopt, members);
  choice_ids_.emplace(std::move(members), id);
  return id;
}

int32_t ValueTable::Plain(int32_t id) const {
  if (id == kAbsent) return kAbsent;
  CK_ASSERT(id >= 0 && static_cast<size_t>(id) < plain_.size(), "value id {}", id);
  return plain_[id];
}

const Ttl* ValueTable::TtlOf(int32_t id) const {
  if (id == kAbsent) return nullptr;
  CK_ASSERT(id >= 0 && static_cast<size_t>(id) < ttls_.size(), "value id {}", id);
  return ttls_[id] ? &*ttls_[id] : nullptr;
}

const std::vector<int32_t>* ValueTable::Members(int32_t id) const {
  if (id == kAbsent) return nullptr;
  CK_ASSERT(id >= 0 && static_cast<size_t>(id) < members_.size(), "value id {}", id);
  return members_[id].empty() ? nullptr : &members_[id];
}

std::string ValueTable::Show(int32_t id) const {
  if (id == kAbsent) return "absent";
  CK_ASSERT(id >= 0 && static_cast<size_t>(id) < texts_.size(), "value id {}", id);
  if (const auto* members = Members(id)) {
    std::vector<std::string> shown;
    for (int32_t m : *members) shown.push_back(Show(m));
    return fmt::format("one of {{{}}}", fmt::join(shown, ", "));
  }
  if (const Ttl* ttl = TtlOf(id)) {
    return fmt::format("\"{}\" (expire_ts {}, skew {} ms)", texts_[id], ttl->expire_ts,
                       ttl->skew_ms);
  }
  return fmt::format("\"{}\"", texts_[id]);
}

const std::string& ValueTable::Text(int32_t id) const {
  CK_ASSERT(id >= 0 && static_cast<size_t>(id) < texts_.size(), "value id {}", id);
  CK_ASSERT(members_[id].empty(), "value id {} is a choice, which has no text", id);
  return texts_[id];
}

std::optional<int64_t> ValueTable::Number(int32_t id) const {
  if (id == kAbsent) return 0;
  CK_ASSERT(id >= 0 && static_cast<size_t>(id) < numbers_.size(), "value id {}", id);
  CK_ASSERT(members_[id].empty(), "value id {} is a choice, which has no number", id);
  return numbers_[id];
}

void StepBlindWrite(const ModelOp& op, State* state) {
  State& s = *state;
  switch (op.f) {
    case Fn::kSet:
      s[op.slot] = op.value;
      return;
    case Fn::kDel:
      s[op.slot] = kAbsent;
      return;
    case Fn::kMultiSet:
      for (const auto& [slot, v] : op.kvs) {
        CK_ASSERT(slot >= 0 && static_cast<size_t>(slot) < s.size(), "slot {}", slot);
        s[slot] = v;
      }
      return;
    case Fn::kMultiDel:
      for (const auto& [slot, v] : op.kvs) s[slot] = kAbsent;
      return;
    default:
      CK_UNREACHABLE("{} reads before it writes", FnName(op.f));
  }
}

bool Step(const ModelOp& op, State* state, ValueTable* values) {
  if (IsBlindWrite(op.f)) {
    StepBlindWrite(op, state);
    return true;
  }
  if (!values->expiry_free()) return StepWithExpiry(op, state, values);
  State& s = *state;
  // Single-key operations name a slot of the partition (Compile); multi ones name theirs in kvs.
  if (!IsMulti(op.f)) {
    CK_ASSERT(op.slot >= 0 && static_cast<size_t>(op.slot) < s.size(), "slot {} of {}", op.slot,
              s.size());
  }
  switch (op.f) {
    case Fn::kGet:
      return !op.observed || s[op.slot] == op.value;
    case Fn::kIncr: {
      auto next = IncrResult(op, s, *values);
      if (!next || (op.observed && *next != op.incr_result)) return false;
      s[op.slot] = values->InternNumber(*next);
      return true;
    }
    case Fn::kCas: {
      if (op.checked) return StepChecked(op, state, *values);
      const bool match = s[op.slot] == op.expect;
      if (op.observed && match != op.cas_result) return false;
      if (match) s[op.slot] = op.cas_set;
      return true;
    }
    case Fn::kMultiGet:
      if (!op.observed) return true;
      if (op.ranged) return RangeMatches(op, s, nullptr, nullptr, nullptr);
      for (const auto& [slot, v] : op.kvs) {
        CK_ASSERT(slot >= 0 && static_cast<size_t>(slot) < s.size(), "slot {}", slot);
        if (s[slot] != v) return false;
      }
      return true;
    case Fn::kSortkeyCount:
      return !op.observed || PresentCount(s) == op.count;
    case Fn::kCheckAndMutate:
      return StepChecked(op, state, *values);
    default:
      break;  // the blind writes, above
  }
  CK_UNREACHABLE("f {}", static_cast<int>(op.f));
}

namespace {

std::string WhyCheckRejected(const ModelOp& op, const State& s, const ValueTable& values,
                             const std::vector<std::string>& names) {
  const CheckOutcome c = EvaluateCheck(op.check, s[op.slot], op.operand, values);
  const std::string what = fmt::format("{} checking {} {} {}", FnName(op.f), names[op.slot],
                                       CheckTypeName(op.check), values.Show(op.operand));
  if (c == CheckOutcome::kInvalid) {
    return fmt::format(
        "{} completed ok, but on the value {} the check is an invalid argument "
        "(not an integer), which Pegasus refuses",
        what, values.Show(s[op.slot]));
  }
  return fmt::format("{} returned {} but the value was {}, so the check {}", what, op.cas_result,
                     values.Show(s[op.slot]),
                     c == CheckOutcome::kPass ? "passes" : "does not pass");
}

}  // namespace

std::string WhyRejected(const ModelOp& op, const State& s, const ValueTable& values,
                        const std::vector<std::string>& names) {
  CK_ASSERT_EQ(s.size(), names.size(), "one name per slot");
  if (!values.expiry_free()) return WhyRejectedWithExpiry(op, s, values, names);
  if (!IsMulti(op.f)) {
    CK_ASSERT(op.slot >= 0 && static_cast<size_t>(op.slot) < s.size(), "slot {}", op.slot);
  }
  switch (op.f) {
    case Fn::kGet:
      return fmt::format("get {} returned {} but the value was {}", names[op.slot],
                         values.Show(op.value), values.Show(s[op.slot]));
    case Fn::kIncr: {
      auto next = IncrResult(op, s, values);
      if (!next) {
        return fmt::format("incr {} cannot apply to {}", names[op.slot], values.Show(s[op.slot]));
      }
      return fmt::format("incr {} by {} returned {} but {} + {} = {}", names[op.slot], op.delta,
                         op.incr_result, values.Show(s[op.slot]), op.delta, *next);
    }
    case Fn::kCas:
    case Fn::kCheckAndMutate:
      if (op.checked) return WhyCheckRejected(op, s, values, names);
      return fmt::format("cas {} expecting {} returned {} but the value was {}", names[op.slot],
                         values.Show(op.expect), op.cas_result, values.Show(s[op.slot]));
    case Fn::kSortkeyCount:
      return fmt::format("sortkey_count returned {} but {} sortkeys were present", op.count,
                         PresentCount(s));
    case Fn::kMultiGet:
      if (op.ranged) {
        std::string why;
        RangeMatches(op, s, &why, &names, &values);
        return why.empty() ? "accepted" : why;
      }
      for (const auto& [slot, v] : op.kvs) {
        if (s[slot] != v) {
          return fmt::format("multi_get returned {} = {} but the value was {}", names[slot],
                             values.Show(v), values.Show(s[slot]));
        }
      }
      break;
    default:
      break;
  }
  return "accepted";
}

}  // namespace pg::checker
