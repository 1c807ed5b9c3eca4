#!/usr/bin/python3
"""Exports a trained checkpoint (train.py's OUT.pt) to ONNX, with what the converter needs in the metadata:
labels, input normalization.

  /usr/bin/python3 tools/train/export.py models/fashion-inception-binary.pt OUT.onnx
"""
import argparse
import os
import sys

import onnx
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data  # noqa: E402
from network import InceptionNet  # noqa: E402


def load_checkpoint(path):
    checkpoint = torch.load(path)
    labels = checkpoint.get("labels", data.FASHION_MNIST_LABELS)
    model = InceptionNet(binary=checkpoint["precision"] == "binary", width=checkpoint["width"], classes=len(labels))
    model.load_state_dict(checkpoint["state"])
    model.eval()
    return model, labels


def export(model, labels, path):
    model.eval()
    for conv in model.binary_convs():
        conv.export_()
    torch.onnx.export(model, torch.zeros(1, 1, 28, 28), path, opset_version=13, input_names=["image"],
                      output_names=["logits"], do_constant_folding=True)
    proto = onnx.load(path)
    for key, value in {"xnor.labels": "\n".join(labels), "xnor.mean": str(data.FASHION_MNIST_MEAN),
                       "xnor.std": str(data.FASHION_MNIST_STD), "xnor.value_max": "1"}.items():
        entry = proto.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.save(proto, path)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("checkpoint")
    parser.add_argument("onnx")
    args = parser.parse_args()
    model, labels = load_checkpoint(args.checkpoint)
    export(model, labels, args.onnx)
    print(f"wrote {args.onnx}")
