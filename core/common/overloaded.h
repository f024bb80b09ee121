#pragma once
// Overloaded{lambdas...}: one visitor from several lambdas, for std::visit over a variant, so
// that a variant alternative nobody handles fails to compile rather than fall to a default.

namespace pg {

template <class... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};
template <class... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

}  // namespace pg
