// Pegasus's cas_check_type semantics, as src/server/pegasus_write_service_impl.h validate_check
// decides them (the server answers kTryAgain for a check not passed, kInvalidArgument for an
// int_* check on a non-integer).
#include "checker/assert.h"
#include "checker/model.h"

namespace pg::checker {
namespace {

template <class T>
bool Compare(CheckType type, const T& value, const T& operand) {
  switch (type) {
    case CheckType::kBytesLess:
    case CheckType::kIntLess:
      return value < operand;
    case CheckType::kBytesLessOrEqual:
    case CheckType::kIntLessOrEqual:
      return value <= operand;
    case CheckType::kBytesEqual:
    case CheckType::kIntEqual:
      return value == operand;
    case CheckType::kBytesGreaterOrEqual:
    case CheckType::kIntGreaterOrEqual:
      return value >= operand;
    case CheckType::kBytesGreater:
    case CheckType::kIntGreater:
      return value > operand;
    default:
      break;
  }
  CK_UNREACHABLE("check {} compares nothing", CheckTypeName(type));
}

CheckOutcome Of(bool pass) { return pass ? CheckOutcome::kPass : CheckOutcome::kFail; }

}  // namespace

bool IsExtended(const ModelOp& op) {
  switch (op.f) {
    case Fn::kCas:
      return op.checked;
    case Fn::kMultiGet:
      return op.ranged;
    case Fn::kSortkeyCount:
    case Fn::kMultiDel:
    case Fn::kCheckAndMutate:
      return true;
    default:
      return false;
  }
}

CheckOutcome EvaluateCheck(CheckType type, int32_t value, int32_t operand,
                           const ValueTable& values) {
  const bool exist = value != kAbsent;
  // An empty operand is the empty string, never absent: the format always gives one.
  CK_ASSERT_NE(operand, kAbsent, "check {}: an operand is a string", CheckTypeName(type));
  const std::string& op = values.Text(operand);
  const bool empty = !exist || values.Text(value).empty();
  switch (type) {
    case CheckType::kNoCheck:
      return CheckOutcome::kPass;
    case CheckType::kValueNotExist:
      return Of(!exist);
    case CheckType::kValueNotExistOrEmpty:
      return Of(empty);
    case CheckType::kValueExist:
      return Of(exist);
    case CheckType::kValueNotEmpty:
      return Of(!empty);
    default:
      break;
  }
  if (!exist) return CheckOutcome::kFail;  // every remaining type fails on an absent value
  const std::string& v = values.Text(value);
  switch (type) {
    case CheckType::kMatchAnywhere:
      return Of(op.empty() || v.find(op) != std::string::npos);
    case CheckType::kMatchPrefix:
      return Of(op.empty() || v.starts_with(op));
    case CheckType::kMatchPostfix:
      return Of(op.empty() || v.ends_with(op));
    case CheckType::kBytesLess:
    case CheckType::kBytesLessOrEqual:
    case CheckType::kBytesEqual:
    case CheckType::kBytesGreaterOrEqual:
    case CheckType::kBytesGreater:
      // std::string compares bytes as unsigned char, as Pegasus's blob compare (memcmp) does.
      return Of(Compare(type, v, op));
    default:
      break;
  }
  const auto a = values.Number(value), b = values.Number(operand);
  if (!a || !b) return CheckOutcome::kInvalid;
  return Of(Compare(type, *a, *b));
}

}  // namespace pg::checker
