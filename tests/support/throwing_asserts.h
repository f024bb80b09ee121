#pragma once
// Assertions throw inside the scope, so a test can expect one.
#include <stdexcept>
#include <string>

#include "core/common/assert.h"

namespace pg::testing {

struct AssertionThrown : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class ThrowingAsserts {
 public:
  ThrowingAsserts() {
    SetAssertFailureHandler([](const std::string& r) { throw AssertionThrown(r); });
  }
  ~ThrowingAsserts() { SetAssertFailureHandler(nullptr); }
  ThrowingAsserts(const ThrowingAsserts&) = delete;
  ThrowingAsserts& operator=(const ThrowingAsserts&) = delete;
};

}  // namespace pg::testing
