#!/usr/bin/python3
"""The networks PyTorch users start from, exported to ONNX and checked against xnor.

  /usr/bin/python3 tools/real-networks.py make OUT_DIR [--images 2]
      torchvision's googlenet (aux_logits=False), resnet18, mobilenet_v2 and mobilenet_v3_small (hard swish,
      squeeze-and-excitation) with seeded random weights
      (weights=None: nothing is downloaded), tools/train's Bi-Real-style binary ResNet (BiRealNet: binary
      3x3 convolutions inside real-valued shortcuts, ReActNet's RSign and RPReLU), its residual binary
      Inception network (28x28x1) and its binary Inception network for 96x96 RGB photos (Inception v1's
      stem), exported at opsets 11 and
      13 with their input normalization in the metadata; random images (PNG: the int8 calibration set), their
      preprocessed tensors (HWC .npy) and PyTorch's logits for each network. Needs python3-torch and
      python3-torchvision.

  /usr/bin/python3 tools/real-networks.py check OUT_DIR NAME --xnor BUILD/xnor
      converts OUT_DIR/NAME.onnx (float, and for a float network at opset 13 also --int8 calibrated on the
      PNGs), runs every input, and compares with PyTorch: logits within 1e-4 of their scale and the same
      argmax; int8 logits' cosine with float's >= 0.99. Also runs `xnor info` and `xnor bench --model`.
      Needs numpy only.
"""
import argparse
import json
import os
import subprocess
import sys

import numpy as np

# name: (input size, channels, mean, std, int8): int8 "check" (cosine with float >= 0.99), "report" (printed only:
# MobileNet v3's random-weight int8 twin calibrated on two images swings between 0.92 and 0.99 with float
# differences of ~1e-5 in calibration), or "no" (a binary network).
IMAGENET = ([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])
NETWORKS = {
    "googlenet": (224, 3, *IMAGENET, "check"),
    "resnet18": (224, 3, *IMAGENET, "check"),
    "mobilenet_v2": (224, 3, *IMAGENET, "check"),
    "mobilenet_v3_small": (224, 3, *IMAGENET, "report"),
    "bireal": (28, 1, [0.5], [0.25], "no"),
    "residual_inception": (28, 1, [0.5], [0.25], "no"),
    "photo_inception": (96, 3, *IMAGENET, "no"),
}
OPSETS = [11, 13]
SEED = 20261203


def randomize(model):
    """Random weights whose activations neither vanish nor explode (torchvision's GoogLeNet initialization
    shrinks them to nothing: its logits would be the classifier's bias for any input), and batch norms,
    thresholds and shifts far from the identity, so that folding them is tested."""
    import torch
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, torch.nn.Conv2d):
                torch.nn.init.kaiming_normal_(module.weight, mode="fan_in", nonlinearity="relu")
            elif isinstance(module, torch.nn.BatchNorm2d):
                module.weight.uniform_(0.5, 1.5)
                module.bias.normal_(0.0, 0.2)
                module.running_mean.normal_(0.0, 0.2)
                module.running_var.uniform_(0.5, 1.5)
            elif isinstance(module, torch.nn.PReLU):
                module.weight.uniform_(0.05, 0.5)
        for name, parameter in model.named_parameters():
            if name.endswith(("threshold", "shift_in", "shift_out")):
                parameter.normal_(0.0, 0.3)
    return model


def build(name):
    import torch
    import torchvision
    torch.manual_seed(SEED)
    if name == "bireal":
        sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "train"))
        from network import BiRealNet
        model = randomize(BiRealNet()).eval()
        for conv in model.binary_convs():
            conv.export_()
        return model
    if name in ("residual_inception", "photo_inception"):
        sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "train"))
        from network import InceptionNet
        model = (InceptionNet(binary=True, variant="residual") if name == "residual_inception" else
                 InceptionNet(binary=True, channels=3, size=96))
        model = randomize(model).eval()
        for conv in model.binary_convs():
            conv.export_()
        return model
    if name == "googlenet":
        return randomize(torchvision.models.googlenet(weights=None, aux_logits=False, init_weights=True)).eval()
    return randomize(getattr(torchvision.models, name)(weights=None)).eval()


