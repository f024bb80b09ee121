#pragma once
// Inputs and effects as bytes (for the trace hash) and as text (for trace lines). The io structs
// carry no PG_FIELDS (core/node/io.h is the boundary, not a wire format), so the kernel spells
// their fields out once here; messages inside them use the codec's own encoding.
#include <string>

#include "core/node/io.h"
#include "core/proto/codec.h"

namespace pg::sim {

void EncodeInput(Encoder& enc, const Input& input);
void EncodeEffect(Encoder& enc, const Effect& effect);

// "Receive{from=2, Ping{seq=1, payload=\"\"}}" and the like.
void AppendInput(std::string* out, const Input& input);
void AppendEffect(std::string* out, const Effect& effect);

}  // namespace pg::sim
