// Reading summary.json back and adding shards up (sweep_summary.h).
#include <algorithm>
#include <set>

#include "sim/driver/sweep_summary.h"
#include "sim/scenario/json_reader.h"

namespace pg::sim {
namespace {

// {"name": count, ...}; absent is an error too when required (a summary from before the key).
std::map<std::string, size_t> Counts(const JsonReader& r) {
  std::map<std::string, size_t> out;
  if (!r.IsObject()) {
    if (r.present() || r.required()) r.Fail("an object of counts");
    return out;
  }
  for (const auto& [key, value] : r.value()->items()) {
    JsonReader v(r.errors(), &value, JoinPath(r.path(), key), true);
    if (auto n = v.Uint64()) out[key] = *n;
  }
  return out;
}

// {"kind": {"took_effect": n, "effects": n}, ...}
std::map<std::string, FaultKindEffects> Effects(const JsonReader& r) {
  std::map<std::string, FaultKindEffects> out;
  if (!r.IsObject()) {
    if (r.present() || r.required()) r.Fail("an object: fault kind -> {took_effect, effects}");
    return out;
  }
  for (const auto& [key, value] : r.value()->items()) {
    JsonObject o(JsonReader(r.errors(), &value, JoinPath(r.path(), key), true));
    out[key] = {.took_effect = o.Required("took_effect").Uint64().value_or(0),
                .effects = o.Required("effects").Uint64().value_or(0)};
    o.RejectUnknownKeys();
  }
  return out;
}

// {"kind": {"mark": runs, ...}, ...}
std::map<std::string, std::map<std::string, size_t>> CountsByKind(const JsonReader& r) {
  std::map<std::string, std::map<std::string, size_t>> out;
  if (!r.IsObject()) {
    if (r.present() || r.required()) r.Fail("an object: fault kind -> {mark: runs}");
    return out;
  }
  for (const auto& [key, value] : r.value()->items()) {
    out[key] = Counts(JsonReader(r.errors(), &value, JoinPath(r.path(), key), true));
  }
  return out;
}

std::vector<std::string> Strings(const JsonReader& r) {
  std::vector<std::string> out;
  for (const JsonReader& e : r.Elements().value_or(std::vector<JsonReader>{})) {
    if (auto s = e.String()) out.push_back(*s);
  }
  return out;
}

// "A..B" and "K/N" as the summary writes them.
template <class T>
T Parsed(const JsonReader& r, Result<T> (*parse)(const std::string&), const char* expected) {
  auto text = r.String();
  if (!text) return T{};
  Result<T> v = parse(*text);
  if (!v.ok()) {
    r.Fail(expected);
    return T{};
  }
  return *v;
}

std::vector<FailingRun> Failing(const JsonReader& r) {
  std::vector<FailingRun> out;
  for (const JsonReader& e : r.Elements().value_or(std::vector<JsonReader>{})) {
    JsonObject o(e);
    FailingRun f{.scenario = o.Required("scenario").String().value_or(""),
                 .seed = o.Required("seed").Uint64().value_or(0),
                 .kind = o.Required("kind").String().value_or(""),
                 .why = o.Required("why").String().value_or("")};
    o.Required("replay").String();
    o.RejectUnknownKeys();
    out.push_back(std::move(f));
  }
  return out;
}

std::map<std::string, SomeSeedTally> SomeSeed(const JsonReader& r) {
  std::map<std::string, SomeSeedTally> out;
  if (!r.IsObject()) {
    if (r.present()) r.Fail("an object: scenario -> {expected, seeds, seen}");
    return out;
  }
  for (const auto& [key, value] : r.value()->items()) {
    JsonObject o(JsonReader(r.errors(), &value, JoinPath(r.path(), key), true));
    out[key] = {.expected = o.Required("expected").String().value_or(""),
                .seeds = o.Required("seeds").Uint64().value_or(0),
                .seen = o.Required("seen").Uint64().value_or(0)};
    o.RejectUnknownKeys();
  }
  return out;
}

std::map<std::string, ExpectedFailures> Expected(const JsonReader& r) {
  std::map<std::string, ExpectedFailures> out;
  if (!r.IsObject()) {
    if (r.present()) r.Fail("an object: scenario -> {runs, first}");
    return out;
  }
  for (const auto& [key, value] : r.value()->items()) {
    JsonObject o(JsonReader(r.errors(), &value, JoinPath(r.path(), key), true));
    ExpectedFailures& e = out[key];
    e.runs = o.Required("runs").Uint64().value_or(0);
    for (const JsonReader& f : o.Required("first").Elements().value_or(std::vector<JsonReader>{})) {
      JsonObject fo(f);
      e.first.push_back({.scenario = key,
                         .seed = fo.Required("seed").Uint64().value_or(0),
                         .kind = fo.Required("kind").String().value_or("")});
      fo.Required("replay").String();
      fo.RejectUnknownKeys();
    }
    o.RejectUnknownKeys();
  }
  return out;
}

Status MergeError(const std::string& what) { return Status(ErrorCode::kInvalidArgument, what); }

// The position of each run in the unsharded sweep: scenario order, then seed.
void SortFailing(std::vector<FailingRun>& failing, const std::vector<std::string>& scenarios) {
  auto rank = [&scenarios](const FailingRun& f) {
    return std::pair(std::find(scenarios.begin(), scenarios.end(), f.scenario) - scenarios.begin(),
                     f.seed);
  };
  std::stable_sort(failing.begin(), failing.end(),
                   [&rank](const FailingRun& a, const FailingRun& b) { return rank(a) < rank(b); });
}

// The shards must be the N parts of one sweep, each once.
Status CheckShards(const std::vector<SweepTally>& shards, const std::vector<std::string>& sources) {
  const SweepTally& first = shards[0];
  std::set<uint32_t> seen;
  for (size_t i = 0; i < shards.size(); ++i) {
    const SweepTally& s = shards[i];
    auto differs = [&](const char* what) {
      return MergeError(fmt::format("{}: $.{}: differs from {}'s: the shards are not one sweep",
                                    sources[i], what, sources[0]));
    };
    if (s.revision != first.revision) return differs("revision");
    if (s.scenarios != first.scenarios) return differs("scenarios");
    if (s.seeds.first != first.seeds.first || s.seeds.last != first.seeds.last)
      return differs("seeds");
    if (s.shard.count != first.shard.count) return differs("shard");
    if (!seen.insert(s.shard.index).second) {
      return MergeError(fmt::format("{}: $.shard: shard {}/{} given twice", sources[i],
                                    s.shard.index, s.shard.count));
    }
  }
  if (seen.size() != first.shard.count) {
    for (uint32_t k = 0; k < first.shard.count; ++k) {
      if (!seen.count(k)) {
        return MergeError(fmt::format("shard {}/{} is missing: expected all {} shards of the sweep",
                                      k, first.shard.count, first.shard.count));
      }
    }
  }
  return Status::Ok();
}

}  // namespace

Result<SweepTally> TallyFromJson(const nlohmann::json& summary, const std::string& source) {
  JsonErrors errors(source);
  JsonObject o(JsonReader(errors, &summary, "$", true));
  SweepTally t;
  t.revision = o.Required("revision").String().value_or("");
  t.scenarios = Strings(o.Required("scenarios"));
  t.seeds = Parsed<SeedRange>(o.Required("seeds"), &ParseSeedRange, "a seed range A..B");
  t.shard = Parsed<Shard>(o.Required("shard"), &ParseShard, "a shard K/N");
  t.runs = o.Required("runs").Uint64().value_or(0);
  o.Required("unmet").Uint64();  // derived: recomputed from failing and some_seed
  t.failures_by_kind = Counts(o.Required("failures_by_kind"));
  t.events = o.Required("events").Uint64().value_or(0);
  t.sim_time_ms = o.Required("sim_time_ms").Int(0, INT64_MAX).value_or(0);
  t.faults = o.Required("faults_injected").Uint64().value_or(0);
  t.fault_kinds = Counts(o.Required("fault_kinds"));
  t.marks = Counts(o.Required("marks"));
  t.fault_effects = Effects(o.Required("fault_effects"));
  t.fault_marks = CountsByKind(o.Required("fault_marks"));
  JsonObject wall(o.Required("wall"));
  t.elapsed_wall_ms = wall.Required("elapsed_ms").Int(0, INT64_MAX).value_or(0);
  t.run_wall_ms = wall.Required("run_wall_ms").Int(0, INT64_MAX).value_or(0);
  for (const char* derived : {"events_per_s", "runs_per_s", "sim_to_wall"})
    wall.Required(derived).Double(0, 1e300);
  wall.RejectUnknownKeys();
  t.failing = Failing(o.Required("failing"));
  Strings(o.Required("missed"));  // derived from some_seed
  t.some_seed = SomeSeed(o.Required("some_seed"));
  t.expected_failures = Expected(o.Required("expected_failures"));
  o.RejectUnknownKeys();
  if (!errors.ok()) return errors.status();
  return t;
}

Result<SweepTally> MergeTallies(const std::vector<SweepTally>& shards,
                                const std::vector<std::string>& sources) {
  if (shards.empty()) return MergeError("no shards to merge");
  if (Status s = CheckShards(shards, sources); !s.ok()) return s;
  SweepTally m{.revision = shards[0].revision,
               .scenarios = shards[0].scenarios,
               .seeds = shards[0].seeds,
               .shard = {.index = 0, .count = 1}};
  for (const SweepTally& s : shards) {
    m.runs += s.runs;
    m.events += s.events;
    m.sim_time_ms += s.sim_time_ms;
    m.faults += s.faults;
    for (const auto& [k, n] : s.failures_by_kind) m.failures_by_kind[k] += n;
    for (const auto& [k, n] : s.fault_kinds) m.fault_kinds[k] += n;
    for (const auto& [k, n] : s.marks) m.marks[k] += n;
    for (const auto& [k, e] : s.fault_effects) {
      m.fault_effects[k].took_effect += e.took_effect;
      m.fault_effects[k].effects += e.effects;
    }
    for (const auto& [k, marks] : s.fault_marks) {
      for (const auto& [mark, n] : marks) m.fault_marks[k][mark] += n;
    }
    m.failing.insert(m.failing.end(), s.failing.begin(), s.failing.end());
    for (const auto& [path, t] : s.some_seed) {
      SomeSeedTally& into = m.some_seed[path];
      into.expected = t.expected;
      into.seeds += t.seeds;
      into.seen += t.seen;
    }
    for (const auto& [path, e] : s.expected_failures) {
      ExpectedFailures& into = m.expected_failures[path];
      into.runs += e.runs;
      into.first.insert(into.first.end(), e.first.begin(), e.first.end());
    }
    m.elapsed_wall_ms = std::max(m.elapsed_wall_ms, s.elapsed_wall_ms);
    m.run_wall_ms += s.run_wall_ms;
  }
  SortFailing(m.failing, m.scenarios);
  // Each shard kept its first few by seed; the first few of the union are the sweep's.
  for (auto& [path, e] : m.expected_failures) {
    SortFailing(e.first, m.scenarios);
    if (e.first.size() > ExpectedFailures::kKept) e.first.resize(ExpectedFailures::kKept);
  }
  return m;
}

}  // namespace pg::sim
