#include "tests/checker/oracle.h"

#include <cstdlib>

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

}  // namespace

BruteForceOracle::BruteForceOracle(const History& h) : h_(h) {
  for (const Operation& op : h.operations) {
    if (op.outcome == Outcome::kFail) continue;
    ops_.push_back(&op);
    must_left_ += op.outcome == Outcome::kOk;
  }
  done_.assign(ops_.size(), false);
}

bool BruteForceOracle::Apply(const Operation& op, Store* s) const {
  const bool ok = op.outcome == Outcome::kOk;
  const std::string k = Key(op.hashkey, op.sortkey);
  switch (op.f) {
    case Fn::kGet:
      return !ok || Get(*s, k) == op.result;
    case Fn::kSet:
      (*s)[k] = *op.arg;
      return true;
    case Fn::kDel:
      s->erase(k);
      return true;
    case Fn::kIncr: {
      auto cur = AsInt(Get(*s, k));
      if (!cur) return false;
      long long next = *cur + std::atoll(op.arg->c_str());
      if (ok && std::atoll(op.result->c_str()) != next) return false;
      (*s)[k] = std::to_string(next);
      return true;
    }
    case Fn::kCas: {
      bool match = Get(*s, k) == op.cas.expect;
      if (ok && match != op.cas_result) return false;
      if (match) (*s)[k] = op.cas.set;
      return true;
    }
    case Fn::kMultiGet:
      if (!ok) return true;
      for (const auto& [sk, v] : op.kvs) {
        if (Get(*s, Key(op.hashkey, sk)) != v) return false;
      }
      return true;
    case Fn::kMultiSet:
      for (const auto& [sk, v] : op.kvs) (*s)[Key(op.hashkey, sk)] = *v;
      return true;
  }
  return false;
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
    Store next = s;
    if (!Apply(*ops_[i], &next)) continue;
    done_[i] = true;
    must_left_ -= ops_[i]->outcome == Outcome::kOk;
    const bool found = Dfs(next);
    done_[i] = false;
    must_left_ += ops_[i]->outcome == Outcome::kOk;
    if (found) return true;
  }
  return false;
}

bool BruteForceOracle::Linearizable() {
  Store s;
  if (h_.initial_value) {
    // The oracle needs every key named up front to start it at the initial value.
    for (const Operation& op : h_.operations) {
      if (!IsMulti(op.f)) s[Key(op.hashkey, op.sortkey)] = *h_.initial_value;
      for (const auto& [sk, v] : op.kvs) s[Key(op.hashkey, sk)] = *h_.initial_value;
    }
  }
  return Dfs(s);
}

}  // namespace pg::checker::testing
