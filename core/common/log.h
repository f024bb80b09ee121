#pragma once
// Logging for core/ and sim/. Every line's prefix carries the simulated time and the node from
// the AssertContext the host set, so a line reads "[  1203.400ms replica/2 1.3] W ...". Core code
// never writes anywhere itself: the host installs the sink (the simulator's trace, or stderr).
#include <fmt/format.h>

#include <string>
#include <string_view>

#include "core/common/assert.h"

namespace pg {

enum class LogLevel : uint8_t { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3, kOff = 4 };

using LogSink = void (*)(LogLevel level, std::string_view line);

// The host's choice; the default drops everything (a sweep of thousands of runs logs nothing).
void SetLogSink(LogSink sink, LogLevel min_level);
LogLevel MinLogLevel();
bool LogEnabled(LogLevel level);
void EmitLog(LogLevel level, std::string_view message);
std::string LogPrefix(LogLevel level);

}  // namespace pg

// Arguments are not evaluated when the level is off.
#define PG_LOG(level, ...)                                            \
  do {                                                                \
    if (::pg::LogEnabled(::pg::LogLevel::level)) {                    \
      ::pg::EmitLog(::pg::LogLevel::level, fmt::format(__VA_ARGS__)); \
    }                                                                 \
  } while (0)
