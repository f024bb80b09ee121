// Property: random operations of several clients against the CoordServer, with appends completed
// late, sessions expiring and machine crashes that keep, lose or tear appends in flight, get
// exactly the responses a simple model map predicts, and each response only once every txn before
// it is durable. After every crash the replayed store equals the model's state at the kept txn.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tests/coord/coord_harness.h"

namespace pg::testing {
namespace {

constexpr int kClients = 3;
const char* const kPaths[] = {"/a", "/b", "/a/b", "bad"};
constexpr Duration kTimeout = Millis(300);

struct Action {
  int kind = 0;  // see Run
  int client = 0;
  int path = 0;
  int data = 0;
  int version = 0;  // expected version - 1 (so 0 is kAnyVersion)
  int amount = 0;
  bool flag = false;
};

rc::Gen<Action> GenAction() {
  return rc::gen::build<Action>(rc::gen::set(&Action::kind, rc::gen::inRange(0, 40)),
                                rc::gen::set(&Action::client, rc::gen::inRange(0, kClients)),
                                rc::gen::set(&Action::path, rc::gen::inRange(0, 4)),
                                rc::gen::set(&Action::data, rc::gen::inRange(0, 3)),
                                rc::gen::set(&Action::version, rc::gen::inRange(0, 4)),
                                rc::gen::set(&Action::amount, rc::gen::inRange(1, 120)),
                                rc::gen::set(&Action::flag));
}

// The model: what the store holds, with sessions' last-heard times.
struct State {
  std::map<std::string, Znode> znodes;
  std::map<CoordSessionId, Time> sessions;  // -> last heard
  uint64_t zxid = 0;
};

struct Expected {
  Message response;
  uint64_t after_zxid = 0;  // the txns that must be durable before it goes out
};

class Run {
 public:
  void Apply(const Action& a) {
    const NodeId node(1 + a.client);
    const CoordSessionId s = sessions_[a.client];
    const std::string path = kPaths[a.path];
    const std::string data = fmt::format("d{}", a.data);
    const int64_t version = a.version - 1;
    if (a.kind < 3) return Open(a.client);
    if (a.kind < 10) {
      return Request(
          node,
          CoordCreate{
              .request_id = rid_, .session = s, .path = path, .data = data, .ephemeral = a.flag});
    }
    if (a.kind < 14) return Request(node, CoordGet{.request_id = rid_, .session = s, .path = path});
    if (a.kind < 20) {
      return Request(node, CoordSet{.request_id = rid_,
                                    .session = s,
                                    .path = path,
                                    .data = data,
                                    .expected_version = version});
    }
    if (a.kind < 25) {
      return Request(
          node,
          CoordDelete{.request_id = rid_, .session = s, .path = path, .expected_version = version});
    }
    if (a.kind < 28) return Request(node, CoordKeepAlive{.request_id = rid_, .session = s});
    if (a.kind < 29) return Request(node, CoordCloseSession{.request_id = rid_, .session = s});
    if (a.kind < 33) return Tick(a.amount);
    if (a.kind < 38) return Complete(static_cast<size_t>(a.amount % 4) + 1);
    // A failed write hits a txn's append (a failed boot sync: CoordLog's unit test).
    const size_t first_txn = boot_sync_first_ ? 1 : 0;
    if (a.kind < 39 || pending_.size() <= first_txn) {
      return Crash(static_cast<size_t>(a.amount % 3), a.flag);
    }
    FailWriteAndCrash(first_txn + static_cast<size_t>(a.amount) % (pending_.size() - first_txn));
  }

  void Finish() {
    Absorb(f_.CompleteAll(now_));
    durable_ = model_;
    pending_.clear();
    boot_sync_first_ = false;
    RC_ASSERT(expected_.empty());
    CheckStore();
  }

  void Boot() { f_.Step(now_, pg::Boot{}); }

  // Coverage, for rapidcheck's tags: did the run crash, expire sessions, hold replies?
  std::string stats() const {
    return fmt::format("crashes>0:{} failed_writes>0:{} expiries>0:{} held>0:{} ok_cas>0:{}",
                       crashes_ > 0, failed_writes_ > 0, expiries_ > 0, held_ > 0, ok_cas_ > 0);
  }

 private:
  // ---- the model's answers ----
  bool Touch(CoordSessionId s) {
    auto it = model_.sessions.find(s);
    if (it == model_.sessions.end()) return false;
    it->second = now_;
    return true;
  }
  const Znode* Versioned(const std::string& path, int64_t version, ErrorCode* e) {
    auto it = model_.znodes.find(path);
    *e = !ValidCoordPath(path)                                     ? ErrorCode::kInvalidArgument
         : it == model_.znodes.end()                               ? ErrorCode::kObjectNotFound
         : version != kAnyVersion && version != it->second.version ? ErrorCode::kInvalidVersion
                                                                   : ErrorCode::kOk;
    return *e == ErrorCode::kOk ? &it->second : nullptr;
  }
  void EndSession(CoordSessionId s) {
    std::erase_if(model_.znodes, [&](const auto& z) { return z.second.ephemeral_owner == s; });
    model_.sessions.erase(s);
    Txn();
  }
  void Txn() {
    ++model_.zxid;
    pending_.push_back(model_);
  }

