#include <gtest/gtest.h>

#include <string>

#include "core/common/assert.h"
#include "tests/support/throwing_asserts.h"

namespace pg::testing {
namespace {

std::string ReportOfAFailure() {
  try {
    PG_ASSERT(false, "planted");
  } catch (const AssertionThrown& e) {
    return e.what();
  }
  return "";
}

// A report names the partition of the innermost scope, and the outer one again once it closes.
TEST(AssertPartitionScope, ReportsNameTheInnermostPartitionAndRestoreTheOuter) {
  ThrowingAsserts throwing;
  CurrentAssertContext().node = "replica/2";
  {
    AssertPartitionScope outer(Gpid{.app_id = 1, .partition_index = 3});
    {
      AssertPartitionScope inner(Gpid{.app_id = 1, .partition_index = 7});
      EXPECT_NE(ReportOfAFailure().find("partition=1.7"), std::string::npos);
    }
    EXPECT_NE(ReportOfAFailure().find("partition=1.3"), std::string::npos);
  }
  EXPECT_NE(ReportOfAFailure().find("partition=-"), std::string::npos);
  CurrentAssertContext().node.clear();
}

}  // namespace
}  // namespace pg::testing
