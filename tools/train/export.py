#!/usr/bin/python3
"""Exports a trained checkpoint (train.py's OUT.pt) to ONNX, with what the converter needs in the metadata:
labels, input normalization.

  /usr/bin/python3 tools/train/export.py models/fashion-inception-binary.pt OUT.onnx
"""
import argparse
import os
import sys
import tempfile

import numpy as np
import onnx
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data  # noqa: E402
from network import InceptionNet  # noqa: E402


def load_checkpoint(path):
    """(model in eval mode, labels, preprocessing) of a train.py checkpoint."""
    checkpoint = torch.load(path)
    labels = checkpoint.get("labels", data.FASHION_MNIST_LABELS)
    preprocessing = checkpoint.get("preprocessing", data.fashion_mnist_preprocessing())
    model = InceptionNet(binary=checkpoint["precision"] == "binary", width=checkpoint["width"], classes=len(labels),
                         channels=preprocessing["channels"], size=preprocessing["size"],
                         variant=checkpoint.get("variant", "xnor"))
    model.load_state_dict(checkpoint["state"])
    model.eval()
    return model, labels, preprocessing


def export(model, labels, preprocessing, path):
    """Writes the ONNX file; its metadata says how to turn an image into the input (values in [0, 1], then
    (v - mean) / std per channel) and names the classes."""
    model.eval()
    for conv in model.binary_convs():
        conv.export_()
    size, channels = preprocessing["size"], preprocessing["channels"]
    torch.onnx.export(model, torch.zeros(1, channels, size, size), path, opset_version=13, input_names=["image"],
                      output_names=["logits"], do_constant_folding=True)
    proto = onnx.load(path)
    numbers = lambda values: ",".join(repr(float(v)) for v in values)  # noqa: E731
    for key, value in {"xnor.labels": "\n".join(labels), "xnor.mean": numbers(preprocessing["mean"]),
                       "xnor.std": numbers(preprocessing["std"]), "xnor.value_max": "1"}.items():
        entry = proto.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.save(proto, path)


@torch.no_grad()
def check_with_xnor(model, onnx_path, images, preprocessing, count=256):
    """Converts the exported ONNX file with the xnor Python module (build/python on PYTHONPATH) and runs the
    first `count` of `images` (uint8 N x C x H x W, at the input size) through PyTorch and xnor: prints their top-1 agreement and the
    largest logit difference, and returns them (None where the check could not run). Never raises, so a
    training run that got this far still writes its results."""
    try:
        import xnor
    except ImportError:
        print("xnor check skipped: the xnor Python module is not importable (PYTHONPATH=build/python)")
        return None
    images = images[:count]
    model.eval()
    torch_logits = model(data.normalize(images, preprocessing)).numpy()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            converted = xnor.convert(onnx_path, os.path.join(tmp, "check.xnm"))
        session = converted.session()
        # xnor preprocesses with the normalization the ONNX metadata carries, as it will for users.
        xnor_logits = np.stack([session.run(xnor.preprocess(image.transpose(1, 2, 0), converted))
                                for image in images.numpy()])
    except xnor.Error as error:
        print(f"xnor check failed: {error}")
        return None
    agreement = float(np.mean(torch_logits.argmax(1) == xnor_logits.argmax(1)))
    difference = float(np.max(np.abs(torch_logits - xnor_logits)))
    print(f"xnor check ({xnor.active_path()}): top-1 agrees with PyTorch on {agreement:.2%} of {len(images)} test "
          f"images, max |logit difference| {difference:.3g}")
    return agreement, difference


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("checkpoint")
    parser.add_argument("onnx")
    args = parser.parse_args()
    model, labels, preprocessing = load_checkpoint(args.checkpoint)
    export(model, labels, preprocessing, args.onnx)
    print(f"wrote {args.onnx}")
    if preprocessing == data.fashion_mnist_preprocessing() and os.path.isdir(data.FASHION_MNIST_DIR):
        check_with_xnor(model, args.onnx, data.fashion_mnist("test")[0], preprocessing)
