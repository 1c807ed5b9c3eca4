// Float element-wise operations (elementwise.hpp).
#include "xnor/elementwise.hpp"

#include <stdexcept>
#include <string>

#include "src/check_size.hpp"
#include "src/elementwise_loop.hpp"

namespace xnor {

void elementwise(ElementwiseKind kind, std::span<const float> a, std::span<const float> b, std::size_t channels,
                 const Activation& activation, std::span<float> out) {
  detail::check_elementwise("elementwise", a.size(), b.size(), channels, out.size());
  if (activation.kind == Activation::Kind::prelu) {
    detail::check_size("elementwise", "PReLU slopes", activation.slopes.size(), channels);
  }
  const auto apply = [&](auto combine) {
    detail::for_each_pair(a.size(), b.size(), channels, [&](std::size_t i, std::size_t j) {
      out[i] = activation.apply(combine(a[i], b[j]), i % channels);
    });
  };
  if (kind == ElementwiseKind::add) return apply([](float x, float y) { return x + y; });
  apply([](float x, float y) { return x * y; });
}

}  // namespace xnor
