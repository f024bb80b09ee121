#include "sim/scenario/json_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "sim/scenario/input_limits.h"

namespace pg::sim {
namespace {

using nlohmann::json;

constexpr size_t kMaxGotChars = 60;

bool IsIdentifier(std::string_view key) {
  if (key.empty()) return false;
  return std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// Tracks the JSON path during nlohmann's callback parse so that a repeated key can be named.
// nlohmann reports, per container element, exactly one of: value, object_start, array_start.
// Nesting deeper than InputLimits::kJsonDepth is discarded as it is read (nlohmann then builds
// nothing for it) and reported after the parse, so a deep file costs no memory.
class DuplicateKeyFinder {
 public:
  bool OnEvent(int depth, json::parse_event_t event, const json& parsed) {
    using E = json::parse_event_t;
    const bool starts = event == E::object_start || event == E::array_start;
    if (depth > InputLimits::kJsonDepth) return false;  // inside a discarded container
    if (starts && depth == InputLimits::kJsonDepth) {
      if (!too_deep_path_) too_deep_path_ = ChildPath();
      return false;
    }
    switch (event) {
      case E::object_start:
      case E::array_start: {
        Frame frame;
        frame.path = ChildPath();  // before the push: the path within the parent
        frame.is_array = event == E::array_start;
        frames_.push_back(std::move(frame));
        break;
      }
      case E::object_end:
      case E::array_end:
        if (!frames_.empty()) frames_.pop_back();
        break;
      case E::key:
        OnKey(parsed.get<std::string>());
        break;
      case E::value:
        ChildPath();
        break;
    }
    return true;  // keep everything; the first duplicate is reported after the parse
  }
  const std::optional<std::string>& duplicate_path() const { return duplicate_path_; }
  const std::optional<std::string>& too_deep_path() const { return too_deep_path_; }

 private:
  struct Frame {
    std::string path;
    bool is_array = false;
    size_t next_index = 0;
    std::string key;
    std::set<std::string> keys;
  };

  // The path of the element now starting in the innermost container (advancing array indices).
  std::string ChildPath() {
    if (frames_.empty()) return "$";
    Frame& top = frames_.back();
    if (top.is_array) return fmt::format("{}[{}]", top.path, top.next_index++);
    return JoinPath(top.path, top.key);
  }
  void OnKey(const std::string& key) {
    Frame& top = frames_.back();
    top.key = key;
    if (!top.keys.insert(key).second && !duplicate_path_) {
      duplicate_path_ = JoinPath(top.path, key);
    }
  }

  std::vector<Frame> frames_;
  std::optional<std::string> duplicate_path_;
  std::optional<std::string> too_deep_path_;
};

// nlohmann's what() is "[json.exception.parse_error.101] parse error at line 2, column 5: ...";
// the bracketed id means nothing to a user.
std::string StripExceptionId(std::string_view what) {
  if (!what.empty() && what.front() == '[') {
    const size_t close = what.find("] ");
    if (close != std::string_view::npos) what.remove_prefix(close + 2);
  }
  return std::string(what);
}

std::string RangeText(std::string_view what, double lo, double hi, bool hi_inclusive) {
  return fmt::format("{} in [{}, {}{}", what, lo, hi, hi_inclusive ? "]" : ")");
}

}  // namespace

std::string JoinPath(std::string_view path, std::string_view key) {
  if (IsIdentifier(key)) return fmt::format("{}.{}", path, key);
  return fmt::format("{}[{}]", path, json(std::string(key)).dump());
}

Result<json> ParseJsonText(const std::string& text, const std::string& file) {
  DuplicateKeyFinder finder;
  JsonErrors errors(file);
  try {
    json root = json::parse(text, [&finder](int depth, json::parse_event_t e, json& parsed) {
      return finder.OnEvent(depth, e, parsed);
    });
    if (finder.too_deep_path()) {
      errors.Fail(
          *finder.too_deep_path(),
          fmt::format("at most {} levels of nested arrays and objects", InputLimits::kJsonDepth),
          "deeper nesting");
    } else if (finder.duplicate_path()) {
      errors.Fail(*finder.duplicate_path(), "each key at most once in an object",
                  "the key a second time");
    } else {
      return root;
    }
  } catch (const json::exception& e) {
    errors.Fail("$", "well-formed JSON", StripExceptionId(e.what()));
  }
  return errors.status();
}

void JsonErrors::Fail(std::string_view path, std::string_view expected, std::string_view got) {
  if (first_) return;
  first_ = fmt::format("{}: {}: expected {} (got {})", file_, path, expected, got);
}

Status JsonErrors::status() const {
  if (!first_) return Status::Ok();
  return Status(ErrorCode::kInvalidArgument, *first_);
}

std::string DescribeJson(const json* value) {
  if (value == nullptr) return "nothing";
  std::string text = value->dump();
  if (text.size() > kMaxGotChars) text = text.substr(0, kMaxGotChars) + "...";
  return text;
}

// ---- JsonReader ------------------------------------------------------------------------------

void JsonReader::Fail(std::string_view expected) const {
  errors_->Fail(path_, expected, DescribeJson(value_));
}

void JsonReader::Fail(std::string_view expected, std::string_view got) const {
  errors_->Fail(path_, expected, got);
}

bool JsonReader::Check(bool type_ok, std::string_view expected) const {
  if (value_ == nullptr) {
    if (required_) Fail(expected, "nothing");
    return false;
  }
  if (!type_ok) Fail(expected);
  return type_ok;
}

std::optional<int64_t> JsonReader::Int(int64_t lo, int64_t hi) const {
  const std::string expected = fmt::format("an integer in [{}, {}]", lo, hi);
  if (!Check(value_ != nullptr && value_->is_number_integer(), expected)) return std::nullopt;
  if (value_->is_number_unsigned() &&
      value_->get<uint64_t>() > static_cast<uint64_t>(std::max<int64_t>(hi, 0))) {
    Fail(expected);
    return std::nullopt;
  }
  const auto v = value_->get<int64_t>();
  if (v < lo || v > hi) {
    Fail(expected);
    return std::nullopt;
  }
  return v;
}

std::optional<int> JsonReader::Int32(int lo, int hi) const {
  auto v = Int(lo, hi);
  if (!v) return std::nullopt;
  return static_cast<int>(*v);
}

std::optional<uint64_t> JsonReader::Uint64() const {
  const bool type_ok = value_ != nullptr && value_->is_number_integer() &&
                       (value_->is_number_unsigned() || value_->get<int64_t>() >= 0);
  if (!Check(type_ok, "a non-negative integer (at most 2^64 - 1)")) return std::nullopt;
  return value_->get<uint64_t>();
}

std::optional<double> JsonReader::Double(double lo, double hi, bool hi_inclusive) const {
  const std::string expected = RangeText("a number", lo, hi, hi_inclusive);
  if (!Check(value_ != nullptr && value_->is_number(), expected)) return std::nullopt;
  const auto v = value_->get<double>();
  const bool in_range = std::isfinite(v) && v >= lo && (hi_inclusive ? v <= hi : v < hi);
  if (!in_range) {
    Fail(expected);
    return std::nullopt;
  }
  return v;
}

std::optional<bool> JsonReader::Bool() const {
  if (!Check(value_ != nullptr && value_->is_boolean(), "true or false")) return std::nullopt;
  return value_->get<bool>();
}

std::optional<std::string> JsonReader::String() const {
  if (!Check(value_ != nullptr && value_->is_string(), "a string")) return std::nullopt;
  return value_->get<std::string>();
}

std::optional<std::string> JsonReader::NonEmptyString() const {
  const bool type_ok =
      value_ != nullptr && value_->is_string() && !value_->get_ref<const std::string&>().empty();
  if (!Check(type_ok, "a non-empty string")) return std::nullopt;
  return value_->get<std::string>();
}

std::optional<std::string> JsonReader::OneOf(std::span<const std::string_view> choices) const {
  std::string expected = "one of";
  for (size_t i = 0; i < choices.size(); ++i) {
    expected += fmt::format("{} \"{}\"", i == 0 ? "" : ",", choices[i]);
  }
  if (!Check(value_ != nullptr && value_->is_string(), expected)) return std::nullopt;
  const auto& s = value_->get_ref<const std::string&>();
  if (std::find(choices.begin(), choices.end(), s) == choices.end()) {
    Fail(expected);
    return std::nullopt;
  }
  return s;
}

std::optional<std::vector<JsonReader>> JsonReader::Elements() const {
  if (!Check(value_ != nullptr && value_->is_array(), "an array")) return std::nullopt;
  std::vector<JsonReader> out;
  out.reserve(value_->size());
  for (size_t i = 0; i < value_->size(); ++i) {
    out.emplace_back(*errors_, &(*value_)[i], fmt::format("{}[{}]", path_, i), true);
  }
  return out;
}

// ---- JsonObject ------------------------------------------------------------------------------

JsonObject::JsonObject(const JsonReader& reader, Options options)
    : errors_(&reader.errors()), object_(nullptr), path_(reader.path()), options_(options) {
  if (!reader.present()) {
    if (reader.required()) reader.Fail("an object", "nothing");
  } else if (!reader.IsObject()) {
    reader.Fail("an object");
  } else {
    object_ = reader.value();
  }
}

JsonReader JsonObject::Read(std::string_view key, bool required) {
  if (std::find(known_.begin(), known_.end(), key) == known_.end()) known_.emplace_back(key);
  const json* value = nullptr;
  if (object_ != nullptr) {
    auto it = object_->find(key);
    if (it != object_->end()) value = &*it;
  }
  return JsonReader(*errors_, value, JoinPath(path_, key), required && object_ != nullptr);
}

JsonReader JsonObject::Field(std::string_view key) { return Read(key, options_.all_required); }
JsonReader JsonObject::Optional(std::string_view key) { return Read(key, false); }
JsonReader JsonObject::Required(std::string_view key) { return Read(key, true); }

bool JsonObject::Has(std::string_view key) const {
  return object_ != nullptr && object_->contains(key);
}

void JsonObject::RejectUnknownKeys() {
  if (object_ == nullptr) return;
  for (const auto& [key, value] : object_->items()) {
    if (std::find(known_.begin(), known_.end(), key) != known_.end()) continue;
    errors_->Fail(JoinPath(path_, key), fmt::format("one of the keys {}", fmt::join(known_, ", ")),
                  "an unknown key");
    return;
  }
}

}  // namespace pg::sim