def images(out, size, channels, count):
    """Smooth random images (a photo's statistics more than white noise's) as PNG files in
    OUT/images-SIZExC/random/ (a calibration folder) and as uint8 arrays."""
    from PIL import Image
    folder = os.path.join(out, f"images-{size}x{channels}", "random")
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(SEED)
    arrays = []
    for i in range(count):
        coarse = rng.random((8, 8, channels))
        pixels = np.kron(coarse, np.ones((-(-size // 8), -(-size // 8), 1)))[:size, :size]
        pixels = np.clip(pixels + 0.1 * rng.standard_normal(pixels.shape), 0, 1)
        image = np.round(pixels * 255).astype(np.uint8)
        Image.fromarray(image[:, :, 0] if channels == 1 else image).save(os.path.join(folder, f"{i}.png"))
        arrays.append(image)
    return arrays


def make(args):
    import onnx
    import torch

    for name, (size, channels, mean, std, _) in NETWORKS.items():
        model = build(name)
        with torch.no_grad():
            for i, image in enumerate(images(args.out, size, channels, args.images)):
                tensor = ((image.astype(np.float32) / 255 - np.float32(mean)) / np.float32(std)).astype(np.float32)
                np.save(os.path.join(args.out, f"{name}-input{i}.npy"), tensor)
                x = torch.from_numpy(tensor.transpose(2, 0, 1).copy()).unsqueeze(0)
                np.save(os.path.join(args.out, f"{name}-logits{i}.npy"), model(x).numpy()[0])
        for opset in OPSETS:
            path = os.path.join(args.out, f"{name}-opset{opset}.onnx")
            torch.onnx.export(model, torch.zeros(1, channels, size, size), path, opset_version=opset,
                              input_names=["image"], output_names=["logits"])
            proto = onnx.load(path)
            metadata = {"xnor.mean": ",".join(map(str, mean)), "xnor.std": ",".join(map(str, std)),
                        "xnor.value_max": "1"}
            for key, value in metadata.items():
                entry = proto.metadata_props.add()
                entry.key, entry.value = key, value
            onnx.save(proto, path)
    print(f"real-networks: {', '.join(NETWORKS)} x opsets {OPSETS}, {args.images} inputs each, in {args.out}")


def run(xnor, *arguments):
    result = subprocess.run([xnor, *arguments], capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"FAIL: xnor {' '.join(arguments)}: {result.stderr.strip()}")
    return result.stdout


def logits(xnor, model, out, network, i):
    output = os.path.join(out, f"{os.path.basename(model)}-out{i}.npy")
    run(xnor, "run", model, "--input", os.path.join(out, f"{network}-input{i}.npy"), "--output", output)
    return np.load(output).reshape(-1)


def check(args):
    network = args.name.split("-opset")[0]
    size, channels, _, _, int8 = NETWORKS[network]
    onnx_path = os.path.join(args.out, f"{args.name}.onnx")
    float_model = os.path.join(args.out, f"{args.name}.xnm")
    print(run(args.xnor, "convert", onnx_path, float_model).strip())
    images = len([f for f in os.listdir(args.out) if f.startswith(f"{network}-input")])
    int8_model = None
    if args.name.endswith("opset13") and int8 != "no":
        int8_model = os.path.join(args.out, f"{args.name}-int8.xnm")
        print(run(args.xnor, "convert", onnx_path, int8_model, "--int8", "--calibration",
                  os.path.join(args.out, f"images-{size}x{channels}"), "--calibration-count", str(images)).strip())
    failures = []
    for i in range(images):
        expected = np.load(os.path.join(args.out, f"{network}-logits{i}.npy")).reshape(-1)
        actual = logits(args.xnor, float_model, args.out, network, i)
        scale = float(np.abs(expected).max())
        error = float(np.abs(actual - expected).max())
        line = f"input {i}: float max |xnor - torch| = {error:.3g} (logit scale {scale:.3g}), argmax {actual.argmax()} vs {expected.argmax()}"
        if error > 1e-4 * scale or actual.argmax() != expected.argmax():
            failures.append(line)
        if int8_model:
            quantized = logits(args.xnor, int8_model, args.out, network, i)
            norms = np.linalg.norm(quantized) * np.linalg.norm(actual)
            cosine = float(quantized @ actual / norms) if norms > 0 else 0.0
            line += f"; int8 cosine with float {cosine:.4f}" + (" (reported, not checked)" if int8 == "report" else "")
            if cosine < 0.99 and int8 == "check":
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
    m.add_argument("--images", type=int, default=2)
    c = commands.add_parser("check", help="convert one export and compare xnor with PyTorch")
    c.add_argument("out")
    c.add_argument("name", help="e.g. resnet18-opset13")
    c.add_argument("--xnor", required=True)
    args = parser.parse_args()
    make(args) if args.command == "make" else check(args)


if __name__ == "__main__":
    main()
