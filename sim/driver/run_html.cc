#include "sim/driver/run_html.h"

#include <algorithm>

#include "checker/check.h"

namespace pg::sim {
namespace {

// "gpid=1.0, ballot=2" from the first message in `text` that names both, if any.
std::string ConfigOf(std::string_view text) {
  const size_t gpid = text.find("gpid=");
  const size_t ballot = gpid == std::string_view::npos ? gpid : text.find("ballot=", gpid);
  if (ballot == std::string_view::npos) return "";
  auto field = [&text](size_t at) { return text.substr(at, text.find_first_of(",}", at) - at); };
  return fmt::format("{}, {}", field(gpid), field(ballot));
}

// The partition and ballot a mark is about: a node marks a decision right before the effects that
// carry it out, so the message after the mark (and before the next mark) names them; failing
// that, the input that led to it.
std::string MarkContext(const std::string& what, size_t mark_end) {
  const size_t next = what.find("Mark{", mark_end);
  std::string config = ConfigOf(std::string_view(what).substr(
      mark_end, next == std::string::npos ? std::string::npos : next - mark_end));
  if (config.empty()) config = ConfigOf(std::string_view(what).substr(0, what.find(" ->")));
  return config;
}

// Every Mark{"name"} among a step's effects.
void AddMarks(const TraceLine& line, std::vector<checker::TimelineEvent>& out) {
  constexpr std::string_view kOpen = "Mark{\"";
  for (size_t at = line.what.find(kOpen); at != std::string::npos;
       at = line.what.find(kOpen, at + 1)) {
    const size_t start = at + kOpen.size();
    const size_t end = line.what.find("\"}", start);
    if (end == std::string::npos) break;
    std::string label = line.node + ": " + line.what.substr(start, end - start);
    if (const std::string config = MarkContext(line.what, end); !config.empty())
      label += " (" + config + ")";
    out.push_back({.time = line.at.ns(), .row = "protocol", .label = std::move(label)});
  }
}

}  // namespace

std::vector<checker::TimelineEvent> TimelineOf(const RunOutcome& outcome) {
  std::vector<checker::TimelineEvent> out;
  for (const auto& [at, what] : outcome.faults)
    out.push_back({.time = at.ns(), .row = "faults", .label = what});
  for (const TraceLine& line : outcome.trace) AddMarks(line, out);
  // A checker verdict has no moment of its own (it judges the whole history at the end): its
  // failing operations are the red bars. Other failures happened at one event.
  if (outcome.failure && !outcome.failure->kind.starts_with("checker:")) {
    const Failure& f = *outcome.failure;
    out.push_back({.time = f.at.ns(),
                   .row = "failure",
                   .label = fmt::format("{} at event {}: {}", f.kind, f.event,
                                        f.detail.substr(0, f.detail.find('\n')))});
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const checker::TimelineEvent& a, const checker::TimelineEvent& b) {
                     return a.time < b.time;
                   });
  return out;
}

Result<std::string> RunHtml(const RunOutcome& outcome, const std::string& title) {
  checker::Result<checker::History> history =
      checker::ParseJsonlHistory(outcome.history_jsonl, title);
  if (!history.ok()) {
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("{}: the run's history: {}", title, history.error().ToString()));
  }
  const checker::CheckResult result = checker::Check(*history, {.threads = 1});
  checker::HtmlOptions options{
      .title = title, .band = TimelineOf(outcome), .band_rows = {"faults", "protocol", "failure"}};
  if (outcome.failure) options.focus_time = outcome.failure->at.ns();
  return checker::HtmlReport(*history, result, options);
}

}  // namespace pg::sim
