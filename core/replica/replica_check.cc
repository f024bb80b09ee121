// Group check and empty writes: Pegasus src/replica/replica_check.cpp (broadcast_group_check,
// on_group_check, on_group_check_reply). The primary sends its commit point to every secondary
// each interval; a secondary that does not follow is removed through meta. The front door
// (replica_front_door.cc) applies a group check's ballot rule and answers the refusals.
#include <algorithm>

#include "core/common/assert.h"
#include "core/common/log.h"
#include "core/replica/replica.h"

namespace pg {

// broadcast_group_check: the commit point to every secondary; and when no prepare went out for
// a whole interval, an empty write so that the commit point moves even without client writes.
void Replica::BroadcastGroupCheck(Time now, Outbox& out) {
  PG_ASSERT(status_ == PartitionStatus::kPrimary);
  PG_ASSERT(host_->LeaseValid(now), "a primary without lease at its group check");
  for (NodeId s : config_.secondaries) {
    out.Send(s, GroupCheckRequest{.config = MemberConfig(PartitionStatus::kSecondary),
                                  .last_committed_decree = plist_.last_committed()});
  }
  const auto& o = host_->options();
  if (now - primary_.last_prepare_time < o.group_check_interval) return;
  if (MemberCount() < o.mutation_2pc_min_replica_count ||
      plist_.max_decree().value() + 1 > plist_.last_committed().value() + o.staleness_for_commit) {
    PG_LOG(kDebug, "replica {}: no empty write: members {} or pipeline full", gpid_, MemberCount());
    return;
  }
  out.Mark("replica.empty_write");
  InitPrepare(now, {}, {}, out);
}

// A group check's answer carries this replica's commit points as they are when it is sent.
GroupCheckResponse Replica::GroupCheckReply(const GroupCheckRequest& req, ErrorCode error) const {
  GroupCheckResponse resp{.gpid = gpid_, .ballot = req.config.ballot};
  resp.error = error;
  resp.last_committed_decree_in_app = engine_ ? engine_->last_applied() : Decree(0);
  resp.last_committed_decree_in_prepare_list = plist_.last_committed();
  return resp;
}

// on_group_check, as a secondary of the check's ballot and primary: the commit point it carries
// commits here as far as the prepare list is contiguous.
void Replica::OnGroupCheck(NodeId from, const GroupCheckRequest& req, Outbox& out) {
  PG_ASSERT_EQ(status_, PartitionStatus::kSecondary, "the front door hands group checks by role");
  PG_ASSERT_EQ(req.config.ballot, ballot_, "the front door admits group checks of this ballot");
  PG_ASSERT(announced_ && config_.primary == req.config.primary);
  if (Status s = CommitSoft(req.last_committed_decree); !s.ok()) return Fail(out, s);
  out.Send(from, GroupCheckReply(req, ErrorCode::kOk));
}

// on_group_check_reply: an error means the member is not following; remove it.
void Replica::OnGroupCheckResponse(Time now, NodeId from, const GroupCheckResponse& resp,
                                   Outbox& out) {
  PG_ASSERT_EQ(status_, PartitionStatus::kPrimary, "the front door admits replies to a primary");
  PG_ASSERT_EQ(resp.ballot, ballot_, "the front door admits replies of this ballot");
  if (resp.error == ErrorCode::kOk) return;
  if (resp.error == ErrorCode::kTryAgain) {
    PG_LOG(kDebug, "replica {}: {} is still creating its replica", gpid_, from);
    return;
  }
  PG_LOG(kInfo, "replica {}: group check of {} failed: {}", gpid_, from, ErrorCodeName(resp.error));
  HandleRemoteFailure(now, from, out);
}

}  // namespace pg
