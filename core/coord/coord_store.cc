#include "core/coord/coord_store.h"

#include <fmt/format.h>

#include "core/common/assert.h"

namespace pg {

std::string_view CoordTxnKindName(CoordTxnKind kind) {
  switch (kind) {
    case CoordTxnKind::kOpenSession:
      return "open_session";
    case CoordTxnKind::kCloseSession:
      return "close_session";
    case CoordTxnKind::kExpireSession:
      return "expire_session";
    case CoordTxnKind::kCreate:
      return "create";
    case CoordTxnKind::kSet:
      return "set";
    case CoordTxnKind::kDelete:
      return "delete";
  }
  return "unknown";
}

bool ValidCoordPath(std::string_view path) {
  // Bounded so that one znode path can never make a log record unreasonably large.
  constexpr size_t kMaxPathBytes = 1024;
  if (path.size() < 2 || path.size() > kMaxPathBytes || path.front() != '/') return false;
  if (path.back() == '/') return false;
  return path.find("//") == std::string_view::npos;
}

ErrorCode CoordStore::Apply(const CoordTxn& txn) {
  switch (txn.kind) {
    case CoordTxnKind::kOpenSession:
      return Open(txn);
    case CoordTxnKind::kCloseSession:
    case CoordTxnKind::kExpireSession:
      return End(txn);
    case CoordTxnKind::kCreate:
      return Create(txn);
    case CoordTxnKind::kSet:
      return Set(txn);
    case CoordTxnKind::kDelete:
      return Delete(txn);
  }
  // An unknown kind can only come from a damaged log record.
  return ErrorCode::kInvalidArgument;
}

CoordStoreImage CoordStore::ToImage() const {
  CoordStoreImage image{.znodes = znodes_, .sessions = {}};
  for (const auto& [id, s] : sessions_) {
    image.sessions[id] = CoordSessionState{
        .timeout = s.timeout, .ephemerals = {s.ephemerals.begin(), s.ephemerals.end()}};
  }
  return image;
}

Status CoordStore::FromImage(const CoordStoreImage& image) {
  std::map<CoordSessionId, Session> sessions;
  size_t listed = 0;
  for (const auto& [id, s] : image.sessions) {
    if (id == kNoCoordSession || s.timeout <= Duration()) {
      return Status(ErrorCode::kCorruption, fmt::format("image: session {} is malformed", id));
    }
    Session& session = sessions[id];
    session.timeout = s.timeout;
    for (const std::string& path : s.ephemerals) {
      const Znode* z = nullptr;
      if (auto it = image.znodes.find(path); it != image.znodes.end()) z = &it->second;
      if (z == nullptr || z->ephemeral_owner != id || !session.ephemerals.insert(path).second) {
        return Status(
            ErrorCode::kCorruption,
            fmt::format("image: session {} lists {:?}, not an ephemeral of its own", id, path));
      }
      ++listed;
    }
  }
  size_t ephemerals = 0;
  for (const auto& [path, z] : image.znodes) {
    if (!ValidCoordPath(path) || z.version < 0) {
      return Status(ErrorCode::kCorruption, fmt::format("image: znode {:?} is malformed", path));
    }
    if (z.ephemeral_owner != kNoCoordSession) ++ephemerals;
  }
  if (listed != ephemerals) {
    return Status(ErrorCode::kCorruption, "image: an ephemeral znode outlives its session");
  }
  znodes_ = image.znodes;
  sessions_ = std::move(sessions);
  return Status();
}

const Znode* CoordStore::Find(const std::string& path) const {
  auto it = znodes_.find(path);
  return it == znodes_.end() ? nullptr : &it->second;
}

void CoordStore::AnswerRead(const std::string& path, CoordGetResponse& resp) const {
  const Znode* z = nullptr;
  if (!ValidCoordPath(path)) {
    resp.error = ErrorCode::kInvalidArgument;
  } else if ((z = Find(path)) == nullptr) {
    resp.error = ErrorCode::kObjectNotFound;
  } else {
    resp.data = z->data;
    resp.version = z->version;
    resp.ephemeral_owner = z->ephemeral_owner;
    // An ephemeral znode's owner is a live session (the invariant below).
    PG_ASSERT(z->ephemeral_owner == kNoCoordSession || HasSession(z->ephemeral_owner), "{}", path);
  }
}

std::vector<CoordSessionId> CoordStore::Expired(const std::map<CoordSessionId, Time>& last_heard,
                                                Time now) const {
  std::vector<CoordSessionId> expired;
  for (const auto& [id, heard] : last_heard) {
    if (now - heard > SessionTimeout(id)) expired.push_back(id);
  }
  return expired;
}

Duration CoordStore::SessionTimeout(CoordSessionId session) const {
  auto it = sessions_.find(session);
  PG_ASSERT(it != sessions_.end(), "session {} is not open", session);
  return it->second.timeout;
}

ErrorCode CoordStore::Open(const CoordTxn& txn) {
  if (txn.session == kNoCoordSession || sessions_.contains(txn.session)) {
    return ErrorCode::kInvalidArgument;
  }
  if (txn.timeout <= Duration()) return ErrorCode::kInvalidArgument;
  sessions_.emplace(txn.session, Session{.timeout = txn.timeout, .ephemerals = {}});
  return ErrorCode::kOk;
}

// Close and expiry alike delete the session's ephemeral znodes in the same step: nobody can see
// the session gone and its ephemerals still there.
ErrorCode CoordStore::End(const CoordTxn& txn) {
  auto it = sessions_.find(txn.session);
  if (it == sessions_.end()) return ErrorCode::kExpired;
  for (const std::string& path : it->second.ephemerals) {
    const size_t erased = znodes_.erase(path);
    PG_ASSERT_EQ(erased, size_t{1}, "ephemeral {} of session {} was not a znode", path,
                 txn.session);
  }
  sessions_.erase(it);
  return ErrorCode::kOk;
}

ErrorCode CoordStore::Create(const CoordTxn& txn) {
  if (!sessions_.contains(txn.session)) return ErrorCode::kExpired;
  if (!ValidCoordPath(txn.path)) return ErrorCode::kInvalidArgument;
  if (znodes_.contains(txn.path)) return ErrorCode::kNodeAlreadyExist;
  znodes_.emplace(txn.path,
                  Znode{.data = txn.data,
                        .version = 0,
                        .ephemeral_owner = txn.ephemeral ? txn.session : kNoCoordSession});
  if (txn.ephemeral) sessions_[txn.session].ephemerals.insert(txn.path);
  return ErrorCode::kOk;
}

ErrorCode CoordStore::CheckVersion(const CoordTxn& txn) const {
  if (!sessions_.contains(txn.session)) return ErrorCode::kExpired;
  if (!ValidCoordPath(txn.path)) return ErrorCode::kInvalidArgument;
  const Znode* z = Find(txn.path);
  if (z == nullptr) return ErrorCode::kObjectNotFound;
  if (txn.expected_version != kAnyVersion && txn.expected_version != z->version) {
    return ErrorCode::kInvalidVersion;
  }
  return ErrorCode::kOk;
}

ErrorCode CoordStore::Set(const CoordTxn& txn) {
  const ErrorCode check = CheckVersion(txn);
  if (check != ErrorCode::kOk) return check;
  Znode& z = znodes_.at(txn.path);
  z.data = txn.data;
  ++z.version;
  return ErrorCode::kOk;
}

ErrorCode CoordStore::Delete(const CoordTxn& txn) {
  const ErrorCode check = CheckVersion(txn);
  if (check != ErrorCode::kOk) return check;
  auto it = znodes_.find(txn.path);
  if (it->second.ephemeral_owner != kNoCoordSession) {
    const size_t erased = sessions_[it->second.ephemeral_owner].ephemerals.erase(txn.path);
    PG_ASSERT_EQ(erased, size_t{1}, "ephemeral {} missing from its session", txn.path);
  }
  znodes_.erase(it);
  return ErrorCode::kOk;
}

void CoordStore::CheckInvariants() const {
  size_t ephemerals = 0;
  for (const auto& [path, z] : znodes_) {
    PG_ASSERT(ValidCoordPath(path), "znode with invalid path {:?}", path);
    PG_ASSERT_GE(z.version, int64_t{0}, "znode {}", path);
    if (z.ephemeral_owner == kNoCoordSession) continue;
    ++ephemerals;
    auto s = sessions_.find(z.ephemeral_owner);
    PG_ASSERT(s != sessions_.end(), "ephemeral {} outlived its session {}", path,
              z.ephemeral_owner);
    PG_ASSERT(s->second.ephemerals.contains(path), "ephemeral {} not listed by session {}", path,
              z.ephemeral_owner);
  }
  size_t listed = 0;
  for (const auto& [id, s] : sessions_) {
    PG_ASSERT_NE(id, kNoCoordSession);
    PG_ASSERT_GT(s.timeout, Duration(), "session {}", id);
    listed += s.ephemerals.size();
  }
  // Together with the checks above: the listing is exactly the ephemeral znodes.
  PG_ASSERT_EQ(listed, ephemerals, "sessions list ephemerals that are not znodes");
}

}  // namespace pg
