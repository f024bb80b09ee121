#pragma once
// Helpers shared by the checker tests.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "checker/check.h"
#include "checker/history.h"

namespace pg::checker::testing {

inline std::string FixturePath(const std::string& name) {
  return std::string(PG_SOURCE_DIR) + "/tests/data/histories/" + name;
}

inline std::string ReadFixture(const std::string& name) {
  std::ifstream in(FixturePath(name), std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline History MustParse(const std::string& text, const std::string& source = "test") {
  auto h = ParseJsonlHistory(text, source);
  EXPECT_TRUE(h.ok()) << (h.ok() ? "" : h.error().ToString());
  return h.ok() ? std::move(h).value() : History{};
}

// The fast paths' switches set by the bits of `mask` (bit 0 use_witness ... bit 6 versions), for
// tests that hold every configuration to the plain search.
inline CheckOptions FastPathConfiguration(int mask) {
  CheckOptions o;
  o.use_witness = mask & 1;
  o.prune_unknown = mask & 2;
  o.unique_values = mask & 4;
  o.staged_search = mask & 8;
  o.dominance = mask & 16;
  o.merge_unread = mask & 32;
  o.versions = mask & 64;
  return o;
}

inline Verdict CheckText(const std::string& text, CheckOptions options = {}) {
  return Check(MustParse(text), options).verdict;
}

}  // namespace pg::checker::testing
