# Cross-build for aarch64 Linux with Debian's g++-aarch64-linux-gnu; binaries run here under qemu-user.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)

# Static executables (but xnor-bench: Debian's arm64 Google Benchmark is a shared library only): they copy
# to a board as they are, and under qemu-user 7.2 here a dynamically linked program that starts a thread
# hangs at exit, while a static one runs.
set(XNOR_STATIC_EXECUTABLES ON CACHE BOOL "Link the CLI and the tests statically")

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
