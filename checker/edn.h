#pragma once
// A small EDN reader: enough of the format for Jepsen histories (nil, booleans, integers, floats,
// strings, characters, keywords, symbols, lists, vectors, maps, sets, tagged values whose tag is
// ignored, comments and #_ discards). Errors name the line.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "checker/result.h"

namespace pg::checker {

struct Edn {
  enum class Kind : uint8_t {
    kNil,
    kBool,
    kInt,
    kFloat,
    kString,
    kChar,
    kKeyword,
    kSymbol,
    kList,
    kVector,
    kMap,
    kSet
  };
  Kind kind = Kind::kNil;
  std::string text;  // string contents, keyword/symbol name (no ':'), number text
  int64_t integer = 0;
  bool boolean = false;
  std::vector<Edn> items;  // list/vector/set elements; a map's keys and values alternate
  size_t line = 0;

  // The value for a keyword key in a map, or nullptr.
  const Edn* Get(std::string_view keyword) const;
};

// Collections (and discarded or tagged forms) nest at most this deep.
inline constexpr int kMaxEdnDepth = 64;

// Every top-level form in text.
Result<std::vector<Edn>> ParseEdn(std::string_view text, std::string_view source);

}  // namespace pg::checker
