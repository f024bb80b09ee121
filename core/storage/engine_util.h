#pragma once
// What both KvEngine implementations share, so that their semantics cannot drift apart: batch
// validation, the TTL-aware read of a stored value, and stored record <-> checkpoint entry.
#include <optional>
#include <string>
#include <string_view>

#include "core/common/result.h"
#include "core/common/status.h"
#include "core/common/time.h"
#include "core/storage/kv_engine.h"

namespace pg {

// The meta key under which both engines keep last_applied, written with every batch.
std::string LastAppliedMetaKey();
std::string EncodeDecree(Decree decree);
// kCorruption when the stored bytes are not a decree.
Result<Decree> DecodeDecree(std::string_view raw);

// kInvalidArgument (naming the op) when any op cannot be encoded; checked before anything is
// applied so that a bad batch applies nothing.
Status ValidateBatch(const WriteBatch& batch);

// The user value of a stored value, or nullopt when it has expired at `now`.
Result<std::optional<std::string>> VisibleValue(std::string_view stored, Time now);

// A stored (key, value) as a checkpoint entry; kCorruption when either does not decode.
Result<CheckpointEntry> EntryFromRecord(std::string_view raw_key, std::string_view raw_value);

// The asserted precondition of ApplyBatch, with the engine's name in the message.
void AssertNextDecree(const char* engine, Decree last_applied, Decree decree);

}  // namespace pg
