#pragma once
// Every message any node sends, as one std::variant of plain structs. The simulator treats it
// opaquely (it moves, encodes and names messages); adding a message never changes the kernel.
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "core/common/assert.h"
#include "core/proto/client_messages.h"
#include "core/proto/codec.h"
#include "core/proto/coord_messages.h"
#include "core/proto/coord_quorum_messages.h"
#include "core/proto/hosted_message.h"
#include "core/proto/learn_messages.h"
#include "core/proto/meta_messages.h"
#include "core/proto/replication_messages.h"
#include "core/proto/scan_messages.h"

namespace pg {

using Message = std::variant<
    // client <-> replica server, client <-> meta
    ClientRequest, ClientResponse, QueryConfigRequest, QueryConfigResponse,
    // replica <-> replica (PacificA)
    PrepareRequest, PrepareAck, GroupCheckRequest, GroupCheckResponse, RemoveReplica,
    // learning (PacificA's catch-up of a new member)
    AddLearnerRequest, LearnRequest, LearnResponse, LearnCompletionNotify, LearnCompletionResponse,
    // replica server <-> meta
    Beacon, BeaconAck, ConfigProposal, UpdateConfigRequest, UpdateConfigResponse, ConfigSyncRequest,
    ConfigSyncResponse,
    // coordination service (core/coord)
    CoordOpenSession, CoordOpenSessionResponse, CoordKeepAlive, CoordKeepAliveResponse,
    CoordCloseSession, CoordCloseSessionResponse, CoordCreate, CoordCreateResponse, CoordGet,
    CoordGetResponse, CoordSet, CoordSetResponse, CoordDelete, CoordDeleteResponse,
    // a system other than Pegasus hosted by the simulator (hosted_message.h)
    HostedMessage,
    // client <-> replica server: scans (after the rest, so no other message's index moves)
    GetScannerRequest, ScanRequest, ScanResponse,
    // coordination quorum (core/coord/coord_peer.h)
    CoordVoteRequest, CoordVoteResponse, CoordSync, CoordProposal, CoordCommit, CoordAck,
    CoordForward, CoordRelay>;

// A hosted message is named by its hosted type.
inline std::string_view MessageName(const Message& m) {
  if (const auto* hosted = std::get_if<HostedMessage>(&m)) return hosted->kind;
  return std::visit([](const auto& alt) -> std::string_view { return alt.kName; }, m);
}

inline std::string MessageDebugString(const Message& m) {
  return std::visit([](const auto& alt) { return DebugString(alt); }, m);
}

// The hosted value of type T that `m` carries, or nullopt when `m` carries something else.
template <class T>
std::optional<T> Unhost(const Message& m) {
  const auto* hosted = std::get_if<HostedMessage>(&m);
  if (hosted == nullptr || hosted->kind != T::kName) return std::nullopt;
  Result<T> value = Decode<T>(hosted->payload);
  PG_ASSERT(value.ok(), "a hosted {} that does not decode: {}", T::kName,
            value.status().ToString());
  return std::move(value).value();
}

}  // namespace pg
