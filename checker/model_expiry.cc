// The data model once a value with a TTL is in a partition (docs/checker.md "TTL"). Pegasus keeps
// an expired value in storage and each read filters it by the serving replica's clock
// (pegasus_server_impl.cpp, check_if_record_expired), so expiry is no state change: a slot keeps
// holding the value, and each operation sees it present or absent by where its window lies
// against the expiry instant. Where both are possible:
//  - an observed operation is explained by either, and narrows what the slot holds to the values
//    that explain it (a choice, below, loses members);
//  - an unobserved atomic operation (incr, cas, check_and_mutate of unknown outcome) may have
//    seen either, so the slot then holds a choice of the values each would leave.
// Two relaxations, both towards "ok" (never a false "illegal"): each read judges expiry by its
// own window, not by one instant shared with the order around it (Pegasus's reads after a
// failover may meet a clock behind the last one), and a check_and_mutate of unknown outcome
// leaves a choice in each slot it writes, without tying the slots' choices together.
#include <algorithm>

#include "checker/assert.h"
#include "checker/model.h"

namespace pg::checker {
namespace {

// One way an operation can find a slot: the value the slot holds (a choice's member) and what
// the operation sees of it (its plain text, or absent once expired).
struct Option {
  int32_t held = kAbsent;
  int32_t seen = kAbsent;
};

void AddOptions(int32_t held, const ModelOp& op, const ValueTable& values,
                std::vector<Option>* out) {
  const Ttl* ttl = values.TtlOf(held);
  if (ttl == nullptr) {
    out->push_back({held, held});
    return;
  }
  // Expired for a clock reading at or past expires_ns (Pegasus: expire_ts <= epoch seconds);
  // the serving clock reads within skew of the true time, which lies in [call_ns, return_ns].
  const int64_t expires = ttl->expires_ns(), skew = ttl->skew_ns();
  if (op.call_ns < expires + skew) out->push_back({held, values.Plain(held)});
  if (op.return_ns >= expires - skew) out->push_back({held, kAbsent});
}

std::vector<Option> OptionsOf(int32_t slot_value, const ModelOp& op, const ValueTable& values) {
  std::vector<Option> out;
  if (const auto* members = values.Members(slot_value)) {
    for (int32_t m : *members) AddOptions(m, op, values, &out);
  } else {
    AddOptions(slot_value, op, values, &out);
  }
  CK_ASSERT(!out.empty(), "a value is present or expired at any instant");
  return out;
}

// The slot narrowed to the options kept; false when none is.
template <class Keep>
bool Narrow(const std::vector<Option>& options, Keep keep, ValueTable* values, int32_t* slot) {
  std::vector<int32_t> held;
  for (const Option& o : options) {
    if (keep(o)) held.push_back(o.held);
  }
  if (held.empty()) return false;
  *slot = values->InternChoice(std::move(held));
  return true;
}

// Every value a slot may hold: a choice's members, or the value itself.
std::vector<int32_t> Candidates(int32_t slot_value, const ValueTable& values) {
  if (const auto* members = values.Members(slot_value)) return *members;
  return {slot_value};
}

bool StepIncr(const ModelOp& op, State& s, ValueTable* values) {
  const std::vector<Option> options = OptionsOf(s[op.slot], op, *values);
  std::vector<int32_t> after;
  bool any = false;
  for (const Option& o : options) {
    const std::optional<int64_t> cur = values->Number(o.seen);
    int64_t next = 0;
    const bool ok = cur && !__builtin_add_overflow(*cur, op.delta, &next);
    if (op.observed) {
      any = any || (ok && next == op.incr_result);
      continue;
    }
    any = any || ok;
    after.push_back(ok ? values->InternNumber(next) : o.held);  // a failed incr changes nothing
  }
  if (!any) return false;
  s[op.slot] =
      op.observed ? values->InternNumber(op.incr_result) : values->InternChoice(std::move(after));
  return true;
}

// cas in both forms and check_and_mutate: whether the check passes on what the op sees.
std::optional<bool> Passes(const ModelOp& op, int32_t seen, const ValueTable& values) {
  if (!op.checked) return seen == op.expect;
  const CheckOutcome c = EvaluateCheck(op.check, seen, op.operand, values);
  if (c == CheckOutcome::kInvalid) return std::nullopt;  // an error: changes nothing
  return c == CheckOutcome::kPass;
}

bool StepCheckedWithExpiry(const ModelOp& op, State& s, ValueTable* values) {
  const std::vector<Option> options = OptionsOf(s[op.slot], op, *values);
  if (op.observed) {
    int32_t narrowed = kAbsent;
    const bool explained = Narrow(
        options,
        [&](const Option& o) {
          const std::optional<bool> pass = Passes(op, o.seen, *values);
          return pass && *pass == op.cas_result;
        },
        values, &narrowed);
    if (!explained) return false;
    s[op.slot] = narrowed;
    if (op.cas_result) WritePassedCheck(op, &s);
    return true;
  }
  std::vector<int32_t> unchanged;  // what the check slot holds where the check did not pass
  bool passes = false;
  for (const Option& o : options) {
    const std::optional<bool> pass = Passes(op, o.seen, *values);
    if (pass && *pass) {
      passes = true;
    } else {
      unchanged.push_back(o.held);
    }
  }
  if (!passes) return true;  // the check fails (or errs) on every option: nothing changes
  if (unchanged.empty()) {
    WritePassedCheck(op, &s);
    return true;
  }
  // Passed on some options only: each slot written holds the write or what it held.
  const State before = s;
  WritePassedCheck(op, &s);
  for (size_t slot = 0; slot < s.size(); ++slot) {
    if (s[slot] == before[slot] && static_cast<int32_t>(slot) != op.slot) continue;
    std::vector<int32_t> either = Candidates(s[slot], *values);
    if (static_cast<int32_t>(slot) == op.slot) {
      either.insert(either.end(), unchanged.begin(), unchanged.end());
    } else {
      for (int32_t c : Candidates(before[slot], *values)) either.push_back(c);
    }
    s[slot] = values->InternChoice(std::move(either));
  }
  return true;
}

bool StepMultiGet(const ModelOp& op, State& s, ValueTable* values) {
  State next = s;
  if (!op.ranged) {
    for (const auto& [slot, v] : op.kvs) {
      const std::vector<Option> options = OptionsOf(s[slot], op, *values);
      if (!Narrow(
              options, [&](const Option& o) { return o.seen == v; }, values, &next[slot])) {
        return false;
      }
    }
    s = std::move(next);
    return true;
  }
  // A range read: a returned slot must show what it returned; an unreturned one reads as absent
  // where it can (most permissive: present ones count against the limit), and is not narrowed,
  // since past the limit it may hold anything.
  State view = s;
  for (int32_t slot : op.range) {
    const std::vector<Option> options = OptionsOf(s[slot], op, *values);
    auto it = std::lower_bound(op.kvs.begin(), op.kvs.end(), std::pair{slot, INT32_MIN});
    if (it != op.kvs.end() && it->first == slot) {
      const int32_t v = it->second;
      if (!Narrow(
              options, [&](const Option& o) { return o.seen == v; }, values, &next[slot])) {
        return false;
      }
      view[slot] = v;
      continue;
    }
    const bool can_be_absent = std::any_of(options.begin(), options.end(),
                                           [](const Option& o) { return o.seen == kAbsent; });
    view[slot] = can_be_absent ? kAbsent : options.front().seen;
  }
  if (!RangeReadMatches(op, view)) return false;
  s = std::move(next);
  return true;
}

bool CountMatches(const ModelOp& op, const State& s, const ValueTable& values) {
  int64_t surely = 0, maybe = 0;
  for (int32_t v : s) {
    const std::vector<Option> options = OptionsOf(v, op, values);
    const auto present = std::count_if(options.begin(), options.end(),
                                       [](const Option& o) { return o.seen != kAbsent; });
    surely += present == static_cast<ptrdiff_t>(options.size()) ? 1 : 0;
    maybe += present > 0 ? 1 : 0;
  }
  return surely <= op.count && op.count <= maybe;
}

}  // namespace

bool StepWithExpiry(const ModelOp& op, State* state, ValueTable* values) {
  State& s = *state;
  if (!IsMulti(op.f)) {
    CK_ASSERT(op.slot >= 0 && static_cast<size_t>(op.slot) < s.size(), "slot {} of {}", op.slot,
              s.size());
  }
  for (const auto& [slot, v] : op.kvs) {
    CK_ASSERT(slot >= 0 && static_cast<size_t>(slot) < s.size(), "slot {}", slot);
  }
  switch (op.f) {
    case Fn::kGet: {
      if (!op.observed) return true;
      const std::vector<Option> options = OptionsOf(s[op.slot], op, *values);
      return Narrow(
          options, [&](const Option& o) { return o.seen == op.value; }, values, &s[op.slot]);
    }
    case Fn::kIncr:
      return StepIncr(op, s, values);
    case Fn::kCas:
    case Fn::kCheckAndMutate:
      return StepCheckedWithExpiry(op, s, values);
    case Fn::kMultiGet:
      return !op.observed || StepMultiGet(op, s, values);
    case Fn::kSortkeyCount:
      return !op.observed || CountMatches(op, s, *values);
    default:
      break;  // the blind writes: Step applies them (StepBlindWrite)
  }
  CK_UNREACHABLE("f {}", static_cast<int>(op.f));
}

std::string WhyRejectedWithExpiry(const ModelOp& op, const State& s, const ValueTable& values,
                                  const std::vector<std::string>& names) {
  std::vector<std::string> held;
  auto show = [&](int32_t slot) {
    held.push_back(fmt::format("{} = {}", names[slot], values.Show(s[slot])));
  };
  if (!IsMulti(op.f)) {
    show(op.slot);
  } else if (op.f == Fn::kSortkeyCount || op.ranged) {
    for (size_t slot = 0; slot < s.size(); ++slot) show(static_cast<int32_t>(slot));
  } else {
    for (const auto& [slot, v] : op.kvs) show(slot);
  }
  const std::string window = op.return_ns == std::numeric_limits<int64_t>::max()
                                 ? fmt::format("from time {} on", op.call_ns)
                                 : fmt::format("between times {} and {}", op.call_ns, op.return_ns);
  return fmt::format(
      "{} cannot have its result on {} (a value with a TTL read as present or expired by a "
      "clock {} within its skew)",
      FnName(op.f), fmt::join(held, ", "), window);
}

}  // namespace pg::checker
