#include "sim/io_format.h"

#include <fmt/format.h>

#include <type_traits>

#include "core/proto/message.h"

namespace pg::sim {

void EncodeInput(Encoder& enc, const Input& input) {
  enc.PutVarint(input.index());
  std::visit(
      [&enc](const auto& in) {
        using T = std::decay_t<decltype(in)>;
        if constexpr (std::is_same_v<T, Receive>) {
          enc.Put(in.from);
          enc.Put(in.msg);
        } else if constexpr (std::is_same_v<T, TimerFired>) {
          enc.Put(in.timer);
        } else if constexpr (std::is_same_v<T, LogAppended>) {
          enc.Put(in.file);
          enc.Put(in.token);
        } else if constexpr (std::is_same_v<T, LogFailed>) {
          enc.Put(in.file);
          enc.Put(in.token);
          enc.Put(in.status.code());
          enc.Put(in.status.message());
        }
      },
      input);
}

void EncodeEffect(Encoder& enc, const Effect& effect) {
  enc.PutVarint(effect.index());
  std::visit(
      [&enc](const auto& e) {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, Send>) {
          enc.Put(e.to);
          enc.Put(e.msg);
        } else if constexpr (std::is_same_v<T, SetTimer>) {
          enc.Put(e.timer);
          enc.Put(e.after);
        } else if constexpr (std::is_same_v<T, CancelTimer>) {
          enc.Put(e.timer);
        } else if constexpr (std::is_same_v<T, AppendLog>) {
          enc.Put(e.file);
          enc.Put(e.token);
          enc.Put(e.bytes);
          enc.Put(e.sync);
        } else if constexpr (std::is_same_v<T, Mark>) {
          enc.Put(e.name);
        } else if constexpr (std::is_same_v<T, RecordOp>) {
          enc.Put(e.process);
          enc.Put(e.type);
          enc.Put(e.f);
          enc.Put(e.hashkey);
          enc.Put(e.sortkey);
          enc.Put(e.value_json);
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
        }
      },
      effect);
}

}  // namespace pg::sim
