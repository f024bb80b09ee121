#pragma once
// The uncommitted suffix of one partition's mutations: Pegasus's prepare_list over its
// mutation_cache ring (src/replica/prepare_list.{h,cpp}, src/replica/mutation_cache.cpp).
//
// Slots are keyed by decree. The primary fills them contiguously; a secondary may hold holes when
// the network reorders or drops prepares (Pegasus's mutation_cache::put leaves null entries too),
// but a commit never passes a hole: commits advance one decree at a time, in order.
#include <functional>
#include <map>

#include "core/common/ids.h"
#include "core/common/status.h"
#include "core/proto/replication_messages.h"

namespace pg {

struct PreparedMutation {
  Mutation mutation;
  // True once the local log holds exactly this (ballot, decree): the log write completed
  // (LogAppended), or the record was read back at Boot.
  bool logged = false;
};

class PrepareList {
 public:
  explicit PrepareList(Decree last_committed) : last_committed_(last_committed) {}

  // The commit point (Pegasus: last_committed_decree).
  Decree last_committed() const { return last_committed_; }
  // The highest prepared decree (Pegasus: max_decree), last_committed() when nothing is prepared.
  Decree max_decree() const;
  const PreparedMutation* Get(Decree d) const;
  PreparedMutation* GetMutable(Decree d);
  const std::map<Decree, PreparedMutation>& slots() const { return slots_; }

  // Puts `mu` into its slot, not yet logged. Precondition (asserted): mu.decree > last_committed().
  // A slot may be overwritten only by a mutation of >= ballot (mutation_cache::put:
  // CHECK_LE(old->ballot, mu->ballot)); returns false and changes nothing otherwise. Re-preparing
  // a decree under a new ballot (replay_prepare_list) is exactly such an overwrite.
  bool Prepare(Mutation mu);

  // Commits last_committed()+1 (present, asserted) and hands it to `apply`; if apply fails the
  // commit point does not move and the error is returned (the replica then fail-stops).
  using ApplyFn = std::function<Status(const Mutation&)>;
  Status CommitNext(const ApplyFn& apply);
  // COMMIT_TO_DECREE_SOFT: commits in order up to `to` while the next decree is present and its
  // ballot is not below the ballot this call committed last (prepare_list::commit's `last_bt`,
  // local to the call). A secondary that missed one re-prepare under a new ballot holds that
  // decree at the older ballot between two at the newer: it stops there, and the next call
  // commits it, as upstream's prepare_list::commit does.
  Status CommitTo(Decree to, const ApplyFn& apply);

  // True when every decree in (last_committed, max_decree] has a slot.
  bool Contiguous() const;
  // Drops every slot above `d` (a new learner drops what it prepared and never committed: it may
  // be of a history the group abandoned).
  void TruncateAbove(Decree d);
  // A learner restored a checkpoint at `d`: the commit point jumps there, slots at or below it go,
  // and so do slots of a ballot below `keep_from` (an older history than its current primary's).
  // Pegasus: prepare_list::reset after learning from the app (6d1edf550).
  void ResetTo(Decree d, Ballot keep_from);

  void CheckInvariants() const;

 private:
  // Invariant: every key of slots_ is > last_committed_; slot.mutation.decree == key.
  Decree last_committed_;
  std::map<Decree, PreparedMutation> slots_;
};

}  // namespace pg
