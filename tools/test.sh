#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine (apt-get) and runs every test: the x86-64 build, whose tests force each
# CPU path this machine supports, then the aarch64 cross-build, whose tests run under qemu (NEON and scalar).
# Exits non-zero on any failure; ends with ctest's summary.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
jobs=$(nproc)

echo "== x86-64: build/"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j "$jobs"

echo "== aarch64: build-aarch64/ (tests under qemu-aarch64)"
cmake -S . -B build-aarch64 -DCMAKE_BUILD_TYPE=Release -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake
cmake --build build-aarch64 -j "$jobs"
ctest --test-dir build-aarch64 --output-on-failure -j "$jobs"

echo "== x86-64 tests"
ctest --test-dir build --output-on-failure -j "$jobs"
