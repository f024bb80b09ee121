#include "sim/kernel/io_format.h"

#include <fmt/format.h>

#include <type_traits>

#include "core/proto/message.h"

namespace pg::sim {

void TraceInput(Trace& trace, const Input& input, uint64_t msg_digest) {
  trace.Word(input.index());
  std::visit(
      [&trace, msg_digest](const auto& in) {
        using T = std::decay_t<decltype(in)>;
        if constexpr (std::is_same_v<T, Receive>) {
          trace.Word(in.from.value());
          trace.Word(msg_digest);
        } else if constexpr (std::is_same_v<T, TimerFired>) {
          trace.Word(in.timer.value());
        } else if constexpr (std::is_same_v<T, LogAppended>) {
          trace.bytes().Put(in.file);
          trace.Word(in.token);
        } else if constexpr (std::is_same_v<T, LogFailed>) {
          trace.bytes().Put(in.file);
          trace.bytes().Put(in.status.message());
          trace.Word(in.token);
          trace.Word(static_cast<uint64_t>(in.status.code()));
        }
      },
      input);
}

void TraceEffect(Trace& trace, const Effect& effect, uint64_t msg_digest) {
  trace.Word(effect.index());
  std::visit(
      [&trace, msg_digest](const auto& e) {
        using T = std::decay_t<decltype(e)>;
        Encoder& enc = trace.bytes();
        if constexpr (std::is_same_v<T, Send>) {
          trace.Word(e.to.value());
          trace.Word(msg_digest);
        } else if constexpr (std::is_same_v<T, SetTimer>) {
          trace.Word(e.timer.value());
          trace.Word(static_cast<uint64_t>(e.after.ns()));
        } else if constexpr (std::is_same_v<T, CancelTimer>) {
          trace.Word(e.timer.value());
        } else if constexpr (std::is_same_v<T, AppendLog>) {
          enc.Put(e.file);
          enc.Put(e.bytes);
          trace.Word(e.token);
          trace.Word(e.sync ? 1 : 0);
        } else if constexpr (std::is_same_v<T, Mark>) {
          enc.Put(e.name);
        } else if constexpr (std::is_same_v<T, RecordOp>) {
          enc.Put(e.type);
          enc.Put(e.f);
          enc.Put(e.hashkey);
          enc.Put(e.sortkey);
          enc.Put(e.value_json);
          trace.Word(e.process);
        } else if constexpr (std::is_same_v<T, Exit>) {
          enc.Put(e.reason);
        }
      },
      effect);
}

void AppendInput(std::string* out, const Input& input) {
  std::visit(
      [out](const auto& in) {
        using T = std::decay_t<decltype(in)>;
        if constexpr (std::is_same_v<T, Boot>) {
          out->append("Boot");
        } else if constexpr (std::is_same_v<T, Receive>) {
          fmt::format_to(std::back_inserter(*out), "Receive{{from={}, {}}}", in.from,
                         MessageDebugString(in.msg));
        } else if constexpr (std::is_same_v<T, TimerFired>) {
          fmt::format_to(std::back_inserter(*out), "TimerFired{{{}}}", in.timer);
        } else if constexpr (std::is_same_v<T, LogAppended>) {
          fmt::format_to(std::back_inserter(*out), "LogAppended{{{:?}, token={}}}", in.file,
                         in.token);
        } else if constexpr (std::is_same_v<T, LogFailed>) {
          fmt::format_to(std::back_inserter(*out), "LogFailed{{{:?}, token={}, {}}}", in.file,
                         in.token, in.status.ToString());
        }
      },
      input);
}

void AppendEffect(std::string* out, const Effect& effect) {
  auto it = std::back_inserter(*out);
  std::visit(
      [&it](const auto& e) {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, Send>) {
          fmt::format_to(it, "Send{{to={}, {}}}", e.to, MessageDebugString(e.msg));
        } else if constexpr (std::is_same_v<T, SetTimer>) {
          fmt::format_to(it, "SetTimer{{{}, after={}ns}}", e.timer, e.after.ns());
        } else if constexpr (std::is_same_v<T, CancelTimer>) {
          fmt::format_to(it, "CancelTimer{{{}}}", e.timer);
        } else if constexpr (std::is_same_v<T, AppendLog>) {
          fmt::format_to(it, "AppendLog{{{:?}, token={}, {} bytes{}}}", e.file, e.token,
                         e.bytes.size(), e.sync ? ", sync" : "");
        } else if constexpr (std::is_same_v<T, Mark>) {
          fmt::format_to(it, "Mark{{{:?}}}", e.name);
        } else if constexpr (std::is_same_v<T, RecordOp>) {
          fmt::format_to(it, "RecordOp{{process={}, {} {} {:?}/{:?} {}}}", e.process, e.type, e.f,
                         e.hashkey, e.sortkey, e.value_json);
        } else if constexpr (std::is_same_v<T, Exit>) {
          fmt::format_to(it, "Exit{{{:?}}}", e.reason);
        }
      },
      effect);
}

}  // namespace pg::sim
