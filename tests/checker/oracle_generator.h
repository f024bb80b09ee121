#pragma once
// Histories for the brute-force property tests (oracle_property_test.cc): operations drawn and
// executed one after another against a sequential store, then laid out with random overlaps and
// random unknown and failed outcomes, so each is linearizable by construction; and Corrupt, which
// changes one observation. Draws go through rapidcheck, so these run inside a property.
#include <rapidcheck.h>

#include "checker/history.h"

namespace pg::checker::testing {

// Uniform draws regardless of rapidcheck's size (which would otherwise keep early cases tiny).
template <class T>
T UniformIn(T lo, T hi) {
  return *rc::gen::resize(100, rc::gen::inRange<T>(lo, hi));
}
inline bool Coin() { return UniformIn(0, 2) == 1; }

enum class Shape {
  kAny,             // every f over two hashkeys and a small value pool
  kUniqueRegister,  // one register of gets and sets with distinct written values (zone test)
  // One hashkey, every f, and about half the writes of unknown outcome: the domain of the
  // pruning rules, the staged search and the memo's dominance test.
  kManyUnknown,
  // One register of get, set, del and cas, every written value distinct, about half the writes
  // of unknown outcome: the domain of the versions and the greedy order (version_refute.h).
  kUniqueCasRegister,
  // One hashkey of three sortkeys and the operations that read or write a row: multi_get by
  // range, sortkey_count, multi_del, check_and_mutate and cas by check, with set and del.
  kRows,
  // One hashkey, every f, sets and multi_sets with a TTL that expires among the operations,
  // judged by clocks a random skew off (docs/checker.md "TTL").
  kExpiring,
};

History Generate(Shape shape = Shape::kAny);
// Changes one observation, if the history has one (unique: to another unique-register value).
void Corrupt(History* h, bool unique = false);

}  // namespace pg::checker::testing
