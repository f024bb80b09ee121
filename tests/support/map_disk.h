#pragma once
// A LocalDisk over a std::map, for step-level tests that build Nodes directly: a test writes the
// files a node will read at Boot.
#include <map>
#include <string>

#include "core/node/node.h"

namespace pg::testing {

class MapDisk final : public LocalDisk {
 public:
  Result<std::string> ReadFile(const std::string& file) const override {
    auto it = files.find(file);
    if (it == files.end()) return Status(ErrorCode::kNotFound, file);
    return it->second;
  }
  bool Exists(const std::string& file) const override { return files.contains(file); }
  std::map<std::string, std::string> files;
};

}  // namespace pg::testing