  Message Model(const CoordCreate& r) {
    CoordCreateResponse resp{.request_id = r.request_id};
    if (!Touch(r.session)) {
      resp.error = ErrorCode::kExpired;
    } else if (!ValidCoordPath(r.path)) {
      resp.error = ErrorCode::kInvalidArgument;
    } else if (model_.znodes.contains(r.path)) {
      resp.error = ErrorCode::kNodeAlreadyExist;
    } else {
      model_.znodes[r.path] = {.data = r.data,
                               .version = 0,
                               .ephemeral_owner = r.ephemeral ? r.session : kNoCoordSession};
      Txn();
    }
    return resp;
  }
  Message Model(const CoordGet& r) {
    CoordGetResponse resp{.request_id = r.request_id};
    if (!Touch(r.session)) {
      resp.error = ErrorCode::kExpired;
    } else if (const Znode* z = Versioned(r.path, kAnyVersion, &resp.error)) {
      resp.data = z->data;
      resp.version = z->version;
      resp.ephemeral_owner = z->ephemeral_owner;
    }
    return resp;
  }
  Message Model(const CoordSet& r) {
    CoordSetResponse resp{.request_id = r.request_id};
    if (!Touch(r.session)) {
      resp.error = ErrorCode::kExpired;
    } else if (Versioned(r.path, r.expected_version, &resp.error) != nullptr) {
      Znode& z = model_.znodes[r.path];
      z.data = r.data;
      resp.version = ++z.version;
      Txn();
    }
    return resp;
  }
  Message Model(const CoordDelete& r) {
    CoordDeleteResponse resp{.request_id = r.request_id};
    if (!Touch(r.session)) {
      resp.error = ErrorCode::kExpired;
    } else if (Versioned(r.path, r.expected_version, &resp.error) != nullptr) {
      model_.znodes.erase(r.path);
      Txn();
    }
    return resp;
  }
  Message Model(const CoordKeepAlive& r) {
    return CoordKeepAliveResponse{.request_id = r.request_id,
                                  .error = Touch(r.session) ? ErrorCode::kOk : ErrorCode::kExpired};
  }
  Message Model(const CoordCloseSession& r) {
    if (!model_.sessions.contains(r.session)) {
      return CoordCloseSessionResponse{.request_id = r.request_id, .error = ErrorCode::kExpired};
    }
    EndSession(r.session);
    return CoordCloseSessionResponse{.request_id = r.request_id};
  }

  // ---- driving the server ----
  template <class Req>
  void Request(NodeId node, Req req) {
    ++rid_;
    const uint64_t txns = pending_.size();
    expected_[req.request_id] = {.response = Model(req), .after_zxid = model_.zxid};
    // Every answer carries the zxid of the state it reflects: the model's after the request.
    std::visit(
        [&](auto& m) {
          if constexpr (requires { m.zxid; }) m.zxid = model_.zxid;
        },
        expected_[req.request_id].response);
    if (model_.zxid > f_.server().durable_zxid()) ++held_;
    if constexpr (std::is_same_v<Req, CoordSet>) {
      const auto& r = std::get<CoordSetResponse>(expected_[req.request_id].response);
      if (req.expected_version != kAnyVersion && r.error == ErrorCode::kOk) ++ok_cas_;
    }
    Outbox out = f_.Receive(now_, node, req);
    RC_ASSERT(AppendsOf(out).size() == pending_.size() - txns);
    RC_ASSERT(f_.server().last_zxid() == model_.zxid);
    Absorb(out);
  }

  // Opens are completed at once, so the model learns the session id from the response.
  void Open(int client) {
    const uint64_t rid = rid_++;
    Outbox out = f_.Receive(now_, NodeId(1 + client),
                            CoordOpenSession{.request_id = rid, .timeout = kTimeout});
    Absorb(out);
    Outbox done = f_.CompleteAll(now_);
    const auto opened = SentOf<CoordOpenSessionResponse>(done);
    RC_ASSERT(opened.size() == 1u);
    const CoordOpenSessionResponse& r = opened[0].second;
    RC_ASSERT(r.request_id == rid);
    RC_ASSERT(r.error == ErrorCode::kOk);
    RC_ASSERT(r.timeout == kTimeout);
    RC_ASSERT(!model_.sessions.contains(r.session));
    RC_ASSERT(r.session > last_session_);
    RC_ASSERT(r.zxid == model_.zxid + 1);  // its own txn's
    last_session_ = r.session;
    sessions_[client] = r.session;
    model_.sessions[r.session] = now_;
    Txn();
    durable_ = model_;
    pending_.clear();
    Absorb(done);
  }

