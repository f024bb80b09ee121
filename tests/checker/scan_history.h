#pragma once
// JSON-lines histories for the scan tests (docs/checker.md "Scans"): lines on any hashkey, built
// one by one, times increasing; values given as JSON text.
#include <fmt/format.h>

#include <optional>
#include <string>

namespace pg::checker::testing {

class ScanHistory {
 public:
  ScanHistory& Line(int process, const std::string& type, const std::string& f,
                    const std::string& hashkey, const std::string& value,
                    const std::optional<std::string>& sortkey = {}) {
    text_ += fmt::format(R"({{"process": {}, "type": "{}", "f": "{}", "hashkey": "{}", )", process,
                         type, f, hashkey);
    if (sortkey) text_ += fmt::format(R"("sortkey": "{}", )", *sortkey);
    text_ += fmt::format(R"("value": {}, "time": {}}})", value, ++time_) + "\n";
    ++lines_;
    return *this;
  }
  ScanHistory& Invoke(int process, const std::string& f, const std::string& hashkey,
                      const std::string& value) {
    return Line(process, "invoke", f, hashkey, value);
  }
  ScanHistory& Complete(int process, const std::string& f, const std::string& hashkey,
                        const std::string& value, const std::string& type = "ok") {
    return Line(process, type, f, hashkey, value);
  }
  // A set acknowledged before anything after it begins.
  ScanHistory& Set(int process, const std::string& hashkey, const std::string& sortkey,
                   const std::string& value) {
    Line(process, "invoke", "set", hashkey, "\"" + value + "\"", sortkey);
    return Line(process, "ok", "set", hashkey, "null", sortkey);
  }
  // A scan or full_scan alone: invoked and completed ok with `records` (JSON text).
  ScanHistory& Scan(int process, const std::string& hashkey, const std::string& range,
                    const std::string& records) {
    Invoke(process, "scan", hashkey, range);
    return Complete(process, "scan", hashkey, records);
  }
  ScanHistory& FullScan(int process, const std::string& args, const std::string& records) {
    Invoke(process, "full_scan", "", args);
    return Complete(process, "full_scan", "", records);
  }
  const std::string& text() const { return text_; }
  size_t lines() const { return lines_; }

 private:
  std::string text_;
  int64_t time_ = 0;
  size_t lines_ = 0;
};

// A scan's range: every sortkey.
inline const std::string kEverySortkey =
    R"({"start": "", "start_inclusive": true, "stop": "", "stop_inclusive": true, "reverse": false})";

// A full_scan's arguments: partition 0 of 1, these hashkeys (JSON text of the array), and an
// optional "after" key.
inline std::string FullScanArgsJson(
    const std::string& hashkeys,
    const std::optional<std::pair<std::string, std::string>>& after = std::nullopt) {
  std::string out =
      fmt::format(R"({{"partition": 0, "partition_count": 1, "hashkeys": {})", hashkeys);
  if (after) {
    out += fmt::format(R"(, "after": {{"hashkey": "{}", "sortkey": "{}"}})", after->first,
                       after->second);
  }
  return out + "}";
}

}  // namespace pg::checker::testing
