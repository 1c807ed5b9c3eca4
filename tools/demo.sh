#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine (apt-get), builds xnor and runs the main job: for now, a self-check of
# the bit kernels on every CPU path this machine supports, naming the path xnor picked.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh base
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$(nproc)" --target xnor_cli >/dev/null
build/xnor --version
build/xnor selfcheck
