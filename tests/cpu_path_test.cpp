#include <doctest/doctest.h>

#include <stdexcept>

#include "xnor/cpu_path.hpp"

using namespace xnor;

TEST_CASE("path names round-trip and unknown names are refused") {
  for (Path path : {Path::scalar, Path::avx2, Path::avx512, Path::neon}) CHECK(parse_path(path_name(path)) == path);
  CHECK_THROWS_AS(parse_path("sse9"), std::invalid_argument);
  CHECK_THROWS_WITH(parse_path(""), doctest::Contains("choose scalar, avx2, avx512 or neon"));
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
