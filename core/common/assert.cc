#include "core/common/assert.h"

#include <cstdio>
#include <cstdlib>

namespace pg {
namespace {

void DefaultHandler(const std::string& report) {
  std::fputs(report.c_str(), stderr);
  std::fflush(stderr);
  std::abort();
}

// Per thread: a sweep runs one simulation per worker thread, each with its own handler.
thread_local AssertFailureHandler g_handler = &DefaultHandler;

}  // namespace

AssertContext& CurrentAssertContext() {
  // thread_local: the checker may judge partitions on worker threads; each has its own context.
  thread_local AssertContext context;
  return context;
}

AssertPartitionScope::AssertPartitionScope(Gpid partition)
    : saved_(CurrentAssertContext().partition) {
  CurrentAssertContext().partition = partition;
}

AssertPartitionScope::~AssertPartitionScope() { CurrentAssertContext().partition = saved_; }

void SetAssertFailureHandler(AssertFailureHandler handler) {
  g_handler = handler ? handler : &DefaultHandler;
}

namespace detail {

void AssertFail(const char* file, int line, const std::string& what, const std::string& message) {
  const AssertContext& ctx = CurrentAssertContext();
  std::string report = fmt::format("ASSERTION FAILED at {}:{}: {}", file, line, what);
  if (!message.empty()) report += fmt::format("\n  message: {}", message);
  if (!ctx.node.empty() || ctx.time_ns >= 0) {
    report += fmt::format("\n  context: node={} time={}ms partition={}",
                          ctx.node.empty() ? "-" : ctx.node,
                          ctx.time_ns >= 0 ? fmt::format("{:.3f}", ctx.time_ns / 1e6) : "-",
                          ctx.partition ? fmt::format("{}", *ctx.partition) : "-");
  }
  report += "\n";
  g_handler(report);
  std::abort();  // a handler that returns still ends the run
}

}  // namespace detail
}  // namespace pg
