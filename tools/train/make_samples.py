#!/usr/bin/python3
"""Writes models/samples/<class>-<label>.png (the first Fashion-MNIST test image of each class, 28x28 gray,
as stored) and models/fashion-mnist.labels (one label per line)."""
import os
import sys

from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data  # noqa: E402

models = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "models")
images, labels, names = data.fashion_mnist("test")
os.makedirs(os.path.join(models, "samples"), exist_ok=True)
for k, name in enumerate(names):
    first = int((labels == k).nonzero()[0][0])
    slug = name.lower().replace("/", "-").replace(" ", "-")
    Image.fromarray(images[first, 0].numpy()).save(os.path.join(models, "samples", f"{k}-{slug}.png"))
with open(os.path.join(models, "fashion-mnist.labels"), "w") as f:
    f.write("\n".join(names) + "\n")
