#!/usr/bin/python3
"""The networks PyTorch users start from, exported to ONNX and checked against xnor.

  /usr/bin/python3 tools/real-networks.py make OUT_DIR [--size 224] [--images 2]
      torchvision's googlenet (aux_logits=False), resnet18 and mobilenet_v2 with seeded random weights
      (weights=None: nothing is downloaded), exported at opsets 11 and 13 with ImageNet's normalization in the
      metadata; random 224x224 photos-to-be (PNG, also the int8 calibration set), their preprocessed tensors
      (HWC .npy) and PyTorch's logits for each network. Needs python3-torch and python3-torchvision.

  /usr/bin/python3 tools/real-networks.py check OUT_DIR NAME --xnor BUILD/xnor
      converts OUT_DIR/NAME.onnx (float, and for opset 13 also --int8 calibrated on the PNGs), runs every input,
      and compares with PyTorch: float logits within 1e-4 of the logits' scale and the same argmax; int8 logits'
      cosine with float's >= 0.99. Also runs `xnor info` and `xnor bench --model`. Needs numpy only.
"""
import argparse
import json
import os
import subprocess
import sys

import numpy as np

MEAN = [0.485, 0.456, 0.406]
STD = [0.229, 0.224, 0.225]
NETWORKS = ["googlenet", "resnet18", "mobilenet_v2"]
OPSETS = [11, 13]


def build(name):
    """The architecture with random weights whose activations neither vanish nor explode (torchvision's
    GoogLeNet initialization shrinks them to nothing: its logits would be the classifier's bias for any
    input), and batch norms with statistics and affine parameters far from the identity, so that folding
    them is tested."""
    import torch
    import torchvision
    if name == "googlenet":
        model = torchvision.models.googlenet(weights=None, aux_logits=False, init_weights=True)
    else:
        model = getattr(torchvision.models, name)(weights=None)
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, torch.nn.Conv2d):
                torch.nn.init.kaiming_normal_(module.weight, mode="fan_in", nonlinearity="relu")
            elif isinstance(module, torch.nn.BatchNorm2d):
                module.weight.uniform_(0.5, 1.5)
                module.bias.normal_(0.0, 0.2)
                module.running_mean.normal_(0.0, 0.2)
                module.running_var.uniform_(0.5, 1.5)
    return model


def make(args):
    import onnx
    import torch
    from PIL import Image

    os.makedirs(os.path.join(args.out, "images", "random"), exist_ok=True)
    rng = np.random.default_rng(20261203)
    inputs = []
    for i in range(args.images):
        # Smooth random colour fields (a photo's statistics more than white noise's).
        coarse = rng.random((8, 8, 3))
        pixels = np.kron(coarse, np.ones((args.size // 8, args.size // 8, 1)))
        pixels = np.clip(pixels + 0.1 * rng.standard_normal(pixels.shape), 0, 1)
        image = np.round(pixels * 255).astype(np.uint8)
        Image.fromarray(image).save(os.path.join(args.out, "images", "random", f"{i}.png"))
        tensor = ((image.astype(np.float32) / 255 - np.float32(MEAN)) / np.float32(STD)).astype(np.float32)
        np.save(os.path.join(args.out, f"input{i}.npy"), tensor)
        inputs.append(torch.from_numpy(tensor.transpose(2, 0, 1).copy()).unsqueeze(0))
    for name in NETWORKS:
        torch.manual_seed(20261203)
        model = build(name).eval()
        with torch.no_grad():
            for i, x in enumerate(inputs):
                np.save(os.path.join(args.out, f"{name}-logits{i}.npy"), model(x).numpy()[0])
        for opset in OPSETS:
            path = os.path.join(args.out, f"{name}-opset{opset}.onnx")
            torch.onnx.export(model, torch.zeros(1, 3, args.size, args.size), path, opset_version=opset,
                              input_names=["image"], output_names=["logits"])
            proto = onnx.load(path)
            for key, value in {"xnor.mean": ",".join(map(str, MEAN)), "xnor.std": ",".join(map(str, STD)),
                               "xnor.value_max": "1"}.items():
                entry = proto.metadata_props.add()
                entry.key, entry.value = key, value
            onnx.save(proto, path)
    print(f"real-networks: {len(NETWORKS)} networks x opsets {OPSETS}, {args.images} inputs in {args.out}")


def run(xnor, *arguments):
    result = subprocess.run([xnor, *arguments], capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"FAIL: xnor {' '.join(arguments)}: {result.stderr.strip()}")
    return result.stdout


def logits(xnor, model, out, i):
    output = os.path.join(out, f"{os.path.basename(model)}-out{i}.npy")
    run(xnor, "run", model, "--input", os.path.join(out, f"input{i}.npy"), "--output", output)
    return np.load(output).reshape(-1)


def check(args):
    network = args.name.split("-opset")[0]
    onnx_path = os.path.join(args.out, f"{args.name}.onnx")
    float_model = os.path.join(args.out, f"{args.name}.xnm")
    print(run(args.xnor, "convert", onnx_path, float_model).strip())
    images = len([f for f in os.listdir(args.out) if f.startswith("input") and f.endswith(".npy")])
    int8_model = None
    if args.name.endswith("opset13"):
        int8_model = os.path.join(args.out, f"{args.name}-int8.xnm")
        print(run(args.xnor, "convert", onnx_path, int8_model, "--int8", "--calibration",
                  os.path.join(args.out, "images"), "--calibration-count", str(images)).strip())
    failures = []
    for i in range(images):
        expected = np.load(os.path.join(args.out, f"{network}-logits{i}.npy")).reshape(-1)
        actual = logits(args.xnor, float_model, args.out, i)
        scale = float(np.abs(expected).max())
        error = float(np.abs(actual - expected).max())
        line = f"input {i}: float max |xnor - torch| = {error:.3g} (logit scale {scale:.3g}), argmax {actual.argmax()} vs {expected.argmax()}"
        if error > 1e-4 * scale or actual.argmax() != expected.argmax():
            failures.append(line)
        if int8_model:
            quantized = logits(args.xnor, int8_model, args.out, i)
            norms = np.linalg.norm(quantized) * np.linalg.norm(actual)
            cosine = float(quantized @ actual / norms) if norms > 0 else 0.0
            line += f"; int8 cosine with float {cosine:.4f}"
            if cosine < 0.99:
                failures.append(line)
        print(line)
    info = json.loads(run(args.xnor, "info", float_model, "--json"))
    print(f"info: {len(info['layers'])} layers, {info['macs'] / 1e6:.1f} MMACs, {info['file_bytes']} bytes")
    bench = json.loads(run(args.xnor, "bench", "--model", float_model, "--runs", "1", "--json"))
    print(f"bench: {bench['median_ms']:.2f} ms on the {bench['cpu_path']} path")
    if failures:
        sys.exit("FAIL:\n" + "\n".join(failures))
    print(f"PASS {args.name}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    m = commands.add_parser("make", help="export the networks and PyTorch's outputs")
    m.add_argument("out")
    m.add_argument("--size", type=int, default=224)
    m.add_argument("--images", type=int, default=2)
    c = commands.add_parser("check", help="convert one export and compare xnor with PyTorch")
    c.add_argument("out")
    c.add_argument("name", help="e.g. resnet18-opset13")
    c.add_argument("--xnor", required=True)
    args = parser.parse_args()
    make(args) if args.command == "make" else check(args)


if __name__ == "__main__":
    main()
