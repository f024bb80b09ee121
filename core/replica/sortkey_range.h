#pragma once
// multi_get by sortkey range, as Pegasus's pegasus_server_impl::on_multi_get reads it: the
// records between start and stop (each bound inclusive or not, an empty one open), kept if their
// sortkey passes the filter, in sortkey order or reversed, at most `limit` of them.
#include <vector>

#include "core/common/bugs.h"
#include "core/common/status.h"
#include "core/proto/data_model.h"
#include "core/proto/kv_data.h"

namespace pg {

// kInvalidArgument for a filter type upstream does not know; everything else is a valid range
// (one whose stop lies before its start reads nothing, as upstream answers it).
Status ValidateRange(const SortkeyRange& range);

// The part of `records` (every record of one hashkey, in sortkey byte order) that `range` reads,
// in the order it reads them. `bugs`: the bug zoo's switches on this path
// (range_limit_counts_iterated, range_filter_dropped).
std::vector<SortkeyValue> SelectRange(std::vector<SortkeyValue> records, const SortkeyRange& range,
                                      const BugSet& bugs);

}  // namespace pg
