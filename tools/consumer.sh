#!/usr/bin/env bash
# Checks that another project can embed xnor: installs the already-built build/ into a temporary prefix,
# builds tests/consumer against it with find_package(xnor) and runs it: the installed bundled binary model
# classifies an installed sample image (a trouser). Exits non-zero on any failure. Run after build/ is built.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d /tmp/xnor-consumer.XXXXXX)
trap 'rm -rf "$work"' EXIT

echo "== consumer: install build/ into $work/prefix, build tests/consumer against it"
cmake --install build --prefix "$work/prefix" >/dev/null
cmake -S tests/consumer -B "$work/build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/build" -j "$(nproc)"
models="$work/prefix/share/xnor/models"
"$work/build/xnor-consumer" "$models/fashion-inception-binary.xnm" "$models/samples/1-trouser.png" | tee "$work/out"
grep -q "1-trouser.png: Trouser" "$work/out"
