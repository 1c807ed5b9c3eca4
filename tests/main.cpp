#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdio>

#include "tests/support.hpp"
#include "xnor/cpu_path.hpp"

int main(int argc, char** argv) {
  // On stderr: ctest's test discovery reads the test names from stdout.
  std::fprintf(stderr, "xnor tests: seed %u (XNOR_TEST_SEED overrides), paths %s\n", xnor::test::seed(),
               xnor::describe_paths().c_str());
  doctest::Context context(argc, argv);
  return context.run();
}
