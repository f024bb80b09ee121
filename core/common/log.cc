#include "core/common/log.h"

namespace pg {
namespace {

LogSink g_sink = nullptr;
LogLevel g_min_level = LogLevel::kOff;

char LevelLetter(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return 'D';
    case LogLevel::kInfo:
      return 'I';
    case LogLevel::kWarn:
      return 'W';
    case LogLevel::kError:
      return 'E';
    case LogLevel::kOff:
      return '-';
  }
  return '?';
}

}  // namespace

void SetLogSink(LogSink sink, LogLevel min_level) {
  g_sink = sink;
  g_min_level = sink ? min_level : LogLevel::kOff;
}

LogLevel MinLogLevel() { return g_min_level; }

bool LogEnabled(LogLevel level) { return g_sink != nullptr && level >= g_min_level; }

std::string LogPrefix(LogLevel level) {
  const AssertContext& ctx = CurrentAssertContext();
  std::string time =
      ctx.time_ns >= 0 ? fmt::format("{:10.3f}ms", ctx.time_ns / 1e6) : "         -  ";
  return fmt::format("[{} {}{}] {} ", time, ctx.node.empty() ? "-" : ctx.node,
                     ctx.partition ? fmt::format(" {}", *ctx.partition) : "", LevelLetter(level));
}

void EmitLog(LogLevel level, std::string_view message) {
  if (!LogEnabled(level)) return;
  std::string line = LogPrefix(level);
  line += message;
  g_sink(level, line);
}

}  // namespace pg
