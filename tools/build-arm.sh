#!/usr/bin/env bash
# Cross-builds xnor, xnor-bench and xnor-tests for aarch64 into build-aarch64/ (Release), then runs two of
# them under qemu to show the NEON path is picked: `xnor --version` and one short binary GEMM benchmark.
# Copy the binaries to a board as the README's "ARM boards" section says. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh base arm

cmake -S . -B build-aarch64 -DCMAKE_BUILD_TYPE=Release -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake
cmake --build build-aarch64 -j "$(nproc)" --target xnor_cli xnor-bench xnor-tests

# -L: the arm64 C library and loader; xnor-bench also finds libbenchmark.so (libbenchmark-dev:arm64) there.
qemu=(qemu-aarch64-static -L /usr/aarch64-linux-gnu)
"${qemu[@]}" build-aarch64/xnor --version
"${qemu[@]}" build-aarch64/xnor-bench --benchmark_filter=bgemm/neon/M49 --benchmark_min_time=0.01
