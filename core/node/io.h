#pragma once
// The core/host boundary (DESIGN.md §2): what a node is given (Input) and what it asks the host to
// do (Effect). The host executes effects and turns their completions into inputs; the core never
// calls out, so it cannot be nondeterministic.
#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "core/common/ids.h"
#include "core/common/status.h"
#include "core/common/time.h"
#include "core/proto/message.h"

namespace pg {

// ---- Inputs -------------------------------------------------------------------------------

// The node was (re)started: rebuild state from the local disk, arm timers.
struct Boot {};
struct Receive {
  NodeId from;
  Message msg;
};
struct TimerFired {
  TimerId timer;
};
// An AppendLog finished: the bytes are written (and synced, if it asked for sync).
struct LogAppended {
  std::string file;
  uint64_t token = 0;
};
// An AppendLog failed; what reached the file is unknown. Uncertain durability is fail-stop.
struct LogFailed {
  std::string file;
  uint64_t token = 0;
  Status status;
};

using Input = std::variant<Boot, Receive, TimerFired, LogAppended, LogFailed>;

// ---- Effects ------------------------------------------------------------------------------

struct Send {
  NodeId to;
  Message msg;
};
// Fires TimerFired{timer} after `after` on the node's own clock. Setting a timer that is already
// set re-arms it (the earlier firing is cancelled).
struct SetTimer {
  TimerId timer;
  Duration after;
};
struct CancelTimer {
  TimerId timer;
};
// Appends bytes to a file on the node's disk; completes with LogAppended or LogFailed carrying
// `token`. With sync, completion means the bytes survive a machine crash.
struct AppendLog {
  std::string file;
  uint64_t token = 0;
  std::string bytes;
  bool sync = false;
};
// A coverage mark: a named path was taken (e.g. "reconcile.fill_hole"). Scenarios can require it.
struct Mark {
  std::string name;
};
// One client-operation event for the run's history (DESIGN.md §4). The host stamps the time.
// value_json is the event's "value" field as JSON text ("null", "\"v17\"", ...).
struct RecordOp {
  uint32_t process = 0;
  std::string type;  // invoke | ok | fail | info
  std::string f;
  std::string hashkey;
  std::string sortkey;  // empty = no sortkey field
  std::string value_json = "null";
  // An invocation of a write with a TTL: the expire_ts (epoch seconds) the client sent.
  uint32_t expire_ts = 0;
};

// The process exits (Pegasus's replica_stub and meta exit on an error they cannot survive, such
// as a failed log write whose durability is unknown; a supervisor restarts them). The host runs
// the step's other effects, then takes the process down as a process crash: the page cache
// survives, the node stays down until something restarts it. Put it last.
struct Exit {
  std::string reason;
};

using Effect = std::variant<Send, SetTimer, CancelTimer, AppendLog, Mark, RecordOp, Exit>;

// Where a Step puts its effects, in the order the host executes them.
class Outbox {
 public:
  void Send(NodeId to, Message msg) { effects_.emplace_back(pg::Send{to, std::move(msg)}); }
  void SetTimer(TimerId timer, Duration after) {
    effects_.emplace_back(pg::SetTimer{timer, after});
  }
  void CancelTimer(TimerId timer) { effects_.emplace_back(pg::CancelTimer{timer}); }
  void AppendLog(pg::AppendLog append) { effects_.emplace_back(std::move(append)); }
  void Mark(std::string name) { effects_.emplace_back(pg::Mark{std::move(name)}); }
  void Record(RecordOp op) { effects_.emplace_back(std::move(op)); }
  void Exit(std::string reason) { effects_.emplace_back(pg::Exit{std::move(reason)}); }

  std::vector<Effect>& effects() { return effects_; }
  const std::vector<Effect>& effects() const { return effects_; }
  void clear() { effects_.clear(); }

 private:
  std::vector<Effect> effects_;
};

}  // namespace pg
