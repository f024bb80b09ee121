#include "core/replica/cas_check.h"

#include <string_view>

#include "core/replica/write_executor.h"

namespace pg {
namespace {

// Upstream orders each comparison family less, less_or_equal, equal, greater_or_equal, greater,
// so the outcome of a three-way comparison is read off the type's position in its family.
bool Compare(int c, CheckType t, CheckType less) {
  const int offset = static_cast<int>(t) - static_cast<int>(less);
  if (c < 0) return offset <= 1;
  if (c > 0) return offset >= 3;
  return offset >= 1 && offset <= 3;
}

bool Matches(CheckType t, std::string_view value, std::string_view operand) {
  if (operand.empty()) return true;
  if (value.size() < operand.size()) return false;
  if (t == CheckType::kMatchAnywhere) return value.find(operand) != std::string_view::npos;
  if (t == CheckType::kMatchPrefix) return value.starts_with(operand);
  return value.ends_with(operand);
}

}  // namespace

bool CheckTypeSupported(CheckType t) { return static_cast<uint8_t>(t) < kCheckTypeCount; }

std::optional<bool> EvaluateCheck(const CasCheck& check, const std::optional<std::string>& value) {
  const CheckType t = check.type;
  switch (t) {
    case CheckType::kNoCheck:
      return true;
    case CheckType::kValueNotExist:
      return !value;
    case CheckType::kValueNotExistOrEmpty:
      return !value || value->empty();
    case CheckType::kValueExist:
      return value.has_value();
    case CheckType::kValueNotEmpty:
      return value && !value->empty();
    default:
      break;
  }
  if (!value) return false;
  if (t <= CheckType::kMatchPostfix) return Matches(t, *value, check.operand);
  if (t <= CheckType::kBytesGreater) {
    const int c = value->compare(check.operand);
    return Compare(c, t, CheckType::kBytesLess);
  }
  // Upstream parses both sides with buf2int64, as incr parses its stored value; except that an
  // empty text is no integer here (buf2int64 refuses it), while incr counts it as 0.
  const std::optional<int64_t> v = value->empty() ? std::nullopt : ParseIncrValue(*value);
  const std::optional<int64_t> operand =
      check.operand.empty() ? std::nullopt : ParseIncrValue(check.operand);
  if (!v || !operand) return std::nullopt;
  return Compare(*v < *operand ? -1 : (*v > *operand ? 1 : 0), t, CheckType::kIntLess);
}

}  // namespace pg
