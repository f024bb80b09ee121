#include "checker/explain.h"

#include <algorithm>

#include "checker/assert.h"
#include "checker/scan_lowering.h"

namespace pg::checker {
namespace {

constexpr size_t kPrefixShown = 20;  // the tail of a long prefix is what matters

std::string Show(const OptValue& v) { return v ? fmt::format("\"{}\"", *v) : "null"; }

std::string ShowKvs(const KeyValues& kvs) {
  std::vector<std::string> parts;
  for (const auto& [k, v] : kvs) parts.push_back(fmt::format("{}={}", k, Show(v)));
  return fmt::format("{{{}}}", fmt::join(parts, ", "));
}

// "[\"a\", \"c\") reverse limit 2 prefix \"x\"": the interval in its inclusivity, then the rest.
std::string ShowRange(const SortkeyRange& r) {
  std::string out =
      fmt::format("{}{}, {}{}", r.start.empty() || r.start_inclusive ? "[" : "(",
                  r.start.empty() ? "first" : Show(r.start), r.stop.empty() ? "last" : Show(r.stop),
                  r.stop.empty() || r.stop_inclusive ? "]" : ")");
  if (r.reverse) out += " reverse";
  if (r.limit) out += fmt::format(" limit {}", *r.limit);
  if (r.filter)
    out += fmt::format(" {} {}", FilterTypeName(r.filter->type), Show(r.filter->pattern));
  return out;
}

std::string ShowCheckAndMutate(const CheckAndMutateArgs& cam) {
  std::vector<std::string> mutations;
  for (const Mutation& m : cam.mutations) {
    mutations.push_back(m.value ? fmt::format("set {}={}", m.sortkey, Show(m.value))
                                : fmt::format("del {}", m.sortkey));
  }
  return fmt::format("if {} {} {} then {}", cam.check_sortkey, CheckTypeName(cam.check.type),
                     Show(cam.check.operand), fmt::join(mutations, ", "));
}

std::string ShowTtl(const std::optional<Ttl>& ttl) {
  return ttl ? fmt::format(" (expire_ts {}, skew {} ms)", ttl->expire_ts, ttl->skew_ms) : "";
}

std::string Arguments(const Operation& op) {
  switch (op.f) {
    case Fn::kSet:
      return " " + Show(op.arg) + ShowTtl(op.ttl);
    case Fn::kIncr:
      return " by " + *op.arg;
    case Fn::kCas:
      if (op.cas.check) {
        return fmt::format(" {} \"{}\" set \"{}\"", CheckTypeName(op.cas.check->type),
                           op.cas.check->operand, op.cas.set);
      }
      return fmt::format(" expect {} set \"{}\"", Show(op.cas.expect), op.cas.set);
    case Fn::kMultiSet:
      return " " + ShowKvs(op.kvs) + ShowTtl(op.ttl);
    case Fn::kMultiGet:
      return op.range ? " " + ShowRange(*op.range) : "";
    case Fn::kMultiDel:
      return fmt::format(" [{}]", fmt::join(op.keys, ", "));
    case Fn::kCheckAndMutate:
      return " " + ShowCheckAndMutate(op.cam);
    default:
      return "";
  }
}

// One read of a scan or full_scan (scan_lowering.h): what it reads of its hashkey.
std::string ScanArguments(const History& h, const Operation& op) {
  const Event& invoke = h.events[op.invoke_event];
  if (invoke.f == Fn::kScan) {
    CK_ASSERT(invoke.range.has_value(), "op {}: a scan has a range", op.id);
    if (op.hashkey == invoke.hashkey) return " " + ShowRange(*invoke.range);
    return fmt::format(" (a scan of {}: none of this hashkey)", Show(invoke.hashkey));
  }
  CK_ASSERT(invoke.full_scan.has_value(), "op {}: a full_scan has its arguments", op.id);
  const FullScanArgs& a = *invoke.full_scan;
  std::string out = fmt::format(" (partition {} of {}", a.partition, a.partition_count);
  if (a.after) out += fmt::format(", after {}/{}", Show(a.after->hashkey), Show(a.after->sortkey));
  if (op.outcome != Outcome::kOk || op.hashkey.empty()) return out + ")";
  if (!a.after || HashkeyBefore(a.after->hashkey, op.hashkey)) return out + ": every sortkey)";
  if (op.hashkey == a.after->hashkey) {
    return out + fmt::format(": the sortkeys after {})", Show(a.after->sortkey));
  }
  return out + ": none of this hashkey)";
}

std::string ResultText(const Operation& op) {
  if (op.outcome != Outcome::kOk) return std::string(OutcomeName(op.outcome));
  switch (op.f) {
    case Fn::kGet:
    case Fn::kIncr:
    case Fn::kSortkeyCount:
      return Show(op.result);
    case Fn::kCas:
    case Fn::kCheckAndMutate:
      return op.cas_result ? "true" : "false";
    case Fn::kMultiGet:
      return ShowKvs(op.kvs);
    default:
      return "ok";
  }
}

const PartitionResult* SmallestFailing(const CheckResult& r, Verdict v) {
  const PartitionResult* best = nullptr;
  for (const auto& p : r.partitions) {
    if (p.verdict == v && (best == nullptr || p.operations < best->operations)) best = &p;
  }
  return best;
}

std::string ExplainPartition(const History& h, const PartitionResult& p) {
  std::string out =
      fmt::format("Partition {} ({} operations; decided by {}", p.name, p.operations, p.decided_by);
  if (!p.unknown_reason.empty()) out += "; stopped by " + p.unknown_reason;
  out += ").\n";
  if (!p.prefix.empty() || p.decided_by == "search") {
    out += fmt::format("Longest linearizable prefix found: {} operations", p.prefix.size());
    const size_t skip = p.prefix.size() > kPrefixShown ? p.prefix.size() - kPrefixShown : 0;
    out += skip > 0 ? fmt::format(" (the last {} shown):\n", kPrefixShown) : ":\n";
    for (size_t i = skip; i < p.prefix.size(); ++i) {
      out += fmt::format("  {:>4}. {}\n", i + 1, DescribeOperation(h, h.operations[p.prefix[i]]));
    }
    out += fmt::format("State after the prefix: {}\n", p.state.empty() ? "-" : p.state);
  }
  out += "Cannot be placed after it:\n";
  for (const auto& [id, why] : p.blocked) {
    out += fmt::format("  {}\n      because {}\n", DescribeOperation(h, h.operations[id]), why);
  }
  return out;
}

}  // namespace

std::string DescribeOperation(const History& h, const Operation& op) {
  CK_ASSERT_LT(op.invoke_event, h.events.size(), "op {}", op.id);
  CK_ASSERT(op.complete_event == kOpen || op.complete_event < h.events.size(), "op {}", op.id);
  const std::string lines = op.complete_event == kOpen
                                ? fmt::format("line {}-", h.events[op.invoke_event].line)
                                : fmt::format("lines {}-{}", h.events[op.invoke_event].line,
                                              h.events[op.complete_event].line);
  const std::string key = IsMulti(op.f) ? op.hashkey : op.hashkey + "/" + op.sortkey;
  // A scan's reads are named as the history recorded them.
  const Fn f = RecordedFn(h, op);
  return fmt::format("[{}] process {} {}{}{}{} -> {}", lines, op.process, FnName(f),
                     key.empty() && IsScan(f) ? "" : " ", key,
                     IsScan(f) ? ScanArguments(h, op) : Arguments(op), ResultText(op));
}

std::string Explain(const History& h, const CheckResult& r) {
  size_t illegal = 0, unknown = 0;
  for (const auto& p : r.partitions) {
    illegal += p.verdict == Verdict::kIllegal;
    unknown += p.verdict == Verdict::kUnknown;
  }
  std::string out =
      fmt::format("{}: {} operations in {} partitions; {} illegal, {} unknown.\n",
                  VerdictName(r.verdict), r.operations, r.partitions.size(), illegal, unknown);
  if (r.verdict == Verdict::kOk) return out;
  const PartitionResult* p = SmallestFailing(r, r.verdict);
  // The verdict is the worst partition's: one partition has it.
  CK_ASSERT(p != nullptr, "verdict {} with no partition of it", VerdictName(r.verdict));
  if (r.verdict == Verdict::kIllegal) {
    out += "The smallest partition that is not linearizable:\n";
  } else {
    out += "Undecided (budget ran out); what was decided so far:\n";
  }
  return out + ExplainPartition(h, *p);
}

}  // namespace pg::checker
