#include "core/proto/pegasus_types.h"

namespace pg {

bool IsNewPartition(const PartitionConfiguration& config) {
  return !config.primary && config.secondaries.empty() && config.last_drops.empty();
}

std::string_view PartitionStatusName(PartitionStatus s) {
  switch (s) {
    case PartitionStatus::kInactive:
      return "PS_INACTIVE";
    case PartitionStatus::kError:
      return "PS_ERROR";
    case PartitionStatus::kPrimary:
      return "PS_PRIMARY";
    case PartitionStatus::kSecondary:
      return "PS_SECONDARY";
    case PartitionStatus::kPotentialSecondary:
      return "PS_POTENTIAL_SECONDARY";
  }
  return "PS_INVALID";
}

std::string_view ConfigTypeName(ConfigType t) {
  switch (t) {
    case ConfigType::kAssignPrimary:
      return "CT_ASSIGN_PRIMARY";
    case ConfigType::kUpgradeToPrimary:
      return "CT_UPGRADE_TO_PRIMARY";
    case ConfigType::kAddSecondary:
      return "CT_ADD_SECONDARY";
    case ConfigType::kUpgradeToSecondary:
      return "CT_UPGRADE_TO_SECONDARY";
    case ConfigType::kDowngradeToSecondary:
      return "CT_DOWNGRADE_TO_SECONDARY";
    case ConfigType::kDowngradeToInactive:
      return "CT_DOWNGRADE_TO_INACTIVE";
    case ConfigType::kRemove:
      return "CT_REMOVE";
    case ConfigType::kAddSecondaryForLb:
      return "CT_ADD_SECONDARY_FOR_LB";
    case ConfigType::kPrimaryForceUpdateBallot:
      return "CT_PRIMARY_FORCE_UPDATE_BALLOT";
    case ConfigType::kDropPartition:
      return "CT_DROP_PARTITION";
  }
  return "CT_INVALID";
}

}  // namespace pg
