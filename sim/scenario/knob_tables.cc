#include "sim/scenario/knob_tables.h"

namespace pg::sim {

const std::map<std::string, double>& DefaultMix() {
  static const auto* const kMix = new std::map<std::string, double>{{"get", 0.35},
                                                                    {"set", 0.3},
                                                                    {"del", 0.05},
                                                                    {"incr", 0.1},
                                                                    {"cas", 0.1},
                                                                    {"multi_get", 0.05},
                                                                    {"multi_set", 0.05},
                                                                    {"multi_get_range", 0.04},
                                                                    {"multi_del", 0.03},
                                                                    {"sortkey_count", 0.02},
                                                                    {"check_and_mutate", 0.04},
                                                                    {"scan", 0},
                                                                    {"full_scan", 0}};
  return *kMix;
}

const std::vector<std::string>& MixOperations() {
  static const auto* const kOps = new std::vector<std::string>{"get",
                                                               "set",
                                                               "del",
                                                               "incr",
                                                               "cas",
                                                               "multi_get",
                                                               "multi_set",
                                                               "multi_get_range",
                                                               "multi_del",
                                                               "sortkey_count",
                                                               "check_and_mutate",
                                                               "scan",
                                                               "full_scan"};
  return *kOps;
}

size_t FirstScanOperation() { return 11; }

size_t FirstRicherOperation() { return 7; }

bool SystemSupports(std::string_view system, std::string_view op) {
  return system != "register" || op == "get" || op == "set";
}

bool HasCoordNode(std::string_view system, int meta_servers) {
  return system == "pegasus" && meta_servers > 1;
}

}  // namespace pg::sim
