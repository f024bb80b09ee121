#include "checker/edn_history.h"

#include "checker/edn.h"

namespace pg::checker {
namespace {

constexpr const char* kRegister = "register";  // the hashkey of a single-register history
constexpr const char* kSortkey = "v";

// A scalar as the text the model compares. Values of different EDN types stay different, as in
// Clojure (1, "1", :1 and \1 are four values): integers in decimal, a string in double quotes
// (EDN's own spelling), a keyword with its ':', a character with its '\\', symbols, floats and
// booleans as written.
std::optional<OptValue> Scalar(const Edn& e) {
  switch (e.kind) {
    case Edn::Kind::kNil:
      return OptValue();
    case Edn::Kind::kInt:
      return OptValue(std::to_string(e.integer));
    case Edn::Kind::kBool:
      return OptValue(e.boolean ? "true" : "false");
    case Edn::Kind::kString:
      return OptValue("\"" + e.text + "\"");
    case Edn::Kind::kKeyword:
      return OptValue(":" + e.text);
    case Edn::Kind::kChar:
      return OptValue("\\" + e.text);
    case Edn::Kind::kSymbol:
    case Edn::Kind::kFloat:
      return OptValue(e.text);
    default:
      return std::nullopt;
  }
}

bool IsPair(const Edn* e) { return e && e->kind == Edn::Kind::kVector && e->items.size() == 2; }

// Independent histories carry [k v] in every read and write value (reads invoke with [k nil]).
bool LooksIndependent(const std::vector<const Edn*>& ops) {
  bool any = false;
  for (const Edn* op : ops) {
    const Edn* f = op->Get("f");
    const Edn* v = op->Get("value");
    if (!f || f->kind != Edn::Kind::kKeyword) continue;
    if (f->text == "read" || f->text == "write") {
      if (!IsPair(v)) return false;
      any = true;
    } else if (f->text == "cas") {
      if (!IsPair(v) || !IsPair(&v->items[1])) return false;
      any = true;
    }
  }
  return any;
}

class OpConverter {
 public:
  OpConverter(std::string_view source, bool independent)
      : source_(source), independent_(independent) {}

  // nullopt event with no error: an op to skip (a nemesis op).
  Result<std::optional<Event>> Convert(const Edn& m, size_t position);

 private:
  Error Fail(const Edn& at, std::string field, std::string message) const {
    return Error{std::string(source_), at.line, std::move(field), std::move(message)};
  }
  std::string_view source_;
  bool independent_;
};

Result<std::optional<Event>> OpConverter::Convert(const Edn& m, size_t position) {
  if (m.kind != Edn::Kind::kMap) return Fail(m, "", "expected an op map");
  const Edn* process = m.Get("process");
  if (!process) return Fail(m, "process", "missing");
  // Jepsen's nemesis logs its own ops under :process :nemesis; they are no client's operations.
  if (process->kind == Edn::Kind::kKeyword && process->text == "nemesis") {
    return std::optional<Event>();
  }
  if (process->kind != Edn::Kind::kInt) {
    return Fail(m, "process", "expected an integer (or :nemesis, whose ops are skipped)");
  }
  Event e;
  e.line = m.line;
  e.process = process->integer;
  const Edn* type = m.Get("type");
  auto t = type && type->kind == Edn::Kind::kKeyword ? ParseEventType(type->text) : std::nullopt;
  if (!t) return Fail(m, "type", "expected :invoke, :ok, :fail or :info");
  e.type = *t;
  // :time and :index are optional; present, they must be integers (never silently replaced).
  const Edn* time = m.Get("time");
  if (time && time->kind != Edn::Kind::kInt) return Fail(m, "time", "expected an integer");
  e.time = time ? time->integer : static_cast<int64_t>(position);
  if (const Edn* index = m.Get("index")) {
    if (index->kind != Edn::Kind::kInt) return Fail(m, "index", "expected an integer");
    e.index = index->integer;
  }
  const Edn* f = m.Get("f");
  const std::string fname = f && f->kind == Edn::Kind::kKeyword ? f->text : "";
  const Edn* value = m.Get("value");
  static const Edn kNil;
  if (!value) value = &kNil;
  e.hashkey = kRegister;
  if (independent_) {
    if (!IsPair(value)) return Fail(m, "value", "expected an independent [key value] tuple");
    auto key = Scalar(value->items[0]);
    if (!key || !*key) return Fail(m, "value", "expected a scalar key");
    e.hashkey = **key;
    value = &value->items[1];
  }
  e.sortkey = kSortkey;
  if (fname == "read") {
    e.f = Fn::kGet;
    auto v = Scalar(*value);
    if (!v) return Fail(m, "value", "expected a scalar or nil");
    // Knossos: a read whose value is nil constrains nothing: an unknown outcome says as much.
    if (e.type == EventType::kOk && !*v) e.type = EventType::kInfo;
    if (e.type == EventType::kOk) e.value = *v;
  } else if (fname == "write") {
    e.f = Fn::kSet;
    auto v = Scalar(*value);
    if (e.type == EventType::kInvoke && (!v || !*v)) return Fail(m, "value", "expected a scalar");
    if (e.type == EventType::kInvoke) e.value = *v;
  } else if (fname == "cas") {
    e.f = Fn::kCas;
    if (!IsPair(value)) return Fail(m, "value", "expected [old new]");
    auto old_v = Scalar(value->items[0]);
    auto new_v = Scalar(value->items[1]);
    if (!old_v || !new_v || !*new_v) return Fail(m, "value", "expected [old new] scalars");
    e.cas = CasArgs{*old_v, **new_v};
    e.cas_result = true;  // Knossos: a cas that did not match completes :fail
  } else {
    return Fail(m, "f", fmt::format("unsupported f :{} (expected :read, :write or :cas)", fname));
  }
  return std::optional<Event>(std::move(e));
}

}  // namespace

Result<History> ParseEdnHistory(std::string_view text, std::string_view source,
                                const EdnOptions& options) {
  auto forms = ParseEdn(text, source);
  if (!forms.ok()) return forms.error();
  std::vector<const Edn*> ops;
  if (forms->size() == 1 && (*forms)[0].kind != Edn::Kind::kMap) {
    const Edn& top = (*forms)[0];
    if (top.kind != Edn::Kind::kVector && top.kind != Edn::Kind::kList) {
      return Error{std::string(source), top.line, "", "expected a vector of op maps"};
    }
    for (const Edn& op : top.items) ops.push_back(&op);
  } else {
    for (const Edn& op : *forms) ops.push_back(&op);
  }
  OpConverter convert(source, LooksIndependent(ops));
  std::vector<Event> events;
  for (size_t i = 0; i < ops.size(); ++i) {
    auto e = convert.Convert(*ops[i], i);
    if (!e.ok()) return e.error();
    if (e->has_value()) events.push_back(std::move(**e));
  }
  auto h = BuildHistory(std::move(events), std::string(source),
                        {.order = options.order, .monotone_time = false});
  if (h.ok()) h->initial_value = options.initial;
  return h;
}

}  // namespace pg::checker
