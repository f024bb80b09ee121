#include "tests/checker/oracle.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <limits>

namespace pg::checker::testing {
namespace {

std::string Key(const std::string& hashkey, const std::string& sortkey) {
  return hashkey + '\x01' + sortkey;
}

std::optional<std::string> Get(const std::map<std::string, std::string>& s, const std::string& k) {
  auto it = s.find(k);
  if (it == s.end()) return std::nullopt;
  return it->second;
}

std::optional<long long> AsInt(const std::optional<std::string>& v) {
  if (!v) return 0;
  if (v->empty()) return std::nullopt;
  char* end = nullptr;
  long long n = std::strtoll(v->c_str(), &end, 10);
  if (*end != '\0') return std::nullopt;
  return n;
}

// Digits with an optional '-', within int64: what the format calls an integer.
std::optional<long long> StrictInt(const std::string& v) {
  const size_t digits = v.starts_with('-') ? 1 : 0;
  if (v.size() == digits || v.find_first_not_of("0123456789", digits) != std::string::npos) {
    return std::nullopt;
  }
  errno = 0;
  const long long n = std::strtoll(v.c_str(), nullptr, 10);
  if (errno == ERANGE) return std::nullopt;
  return n;
}

// The sortkeys of hashkey present in s, in byte order: the store's keys share the prefix.
std::vector<std::pair<std::string, std::string>> Row(const std::map<std::string, std::string>& s,
                                                     const std::string& hashkey) {
  std::vector<std::pair<std::string, std::string>> out;
  const std::string prefix = hashkey + '\x01';
  for (auto it = s.lower_bound(prefix); it != s.end() && it->first.starts_with(prefix); ++it) {
    out.emplace_back(it->first.substr(prefix.size()), it->second);
  }
  return out;
}

bool Selected(const SortkeyRange& r, const std::string& k) {
  if (!r.start.empty() && (r.start_inclusive ? k < r.start : k <= r.start)) return false;
  if (!r.stop.empty() && (r.stop_inclusive ? k > r.stop : k >= r.stop)) return false;
  if (!r.filter || r.filter->pattern.empty()) return true;
  const std::string& p = r.filter->pattern;
  if (r.filter->type == FilterType::kPrefix) return k.rfind(p, 0) == 0;
  if (r.filter->type == FilterType::kPostfix) {
    return k.size() >= p.size() && k.compare(k.size() - p.size(), p.size(), p) == 0;
  }
  return k.find(p) != std::string::npos;
}

}  // namespace

OracleCheck EvaluateOracleCheck(const CheckArgs& c, const OptValue& value) {
  auto of = [](bool b) { return b ? OracleCheck::kPass : OracleCheck::kFail; };
  const std::string& op = c.operand;
  const int type = static_cast<int>(c.type);
  if (c.type == CheckType::kNoCheck) return OracleCheck::kPass;
  if (c.type == CheckType::kValueNotExist) return of(!value);
  if (c.type == CheckType::kValueNotExistOrEmpty) return of(!value || value->empty());
  if (c.type == CheckType::kValueExist) return of(value.has_value());
  if (c.type == CheckType::kValueNotEmpty) return of(value && !value->empty());
  if (!value) return OracleCheck::kFail;
  const std::string& v = *value;
  if (c.type == CheckType::kMatchAnywhere) return of(v.find(op) != std::string::npos);
  if (c.type == CheckType::kMatchPrefix) return of(v.rfind(op, 0) == 0);
  if (c.type == CheckType::kMatchPostfix) {
    return of(v.size() >= op.size() && v.compare(v.size() - op.size(), op.size(), op) == 0);
  }
  int cmp = 0;  // <0, 0, >0 like memcmp
  if (type <= static_cast<int>(CheckType::kBytesGreater)) {
    cmp = v.compare(op);
  } else {
    auto a = StrictInt(v), b = StrictInt(op);
    if (!a || !b) return OracleCheck::kInvalid;
    cmp = *a < *b ? -1 : *a > *b ? 1 : 0;
  }
  // Less, less-or-equal, equal, greater-or-equal, greater: the same order for bytes and ints.
  const int rank = (type - static_cast<int>(CheckType::kBytesLess)) % 5;
  const bool results[5] = {cmp<0, cmp <= 0, cmp == 0, cmp >= 0, cmp> 0};
  return of(results[rank]);
}

std::string PegasusStoredKey(const std::string& hashkey, const std::string& sortkey) {
  std::string key;
  key += static_cast<char>((hashkey.size() >> 8) & 0xff);
  key += static_cast<char>(hashkey.size() & 0xff);
  return key + hashkey + sortkey;
}

BruteForceOracle::BruteForceOracle(const History& h) : h_(h) {
  for (const Operation& op : h.operations) {
    if (op.outcome == Outcome::kFail) continue;
    if (!ops_.empty() && ops_.back()->invoke_event == op.invoke_event) continue;
    ops_.push_back(&op);
    must_left_ += op.outcome == Outcome::kOk;
  }
  done_.assign(ops_.size(), false);
}

bool BruteForceOracle::Apply(const Operation& op, View* s, std::set<std::string>* written) const {
  if (IsScan(h_.events[op.invoke_event].f)) return ScanMatches(op, *s);
  const bool ok = op.outcome == Outcome::kOk;
  const std::string k = Key(op.hashkey, op.sortkey);
  switch (op.f) {
    case Fn::kGet:
      return !ok || Get(*s, k) == op.result;
    case Fn::kSet:
      (*s)[k] = *op.arg;
      written->insert(k);
      return true;
    case Fn::kDel:
      s->erase(k);
      written->insert(k);
      return true;
    case Fn::kIncr: {
      auto cur = AsInt(Get(*s, k));
      if (!cur) return false;
      long long next = *cur + std::atoll(op.arg->c_str());
      if (ok && std::atoll(op.result->c_str()) != next) return false;
      (*s)[k] = std::to_string(next);
      written->insert(k);
      return true;
    }
    case Fn::kCas: {
      if (op.cas.check) return ApplyExtended(op, s, written);
      bool match = Get(*s, k) == op.cas.expect;
      if (ok && match != op.cas_result) return false;
      if (match) (*s)[k] = op.cas.set;
      if (match) written->insert(k);
      return true;
    }
    case Fn::kMultiGet:
      if (!ok) return true;
      if (op.range) return ApplyExtended(op, s, written);
      for (const auto& [sk, v] : op.kvs) {
        if (Get(*s, Key(op.hashkey, sk)) != v) return false;
      }
      return true;
    case Fn::kMultiSet:
      for (const auto& [sk, v] : op.kvs) {
        (*s)[Key(op.hashkey, sk)] = *v;
        written->insert(Key(op.hashkey, sk));
      }
      return true;
    case Fn::kSortkeyCount:
    case Fn::kMultiDel:
    case Fn::kCheckAndMutate:
      return ApplyExtended(op, s, written);
    case Fn::kScan:
    case Fn::kFullScan:
      break;  // no operation has these f: the events say it was a scan (above)
  }
  return false;
}

bool BruteForceOracle::ScanMatches(const Operation& op, const View& s) const {
  if (op.outcome != Outcome::kOk) return true;
  const Event& invoke = h_.events[op.invoke_event];
  const ScanRecords& got = h_.events[op.complete_event].records;
  ScanRecords want;
  if (invoke.f == Fn::kScan) {
    for (const auto& [k, v] : Row(s, invoke.hashkey)) {
      if (Selected(*invoke.range, k)) want[invoke.hashkey][k] = v;
    }
    return got == want;
  }
  // Every record of a hashkey it lists or returned, after `after` in the stored keys' order.
  const FullScanArgs& a = *invoke.full_scan;
  std::set<std::string> hashkeys(a.hashkeys.begin(), a.hashkeys.end());
  for (const auto& [hashkey, records] : got) hashkeys.insert(hashkey);
  const std::string after =
      a.after ? PegasusStoredKey(a.after->hashkey, a.after->sortkey) : std::string();
  for (const std::string& hashkey : hashkeys) {
    for (const auto& [k, v] : Row(s, hashkey)) {
      if (!a.after || PegasusStoredKey(hashkey, k) > after) want[hashkey][k] = v;
    }
  }
  return got == want;
}

bool BruteForceOracle::ApplyExtended(const Operation& op, View* s,
                                     std::set<std::string>* written) const {
  const bool ok = op.outcome == Outcome::kOk;
  if (op.f == Fn::kSortkeyCount)
    return !ok || std::to_string(Row(*s, op.hashkey).size()) == op.result;
  if (op.f == Fn::kMultiDel) {
    for (const std::string& k : op.keys) {
      s->erase(Key(op.hashkey, k));
      written->insert(Key(op.hashkey, k));
    }
    return true;
  }
  if (op.f == Fn::kMultiGet) {
    auto row = Row(*s, op.hashkey);
    if (op.range->reverse) std::reverse(row.begin(), row.end());
    KeyValues got;
    for (const auto& [k, v] : row) {
      if (op.range->limit && static_cast<int64_t>(got.size()) >= *op.range->limit) break;
      if (Selected(*op.range, k)) got[k] = v;
    }
    return got == op.kvs;
  }
  const bool cam = op.f == Fn::kCheckAndMutate;
  const std::string check_key = Key(op.hashkey, cam ? op.cam.check_sortkey : op.sortkey);
  const OracleCheck c = EvaluateOracleCheck(cam ? op.cam.check : *op.cas.check, Get(*s, check_key));
  if (c == OracleCheck::kInvalid) return !ok;  // refused: no effect, never ok
  const bool pass = c == OracleCheck::kPass;
  if (ok && pass != op.cas_result) return false;
  if (!pass) return true;
  if (!cam) (*s)[check_key] = op.cas.set;
  if (!cam) written->insert(check_key);
  for (const Mutation& m : op.cam.mutations) {
    written->insert(Key(op.hashkey, m.sortkey));
    if (m.value) {
      (*s)[Key(op.hashkey, m.sortkey)] = *m.value;
    } else {
      s->erase(Key(op.hashkey, m.sortkey));
    }
  }
  return true;
}

std::vector<BruteForceOracle::View> BruteForceOracle::Views(const Operation& op,
                                                            const Store& s) const {
  // The serving clock reads within skew of a true time in op's window (unbounded after an
  // operation that did not complete ok); a value is expired for a reading at or past expire_ts.
  const int64_t from = op.invoke_time;
  const int64_t to =
      op.outcome == Outcome::kOk ? op.complete_time : std::numeric_limits<int64_t>::max();
  View base;
  std::vector<std::pair<std::string, std::string>> either;
  // A scan may read any hashkey (a full_scan several, a scan's wrong ones): the whole store.
  const std::string prefix = IsScan(h_.events[op.invoke_event].f) ? "" : op.hashkey + '\x01';
  for (auto it = s.lower_bound(prefix); it != s.end() && it->first.starts_with(prefix); ++it) {
    const Entry& e = it->second;
    if (!e.ttl) {
      base[it->first] = e.value;
      continue;
    }
    const int64_t at = e.ttl->expire_ts * 1'000'000'000, skew = e.ttl->skew_ms * 1'000'000;
    const bool can_live = from < at + skew, can_expire = to >= at - skew;
    if (can_live && can_expire) {
      either.emplace_back(it->first, e.value);
    } else if (can_live) {
      base[it->first] = e.value;
    }
  }
  std::vector<View> out;
  for (uint64_t mask = 0; mask < (uint64_t{1} << either.size()); ++mask) {
    View v = base;
    for (size_t i = 0; i < either.size(); ++i) {
      if (mask >> i & 1) v.insert(either[i]);
    }
    out.push_back(std::move(v));
  }
  return out;
}

bool BruteForceOracle::Dfs(Store& s) {
  if (must_left_ == 0) return true;  // the unknown ones left may never have happened
  for (size_t i = 0; i < ops_.size(); ++i) {
    if (done_[i]) continue;
    // Real time: every ok operation that completed before this one was invoked comes first.
    bool ready = true;
    for (size_t j = 0; j < ops_.size() && ready; ++j) {
      ready = done_[j] || ops_[j]->complete_event == kOpen ||
              ops_[j]->complete_event > ops_[i]->invoke_event;
    }
    if (!ready) continue;
    const Operation& op = *ops_[i];
    for (View view : Views(op, s)) {
      std::set<std::string> written;
      if (!Apply(op, &view, &written)) continue;
      // Only what op wrote changes; a value it saw expired stays in the store.
      Store next = s;
      const bool takes_ttl = op.f == Fn::kSet || op.f == Fn::kMultiSet;
      for (const std::string& k : written) {
        auto it = view.find(k);
        if (it == view.end()) {
          next.erase(k);
        } else {
          next[k] = Entry{it->second, takes_ttl ? op.ttl : std::nullopt};
        }
      }
      done_[i] = true;
      must_left_ -= op.outcome == Outcome::kOk;
      const bool found = Dfs(next);
      done_[i] = false;
      must_left_ += op.outcome == Outcome::kOk;
      if (found) return true;
    }
  }
  return false;
}

bool BruteForceOracle::Linearizable() {
  Store s;
  if (h_.initial_value) {
    // The oracle needs every key named up front to start it at the initial value.
    for (const Operation& op : h_.operations) {
      if (!IsMulti(op.f)) s[Key(op.hashkey, op.sortkey)] = Entry{*h_.initial_value, {}};
      for (const auto& [sk, v] : op.kvs) s[Key(op.hashkey, sk)] = Entry{*h_.initial_value, {}};
    }
  }
  return Dfs(s);
}

}  // namespace pg::checker::testing
