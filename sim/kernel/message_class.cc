#include "sim/kernel/message_class.h"

#include <type_traits>

namespace pg::sim {
namespace {

// Data: what carries a client's operation or a replica's state (PacificA's prepares and
// learning's transfers), and a hosted system's messages (the register's are all client
// traffic). Everything else decides who serves: control.
template <class T>
constexpr bool kIsData = std::is_same_v<T, ClientRequest> || std::is_same_v<T, ClientResponse> ||
                         std::is_same_v<T, PrepareRequest> || std::is_same_v<T, PrepareAck> ||
                         std::is_same_v<T, LearnRequest> || std::is_same_v<T, LearnResponse> ||
                         std::is_same_v<T, HostedMessage> || std::is_same_v<T, GetScannerRequest> ||
                         std::is_same_v<T, ScanRequest> || std::is_same_v<T, ScanResponse>;

// Replies: each answers a request of the receiver and rides the receiver's session.
template <class T>
constexpr bool kIsReply =
    std::is_same_v<T, ClientResponse> || std::is_same_v<T, QueryConfigResponse> ||
    std::is_same_v<T, PrepareAck> || std::is_same_v<T, GroupCheckResponse> ||
    std::is_same_v<T, LearnResponse> || std::is_same_v<T, LearnCompletionResponse> ||
    std::is_same_v<T, BeaconAck> || std::is_same_v<T, UpdateConfigResponse> ||
    std::is_same_v<T, ConfigSyncResponse> || std::is_same_v<T, CoordOpenSessionResponse> ||
    std::is_same_v<T, CoordKeepAliveResponse> || std::is_same_v<T, CoordCloseSessionResponse> ||
    std::is_same_v<T, CoordCreateResponse> || std::is_same_v<T, CoordGetResponse> ||
    std::is_same_v<T, CoordSetResponse> || std::is_same_v<T, CoordDeleteResponse> ||
    std::is_same_v<T, ScanResponse>;

}  // namespace

MessageClass ClassOf(const Message& msg) {
  return std::visit(
      [](const auto& m) {
        using T = std::decay_t<decltype(m)>;
        return kIsData<T> ? MessageClass::kData : MessageClass::kControl;
      },
      msg);
}

RpcSession SessionOf(const Message& msg) {
  return std::visit(
      [](const auto& m) {
        using T = std::decay_t<decltype(m)>;
        return kIsReply<T> ? RpcSession::kReplies : RpcSession::kRequests;
      },
      msg);
}

}  // namespace pg::sim
