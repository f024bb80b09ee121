#include "cli/check_batch.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

namespace pg::cli {
namespace {

struct FileOutcome {
  bool bad = false;
  std::string error;  // bad input: the line, field and what was expected (the file is the line's)
  checker::CheckResult result;
};

// The error without its file, which the verdict line already starts with.
std::string WhereAndWhat(const checker::Error& e) {
  std::string out = e.line > 0 ? fmt::format("line {}: ", e.line) : "";
  if (!e.field.empty()) out += fmt::format("field \"{}\": ", e.field);
  return out + e.message;
}

// The outcomes of the files, filled by the workers in any order and read in input order.
class Slots {
 public:
  explicit Slots(size_t n) : outcomes_(n), ready_(n, false) {}
  void Put(size_t i, FileOutcome outcome) {
    {
      std::lock_guard lock(mu_);
      outcomes_[i] = std::move(outcome);
      ready_[i] = true;
    }
    cv_.notify_all();
  }
  FileOutcome Take(size_t i) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return ready_[i]; });
    return std::move(outcomes_[i]);
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<FileOutcome> outcomes_;
  std::vector<bool> ready_;
};

FileOutcome CheckOne(const CheckInput& input, const BatchSettings& s) {
  FileOutcome out;
  auto history = LoadHistory(input, s.load);
  if (!history.ok()) {
    out.bad = true;
    out.error = WhereAndWhat(history.error());
    return out;
  }
  out.result = checker::Check(*history, s.check);
  return out;
}

// "PATH: ok: 3 operations in 1 partitions; ..." and, when not ok, the explanation indented.
std::string TextLine(const CheckInput& input, const FileOutcome& o) {
  if (o.bad) return fmt::format("{}: bad input: {}\n", input.path, o.error);
  const std::string& text = o.result.explanation;
  const size_t first_end = text.find('\n');
  std::string out = fmt::format("{}: {}\n", input.path, text.substr(0, first_end));
  for (size_t start = first_end; start != std::string::npos && start + 1 < text.size();) {
    const size_t end = text.find('\n', start + 1);
    out += "    " + text.substr(start + 1, end - start - 1) + "\n";
    start = end;
  }
  return out;
}

struct Tally {
  size_t ok = 0, illegal = 0, unknown = 0, bad = 0;
  void Add(const FileOutcome& o) {
    if (o.bad) {
      ++bad;
      return;
    }
    switch (o.result.verdict) {
      case checker::Verdict::kOk:
        ++ok;
        break;
      case checker::Verdict::kIllegal:
        ++illegal;
        break;
      case checker::Verdict::kUnknown:
        ++unknown;
        break;
    }
  }
  int ExitCode() const { return bad > 0 ? 2 : illegal > 0 ? 1 : unknown > 0 ? 3 : 0; }
};

nlohmann::json JsonEntry(const CheckInput& input, const FileOutcome& o) {
  nlohmann::json j = {{"file", input.path}};
  if (o.bad) {
    j["verdict"] = "bad input";
    j["error"] = o.error;
  } else {
    j["verdict"] = checker::VerdictName(o.result.verdict);
    j["report"] = checker::ToJson(o.result, /*include_elapsed=*/false);
  }
  return j;
}

}  // namespace

int RunBatch(const std::vector<CheckInput>& inputs, const BatchSettings& s) {
  // Elapsed time is printed apart, on the last line, so every other line is the same run to run.
  const auto start = std::chrono::steady_clock::now();
  Slots slots(inputs.size());
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < inputs.size(); i = next++) slots.Put(i, CheckOne(inputs[i], s));
  };
  const size_t jobs = std::min(inputs.size(), static_cast<size_t>(std::max(1, s.jobs)));
  std::vector<std::thread> pool;
  for (size_t t = 0; t < jobs; ++t) pool.emplace_back(work);
  Tally tally;
  nlohmann::json entries = nlohmann::json::array();
  // In input order, each as soon as it and all before it are done.
  for (size_t i = 0; i < inputs.size(); ++i) {
    const FileOutcome o = slots.Take(i);
    tally.Add(o);
    if (s.json) {
      entries.push_back(JsonEntry(inputs[i], o));
    } else {
      std::cout << TextLine(inputs[i], o) << std::flush;
    }
  }
  for (auto& t : pool) t.join();
  const double elapsed_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (s.json) {
    nlohmann::json doc = {{"histories", entries},
                          {"summary",
                           {{"histories", inputs.size()},
                            {"ok", tally.ok},
                            {"illegal", tally.illegal},
                            {"unknown", tally.unknown},
                            {"bad_input", tally.bad}}},
                          {"elapsed_s", elapsed_s}};
    std::cout << doc.dump(2) << "\n";
  } else {
    std::cout << fmt::format("checked {} {}: {} ok, {} illegal, {} unknown, {} bad input\n",
                             inputs.size(), inputs.size() == 1 ? "history" : "histories", tally.ok,
                             tally.illegal, tally.unknown, tally.bad)
              << fmt::format("({:.3f} s)\n", elapsed_s);
  }
  return tally.ExitCode();
}

}  // namespace pg::cli
