#pragma once
// Flat containers of operation indices for the greedy order (greedy_order.cc), which runs on
// every register partition: no tree node per element.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "checker/model.h"

namespace pg::checker {

// A small ordered set kept as a sorted vector. The pending operations are a few at a time (about
// one per client), walked in order at every step and copied at every block.
class SortedIds {
 public:
  void insert(size_t id) {
    auto it = std::lower_bound(ids_.begin(), ids_.end(), id);
    if (it == ids_.end() || *it != id) ids_.insert(it, id);
  }
  void erase(size_t id) {
    auto it = std::lower_bound(ids_.begin(), ids_.end(), id);
    if (it != ids_.end() && *it == id) ids_.erase(it);
  }
  bool contains(size_t id) const { return std::binary_search(ids_.begin(), ids_.end(), id); }
  std::vector<size_t>::const_iterator begin() const { return ids_.begin(); }
  std::vector<size_t>::const_iterator end() const { return ids_.end(); }
  size_t size() const { return ids_.size(); }
  bool empty() const { return ids_.empty(); }

 private:
  std::vector<size_t> ids_;
};

// The operations writing each value id, in the order added. Ids are dense in the partition's
// ValueTable, so a vector indexed by id; absent (a del's) apart.
class ValueWriters {
 public:
  void Add(int32_t value, size_t op) {
    if (value == kAbsent) {
      absent_.push_back(op);
      return;
    }
    const auto v = static_cast<size_t>(value);
    if (v >= by_value_.size()) by_value_.resize(v + 1);
    by_value_[v].push_back(op);
  }
  const std::vector<size_t>& Of(int32_t value) const {
    static const std::vector<size_t> kNone;
    if (value == kAbsent) return absent_;
    const auto v = static_cast<size_t>(value);
    return v < by_value_.size() ? by_value_[v] : kNone;
  }

 private:
  std::vector<std::vector<size_t>> by_value_;
  std::vector<size_t> absent_;
};

}  // namespace pg::checker
