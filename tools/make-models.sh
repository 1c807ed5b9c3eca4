#!/usr/bin/env bash
# Reproduces the bundled models in models/: trains (tools/train/train.py, PyTorch on the CPU, or the GPU if
# torch sees one), exports ONNX, converts with build/xnor, and quantizes the float model to int8 by calibration
# on 1000 training images. Each step prints how long it took; training times are budgets, so a run takes them.
#   tools/make-models.sh [float|binary|int8|binary-wide]...   (default: float binary int8, in that order)
# binary-wide (not bundled) is the binary network at twice the width; both binary models distil from the float
# one. Budgets (minutes): FLOAT_MINUTES, BINARY_MINUTES, WIDE_MINUTES; SEED sets the seed.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh base onnx train
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$(nproc)" --target xnor_cli >/dev/null
out=models
work=build/training
mkdir -p "$work"
seed=${SEED:-20261128}

train() {  # name, then train.py options
  local name=$1
  shift
  local start=$SECONDS
  /usr/bin/python3 tools/train/train.py --seed "$seed" --out "$work/$name" "$@" 2>&1 | grep -v -i warning
  echo "$name: trained in $((SECONDS - start)) s"
}

bundle() {  # name: converts the trained model into models/
  local name=$1
  build/xnor convert "$work/$name.onnx" "$out/$name.xnm"
  # PyTorch's test-set predictions, for the runtime-agreement test.
  /usr/bin/python3 -c "import json,sys; print(''.join(map(str, json.load(open(sys.argv[1]))['torch_argmax'])))" \
    "$work/$name.json" >"$out/$name.torch-argmax"
}

for step in "${@:-float binary int8}"; do
  for s in $step; do
    case "$s" in
      float)
        train fashion-inception-float --precision float --minutes "${FLOAT_MINUTES:-60}"
        bundle fashion-inception-float
        ;;
      binary | binary-wide)
        name=fashion-inception-$s
        width=$([ "$s" = binary ] && echo 1 || echo 2)
        minutes=$([ "$s" = binary ] && echo "${BINARY_MINUTES:-125}" || echo "${WIDE_MINUTES:-125}")
        # Both distil from the float model (train.py --teacher), which the float step leaves in $work.
        teacher="$work/fashion-inception-float.pt"
        if [ ! -f "$teacher" ]; then
          echo "make-models.sh: $s distils from $teacher: run 'tools/make-models.sh float' first" >&2
          exit 2
        fi
        train "$name" --precision binary --width "$width" --minutes "$minutes" --teacher "$teacher"
        bundle "$name"
        ;;
      int8)
        start=$SECONDS
        build/xnor convert "$out/fashion-inception-float.xnm" "$out/fashion-inception-int8.xnm" --int8 \
          --calibration fashion-mnist --calibration-count 1000 --calibration-method percentile
        echo "int8: $((SECONDS - start)) s"
        ;;
      *) echo "make-models.sh: unknown model '$s' (float|binary|int8|binary-wide)" >&2; exit 2 ;;
    esac
  done
done
