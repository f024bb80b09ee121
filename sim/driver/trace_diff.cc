#include "sim/driver/trace_diff.h"

#include <charconv>
#include <optional>

namespace pg::sim {
namespace {

// A step's line is "INPUT -> EFFECT EFFECT ..." (or "INPUT ->" with no effects); drop, fault,
// action and clog lines have no arrow.
TraceSide SideOf(const TraceLine& line) {
  TraceSide side{.index = line.index, .at = line.at, .node = line.node, .hash = line.hash};
  const size_t arrow = line.what.find(" ->");
  if (arrow == std::string::npos) {
    side.input = line.what;
  } else {
    side.input = line.what.substr(0, arrow);
    const size_t rest = arrow + 3;
    side.effects = rest < line.what.size() ? line.what.substr(rest + 1) : "";
  }
  return side;
}

bool SameText(const TraceLine& a, const TraceLine& b) {
  return a.index == b.index && a.at == b.at && a.node == b.node && a.what == b.what;
}

std::string SideText(const std::optional<TraceSide>& side, const std::string& name) {
  if (!side) return fmt::format("  {}: (the trace ends here)\n", name);
  return fmt::format("  {}: input:   {}\n  {}  effects: {}\n", name, side->input,
                     std::string(name.size(), ' '),
                     side->effects.empty() ? "(none)" : side->effects);
}

Status BadLine(const std::string& source, size_t line_no, const std::string& expected) {
  return Status(ErrorCode::kInvalidArgument,
                fmt::format("{}:{}: expected {}", source, line_no, expected));
}

bool ParseNumber(std::string_view s, uint64_t* out, int base = 10) {
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *out, base);
  return ec == std::errc() && ptr == s.data() + s.size() && !s.empty();
}

// "3.204ms" (TraceText writes milliseconds with three decimals) -> 3204000 ns.
std::optional<Time> ParseTime(std::string_view s) {
  const size_t dot = s.find('.');
  uint64_t ms = 0, us = 0;
  if (s.size() < 7 || !s.ends_with("ms") || dot == std::string_view::npos || dot + 6 != s.size() ||
      !ParseNumber(s.substr(0, dot), &ms) || !ParseNumber(s.substr(dot + 1, 3), &us) ||
      ms > 1'000'000'000'000ULL)
    return std::nullopt;
  return Time::FromNanos(static_cast<int64_t>(ms * 1'000'000 + us * 1'000));
}

// "#12 3.204ms replica/1 WHAT [0123456789abcdef]" (the hash is optional).
Result<TraceLine> ParseLine(std::string_view text, const std::string& source, size_t line_no) {
  const char* kForm = "\"#INDEX TIMEms NODE WHAT [HASH]\"";
  TraceLine line;
  const size_t sp1 = text.find(' ');
  const size_t sp2 = sp1 == std::string_view::npos ? sp1 : text.find(' ', sp1 + 1);
  const size_t sp3 = sp2 == std::string_view::npos ? sp2 : text.find(' ', sp2 + 1);
  if (text.empty() || text[0] != '#' || sp3 == std::string_view::npos)
    return BadLine(source, line_no, kForm);
  if (!ParseNumber(text.substr(1, sp1 - 1), &line.index))
    return BadLine(source, line_no, "an event index after '#'");
  const std::optional<Time> at = ParseTime(text.substr(sp1 + 1, sp2 - sp1 - 1));
  if (!at) return BadLine(source, line_no, "a time like 3.204ms as the second field");
  line.at = *at;
  line.node = std::string(text.substr(sp2 + 1, sp3 - sp2 - 1));
  std::string_view what = text.substr(sp3 + 1);
  constexpr size_t kHashField = 19;  // " [" + 16 hex digits + "]"
  if (what.size() >= kHashField && what.back() == ']' &&
      what.substr(what.size() - kHashField, 2) == " [") {
    if (!ParseNumber(what.substr(what.size() - 17, 16), &line.hash, 16))
      return BadLine(source, line_no, "a 16-digit hex trace hash in the trailing [...]");
    what.remove_suffix(kHashField);
  }
  line.what = std::string(what);
  return line;
}

}  // namespace

std::optional<TraceDivergence> FirstDivergence(const std::vector<TraceLine>& a,
                                               const std::vector<TraceLine>& b) {
  const size_t common = std::min(a.size(), b.size());
  for (size_t i = 0; i < common; ++i) {
    const bool text_same = SameText(a[i], b[i]);
    const bool hash_same = a[i].hash == 0 || b[i].hash == 0 || a[i].hash == b[i].hash;
    if (text_same && hash_same) continue;
    return TraceDivergence{.line = i, .a = SideOf(a[i]), .b = SideOf(b[i]), .hash_only = text_same};
  }
  if (a.size() == b.size()) return std::nullopt;
  TraceDivergence d{.line = common};
  if (common < a.size()) d.a = SideOf(a[common]);
  if (common < b.size()) d.b = SideOf(b[common]);
  return d;
}

std::string DivergenceText(const TraceDivergence& d, const std::string& name_a,
                           const std::string& name_b) {
  const TraceSide& first = d.a ? *d.a : *d.b;
  std::string out = fmt::format(
      "first divergent event: #{} at {:.3f}ms on {} (trace line {}; every earlier line is "
      "identical)\n",
      first.index, first.at.ms(), first.node, d.line + 1);
  if (d.a && d.b && (d.a->index != d.b->index || d.a->at != d.b->at || d.a->node != d.b->node)) {
    out += fmt::format("  the runs executed different events here: {} ran #{} at {:.3f}ms on {}\n",
                       name_b, d.b->index, d.b->at.ms(), d.b->node);
  }
  if (d.hash_only) {
    out +=
        "  the lines read alike; they differ in bytes the text does not show (a log append's "
        "contents, a message's encoding)\n";
  }
  const size_t width = std::max(name_a.size(), name_b.size());
  out += SideText(d.a, fmt::format("{:<{}}", name_a, width));
  out += SideText(d.b, fmt::format("{:<{}}", name_b, width));
  return out;
}

Result<std::vector<TraceLine>> ParseTraceText(const std::string& text, const std::string& source) {
  std::vector<TraceLine> lines;
  size_t pos = 0;
  size_t line_no = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    ++line_no;
    Result<TraceLine> line =
        ParseLine(std::string_view(text).substr(pos, end - pos), source, line_no);
    if (!line.ok()) return line.status();
    lines.push_back(std::move(*line));
    pos = end + 1;
  }
  return lines;
}

}  // namespace pg::sim
