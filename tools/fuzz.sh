#!/usr/bin/env bash
# Fuzzes the model loader, the ONNX importer and the image decoder with libFuzzer: builds every fuzz target with clang
# (AddressSanitizer and UndefinedBehaviorSanitizer) in build-fuzz/, then runs each for SECONDS (default 60)
# on a copy of its seed corpus in tests/fuzz/corpus/, so the inputs it discovers stay out of the repository.
# Prints each target's executions and executions per second; exits non-zero on a finding, whose input is
# kept in build-fuzz/runs/TARGET/findings/. Usage: tools/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
tools/setup.sh base fuzz onnx

flags="-O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined"
cmake -S . -B build-fuzz -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS="$flags" \
  -DXNOR_BUILD_FUZZ=ON -DXNOR_BUILD_TESTS=OFF -DXNOR_BUILD_BENCH=OFF -DXNOR_BUILD_CLI=OFF >/dev/null

status=0
for target in model_file onnx image; do
  binary=xnor-fuzz-${target//_/-}
  cmake --build build-fuzz -j "$(nproc)" --target "$binary"
  run=build-fuzz/runs/$target
  rm -rf "$run"
  mkdir -p "$run/corpus" "$run/findings"
  cp tests/fuzz/corpus/"$target"/* "$run/corpus/"
  echo "== $target: ${seconds}s"
  # A unit slower than 30 s is a finding too (a hang); the target itself skips models too big to run quickly.
  "build-fuzz/tests/fuzz/$binary" "$run/corpus" -max_total_time="$seconds" -timeout=30 -print_final_stats=1 \
    -artifact_prefix="$run/findings/" >"$run/log" 2>&1 || status=$?
  executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$run/log")
  per_second=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$run/log")
  echo "$target: ${executions:-?} executions, ${per_second:-?} exec/s (log: $run/log)"
  if [ -n "$(ls -A "$run/findings")" ]; then
    status=1
    grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' "$run/log" | head -5 || true
    echo "$target: finding(s) in $run/findings/" >&2
  fi
done
exit "$status"
