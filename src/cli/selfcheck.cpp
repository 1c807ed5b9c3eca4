#include "src/cli/selfcheck.hpp"

#include <random>
#include <vector>

#include "bitops/reference.hpp"
#include "xnor/bgemm.hpp"
#include "xnor/bitpack.hpp"

namespace xnor::cli {

int selfcheck(std::ostream& out) {
  // A 3x3 convolution's GEMM, 28x28x96 -> 80: K = 864 bits is not a whole number of words, N is not a whole
  // number of panels.
  constexpr std::size_t m = 28 * 28, n = 80, channels = 9 * 96;
  const std::size_t words = words_for_bits(channels);
  std::mt19937 rng(1);
  std::normal_distribution<float> normal;
  std::vector<float> activations(m * channels), weights(n * channels);
  for (float& v : activations) v = normal(rng);
  for (float& v : weights) v = normal(rng);
  std::vector<std::uint64_t> a_ref(m * words), b_ref(n * words);
  reference::pack_signs_float(activations.data(), m, channels, a_ref.data());
  reference::pack_signs_float(weights.data(), n, channels, b_ref.data());
  std::vector<std::int32_t> c_ref(m * n);
  reference::bgemm(a_ref.data(), m, words, b_ref.data(), n, words, c_ref.data(), n);

  out << "xnor selfcheck: binary GEMM " << m << "x" << n << "x" << channels << " bits on every supported path\n";
  bool all_ok = true;
  for (Path path : supported_path_list()) {
    std::vector<std::uint64_t> a(m * words), b(n * words);
    pack_signs(activations, m, channels, a, path);
    pack_signs(weights, n, channels, b, path);
    std::vector<std::int32_t> c(m * n);
    bgemm(a, m, words, BgemmWeights(b, n, words), c, n, path);
    const bool ok = a == a_ref && b == b_ref && c == c_ref;
    all_ok = all_ok && ok;
    out << "  " << path_name(path) << (path == active_path() ? " (active)" : "") << ": "
        << (ok ? "matches the reference" : "MISMATCH") << "\n";
  }
  return all_ok ? 0 : 1;
}

}  // namespace xnor::cli
