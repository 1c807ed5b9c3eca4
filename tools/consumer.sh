#!/usr/bin/env bash
# Checks that another project can embed xnor: installs the already-built build/ into a temporary prefix,
# builds tests/consumer against it with find_package(xnor) and runs it on its own small network, then on a
# .xnm file that build/xnor saves. Exits non-zero on any failure. Run after tools/test.sh has built build/.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d /tmp/xnor-consumer.XXXXXX)
trap 'rm -rf "$work"' EXIT

echo "== consumer: install build/ into $work/prefix, build tests/consumer against it"
cmake --install build --prefix "$work/prefix" >/dev/null
cmake -S tests/consumer -B "$work/build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/build" -j "$(nproc)"
"$work/build/xnor-consumer"
build/xnor save googlenet224:binary "$work/googlenet224-binary.xnm"
"$work/build/xnor-consumer" "$work/googlenet224-binary.xnm"
