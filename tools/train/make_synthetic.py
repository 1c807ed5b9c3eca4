#!/usr/bin/python3
"""Writes a small synthetic photo data set for testing the photo training path end to end: colour JPEGs of
four classes (checks, dots, shape, stripes) drawn with PIL in random colours, sizes, positions and rotations
on noisy, textured backgrounds, the pictures themselves of random size and aspect. "shape" is one large
circle, square or triangle; the others are patterns over the whole picture.

  /usr/bin/python3 tools/train/make_synthetic.py OUT [--per-class 60] [--test-per-class 20] [--seed 7]

makes OUT/train/<class>/<n>.jpg and OUT/test/<class>/<n>.jpg.
"""
import argparse
import math
import os
import random

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

CLASSES = ["checks", "dots", "shape", "stripes"]


def colour(rng, away_from=None):
    """A random RGB colour; with away_from, one at least 150 apart from it (sum of channel differences)."""
    while True:
        c = tuple(rng.randrange(256) for _ in range(3))
        if away_from is None or sum(abs(a - b) for a, b in zip(c, away_from)) >= 150:
            return c


def background(rng, width, height):
    """A flat colour with a soft random texture and per-pixel noise."""
    base = np.array(colour(rng), dtype=np.float32)
    coarse = np.random.default_rng(rng.randrange(2 ** 32)).normal(0, 25, (height // 8 + 2, width // 8 + 2, 3))
    texture = np.asarray(Image.fromarray(np.clip(coarse + 128, 0, 255).astype(np.uint8)).resize(
        (width, height), Image.BILINEAR), dtype=np.float32) - 128
    noise = np.random.default_rng(rng.randrange(2 ** 32)).normal(0, 8, (height, width, 3))
    return Image.fromarray(np.clip(base + texture + noise, 0, 255).astype(np.uint8)), tuple(int(v) for v in base)


def polygon(cx, cy, radius, corners, angle):
    return [(cx + radius * math.cos(angle + 2 * math.pi * k / corners),
             cy + radius * math.sin(angle + 2 * math.pi * k / corners)) for k in range(corners)]


def draw(rng, name):
    width, height = rng.randrange(64, 161), rng.randrange(64, 161)
    image, base = background(rng, width, height)
    pen = ImageDraw.Draw(image)
    ink = colour(rng, away_from=base)
    side = min(width, height)
    radius = rng.uniform(0.2, 0.4) * side
    cx = rng.uniform(radius, width - radius)
    cy = rng.uniform(radius, height - radius)
    angle = rng.uniform(0, 2 * math.pi)
    if name == "shape":
        kind = rng.choice(["circle", "square", "triangle"])
        if kind == "circle":
            pen.ellipse([cx - radius, cy - radius, cx + radius, cy + radius], fill=ink)
        else:
            pen.polygon(polygon(cx, cy, radius * (1.2 if kind == "square" else 1.3), 4 if kind == "square" else 3,
                                angle), fill=ink)
    elif name == "dots":
        dot = rng.uniform(0.03, 0.07) * side
        for _ in range(rng.randrange(12, 30)):
            x, y = rng.uniform(0, width), rng.uniform(0, height)
            pen.ellipse([x - dot, y - dot, x + dot, y + dot], fill=ink)
    elif name == "checks":  # a checkerboard at a random angle and cell size
        cell = rng.uniform(0.12, 0.25) * side
        dx, dy = math.cos(angle), math.sin(angle)
        reach = int((width + height) / cell) + 1
        for i in range(-reach, reach + 1):
            for j in range(-reach, reach + 1):
                if (i + j) % 2:
                    continue
                corners = [(i + a, j + b) for a, b in ((0, 0), (1, 0), (1, 1), (0, 1))]
                pen.polygon([(width / 2 + cell * (u * dx - v * dy), height / 2 + cell * (u * dy + v * dx))
                             for u, v in corners], fill=ink)
    else:  # stripes across the whole picture, at a random angle and spacing
        spacing = rng.uniform(0.12, 0.25) * side
        dx, dy = math.cos(angle), math.sin(angle)
        reach = width + height
        for k in range(-int(reach / spacing), int(reach / spacing) + 1):
            ox, oy = width / 2 - dy * k * spacing, height / 2 + dx * k * spacing
            pen.line([(ox - dx * reach, oy - dy * reach), (ox + dx * reach, oy + dy * reach)], fill=ink,
                     width=max(2, int(spacing / 3)))
    return image.filter(ImageFilter.GaussianBlur(rng.uniform(0, 1.0)))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out")
    parser.add_argument("--per-class", type=int, default=60, help="training images per class")
    parser.add_argument("--test-per-class", type=int, default=20, help="test images per class")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    for split, count in (("train", args.per_class), ("test", args.test_per_class)):
        for name in CLASSES:
            folder = os.path.join(args.out, split, name)
            os.makedirs(folder, exist_ok=True)
            for n in range(count):
                draw(rng, name).save(os.path.join(folder, f"{n:03d}.jpg"), quality=rng.randrange(70, 96))
    total = (args.per_class + args.test_per_class) * len(CLASSES)
    print(f"wrote {total} images of {len(CLASSES)} classes to {args.out}/train and {args.out}/test")


if __name__ == "__main__":
    main()
