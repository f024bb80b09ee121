#include "sim/driver/run_html.h"

#include <algorithm>
#include <filesystem>
#include <tuple>

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

// The value of `key=` in "gpid=1.0, ballot=2", or "".
std::string FieldOf(std::string_view config, std::string_view key) {
  const size_t at = config.find(key);
  if (at == std::string_view::npos) return "";
  const size_t start = at + key.size();
  return std::string(config.substr(start, config.find(',', start) - start));
}

// Every Mark{"name"} among a step's effects, in the row of its node and partition.
void AddMarks(const TraceLine& line, std::vector<checker::TimelineEvent>& out) {
  constexpr std::string_view kOpen = "Mark{\"";
  for (size_t at = line.what.find(kOpen); at != std::string::npos;
       at = line.what.find(kOpen, at + 1)) {
    const size_t start = at + kOpen.size();
    const size_t end = line.what.find("\"}", start);
    if (end == std::string::npos) break;
    const std::string name = line.what.substr(start, end - start);
    std::string label = line.node + ": " + name;
    const std::string config = MarkContext(line.what, end);
    if (!config.empty()) label += " (" + config + ")";
    const std::string partition = FieldOf(config, "gpid=");
    const std::string ballot = FieldOf(config, "ballot=");
    // "replica.assign_primary" -> "assign_primary b2": its row already names node and partition.
    std::string brief = name.substr(name.find('.') + 1);
    if (!ballot.empty()) brief += " b" + ballot;
    out.push_back({.time = line.at.ns(),
                   .row = partition.empty() ? line.node : line.node + " \u00b7 " + partition,
                   .label = std::move(label),
                   .kind = "protocol",
                   .fold = name,
                   .brief = std::move(brief)});
  }
}

// Band rows in reading order: faults, then the nodes (meta before replica, by number), each
// node's own row before its partitions' (by number), then the failure.
std::vector<std::string> BandRows(const std::vector<checker::TimelineEvent>& band) {
  using Key = std::tuple<std::string, int64_t, int64_t, int64_t, std::string>;
  auto number = [](std::string_view s) -> int64_t {
    int64_t n = 0;
    for (char c : s) {
      if (c < '0' || c > '9') return n;
      n = n * 10 + (c - '0');
    }
    return n;
  };
  std::map<Key, std::string> rows;
  for (const checker::TimelineEvent& e : band) {
    if (e.Kind() != "protocol") continue;
    const size_t slash = e.row.find('/');
    const size_t dot = e.row.find(" \u00b7 ");
    const std::string node = e.row.substr(0, dot);
    Key key{node.substr(0, slash), -1, -1, -1, e.row};
    if (slash != std::string::npos) std::get<1>(key) = number(node.substr(slash + 1));
    if (dot != std::string::npos) {
      const std::string gpid = e.row.substr(dot + std::string_view(" \u00b7 ").size());
      std::get<2>(key) = number(gpid);
      std::get<3>(key) = number(gpid.substr(gpid.find('.') + 1));
    }
    rows.emplace(key, e.row);
  }
  std::vector<std::string> out{"faults"};
  for (const auto& [key, row] : rows) out.push_back(row);
  out.push_back("failure");
  return out;
}

// "replica/2" -> "r2": the bar's label has little room.
std::string ShortName(const std::string& node) {
  const size_t slash = node.find('/');
  if (node.empty() || slash == std::string::npos) return node;
  return node.substr(0, 1) + node.substr(slash + 1);
}

std::map<size_t, checker::OperationNote> Notes(const ServedByLog& served) {
  std::map<size_t, checker::OperationNote> notes;
  for (const auto& [index, by] : served) {
    std::string label = ShortName(by.server);
    if (by.ballot) label += fmt::format(" b{}", *by.ballot);
    notes.emplace(index, checker::OperationNote{.label = std::move(label),
                                                .detail = "served by " + Describe(by),
                                                .group = by.server});
  }
  return notes;
}

std::string Intro(const RunOutcome& outcome) {
  const Knobs& k = outcome.knobs;
  std::string out = fmt::format(
      "<p>{} system, {} replica servers, {} partitions \u00d7 {} replicas, {} clients; {} events "
      "over {} ms of simulated time; {} operations completed; verdict <b>{}</b>{}.</p>\n",
      k.system, k.replica_servers, k.partitions, k.replica_count, k.clients, outcome.events,
      outcome.sim_time_ms, outcome.operations, outcome.failed() ? "fail" : "ok",
      outcome.failed() ? " (" + outcome.failure->kind + ")" : "");
  if (!outcome.served_by.empty()) {
    out +=
        "<p>Each bar names who served it: the server whose reply completed the operation and, for "
        "a replica server, its replica of the operation's partition when the reply arrived (ballot "
        "and status); a bar with none completed without a reply (a timeout).</p>\n";
  }
  return out;
}

