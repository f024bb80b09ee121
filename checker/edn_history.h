#pragma once
// Jepsen EDN histories for the register and cas-register conventions (Knossos): :read, :write
// and :cas ([old new]); :fail = no effect; :info = unknown outcome; a read whose value is nil is
// unconstrained; independent keys come as [k v] tuples. Each key becomes a hashkey with one
// sortkey, "v". Operations of non-integer processes (the nemesis) are skipped.
#include <string_view>

#include "checker/history.h"

namespace pg::checker {

struct EdnOptions {
  OptValue initial;  // the register's initial value (Knossos's cas-register starts at 0)
  Order order =
      Order::kLines;  // kTime: by :time, as Knossos does (an op without :time: its position)
};

// text: one vector of op maps, or one op map per line.
Result<History> ParseEdnHistory(std::string_view text, std::string_view source,
                                const EdnOptions& options);

}  // namespace pg::checker
