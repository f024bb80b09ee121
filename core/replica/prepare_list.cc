#include "core/replica/prepare_list.h"

#include "core/common/assert.h"

namespace pg {

Decree PrepareList::max_decree() const {
  return slots_.empty() ? last_committed_ : slots_.rbegin()->first;
}

const PreparedMutation* PrepareList::Get(Decree d) const {
  auto it = slots_.find(d);
  return it == slots_.end() ? nullptr : &it->second;
}

PreparedMutation* PrepareList::GetMutable(Decree d) {
  auto it = slots_.find(d);
  return it == slots_.end() ? nullptr : &it->second;
}

bool PrepareList::Prepare(Mutation mu) {
  PG_ASSERT_GT(mu.decree, last_committed_, "preparing an already committed decree");
  PG_ASSERT_GE(mu.ballot, Ballot(0));
  auto it = slots_.find(mu.decree);
  if (it != slots_.end() && it->second.mutation.ballot > mu.ballot) return false;
  const Decree d = mu.decree;
  slots_[d] = PreparedMutation{.mutation = std::move(mu), .logged = false};
  return true;
}

Status PrepareList::CommitNext(const ApplyFn& apply) {
  auto it = slots_.find(last_committed_.next());
  PG_ASSERT(it != slots_.end(), "committing decree {} which is not prepared",
            last_committed_.next());
  PG_RETURN_IF_ERROR(apply(it->second.mutation));
  last_committed_ = it->first;
  slots_.erase(it);
  return Status::Ok();
}

Status PrepareList::CommitTo(Decree to, const ApplyFn& apply) {
  Ballot last{0};
  while (last_committed_ < to) {
    const PreparedMutation* next = Get(last_committed_.next());
    if (next == nullptr || next->mutation.ballot < last) break;
    last = next->mutation.ballot;
    PG_RETURN_IF_ERROR(CommitNext(apply));
  }
  return Status::Ok();
}

bool PrepareList::Contiguous() const {
  return slots_.empty() ||
         (slots_.begin()->first == last_committed_.next() &&
          static_cast<int64_t>(slots_.size()) == (max_decree().value() - last_committed_.value()));
}

void PrepareList::TruncateAbove(Decree d) {
  PG_ASSERT_GE(d, last_committed_, "truncating committed mutations");
  slots_.erase(slots_.upper_bound(d), slots_.end());
  PG_ASSERT_LE(max_decree(), d);
}

void PrepareList::ResetTo(Decree d, Ballot keep_from) {
  PG_ASSERT_GE(d, Decree(0));
  slots_.erase(slots_.begin(), slots_.upper_bound(d));
  std::erase_if(slots_, [&](const auto& kv) { return kv.second.mutation.ballot < keep_from; });
  last_committed_ = d;
  PG_ASSERT(slots_.empty() || slots_.begin()->first > d);
}

void PrepareList::CheckInvariants() const {
  PG_ASSERT_GE(last_committed_, Decree(0));
  if (!slots_.empty()) {
    PG_ASSERT_GT(slots_.begin()->first, last_committed_, "a committed decree is still prepared");
  }
  for (const auto& [d, slot] : slots_) {
    PG_ASSERT_EQ(slot.mutation.decree, d, "slot holds another decree");
    PG_ASSERT_LT(slot.mutation.last_committed_decree, d, "a mutation committed before prepared");
  }
}

}  // namespace pg
