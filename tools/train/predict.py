#!/usr/bin/python3
"""PyTorch's top label for image files, from a train.py checkpoint: what `xnor classify` should print for
the converted model. Images are read as xnor reads them (data.load_image).

  /usr/bin/python3 tools/train/predict.py CHECKPOINT.pt IMAGE|DIR... [--json]

A DIR stands for the image files directly in it, sorted by name (as for `xnor classify`).
"""
import argparse
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data  # noqa: E402
from export import load_checkpoint  # noqa: E402


def image_files(paths):
    files = []
    for path in paths:
        if os.path.isdir(path):
            files += sorted(os.path.join(path, f) for f in os.listdir(path) if f.lower().endswith(data.IMAGE_EXTENSIONS))
        else:
            files.append(path)
    return files


@torch.no_grad()
def predict(checkpoint, paths):
    """[{"file", "label", "probability"}] for each image file."""
    model, labels, preprocessing = load_checkpoint(checkpoint)
    results = []
    for path in image_files(paths):
        image = data.load_image(path, preprocessing["size"], preprocessing["channels"]).unsqueeze(0)
        probabilities = torch.softmax(model(data.normalize(image, preprocessing)), 1)[0]
        top = int(probabilities.argmax())
        results.append({"file": path, "label": labels[top], "probability": float(probabilities[top])})
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("checkpoint")
    parser.add_argument("images", nargs="+")
    parser.add_argument("--json", action="store_true", help="print a JSON array")
    args = parser.parse_args()
    results = predict(args.checkpoint, args.images)
    if args.json:
        print(json.dumps(results))
    else:
        for r in results:
            print(f"{r['file']}: {r['label']} ({r['probability']:.3f})")


if __name__ == "__main__":
    main()
