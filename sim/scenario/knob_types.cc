#include "sim/scenario/knob_types.h"

#include <fmt/format.h>

namespace pg::sim {

std::vector<std::string> NodeNames(const Knobs& knobs) {
  std::vector<std::string> names;
  for (int i = 0; i < knobs.meta_servers; ++i) names.push_back(fmt::format("meta/{}", i));
  for (int i = 0; i < knobs.replica_servers; ++i) names.push_back(fmt::format("replica/{}", i));
  for (int i = 0; i < knobs.clients; ++i) names.push_back(fmt::format("client/{}", i));
  if (HasCoordNode(knobs.system, knobs.meta_servers)) {
    for (int i = 0; i < knobs.coord_servers; ++i) names.push_back(fmt::format("coord/{}", i));
  }
  return names;
}

}  // namespace pg::sim
