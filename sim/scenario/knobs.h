#pragma once
// Knobs: every value one run uses, nothing optional. ResolveKnobs fills what the scenario left out:
// from documented defaults, or, in a swarm scenario, from draws on the seed's "swarm" stream within
// documented bounds. The verdict records all knobs, so the verdict alone reproduces the run.
// CONTRACT between the loader, the nemesis and the runner.
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/result.h"
#include "sim/scenario/knob_types.h"
#include "sim/scenario/scenario.h"

namespace pg::sim {

// The seed a run of this scenario uses: the command line's, else the file's, else Defaults::kSeed.
uint64_t SeedFor(const Scenario& scenario, std::optional<uint64_t> command_line_seed);

Knobs ResolveKnobs(const Scenario& scenario, uint64_t seed);
nlohmann::json KnobsToJson(const Knobs& knobs);
nlohmann::json FaultToJson(const Fault& fault);
// The inverse of KnobsToJson, exactly as strict as a scenario file: a verdict's "knobs" replay the
// run. `source` names the document in messages ("verdict.json:knobs").
Result<Knobs> KnobsFromJson(const nlohmann::json& json, std::string_view source);

}  // namespace pg::sim
