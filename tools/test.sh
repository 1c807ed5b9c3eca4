#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine (apt-get) and runs every test: an unoptimized build, the check that no AVX
# code is reachable from another path, the x86-64 programs on qemu's emulated CPUs without AVX, AVX2 and POPCNT,
# the tests built with AddressSanitizer and UndefinedBehaviorSanitizer, the threaded tests under ThreadSanitizer, a short libFuzzer run, the aarch64 cross-build under qemu
# (NEON and scalar), then the x86-64 Release build, whose tests force each CPU path this machine supports. Exits non-zero on any failure; ends with
# ctest's summary.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
jobs=$(nproc)

echo "== x86-64: build/"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j "$jobs"

echo "== x86-64 without optimization: build-O0/ (nothing inlined, so a shared function compiled for AVX shows)"
cmake -S . -B build-O0 -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG=-O0 -DXNOR_BUILD_BENCH=OFF
cmake --build build-O0 -j "$jobs" --target xnor_cli xnor-tests

echo "== no AVX code outside the AVX units' namespaces (tools/check-isa.sh)"
tools/check-isa.sh build/xnor build/xnor-tests build/xnor-bench build/libxnor.so build-O0/xnor build-O0/xnor-tests

echo "== x86-64 on emulated CPUs: Nehalem, SandyBridge, Haswell, core2duo (tools/cpu-matrix.sh)"
tools/cpu-matrix.sh build build-O0

echo "== x86-64 with AddressSanitizer + UndefinedBehaviorSanitizer: build-asan/"
# The C flags too: the C API's test is C, and links the sanitized libxnor.so (the runtime must come first).
asan="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DXNOR_BUILD_BENCH=OFF -DCMAKE_CXX_FLAGS="$asan" -DCMAKE_C_FLAGS="$asan"
cmake --build build-asan -j "$jobs"
# The photo recipe's test is mostly PyTorch training: it runs once, in the Release tests.
ctest --test-dir build-asan --output-on-failure -j "$jobs" -E '^photo_recipe$'

echo "== x86-64 with ThreadSanitizer: build-tsan/ (the tests that run threads)"
cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=Debug -DXNOR_BUILD_BENCH=OFF -DXNOR_BUILD_CLI=OFF \
  -DCMAKE_CXX_FLAGS="-O1 -g -fsanitize=thread" -DCMAKE_C_FLAGS="-O1 -g -fsanitize=thread"
cmake --build build-tsan -j "$jobs"
TSAN_OPTIONS=halt_on_error=1 ctest --test-dir build-tsan --output-on-failure -j "$jobs" -R "thread|parallel_for"

echo "== fuzzing the model loader, the ONNX importer and the image decoder briefly (tools/fuzz.sh; longer runs: tools/fuzz.sh SECONDS)"
tools/fuzz.sh 30

echo "== aarch64: build-aarch64/ (tests under qemu-aarch64)"
cmake -S . -B build-aarch64 -DCMAKE_BUILD_TYPE=Release -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake
cmake --build build-aarch64 -j "$jobs"
ctest --test-dir build-aarch64 --output-on-failure -j "$jobs"

echo "== the ARM cost model: one row through qemu's block counts and llvm-mca (tools/arm-estimate.sh --smoke)"
tools/arm-estimate.sh --smoke

echo "== a separate project that embeds the installed xnor (find_package(xnor))"
tools/consumer.sh

echo "== x86-64 tests"
ctest --test-dir build --output-on-failure -j "$jobs"
