// The kernel's skeleton: event order, running, checks, history, marks, streams.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/common/assert.h"
#include "sim/kernel/cluster.h"
#include "sim/kernel/event_queue.h"
#include "sim/kernel/rng.h"
#include "tests/sim/test_nodes.h"

namespace pg::sim {
namespace {

using testing::AddScripted;
using testing::Journal;
using testing::Scripted;

TEST(EventQueue, OrdersByTimeThenInsertion) {
  EventQueue<int> q;
  q.Push(Time::FromNanos(5), 0);
  q.Push(Time::FromNanos(3), 1);
  q.Push(Time::FromNanos(5), 2);
  q.Push(Time::FromNanos(3), 3);
  q.Push(Time::FromNanos(1), 4);
  std::vector<int> order;
  std::vector<int64_t> times;
  while (!q.empty()) {
    int v = -1;
    times.push_back(q.Pop(&v).ns());
    order.push_back(v);
  }
  EXPECT_EQ(order, (std::vector<int>{4, 1, 3, 0, 2}));
  EXPECT_EQ(times, (std::vector<int64_t>{1, 3, 3, 5, 5}));
}

TEST(EventQueue, TiesStayInInsertionOrderAtScale) {
  EventQueue<int> q;
  for (int i = 0; i < 1000; ++i) q.Push(Time::FromNanos(i % 7), int{i});
  int last_time = -1;
  int last_value = -1;
  while (!q.empty()) {
    int v = 0;
    const int t = static_cast<int>(q.Pop(&v).ns());
    if (t == last_time) {
      EXPECT_GT(v, last_value);
    }
    EXPECT_GE(t, last_time);
    last_time = t;
    last_value = v;
  }
}

TEST(Cluster, SameTimeActionsRunInScheduleOrder) {
  Cluster cluster({.seed = 1});
  std::vector<std::string> ran;
  for (const char* label : {"c", "a", "b"}) {
    cluster.Schedule(Time::FromNanos(Millis(2).ns()), label,
                     [&ran, label](Cluster&) { ran.push_back(label); });
  }
  cluster.Schedule(Time::FromNanos(Millis(1).ns()), "first", [&](Cluster&) { ran.push_back("0"); });
  while (cluster.Step()) {
  }
  EXPECT_EQ(ran, (std::vector<std::string>{"0", "c", "a", "b"}));
  EXPECT_EQ(cluster.events(), 4u);
}

TEST(Cluster, RunUntilRunsExactlyTheEventsDueAndSetsNow) {
  Cluster cluster({.seed = 1});
  std::vector<int64_t> ran_at;
  for (int ms : {1, 5, 10, 11}) {
    cluster.Schedule(Time::Zero() + Millis(ms), "tick",
                     [&ran_at](Cluster& c) { ran_at.push_back(c.now().ns()); });
  }
  cluster.RunUntil(Time::Zero() + Millis(10));
  EXPECT_EQ(ran_at, (std::vector<int64_t>{Millis(1).ns(), Millis(5).ns(), Millis(10).ns()}));
  EXPECT_EQ(cluster.now(), Time::Zero() + Millis(10));
  cluster.RunUntil(Time::Zero() + Millis(3));  // never backwards
  EXPECT_EQ(cluster.now(), Time::Zero() + Millis(10));
}

TEST(Cluster, ScheduleInThePastRunsNow) {
  Cluster cluster({.seed = 1});
  cluster.RunUntil(Time::Zero() + Millis(10));
  Time ran;
  cluster.Schedule(Time::Zero() + Millis(1), "late", [&ran](Cluster& c) { ran = c.now(); });
  cluster.Step();
  EXPECT_EQ(ran, Time::Zero() + Millis(10));
}

TEST(Cluster, CheckInvariantsRunsAfterEveryStep) {
  Cluster cluster({.seed = 1});
  Journal journal;
  NodeId other;
  const testing::Script bounce = [&other](const NodeEnv& env, Time, const Input& in, Outbox& out) {
    if (std::holds_alternative<Boot>(in) && env.id == NodeId(0))
      out.Send(other, testing::MakePing(0));
    if (const auto* r = std::get_if<Receive>(&in)) {
      const uint64_t seq = Unhost<Ping>(r->msg).value().seq;
      if (seq < 50) out.Send(r->from, testing::MakePing(seq + 1));
    }
  };
  auto ids = AddScripted(cluster, &journal, {bounce, bounce});
  other = ids[1];
  cluster.Start();
  cluster.RunUntil(Time::Zero() + Seconds(10));
  EXPECT_EQ(journal.seen.size(), 2u + 51u);  // two Boots, 51 Pings
  EXPECT_EQ(journal.invariant_checks, journal.seen.size());
}

TEST(Cluster, GlobalInvariantFailureStopsTheRun) {
  Cluster cluster({.seed = 1});
  Journal journal;
  // Ping-pong forever between two echo nodes.
  const testing::Script echo = [](const NodeEnv& env, Time, const Input& in, Outbox& out) {
    if (const auto* r = std::get_if<Receive>(&in)) out.Send(r->from, r->msg);
    if (std::holds_alternative<Boot>(in) && env.id == NodeId(0)) {
      out.Send(NodeId(1), testing::MakePing(0));
    }
  };
  AddScripted(cluster, &journal, {echo, echo});
  int checks = 0;
  cluster.AddInvariant("before_20ms", [&checks](const Cluster& c) -> std::optional<std::string> {
    ++checks;
    if (c.now() >= Time::Zero() + Millis(20)) return "too late: " + std::to_string(c.now().ns());
    return std::nullopt;
  });
  cluster.Start();
  cluster.RunUntil(Time::Zero() + Seconds(10));
  ASSERT_TRUE(cluster.failure().has_value());
  EXPECT_EQ(cluster.failure()->kind, "invariant:before_20ms");
  EXPECT_NE(cluster.failure()->detail.find("too late"), std::string::npos);
  EXPECT_EQ(cluster.failure()->event, cluster.events() - 1);
  EXPECT_GE(cluster.failure()->at, Time::Zero() + Millis(20));
  EXPECT_LT(cluster.now(), Time::Zero() + Millis(40));  // stopped, not run to 10 s
  EXPECT_EQ(static_cast<uint64_t>(checks), cluster.events());
  const uint64_t events = cluster.events();
  EXPECT_FALSE(cluster.Step());
  EXPECT_EQ(cluster.events(), events);
}

TEST(Cluster, FailFromOutsideKeepsTheFirstFailure) {
  Cluster cluster({.seed = 1});
  cluster.Fail("workload", "first");
  cluster.Fail("workload", "second");
  ASSERT_TRUE(cluster.failure());
  EXPECT_EQ(cluster.failure()->detail, "first");
  cluster.Schedule(Time::Zero() + Millis(1), "x", [](Cluster&) {});
  EXPECT_FALSE(cluster.Step());
}

TEST(Cluster, AssertContextNamesTheSteppedNodeAndItsLocalTime) {
  Cluster cluster({.seed = 1});
  Journal journal;
  std::vector<std::pair<std::string, int64_t>> contexts;
  cluster.AddNode("replica/7",
                  Scripted(&journal,
                           [&contexts](const NodeEnv&, Time now, const Input&, Outbox& out) {
                             contexts.emplace_back(CurrentAssertContext().node, now.ns());
                             EXPECT_EQ(CurrentAssertContext().time_ns, now.ns());
                             if (contexts.size() < 3) out.SetTimer(TimerId(1), Millis(1));
                           }),
                  {.offset = Millis(100)});
  cluster.Start();
  cluster.RunUntil(Time::Zero() + Seconds(1));
  ASSERT_EQ(contexts.size(), 3u);
  for (const auto& [node, t] : contexts) EXPECT_EQ(node, "replica/7");
  EXPECT_EQ(contexts[0].second, Millis(100).ns());
  EXPECT_TRUE(CurrentAssertContext().node.empty());  // cleared between steps
}

TEST(Cluster, RecordsHistoryWithGlobalTimeAndMarks) {
  Cluster cluster({.seed = 1});
  Journal journal;
  cluster.AddNode("client/0",
                  Scripted(&journal,
                           [](const NodeEnv&, Time, const Input& in, Outbox& out) {
                             if (std::holds_alternative<Boot>(in)) {
                               out.Record(testing::MakeOp(3, "invoke", "get"));
                               out.SetTimer(TimerId(1), Millis(5));
                               out.Mark("boot.seen");
                             } else {
                               out.Record(testing::MakeOp(3, "ok", "get"));
                               out.Mark("timer.seen");
                             }
                           }),
                  {.offset = Seconds(7)});  // history is stamped with global, not local, time
  cluster.Start();
  cluster.RunUntil(Time::Zero() + Seconds(1));
  ASSERT_EQ(cluster.history().size(), 2u);
  EXPECT_EQ(cluster.history()[0].at, Time::Zero());
  EXPECT_EQ(cluster.history()[1].at, Time::Zero() + Millis(5));
  EXPECT_EQ(cluster.history()[1].op.type, "ok");
  EXPECT_EQ(cluster.history()[1].op.process, 3u);
  EXPECT_EQ(cluster.marks(), (std::set<std::string>{"boot.seen", "timer.seen"}));
}

TEST(Cluster, NamesAndLookups) {
  Cluster cluster({.seed = 1});
  Journal journal;
  const NodeId a = cluster.AddNode("meta/0", Scripted(&journal));
  const NodeId b = cluster.AddNode("replica/0", Scripted(&journal));
  EXPECT_EQ(cluster.node_count(), 2u);
  EXPECT_EQ(cluster.name(b), "replica/0");
  EXPECT_EQ(cluster.FindNode("meta/0"), a);
  EXPECT_FALSE(cluster.FindNode("meta/9").has_value());
  EXPECT_FALSE(cluster.is_up(a));
  EXPECT_EQ(cluster.node(a), nullptr);
  cluster.Start();
  EXPECT_TRUE(cluster.is_up(a));
  EXPECT_NE(cluster.mutable_node(b), nullptr);
  EXPECT_EQ(cluster.name(NodeId(99)), "?");
  EXPECT_FALSE(cluster.is_up(NodeId(99)));
}

TEST(Cluster, DuplicateNodeNameFailsTheRunInsteadOfAsserting) {
  Cluster cluster({.seed = 1});
  Journal journal;
  cluster.AddNode("x", Scripted(&journal));
  cluster.AddNode("x", Scripted(&journal));
  ASSERT_TRUE(cluster.failure());
  EXPECT_EQ(cluster.failure()->kind, "setup");
}

TEST(Cluster, StreamsAreForkedFromTheSeedByName) {
  Cluster a({.seed = 42});
  Cluster b({.seed = 42});
  Xoshiro256 expected = Xoshiro256::ForkStream(42, "workload");
  // Drawing from one stream never shifts another.
  b.stream("nemesis").NextU64();
  const uint64_t x = a.stream("workload").NextU64();
  EXPECT_EQ(x, b.stream("workload").NextU64());
  EXPECT_EQ(x, expected.NextU64());
  EXPECT_EQ(&a.stream("workload"), &a.stream("workload"));
  EXPECT_NE(x, Cluster({.seed = 43}).stream("workload").NextU64());
}

TEST(Cluster, NodeRngIsTheNodeStream) {
  Cluster cluster({.seed = 9});
  Journal journal;
  uint64_t drawn = 0;
  cluster.AddNode("n", [&](const NodeEnv& env) {
    drawn = env.rng->NextU64();
    EXPECT_EQ(env.name, "n");
    EXPECT_NE(env.disk, nullptr);
    return std::make_unique<testing::ScriptedNode>(env, &journal, nullptr);
  });
  cluster.Start();
  EXPECT_EQ(drawn, Xoshiro256::ForkStream(9, "node/0").NextU64());
}

}  // namespace
}  // namespace pg::sim
