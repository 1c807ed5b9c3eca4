#!/usr/bin/env bash
# Checks that another project can embed xnor with <xnor/xnor.hpp> (or the C API, <xnor/xnor.h>) alone, the
# ways an application does:
# 1. installs the already-built build/ into a temporary prefix and builds tests/consumer against it with
#    find_package(xnor), then its C program with pkg-config against the installed libxnor.so;
# 2. builds tests/consumer with xnor's source tree added by add_subdirectory, with xtensor hidden from CMake
#    (the runtime does not need it).
# Each build's programs classify an installed sample image (a trouser) with the bundled binary model, from one
# thread and from two. Exits non-zero on any failure. Run after build/ is built.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d /tmp/xnor-consumer.XXXXXX)
trap 'rm -rf "$work"' EXIT

models="$work/prefix/share/xnor/models"
check() {  # BUILD_DIR: run its programs on the installed model and sample
  for classify in xnor-classify xnor-classify-c; do
    "$1/$classify" "$models/fashion-inception-binary.xnm" "$models/samples/1-trouser.png" | tee "$work/out"
    head -n 1 "$work/out" | grep -q "^Trouser "
  done
  "$1/xnor-threads" "$models/fashion-inception-binary.xnm" "$models/samples/1-trouser.png"
}

echo "== consumer: install build/ into $work/prefix, build tests/consumer against it (find_package)"
cmake --install build --prefix "$work/prefix" >/dev/null
cmake -S tests/consumer -B "$work/installed" -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/installed" -j "$(nproc)"
check "$work/installed"

echo "== consumer: tests/consumer/classify.c, compiled as C11 with pkg-config against the installed libxnor.so"
export PKG_CONFIG_PATH
PKG_CONFIG_PATH=$(dirname "$(find "$work/prefix" -name xnor.pc)")
cc -std=c11 -Wall -Wextra -Wpedantic -Werror tests/consumer/classify.c $(pkg-config --cflags --libs xnor) -o "$work/classify-c"
LD_LIBRARY_PATH=$(pkg-config --variable=libdir xnor) "$work/classify-c" "$models/fashion-inception-binary.xnm" \
  "$models/samples/1-trouser.png" | tee "$work/out"
head -n 1 "$work/out" | grep -q "^Trouser "

echo "== consumer: tests/consumer with xnor's source added by add_subdirectory, without xtensor"
cmake -S tests/consumer -B "$work/source" -DCMAKE_BUILD_TYPE=Release -DXNOR_SOURCE_DIR="$PWD" \
  -DCMAKE_DISABLE_FIND_PACKAGE_xtensor=ON >/dev/null
cmake --build "$work/source" -j "$(nproc)"
check "$work/source"
