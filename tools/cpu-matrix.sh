#!/usr/bin/env bash
# tools/cpu-matrix.sh BUILD_DIR...: runs the x86-64 programs of each build under qemu's emulated CPUs.
#
# One x86-64 binary must run on any x86-64 CPU with POPCNT and pick the best path it supports; a function
# compiled for AVX2/AVX-512 that the scalar path reaches (see tools/check-isa.sh) only shows on a CPU without
# AVX. So each build runs under `qemu-x86_64-static -cpu MODEL` (named explicitly: binfmt_misc may be absent):
#   Nehalem      SSE4.2 + POPCNT, no AVX      expected path: scalar
#   SandyBridge  AVX, no AVX2                 expected path: scalar
#   Haswell      AVX2 (+FMA, BMI)             expected path: avx2   (qemu 7.2's TCG has no AVX-512)
# and on each: `xnor --version`, selfcheck, the unit tests by group, every CLI command on every bundled model
# (results compared with the same build run natively on the scalar path), compare; then `-cpu core2duo` (no
# POPCNT) must refuse to run with a one-line message naming POPCNT. One line per check (ok/FAIL), then the
# summary line `cpu-matrix: N passed, M failed`; the exit status is 1 if anything failed (2: usage error).
#
# The bundled-models test cases (2,000 images through the float model) take far too long under TCG, whose
# float arithmetic is emulated (~0.3 s an image): `eval`/`classify` on a few images, compared with the native
# run, stand in for them; CPU_MATRIX_BUNDLED=1 adds them anyway (~15-30 minutes a CPU model in Release).
# Environment: JOBS (emulations run at once, default: the number of cores), QEMU (the emulator).
set -uo pipefail

QEMU=${QEMU:-qemu-x86_64-static}
JOBS=${JOBS:-$(nproc)}
cpus=(Nehalem:scalar SandyBridge:scalar Haswell:avx2)
models=(float int8 binary)
# Images for eval: a few seconds each on Nehalem in Release (float ~0.4 s an image, at -O0 ~4 s).
declare -A eval_limit=([float]=4 [int8]=10 [binary]=50)

# The unit tests, by source file: kernels, layers, graphs and models, and the rest (cheap, kept for coverage).
test_groups=(
  "kernels:*bitpack_test.cpp,*bgemm_test.cpp,*output_transform_test.cpp,*int8_quant_test.cpp,*cpu_path_test.cpp,*thread_pool_test.cpp"
  "layers:*binary_conv_test.cpp,*binary_ops_test.cpp,*int8_conv_test.cpp,*int8_ops_test.cpp,*float_conv_test.cpp,*float_ops_test.cpp,*grouped_conv_test.cpp,*elementwise_test.cpp"
  "graphs+models:*model_test.cpp,*model_file_regression_test.cpp,*onnx_import_test.cpp,*onnx_conformance_test.cpp,*npy_test.cpp"
  "images+data:*image_test.cpp,*image_orientation_test.cpp,*image_regression_test.cpp,*dataset_test.cpp"
)
# Left out: a decompression bomb's test (5 s under qemu, nothing there depends on the CPU path).
test_exclude="compressed data that expands beyond*"
[[ ${CPU_MATRIX_BUNDLED:-0} == 1 ]] && test_groups+=("bundled-models:*bundled_models_test.cpp")

