#pragma once
// std::visit with one lambda per alternative: Overloaded{[](const A&) {...}, [](const B&) {...}}.

namespace xnor::detail {

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
// clang 14 lacks C++20's deduction for aggregates: the guide lets it build the library too.
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

}  // namespace xnor::detail
