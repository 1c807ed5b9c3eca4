# Cross-build for aarch64 Linux with Debian's g++-aarch64-linux-gnu; binaries run here under qemu-user.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)

# binfmt_misc may be absent, so ctest names the emulator; -L points it at the arm64 libraries.
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64-static;-L;/usr/aarch64-linux-gnu)

set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu /usr/lib/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)

# Header-only packages have no arm64 build in Debian 12 (xtl is Arch: all without Multi-Arch): their
# x86-64 CMake configurations describe the same headers. Google Benchmark comes from libbenchmark-dev:arm64.
set(doctest_DIR /usr/lib/cmake/doctest)
set(xtensor_DIR /usr/lib/x86_64-linux-gnu/cmake/xtensor)
set(xsimd_DIR /usr/lib/x86_64-linux-gnu/cmake/xsimd)
set(cereal_DIR /usr/lib/x86_64-linux-gnu/cmake/cereal)
set(benchmark_DIR /usr/lib/aarch64-linux-gnu/cmake/benchmark)
