#pragma once
// Every message any node sends, as one std::variant of plain structs. The simulator treats it
// opaquely (it moves, encodes and names messages); adding a message never changes the kernel.
#include <string>
#include <string_view>
#include <variant>

#include "core/proto/client_messages.h"
#include "core/proto/codec.h"
#include "core/proto/coord_messages.h"
#include "core/proto/example_messages.h"
#include "core/proto/learn_messages.h"
#include "core/proto/meta_messages.h"
#include "core/proto/replication_messages.h"

namespace pg {

using Message = std::variant<
    // the kernel's example system and tests
    Ping, Pong, RegisterRequest, RegisterReply,
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
    CoordGetResponse, CoordSet, CoordSetResponse, CoordDelete, CoordDeleteResponse>;

inline std::string_view MessageName(const Message& m) {
  return std::visit([](const auto& alt) -> std::string_view { return alt.kName; }, m);
}

inline std::string MessageDebugString(const Message& m) {
  return std::visit([](const auto& alt) { return DebugString(alt); }, m);
}

}  // namespace pg
