// Float element-wise operations (elementwise.hpp).
#include "xnor/elementwise.hpp"

#include <stdexcept>
#include <string>

#include "src/check_size.hpp"
#include "src/elementwise_loop.hpp"
#include "xnor/float_ops.hpp"

namespace xnor {

void elementwise(ElementwiseKind kind, std::span<const float> a, std::span<const float> b, std::size_t channels,
                 const Activation& activation, std::span<float> out) {
  detail::check_elementwise("elementwise", a.size(), b.size(), channels, out.size());
  if (activation.kind == Activation::Kind::prelu) {
    detail::check_size("elementwise", "PReLU slopes", activation.slopes.size(), channels);
  }
  // Combining, then the activation over the result (float_ops.hpp): two branch-free loops that vectorize,
  // where a switch and i % channels per value did not.
  const auto combine_all = [&](auto combine) {
    detail::for_each_pair(a.size(), b.size(), channels, [&](std::size_t i, std::size_t j) { out[i] = combine(a[i], b[j]); });
  };
  if (kind == ElementwiseKind::add) {
    combine_all([](float x, float y) { return x + y; });
  } else {
    combine_all([](float x, float y) { return x * y; });
  }
  activate(out, channels, activation);
}

}  // namespace xnor
