#!/usr/bin/env bash
# Installs what xnor needs on Debian 12 with apt-get: idempotent, non-interactive, nothing outside the
# package registry. Usage: tools/setup.sh [base|arm|peers|fuzz|onnx|python|estimate|train|all]... (default: all)
set -euo pipefail

# libjpeg-turbo and libpng decode images; stb_image_write (libstb-dev) makes the tests' image files.
base=(cmake g++ make pkgconf xtensor-dev libxsimd-dev libcereal-dev doctest-dev libbenchmark-dev libjpeg62-turbo-dev libpng-dev
  libstb-dev zlib1g-dev dataset-fashion-mnist)
arm=(g++-aarch64-linux-gnu qemu-user-static libbenchmark-dev:arm64 zlib1g-dev:arm64 libjpeg62-turbo-dev:arm64 libpng-dev:arm64
  libcpuinfo0:arm64)
peers=(libdnnl-dev libxnnpack-dev libpthreadpool-dev)
# The ONNX importer (xnor convert) and its conformance data.
onnx=(libonnx-dev libprotobuf-dev libonnx-testdata)
# Training and export (tools/train), the torchvision networks of the import tests, and the comparison chart
# (xnor compare --plot).
train=(python3-torch python3-torchvision python3-onnx python3-numpy python3-pil gnuplot-nox)
# The ARM cost model (tools/arm-estimate.sh): qemu-user's dynamic emulators take TCG plugins, llvm-mca prices blocks.
estimate=(qemu-user llvm-19 gcc)
# The Python module (pybind11) and its tests (numpy).
python=(python3-dev python3-pybind11 pybind11-dev python3-numpy)
# clang and its runtime libraries, which hold libFuzzer (tools/fuzz.sh).
fuzz=(clang-14 libclang-rt-14-dev)

wanted=()
unpack_arm_peers=0
for group in "${@:-all}"; do
  case "$group" in
    base) wanted+=("${base[@]}") ;;
    arm) wanted+=("${arm[@]}"); unpack_arm_peers=1 ;;
    peers) wanted+=("${peers[@]}") ;;
    fuzz) wanted+=("${fuzz[@]}") ;;
    onnx) wanted+=("${onnx[@]}") ;;
    python) wanted+=("${python[@]}") ;;
    estimate) wanted+=("${estimate[@]}") ;;
    train) wanted+=("${train[@]}") ;;
    all) unpack_arm_peers=1; wanted+=("${base[@]}" "${arm[@]}" "${peers[@]}" "${fuzz[@]}" "${onnx[@]}" "${python[@]}" "${estimate[@]}" "${train[@]}") ;;
    *) echo "setup.sh: unknown group '$group' (base|arm|peers|fuzz|onnx|python|estimate|train|all)" >&2; exit 2 ;;
  esac
done

missing=()
for pkg in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q '^install ok installed' || missing+=("$pkg")
done
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
if [ ${#missing[@]} -gt 0 ]; then
  if printf '%s\n' "${missing[@]}" | grep -q ':arm64$' && ! dpkg --print-foreign-architectures | grep -qx arm64; then
    $sudo dpkg --add-architecture arm64
  fi
  echo "setup.sh: installing ${missing[*]}"
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# XNNPACK for arm64, xnor-bench's ARM peer: its Debian packages are not Multi-Arch: same (installing them would
# remove the x86-64 XNNPACK and PyTorch), so they are downloaded from the registry and unpacked, not installed,
# into the cross toolchain's root, where the aarch64 build and qemu -L find them.
arm_root=/usr/aarch64-linux-gnu
if [ "$unpack_arm_peers" -eq 1 ] && [ ! -e "$arm_root/usr/lib/aarch64-linux-gnu/libXNNPACK.so" ]; then
  echo "setup.sh: unpacking XNNPACK and pthreadpool for arm64 into $arm_root"
  debs=$(mktemp -d)
  chmod 755 "$debs"  # apt-get download runs as _apt where it can
  (cd "$debs" && apt-get download -qq libxnnpack-dev:arm64 libxnnpack0:arm64 libpthreadpool-dev:arm64 libpthreadpool0:arm64)
  for deb in "$debs"/*.deb; do $sudo dpkg-deb -x "$deb" "$arm_root"; done
  rm -rf "$debs"
fi
