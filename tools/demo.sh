#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine (apt-get), builds xnor and runs the main job: classifies the bundled sample
# images (models/samples, one Fashion-MNIST test image per class) with the bundled binary model, then compares
# the bundled float, int8 and binary models on the Fashion-MNIST test set (accuracy, size, latency, memory).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh base
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$(nproc)" --target xnor_cli >/dev/null
build/xnor --version
echo
build/xnor classify --top 1 models/samples/*.png
echo
build/xnor compare
