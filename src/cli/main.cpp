// build/xnor: the command-line tool.
#include <exception>
#include <iostream>
#include <string_view>

#include "src/cli/selfcheck.hpp"
#include "xnor/cpu_path.hpp"
#include "xnor/version.hpp"

namespace {

constexpr std::string_view usage = R"(usage: xnor <command> [options]

xnor runs binary (XNOR-Net) and int8 neural networks on the CPU.

commands:
  selfcheck      check the bit kernels of every supported CPU path against the reference

options:
  -h, --help     show this help
  --version      show the version and the CPU paths (XNOR_PATH=scalar|avx2|avx512|neon forces one)
)";

}  // namespace

int main(int argc, char** argv) {
  try {
    const std::string_view command = argc > 1 ? argv[1] : "";
    if (command == "-h" || command == "--help" || command == "help") {
      std::cout << usage;
      return 0;
    }
    if (command == "--version") {
      std::cout << "xnor " << xnor::version << "\ncpu path: " << xnor::describe_paths() << "\n";
      return 0;
    }
    if (command == "selfcheck") return xnor::cli::selfcheck(std::cout);
    std::cerr << "xnor: " << (command.empty() ? "no command given" : "unknown command '" + std::string(command) + "'")
              << " (xnor --help lists them)\n";
    return 2;
  } catch (const std::exception& error) {
    std::cerr << "xnor: " << error.what() << "\n";
    return 1;
  }
}
