#!/usr/bin/env bash
# Reproduces the bundled models in models/: trains (tools/train/train.py, PyTorch on the GPU where torch sees
# one, else the CPU), exports ONNX, converts with build/xnor, and quantizes the float model to int8 by
# calibration on 1000 training images. Each step prints how long it took; training times are budgets, so a
# run takes them.
#   tools/make-models.sh [float|binary|int8|binary-wide]...   (default: float binary int8, in that order)
# binary-wide (not bundled) is the binary network at twice the width. A binary model is trained in two stages
# (real weights, then binary ones) without a teacher, then fine-tuned in rounds at lower rates, distilling from
# the float model. Budgets (minutes): FLOAT_MINUTES, BINARY_MINUTES (the first run of both binary models),
# FINETUNE (the rounds, "RATE:MINUTES ..."); SEED sets the seed. The defaults suit a 2-core CPU (about 1.9
# minutes a binary epoch); README.md says what the bundled models took, and where.
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
        # The fine-tuning distils from the float model (train.py --teacher), which the float step leaves in $work.
        teacher="$work/fashion-inception-float.pt"
        if [ ! -f "$teacher" ]; then
          echo "make-models.sh: $s distils from $teacher: run 'tools/make-models.sh float' first" >&2
          exit 2
        fi
        train "$name" --precision binary --width "$width" --two-stage 0.5 --minutes "${BINARY_MINUTES:-80}"
        for round in ${FINETUNE:-5e-4:20}; do  # each round starts from the last one's checkpoint
          train "$name" --precision binary --width "$width" --init "$work/$name.pt" --teacher "$teacher" \
            --lr "${round%%:*}" --minutes "${round##*:}"
        done
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
