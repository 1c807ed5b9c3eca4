// Inputs the fuzzer (tools/fuzz.sh) once crashed the loader with: each must now be refused with a ModelError.
#include <doctest/doctest.h>

#include <filesystem>

#include "xnor/model_file.hpp"

TEST_CASE("every fuzzer regression input in tests/fuzz/regressions is refused with a ModelError") {
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(XNOR_SOURCE_DIR "/tests/fuzz/regressions")) {
    CAPTURE(entry.path().string());
    CHECK_THROWS_AS(xnor::load_model_file(entry.path().string()), xnor::ModelError);
    ++files;
  }
  CHECK(files > 0);
}
