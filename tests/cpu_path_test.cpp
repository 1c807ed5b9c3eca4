#include <doctest/doctest.h>

#include <stdexcept>

#include "src/path_kernels.hpp"
#include "xnor/cpu_path.hpp"

using namespace xnor;

constexpr Path every_path[] = {Path::scalar,     Path::avx2, Path::avx512,      Path::avx512_vnni,
                                Path::avx512_amx, Path::neon, Path::neon_dotprod};

TEST_CASE("path names round-trip and unknown names are refused") {
  for (Path path : every_path) CHECK(parse_path(path_name(path)) == path);
  CHECK_THROWS_AS(parse_path("sse9"), std::invalid_argument);
  CHECK_THROWS_WITH(parse_path(""), doctest::Contains("choose scalar, avx2, avx512, avx512-vnni, avx512-amx, neon, neon-dotprod"));
}

TEST_CASE("a path is supported only with the paths it builds on") {
  const PathMask supported = supported_paths();
  const auto has = [supported](Path path) { return (supported & static_cast<PathMask>(path)) != 0; };
  if (has(Path::avx512_amx)) CHECK(has(Path::avx512_vnni));
  if (has(Path::avx512_vnni)) CHECK(has(Path::avx512));
  if (has(Path::avx512)) CHECK(has(Path::avx2));
  if (has(Path::avx2)) CHECK(has(Path::scalar));
  if (has(Path::neon_dotprod)) CHECK(has(Path::neon));
  for (Path path : every_path) {
    if (!has(path)) CHECK_THROWS_WITH_AS(detail::path_kernels(path), doctest::Contains("is not available here"),
                                         std::runtime_error);
  }
}

TEST_CASE("the active path is supported, supported paths are compiled, scalar always runs") {
  const PathMask supported = supported_paths();
  CHECK((supported & ~compiled_paths()) == 0);
  CHECK((supported & static_cast<PathMask>(Path::scalar)) != 0);
  CHECK((supported & static_cast<PathMask>(active_path())) != 0);
  REQUIRE_FALSE(supported_path_list().empty());
  CHECK(supported_path_list().back() == Path::scalar);
#if defined(__aarch64__)
  CHECK((supported & static_cast<PathMask>(Path::neon)) != 0);
#endif
}
