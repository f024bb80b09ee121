#include "checker/time_order.h"

#include <algorithm>
#include <numeric>

#include "checker/assert.h"

namespace pg::checker {

void OrderByTime(History* h) {
  std::vector<Event>& events = h->events;
  std::vector<size_t> by_time(events.size());
  std::iota(by_time.begin(), by_time.end(), size_t{0});
  auto key = [&](size_t i) {
    return std::pair(events[i].time, events[i].type == EventType::kInvoke ? 0 : 1);
  };
  std::stable_sort(by_time.begin(), by_time.end(),
                   [&](size_t a, size_t b) { return key(a) < key(b); });
  std::vector<size_t> new_pos(events.size());
  std::vector<Event> sorted;
  sorted.reserve(events.size());
  for (size_t i = 0; i < by_time.size(); ++i) {
    new_pos[by_time[i]] = i;
    sorted.push_back(std::move(events[by_time[i]]));
  }
  events = std::move(sorted);
  for (Operation& op : h->operations) {
    op.invoke_event = new_pos[op.invoke_event];
    if (op.complete_event != kOpen) op.complete_event = new_pos[op.complete_event];
    // Invocations sort before completions at equal times, so this holds since times do.
    CK_ASSERT(op.complete_event == kOpen || op.invoke_event < op.complete_event,
              "op {}: invoked at {}, completed at {}", op.id, op.invoke_time, op.complete_time);
  }
  std::stable_sort(
      h->operations.begin(), h->operations.end(),
      [](const Operation& a, const Operation& b) { return a.invoke_event < b.invoke_event; });
  for (size_t i = 0; i < h->operations.size(); ++i) h->operations[i].id = i;
  for (size_t i = 1; i < events.size(); ++i) {
    CK_ASSERT_LE(events[i - 1].time, events[i].time, "event {} after sorting", i);
  }
}

}  // namespace pg::checker
