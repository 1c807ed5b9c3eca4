#!/usr/bin/env bash
# Estimates xnor-bench rows' run time on ARM cores without a board: qemu-aarch64 runs each row with a TCG plugin
# that counts executed translation blocks (tools/arm-estimate/block_counts.c), and llvm-mca prices the hot
# blocks with each core's scheduling model (tools/arm-estimate/estimate.py has the method and its limits).
#
# Usage: tools/arm-estimate.sh [--cores a76,a72,a55] [--json FILE] [--functions N] [--smoke] [--x86-check]
#                              [--x86-mcpu M] [--x86-ghz G] [FILTER]
#   FILTER       Google Benchmark regex of the rows (default ^conv/, for --x86-check ^conv/(binary|int8|float)/);
#                multi-threaded rows are skipped.
#   --cores      a76 (llvm-mca's neoverse-n1 model, 2.4 GHz), a72 (1.8 GHz, qemu -cpu cortex-a72: no dot
#                product), a55 (2.0 GHz).
#   --x86-check  checks the method on this machine instead: build/xnor-bench under qemu-x86_64 -cpu Haswell
#                and XNOR_PATH=avx2, priced with llvm-mca -mcpu=native (or --x86-mcpu), against the same rows
#                run natively; the clock is measured (tools/arm-estimate/clock_ghz.c) unless --x86-ghz.
#   --functions  also prints each row's N costliest functions (where the cycles go)
#   --smoke      for CI: builds the plugin and estimates one small row on one core model.
# Needs build-aarch64/ (tools/build-arm.sh) or, for --x86-check, build/. The first run fetches Debian's qemu
# source package into build-estimate/qemu-src for the plugin header (qemu-plugin.h).
set -euo pipefail
cd "$(dirname "$0")/.."

cores=a76,a72,a55
json=""
estimate_extra=()
smoke=0
x86=0
x86_mcpu=native
x86_ghz=""
filter=""
while [ $# -gt 0 ]; do
  case "$1" in
    --cores) cores="$2"; shift 2 ;;
    --json) json="$2"; shift 2 ;;
    --functions) estimate_extra+=(--functions "$2"); shift 2 ;;
    --smoke) smoke=1; shift ;;
    --x86-check) x86=1; shift ;;
    --x86-mcpu) x86_mcpu="$2"; shift 2 ;;
    --x86-ghz) x86_ghz="$2"; shift 2 ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    -*) echo "arm-estimate: unknown option $1" >&2; exit 2 ;;
    *) filter="$1"; shift ;;
  esac
done

tools/setup.sh estimate || true
# The -static qemu builds cannot load plugins: the dynamic ones come with package qemu-user.
for tool in qemu-aarch64 qemu-x86_64 llvm-mca-19 llvm-mc-19 llvm-objdump-19 llvm-nm-19 gcc python3 apt-get; do
  if ! command -v "$tool" >/dev/null; then
    echo "arm-estimate: $tool is missing; install qemu-user llvm-19 gcc (tools/setup.sh estimate)" >&2
    exit 1
  fi
done

work=build-estimate
header_dir="$work/qemu-src/include"
if [ ! -f "$header_dir/qemu-plugin.h" ]; then
  # The header ships only in the source package, fetched with a private apt configuration whose sources are
  # the system's Debian sources as deb-src (nothing under /etc/apt changes).
  src="$work/qemu-src"
  mkdir -p "$src/apt/lists/partial" "$src/apt/cache/archives/partial" "$src/apt/sources" "$header_dir"
  sources=$(ls /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1)
  [ -n "$sources" ] || { echo "arm-estimate: no /etc/apt/sources.list.d/*.sources to take deb-src from" >&2; exit 1; }
  sed 's/^Types: deb$/Types: deb-src/' "$sources" > "$src/apt/sources/deb-src.sources"
  apt_opts=(-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts="$PWD/$src/apt/sources"
    -o Dir::State::Lists="$PWD/$src/apt/lists" -o Dir::Cache="$PWD/$src/apt/cache")
  apt-get "${apt_opts[@]}" update -qq
  (cd "$src" && apt-get "${apt_opts[@]}" source --download-only -qq qemu 2>/dev/null)
  tar -xJf "$src"/qemu_*.orig.tar.xz -C "$src" --wildcards '*/include/qemu/qemu-plugin.h'
  cp "$src"/qemu-*/include/qemu/qemu-plugin.h "$header_dir/"
  rm -rf "$src"/qemu-*/ "$src"/qemu_* "$src/apt"
fi

plugin="$work/block_counts.so"
if [ ! -f "$plugin" ] || [ tools/arm-estimate/block_counts.c -nt "$plugin" ]; then
  gcc -O2 -Wall -Wextra -Werror -shared -fPIC -I"$header_dir" -o "$plugin" tools/arm-estimate/block_counts.c
fi

estimate=(python3 tools/arm-estimate/estimate.py --plugin "$plugin" --work "$work/counts")
[ -z "$json" ] || estimate+=(--json "$json")
estimate+=("${estimate_extra[@]}")

if [ "$x86" = 1 ]; then
  [ -x build/xnor-bench ] || { echo "arm-estimate: build/xnor-bench is missing (build xnor first)" >&2; exit 1; }
  if [ -z "$x86_ghz" ]; then
    gcc -O2 -o "$work/clock_ghz" tools/arm-estimate/clock_ghz.c
    x86_ghz=$("$work/clock_ghz")
  fi
  # xnor's own rows by default: XNNPACK's native rows would run AVX-512 code that qemu cannot.
  exec "${estimate[@]}" --arch x86_64 --bench build/xnor-bench --x86-mcpu "$x86_mcpu" --x86-ghz "$x86_ghz" \
    "${filter:-^conv/(binary|int8|float)/}"
fi

[ -x build-aarch64/xnor-bench ] || { echo "arm-estimate: build-aarch64/xnor-bench is missing (tools/build-arm.sh)" >&2; exit 1; }
if [ "$smoke" = 1 ]; then
  row="conv/binary/7x7x512-512k3"
  out="$work/smoke.json"
  "${estimate[@]}" --bench build-aarch64/xnor-bench --cores a76 --json "$out" "^$row\$" >/dev/null
  cycles=$(python3 -c 'import json, sys; print(round(next(iter(json.load(open(sys.argv[1]))["estimates"].values()))[sys.argv[2]]["cycles"]))' "$out" "$row")
  [ "$cycles" -gt 0 ] || { echo "arm-estimate smoke: no cycles for $row" >&2; exit 1; }
  echo "arm-estimate smoke: $row on neoverse-n1: $cycles cycles"
  exit 0
fi
exec "${estimate[@]}" --bench build-aarch64/xnor-bench --cores "$cores" "${filter:-^conv/}"