if (($# == 0)); then echo "usage: tools/cpu-matrix.sh BUILD_DIR..." >&2; exit 2; fi
command -v "$QEMU" >/dev/null || { echo "cpu-matrix: $QEMU is missing (Debian: qemu-user-static)" >&2; exit 2; }
command -v python3 >/dev/null || { echo "cpu-matrix: python3 is missing (writes and compares .npy files)" >&2; exit 2; }
root=$(cd "$(dirname "$0")/.." && pwd)
builds=()
for b in "$@"; do
  [[ -x $b/xnor && -x $b/xnor-tests ]] || { echo "cpu-matrix: $b: no xnor and xnor-tests in it" >&2; exit 2; }
  builds+=("$(cd "$b" && pwd)")
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
unset XNOR_PATH XNOR_MODELS_DIR  # every CPU picks its own best path, and the bundled models are models/
ulimit -c 0                      # an expected SIGILL must not leave core files behind
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# A model input for `xnor run`: 28x28x1 float32 in [-1, 1] (the models' input size, `xnor info`).
python3 - "$tmp/input.npy" <<'EOF'
import struct, sys
header = "{'descr': '<f4', 'fortran_order': False, 'shape': (28, 28, 1), }"
header += " " * (63 - (10 + len(header)) % 64) + "\n"
values = [((i * 37) % 255) / 127.5 - 1 for i in range(28 * 28)]
with open(sys.argv[1], "wb") as f:
    f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + struct.pack("<784f", *values))
EOF

# Compares two .npy outputs of `xnor run`: same size, values within 1e-4 (paths may round floats differently).
npy_close() {
  python3 - "$1" "$2" <<'EOF'
import struct, sys
def load(path):
    data = open(path, "rb").read()
    start = 10 + struct.unpack("<H", data[8:10])[0]
    return struct.unpack("<%df" % ((len(data) - start) // 4), data[start:])
a, b = load(sys.argv[1]), load(sys.argv[2])
sys.exit(0 if len(a) == len(b) > 0 and all(abs(x - y) <= 1e-4 for x, y in zip(a, b)) else 1)
EOF
}

top1() { awk '/^  / { $NF = ""; print }' "$1"; }  # the labels of `xnor classify --top 1`

# The native results each emulated run must reproduce: classify, eval and run of every model, on the scalar
# path (the plain one, whatever this machine's CPU is).
references() {  # references BUILD DIR
  local m model
  local -x XNOR_PATH=scalar
  for m in "${models[@]}"; do
    model=$root/models/fashion-inception-$m.xnm
    if ! { "$1/xnor" classify --top 1 --model "$model" "$root"/models/samples/*.png > "$2/classify-$m" &&
      "$1/xnor" eval --json --model "$model" --limit "${eval_limit[$m]}" > "$2/eval-$m" &&
      "$1/xnor" run "$model" --input "$tmp/input.npy" --output "$2/run-$m.npy"; }; then
      echo "cpu-matrix: $1/xnor $m does not run natively" >&2
      return 1
    fi
  done
}

# One build on one CPU model; prints one line per check. Globals of this (background) shell: out and err, the
# stdout and stderr (without qemu's "TCG doesn't support" warnings) of the last qrun, and rc, its status.
matrix() {  # matrix BUILD CPU PATH REFS
  local build=$1 cpu=$2 path=$3 refs=$4 work m group start t0
  t0=$(now) work=$(mktemp -d -p "$tmp")
  out=$work/out err=$work/err
  cd "$build" || return  # the tests find their files relative to the build directory
  qrun() {  # qrun SECONDS PROGRAM ARGS...
    start=$(now)
    timeout "$1" "$QEMU" -cpu "$cpu" "${@:2}" > "$out" 2> "$work/stderr"
    rc=$?
    grep -v "^$QEMU: warning: TCG doesn't support" "$work/stderr" > "$err"
  }
  report() {  # report NAME: the status of the command just before says ok or not (NAME: no $(...) in it)
    local ok=$? name="${build/#$root\//}/ $cpu: $1"
    if ((ok == 0)); then
      echo "ok    $name ($(since "$start") s)"
    else
      echo "FAIL  $name ($(since "$start") s, exit status $rc)"
      { grep -h "^TEST CASE:" "$out" | sort -u | head -n 10; cat "$err" "$out" | tail -n 4; } | sed 's/^/        /'
    fi
  }

  qrun 60 ./xnor --version
  ((rc == 0)) && grep -q "^cpu path: $path (" "$out"; report "--version: cpu path $path"
  qrun 60 ./xnor selfcheck
  ((rc == 0)) && grep -Eq "scalar( \(active\))?: matches the reference" "$out" && ! grep -q MISMATCH "$out"
  report "selfcheck"

  for group in "${test_groups[@]}"; do
    qrun 900 ./xnor-tests -nc -m -sf="${group#*:}" -tce="$test_exclude"
    ((rc == 0)); report "xnor-tests ${group%%:*}"
  done

  for m in "${models[@]}"; do
    local model=$root/models/fashion-inception-$m.xnm
    qrun 60 ./xnor info "$model"
    ((rc == 0)) && grep -q "input 28x28x1" "$out"; report "info $m"
    local what="classify $m: the 10 samples' labels as native"
    [[ $m == binary ]] && what+=", 1-trouser.png Trouser"
    qrun 300 ./xnor classify --top 1 --model "$model" "$root"/models/samples/*.png
    ((rc == 0)) && diff -q <(top1 "$out") <(top1 "$refs/classify-$m") > /dev/null &&
      { [[ $m != binary ]] || sed -n '/1-trouser.png/{n;p}' "$out" | grep -q '^  Trouser '; }
    report "$what"
    qrun 300 ./xnor eval --json --model "$model" --limit "${eval_limit[$m]}"
    ((rc == 0)) && cmp -s "$out" "$refs/eval-$m"; report "eval $m --limit ${eval_limit[$m]}: as native"
    rm -f "$work/run.npy"
    qrun 60 ./xnor run "$model" --input "$tmp/input.npy" --output "$work/run.npy"
    ((rc == 0)) && npy_close "$work/run.npy" "$refs/run-$m.npy"; report "run $m: output as native"
    qrun 300 ./xnor bench --model "$model" --runs 1  # and 5 unmeasured runs
    ((rc == 0)) && grep -q "cpu path $path" "$out" && grep -q "^whole run: median" "$out"; report "bench $m --runs 1"
  done

  # compare times 10 unmeasured runs of each model whatever --limit says: the float model (seconds an image
  # at -O0) is left out. It measures peak RSS by spawning /proc/self/exe: under qemu-user that child runs natively.
  qrun 300 ./xnor compare --limit 2 --models "$root"/models/fashion-inception-{int8,binary}.xnm
  ((rc == 0)) && grep -q "^cpu path: $path" "$out" && (($(grep -c '^fashion-inception-' "$out") == 2))
  report "compare --limit 2 int8 binary"
  echo "time  ${build/#$root\//}/ $cpu: $(since "$t0") s"
}

start_all=$(now)
failed=0
for i in "${!builds[@]}"; do
  mkdir -p "$tmp/refs$i"
  references "${builds[$i]}" "$tmp/refs$i" || failed=1
done
((failed)) && exit 2

# Every (build, CPU) pair in the background, JOBS at once; their logs are printed in order at the end.
n=0
for i in "${!builds[@]}"; do
  for c in "${cpus[@]}"; do
    while (($(jobs -rp | wc -l) >= JOBS)); do wait -n; done
    echo "cpu-matrix: running ${builds[$i]} on ${c%%:*}" >&2
    (matrix "${builds[$i]}" "${c%%:*}" "${c#*:}" "$tmp/refs$i" > "$tmp/log$n" 2>&1) &
    n=$((n + 1))
  done
done
wait

# No POPCNT: the binary must refuse to start, in one line that names what is missing.
for i in "${!builds[@]}"; do
  start=$(now)
  timeout 60 "$QEMU" -cpu core2duo "${builds[$i]}/xnor" --version > "$tmp/out" 2> "$tmp/stderr"
  rc=$?
  grep -v "^$QEMU: warning: TCG doesn't support" "$tmp/stderr" > "$tmp/err"
  name="${builds[$i]/#$root\//}/ core2duo: --version refused, one line naming POPCNT"
  if ((rc != 0 && rc < 124)) && (($(wc -l < "$tmp/err") == 1)) && grep -q POPCNT "$tmp/err"; then
    echo "ok    $name ($(since "$start") s)" > "$tmp/log$n"
  else
    { echo "FAIL  $name (exit status $rc)"; sed 's/^/        /' "$tmp/err"; } > "$tmp/log$n"
  fi
  n=$((n + 1))
done

for ((i = 0; i < n; i++)); do cat "$tmp/log$i"; done > "$tmp/all"
cat "$tmp/all"
passed=$(grep -c '^ok ' "$tmp/all")
failed=$(grep -c '^FAIL ' "$tmp/all")
echo "time  all: $(since "$start_all") s, $JOBS at once"
echo "cpu-matrix: $passed passed, $failed failed"
((failed == 0))
