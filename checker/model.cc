#include "checker/model.h"

#include <charconv>

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

}  // namespace

std::optional<int64_t> ParseInteger(const std::string& s) {
  int64_t v = 0;
  const char* end = s.data() + s.size();
  auto [p, ec] = std::from_chars(s.data(), end, v);
  if (s.empty() || ec != std::errc() || p != end) return std::nullopt;
  return v;
}

int32_t ValueTable::Intern(const std::string& text) {
  auto [it, inserted] = ids_.try_emplace(text, static_cast<int32_t>(texts_.size()));
  if (inserted) {
    texts_.push_back(text);
    numbers_.push_back(ParseInteger(text));
  }
  // Ids are dense and every id has its text and its number.
  CK_ASSERT(texts_.size() == ids_.size() && numbers_.size() == ids_.size(), "{} texts, {} ids",
            texts_.size(), ids_.size());
  CK_ASSERT(it->second >= 0 && static_cast<size_t>(it->second) < texts_.size(), "id {}",
            it->second);
  return it->second;
}

std::string ValueTable::Show(int32_t id) const {
  if (id == kAbsent) return "absent";
  CK_ASSERT(id >= 0 && static_cast<size_t>(id) < texts_.size(), "value id {}", id);
  return fmt::format("\"{}\"", texts_[id]);
}

std::optional<int64_t> ValueTable::Number(int32_t id) const {
  if (id == kAbsent) return 0;
  CK_ASSERT(id >= 0 && static_cast<size_t>(id) < numbers_.size(), "value id {}", id);
  return numbers_[id];
}

bool Step(const ModelOp& op, State* state, ValueTable* values) {
  State& s = *state;
  // Single-key operations name a slot of the partition (Compile); multi ones name theirs in kvs.
  if (!IsMulti(op.f)) {
    CK_ASSERT(op.slot >= 0 && static_cast<size_t>(op.slot) < s.size(), "slot {} of {}", op.slot,
              s.size());
  }
  switch (op.f) {
    case Fn::kGet:
      return !op.observed || s[op.slot] == op.value;
    case Fn::kSet:
      s[op.slot] = op.value;
      return true;
    case Fn::kDel:
      s[op.slot] = kAbsent;
      return true;
    case Fn::kIncr: {
      auto next = IncrResult(op, s, *values);
      if (!next || (op.observed && *next != op.incr_result)) return false;
      s[op.slot] = values->InternNumber(*next);
      return true;
    }
    case Fn::kCas: {
      const bool match = s[op.slot] == op.expect;
      if (op.observed && match != op.cas_result) return false;
      if (match) s[op.slot] = op.cas_set;
      return true;
    }
    case Fn::kMultiGet:
      if (!op.observed) return true;
      for (const auto& [slot, v] : op.kvs) {
        CK_ASSERT(slot >= 0 && static_cast<size_t>(slot) < s.size(), "slot {}", slot);
        if (s[slot] != v) return false;
      }
      return true;
    case Fn::kMultiSet:
      for (const auto& [slot, v] : op.kvs) {
        CK_ASSERT(slot >= 0 && static_cast<size_t>(slot) < s.size(), "slot {}", slot);
        s[slot] = v;
      }
      return true;
  }
  CK_UNREACHABLE("f {}", static_cast<int>(op.f));
}

std::string WhyRejected(const ModelOp& op, const State& s, const ValueTable& values,
                        const std::vector<std::string>& names) {
  CK_ASSERT_EQ(s.size(), names.size(), "one name per slot");
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
      return fmt::format("cas {} expecting {} returned {} but the value was {}", names[op.slot],
                         values.Show(op.expect), op.cas_result, values.Show(s[op.slot]));
    case Fn::kMultiGet:
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