  void Tick(int ms) {
    now_ += Millis(ms);
    const uint64_t txns = pending_.size();
    std::vector<CoordSessionId> expired;
    for (const auto& [s, heard] : model_.sessions) {
      if (now_ - heard > kTimeout) expired.push_back(s);
    }
    for (CoordSessionId s : expired) EndSession(s);
    expiries_ += expired.size();
    Outbox out = f_.Step(now_, TimerFired{.timer = CoordServer::kTickTimer});
    RC_ASSERT(AppendsOf(out).size() == pending_.size() - txns);
    Absorb(out);
  }

  void Complete(size_t n) {
    for (size_t i = 0; i < n && !pending_.empty(); ++i) {
      durable_ = pending_.front();
      pending_.erase(pending_.begin());
      boot_sync_first_ = false;
      Absorb(f_.CompleteOne(now_));
    }
  }

  void Crash(size_t keep, bool torn) {
    ++crashes_;
    keep = std::min(keep, pending_.size());
    if (keep > 0) durable_ = pending_[keep - 1];
    const bool empty_append = keep == 0 && boot_sync_first_;  // nothing to tear
    Reboot(keep, torn && keep < pending_.size() && !empty_append ? 5 : 0);
  }

  // A write error on the i-th append in flight: it writes nothing, the later ones land. The
  // server fail-stops; the next incarnation must replay exactly the txns before the failed one.
  void FailWriteAndCrash(size_t i) {
    ++crashes_;
    ++failed_writes_;
    const size_t in_flight = pending_.size();
    Outbox failed = f_.FailAppend(now_, i);
    RC_ASSERT(f_.server().stopped());
    Absorb(failed);
    if (i > 0) durable_ = pending_[i - 1];
    Reboot(in_flight, 0);
  }

  void Reboot(size_t keep, size_t torn_bytes) {
    pending_.clear();
    expected_.clear();  // replies held by the dead incarnation are never sent
    model_ = durable_;
    for (auto& [s, heard] : model_.sessions) heard = now_;
    f_.CrashAndBoot(now_, keep, torn_bytes);
    RC_ASSERT(!f_.server().stopped());
    RC_ASSERT(f_.server().last_zxid() == model_.zxid);
    // A replayed log is synced before anything is answered: an append that changes nothing.
    boot_sync_first_ = model_.zxid > 0;
    if (boot_sync_first_) pending_.push_back(model_);
    RC_ASSERT(f_.in_flight() == pending_.size());
    CheckStore();
  }

  void Absorb(const Outbox& out) {
    for (const Effect& e : out.effects()) {
      const auto* s = std::get_if<Send>(&e);
      if (s == nullptr || std::holds_alternative<CoordOpenSessionResponse>(s->msg)) continue;
      const uint64_t rid = RequestIdOf(s->msg);
      auto it = expected_.find(rid);
      RC_ASSERT(it != expected_.end());
      RC_ASSERT(f_.server().durable_zxid() >= it->second.after_zxid);
      if (!(s->msg == it->second.response)) {
        RC_FAIL(fmt::format("got {}, model says {}", MessageDebugString(s->msg),
                            MessageDebugString(it->second.response)));
      }
      expected_.erase(it);
    }
  }

  void CheckStore() {
    RC_ASSERT(f_.server().store().znodes() == model_.znodes);
    RC_ASSERT(f_.server().store().sessions().size() == model_.sessions.size());
    for (const auto& [s, heard] : model_.sessions) RC_ASSERT(f_.server().store().HasSession(s));
  }

  CoordFixture f_;
  Time now_ = At(0);
  uint64_t rid_ = 1;
  CoordSessionId sessions_[kClients] = {};
  CoordSessionId last_session_;
  State model_;
  State durable_;
  std::vector<State> pending_;    // the model after each append in flight, oldest first
  bool boot_sync_first_ = false;  // pending_[0] is the boot's sync of the replayed log
  std::map<uint64_t, Expected> expected_;
  int crashes_ = 0;
  int failed_writes_ = 0;
  size_t expiries_ = 0;
  int held_ = 0;
  int ok_cas_ = 0;
};

RC_GTEST_PROP(CoordServerProperty, MatchesAModelMapUnderCrashesAndLateAppends, ()) {
  // inRange scales with rapidcheck's size; every field of an action should use its whole range.
  const auto actions = *rc::gen::scale(
      4.0, rc::gen::container<std::vector<Action>>(rc::gen::resize(100, GenAction())));
  Run run;
  run.Boot();
  for (const Action& a : actions) run.Apply(a);
  run.Finish();
  RC_TAG(run.stats());
}

}  // namespace
}  // namespace pg::testing
