#pragma once
// A strict walker over a parsed JSON document, for input files a user writes (scenarios) and files
// a run writes (verdict knobs). Every reader knows its JSON path ($.faults[3].node), so an error
// names the file, the path, what was expected and what was found:
//   FILE: $.faults[3].node: expected one of meta/0, replica/0..replica/3 (got "replica/9")
// The first error wins and later reads return nullopt: parse code then reads straight through,
// with no error plumbing after every field, and still reports exactly one, the earliest, error.
// No exception escapes: nlohmann's are caught in ParseJsonText.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/result.h"

namespace pg::sim {

// Parses JSON text strictly: a syntax error (with nlohmann's line and column) or a key repeated in
// one object (nlohmann would silently keep the last one) is a kInvalidArgument naming `file`.
Result<nlohmann::json> ParseJsonText(const std::string& text, const std::string& file);

// The document's first error, shared by every reader of one document.
class JsonErrors {
 public:
  explicit JsonErrors(std::string file) : file_(std::move(file)) {}
  // Records "FILE: PATH: expected EXPECTED (got GOT)" unless an error is already recorded.
  void Fail(std::string_view path, std::string_view expected, std::string_view got);
  bool ok() const { return !first_.has_value(); }
  // Ok, or the first error as kInvalidArgument.
  Status status() const;

 private:
  std::string file_;
  std::optional<std::string> first_;
};

// A compact rendering of a JSON value for "(got ...)": its JSON text, cut at 60 characters.
std::string DescribeJson(const nlohmann::json* value);

// A view of one value (possibly absent) at one path. Getters return nullopt when the value is
// absent (recording "got nothing" first if it was required) or wrong (recording the error).
class JsonReader {
 public:
  JsonReader(JsonErrors& errors, const nlohmann::json* value, std::string path, bool required)
      : errors_(&errors), value_(value), path_(std::move(path)), required_(required) {}

  const std::string& path() const { return path_; }
  bool present() const { return value_ != nullptr; }
  bool required() const { return required_; }
  const nlohmann::json* value() const { return value_; }
  JsonErrors& errors() const { return *errors_; }

  // Records an error at this path; `got` defaults to the value's own text.
  void Fail(std::string_view expected) const;
  void Fail(std::string_view expected, std::string_view got) const;

  std::optional<int64_t> Int(int64_t lo, int64_t hi) const;
  std::optional<int> Int32(int lo, int hi) const;
  std::optional<uint64_t> Uint64() const;
  // A finite number in [lo, hi] (or [lo, hi) when !hi_inclusive). Integers count as numbers.
  std::optional<double> Double(double lo, double hi, bool hi_inclusive = true) const;
  std::optional<bool> Bool() const;
  std::optional<std::string> String() const;
  std::optional<std::string> NonEmptyString() const;
  std::optional<std::string> OneOf(std::span<const std::string_view> choices) const;
  // The elements of an array (nullopt if absent or not an array); each element is required.
  std::optional<std::vector<JsonReader>> Elements() const;
  bool IsObject() const { return value_ != nullptr && value_->is_object(); }

 private:
  // False (after recording what was expected) when the value is absent or of the wrong type.
  bool Check(bool type_ok, std::string_view expected) const;

  JsonErrors* errors_;
  const nlohmann::json* value_;
  std::string path_;
  bool required_;
};

// Reads the keys of one object and reports any key that no Field/Optional/Required call named.
class JsonObject {
 public:
  struct Options {
    bool all_required = false;  // Field() then means Required() (the complete knobs form)
  };
  // Records an error if the reader's value is present but not an object; a missing required
  // object is reported too. Either way reads then yield absent values.
  explicit JsonObject(const JsonReader& reader, Options options);
  explicit JsonObject(const JsonReader& reader) : JsonObject(reader, Options{}) {}

  // Optional in a scenario; required in the all_required form.
  JsonReader Field(std::string_view key);
  JsonReader Optional(std::string_view key);
  JsonReader Required(std::string_view key);
  bool Has(std::string_view key) const;
  const std::string& path() const { return path_; }
  JsonErrors& errors() const { return *errors_; }
  // Call once after every read: reports the first key (in sorted order) that was never named.
  void RejectUnknownKeys();

 private:
  JsonReader Read(std::string_view key, bool required);

  JsonErrors* errors_;
  const nlohmann::json* object_;  // nullptr when absent or not an object
  std::string path_;
  Options options_;
  std::vector<std::string> known_;  // in the order asked, for the error message
};

// "$.a" + "b" -> "$.a.b"; keys that are not identifiers are quoted: $.a["x y"].
std::string JoinPath(std::string_view path, std::string_view key);

}  // namespace pg::sim
