#pragma once
// The check of check_and_set and check_and_mutate, as Pegasus's
// pegasus_write_service_impl::validate_check judges it.
#include <optional>
#include <string>

#include "core/proto/data_model.h"

namespace pg {

// Whether `check` passes on the check sortkey's current value (nullopt: absent). nullopt when
// the request is invalid (an int comparison whose value or operand is not an int64): upstream
// answers it kInvalidArgument and changes nothing.
std::optional<bool> EvaluateCheck(const CasCheck& check, const std::optional<std::string>& value);

// Whether the check type is one upstream knows (is_check_type_supported).
bool CheckTypeSupported(CheckType t);

}  // namespace pg
