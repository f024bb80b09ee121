// The workload's richer operations: every drawn request is one a replica accepts, its history
// invocation has the shape docs/checker.md gives its f, and its ok value says what the server
// returned.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "core/client/workload.h"
#include "core/proto/partition_hash.h"
#include "core/replica/write_executor.h"
#include "sim/kernel/rng.h"

namespace pg {
namespace {

using nlohmann::json;

std::vector<WorkloadOp> Draw(const std::string& op, int n, uint64_t seed) {
  WorkloadGenerator g(
      WorkloadShape{.process = 1, .hashkeys = 2, .sortkeys = 4, .mix = {{op, 1.0}}});
  sim::Xoshiro256 rng(seed);
  std::vector<WorkloadOp> out;
  for (int i = 0; i < n; ++i) {
    out.push_back(g.Next(rng));
    out.back().request.partition_hash =
        PartitionHash(out.back().request.hashkey, out.back().request.sortkey);
  }
  return out;
}

std::set<std::string> Keys(const json& j) {
  std::set<std::string> out;
  for (const auto& [k, v] : j.items()) out.insert(k);
  return out;
}

TEST(WorkloadOps, EveryDrawnRequestIsValidAndNamesItsHistoryF) {
  for (const std::string op : {"multi_get_range", "sortkey_count", "multi_del", "check_and_mutate",
                               "cas", "multi_get", "multi_set", "get", "set", "del", "incr"}) {
    for (const WorkloadOp& w : Draw(op, 300, 5)) {
      EXPECT_TRUE(ValidateClientRequest(w.request).ok()) << op << ": " << w.invoke_value_json;
      EXPECT_EQ(w.f, OpKindName(w.request.kind));
      EXPECT_EQ(w.f == "multi_get" && op == "multi_get_range", w.request.range.has_value());
      EXPECT_TRUE(json::accept(w.invoke_value_json)) << w.invoke_value_json;
    }
  }
}

TEST(WorkloadOps, RangesVaryEveryOptionAndMostHoldRecords) {
  std::set<std::string> seen;
  int ordered = 0;
  for (const WorkloadOp& w : Draw("multi_get_range", 400, 9)) {
    const SortkeyRange& g = *w.request.range;
    const json j = json::parse(w.invoke_value_json);
    EXPECT_EQ(j["start"], g.start);
    EXPECT_EQ(j["stop_inclusive"], g.stop_inclusive);
    EXPECT_EQ(j.contains("limit"), g.limit > 0);
    EXPECT_EQ(j.contains("filter"), g.filter != FilterType::kNone);
    if (g.reverse) seen.insert("reverse");
    if (g.limit > 0) seen.insert("limit");
    if (g.start.empty()) seen.insert("open start");
    if (g.stop.empty()) seen.insert("open stop");
    if (g.filter != FilterType::kNone) seen.insert(std::string(FilterTypeName(g.filter)));
    ordered += g.start.empty() || g.stop.empty() || g.start <= g.stop;
  }
  EXPECT_EQ(seen, (std::set<std::string>{"reverse", "limit", "open start", "open stop", "prefix",
                                         "anywhere", "postfix"}));
  EXPECT_GT(ordered, 300) << "most ranges are not empty by construction";
}

TEST(WorkloadOps, CasUsesBothFormsAndNeverAnIntComparison) {
  std::set<std::string> forms;
  for (const WorkloadOp& w : Draw("cas", 300, 3)) {
    EXPECT_LT(w.request.check.type, CheckType::kIntLess) << "a cas sortkey holds no integer";
    const json j = json::parse(w.invoke_value_json);
    const std::set<std::string> keys = Keys(j);
    forms.insert(keys.contains("expect") ? "expect" : "check");
    EXPECT_TRUE(keys == (std::set<std::string>{"expect", "set"}) ||
                keys == (std::set<std::string>{"check", "set"}))
        << w.invoke_value_json;
  }
  EXPECT_EQ(forms, (std::set<std::string>{"expect", "check"}));
}

TEST(WorkloadOps, CheckAndMutateChecksTheCounterWithIntegersButNeverMutatesIt) {
  int counter_checks = 0;
  std::set<CheckType> types;
  for (const WorkloadOp& w : Draw("check_and_mutate", 600, 4)) {
    const ClientRequest& r = w.request;
    types.insert(r.check.type);
    if (r.sortkey == kCounterSortkey) ++counter_checks;
    if (r.check.type >= CheckType::kIntLess) {
      EXPECT_EQ(r.sortkey, kCounterSortkey);
    }
    ASSERT_FALSE(r.mutations.empty());
    for (const Mutate& m : r.mutations) EXPECT_NE(m.sortkey, kCounterSortkey);
    const json j = json::parse(w.invoke_value_json);
    EXPECT_EQ(Keys(j), (std::set<std::string>{"check", "check_sortkey", "mutations"}));
    EXPECT_EQ(j["check"]["type"], CheckTypeName(r.check.type));
    EXPECT_EQ(j["mutations"].size(), r.mutations.size());
  }
  EXPECT_GT(counter_checks, 100);
  EXPECT_EQ(types.size(), size_t{kCheckTypeCount}) << "every check type upstream has";
}

TEST(WorkloadOps, OkValuesSayWhatTheServerReturned) {
  const WorkloadOp range = Draw("multi_get_range", 1, 1)[0];
  ClientResponse resp{.kvs = {{"s1", "c1-1"}}};
  EXPECT_EQ(OkValueJson(range, resp, 4), R"({"s1":"c1-1"})") << "no nulls: only what it returned";
  const WorkloadOp count = Draw("sortkey_count", 1, 1)[0];
  EXPECT_EQ(OkValueJson(count, ClientResponse{.count = 3}, 4), R"("3")");
  const WorkloadOp cam = Draw("check_and_mutate", 1, 1)[0];
  EXPECT_EQ(OkValueJson(cam, ClientResponse{.cas_matched = true}, 4), "true");
  const WorkloadOp del = Draw("multi_del", 1, 1)[0];
  EXPECT_EQ(OkValueJson(del, ClientResponse{}, 4), "null");
  EXPECT_TRUE(json::parse(del.invoke_value_json).is_array());
}

}  // namespace
}  // namespace pg
