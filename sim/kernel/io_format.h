#pragma once
// Inputs and effects as trace records (for the trace hash) and as text (for trace lines). The io
// structs carry no PG_FIELDS (core/node/io.h is the boundary, not a wire format), so the kernel
// spells their fields out once here: fixed-size fields as words, strings through the codec, and
// messages as the digest of their codec encoding.
#include <string>

#include "core/node/io.h"
#include "core/proto/codec.h"
#include "sim/kernel/trace.h"

namespace pg::sim {

// Add one input or effect to the trace's current event. A Receive's or Send's message enters as
// `msg_digest` (Trace::Digest of the message), which the kernel computes once per message; other
// inputs and effects ignore it.
void TraceInput(Trace& trace, const Input& input, uint64_t msg_digest);
void TraceEffect(Trace& trace, const Effect& effect, uint64_t msg_digest);

// "Receive{from=2, PrepareAck{...}}" and the like.
void AppendInput(std::string* out, const Input& input);
void AppendEffect(std::string* out, const Effect& effect);

}  // namespace pg::sim
