#pragma once
// What a hunt reports: one line of text per bug for a terminal, hunt.json for tools, and the
// markdown table of results/bugzoo.md.
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "sim/driver/hunt.h"

namespace pg::sim {

// What the bench needed to catch a switch (scenarios, fault kinds, invariants added for it): the
// table's last column, kept here so that the regenerated table says it.
std::string_view BenchNeeded(Bug bug);
// "faults 9, clients 1, ops 12, ..." (ShrinkSizes as one phrase).
std::string SizesText(const ShrinkSizes& sizes);
// One line: caught or not, first seed, rate, catcher, shrunk size.
std::string HuntLine(const HuntResult& result);
// The median of the first detecting seeds' positions in their ranges (1 = the range's first
// seed); an uncaught bug counts as one past its range. 0 for no results.
double MedianSeedsToDetection(const std::vector<HuntResult>& results);
nlohmann::ordered_json HuntJson(const std::vector<HuntResult>& results);
// The body of results/bugzoo.md: the table, the median, what the bench took to catch each.
std::string HuntMarkdown(const std::vector<HuntResult>& results);

}  // namespace pg::sim
