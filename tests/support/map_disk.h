#pragma once
// A LocalDisk over a std::map, for step-level tests that build Nodes directly: a test writes the
// files a node will read at Boot, and may make some of them unreadable (an I/O error).
#include <map>
#include <set>
#include <string>

#include "core/node/node.h"

namespace pg::testing {

class MapDisk final : public LocalDisk {
 public:
  Result<std::string> ReadFile(const std::string& file) const override {
    if (unreadable.contains(file)) return Status(ErrorCode::kIoError, "injected: " + file);
    auto it = files.find(file);
    if (it == files.end()) return Status(ErrorCode::kNotFound, file);
    return it->second;
  }
  bool Exists(const std::string& file) const override { return files.contains(file); }
  std::map<std::string, std::string> files;
  std::set<std::string> unreadable;  // ReadFile fails with kIoError for these
};

}  // namespace pg::testing
