#pragma once
// Knobs -> scenario file: the inverse of ResolveKnobs for a run that is already resolved. Every
// knob is written explicitly, so loading the file and resolving it with the knobs' seed gives the
// same knobs (and so the same run, trace hash included), whether or not the file is a swarm one.
// The shrinker writes its regression files with it; rapidcheck properties print counterexamples
// with it.
#include <nlohmann/json.hpp>
#include <string>

#include "sim/scenario/knobs.h"
#include "sim/scenario/scenario.h"

namespace pg::sim {

// What a scenario file has that knobs do not.
struct ScenarioFileHeader {
  std::string name;
  std::string description;  // omitted from the file when empty
  ExpectSection expect;
};

// The scenario file, keys in the order docs/scenarios.md lists them; "expect" keeps only what
// differs from its defaults, and the mix only its positive weights (a given mix is taken whole).
nlohmann::ordered_json ScenarioFileJson(const Knobs& knobs, const ScenarioFileHeader& header);

}  // namespace pg::sim