std::string ReplaceAll(std::string text, const std::string& from, const std::string& to) {
  if (from.empty()) return text;
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

}  // namespace

std::vector<checker::TimelineEvent> TimelineOf(const RunOutcome& outcome) {
  std::vector<checker::TimelineEvent> out;
  for (const auto& [at, what] : outcome.faults) {
    out.push_back({.time = at.ns(),
                   .row = "faults",
                   .label = what,
                   .kind = "faults",
                   .fold = what.substr(0, what.find(' ')),
                   .brief = what.substr(0, 40)});
  }
  for (const TraceLine& line : outcome.trace) AddMarks(line, out);
  // A checker verdict has no moment of its own (it judges the whole history at the end): its
  // failing operations are the red bars. Other failures happened at one event.
  if (outcome.failure && !outcome.failure->kind.starts_with("checker:")) {
    const Failure& f = *outcome.failure;
    out.push_back({.time = f.at.ns(),
                   .row = "failure",
                   .label = fmt::format("{} at event {}: {}", f.kind, f.event,
                                        f.detail.substr(0, f.detail.find('\n'))),
                   .kind = "failure",
                   .brief = f.kind});
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const checker::TimelineEvent& a, const checker::TimelineEvent& b) {
                     return a.time < b.time;
                   });
  return out;
}

Result<std::string> RunHtml(const RunOutcome& outcome, const std::string& title,
                            checker::TimeAxis axis) {
  checker::Result<checker::History> history =
      checker::ParseJsonlHistory(outcome.history_jsonl, title);
  if (!history.ok()) {
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("{}: the run's history: {}", title, history.error().ToString()));
  }
  const checker::CheckResult result = checker::Check(*history, {.threads = 1});
  std::vector<checker::TimelineEvent> band = TimelineOf(outcome);
  for (checker::TimelineEvent& e : band) e.label = RepoRelative(std::move(e.label));
  checker::HtmlOptions options{.title = RepoRelative(title),
                               .band = std::move(band),
                               .every_operation = true,
                               .notes = Notes(outcome.served_by),
                               .axis = axis,
                               .intro = Intro(outcome)};
  options.band_rows = BandRows(options.band);
  options.verdict = outcome.failed() ? "fail (" + outcome.failure->kind + ")" : "ok";
  if (outcome.failure) options.focus_time = outcome.failure->at.ns();
  return RepoRelative(checker::HtmlReport(*history, result, options));
}

RunOptions RunHtmlRecording() {
  return {.record_trace = true, .record_served_by = true, .history_jsonl = true};
}

std::string RepoRelative(std::string text) {
  // This file as the compiler saw it: the tree's root is what precedes its own path.
  constexpr std::string_view kThisFile = __FILE__;
  constexpr std::string_view kOwnPath = "sim/driver/run_html.cc";
  std::vector<std::string> roots;
  if (kThisFile.ends_with(kOwnPath)) {
    const std::string root(kThisFile.substr(0, kThisFile.size() - kOwnPath.size()));
    if (root.starts_with('/')) roots.push_back(root);
    // A relative root (a build directory's "../") is only taken before the tree's top folders.
    for (const char* top : {"core/", "sim/", "checker/", "cli/", "tests/", "scenarios/"}) {
      if (!root.empty() && !root.starts_with('/')) text = ReplaceAll(text, root + top, top);
    }
  }
  // The tree holding the current directory, as a command line's absolute paths name it.
  std::error_code ec;
  for (std::filesystem::path dir = std::filesystem::current_path(ec); !ec && dir.has_parent_path();
       dir = dir.parent_path()) {
    if (std::filesystem::exists(dir / "sim/driver/run_html.h", ec)) {
      roots.push_back(dir.string() + "/");
      break;
    }
    if (dir == dir.parent_path()) break;
  }
  for (const std::string& root : roots) {
    if (root.size() > 1) text = ReplaceAll(text, root, "");
  }
  return text;
}

}  // namespace pg::sim
