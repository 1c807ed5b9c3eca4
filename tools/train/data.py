"""Training data: Fashion-MNIST from the Debian package dataset-fashion-mnist, or an image folder with one
sub-folder per class (photos: colour or gray, any size). Images are held in memory as uint8 (N, C, H, W)
tensors, already at the network's input size; nothing is downloaded.

An image folder is read the way `xnor classify` reads a photo (include/xnor/image.hpp, preprocess()): turned
upright by its EXIF orientation, transparency flattened onto white, converted to gray (ITU-R BT.601 luma) or
RGB, and the whole picture resized to size x size, each axis by area averaging when it shrinks and bilinear
interpolation when it grows.
"""
import gzip
import math
import os

import numpy as np
import torch
import torch.nn.functional as F

FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist"
FASHION_MNIST_LABELS = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                        "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
# Mean and standard deviation of the Fashion-MNIST training pixels scaled to [0, 1].
FASHION_MNIST_MEAN, FASHION_MNIST_STD = 0.2860, 0.3530
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".pgm", ".ppm")


def fashion_mnist_preprocessing():
    return {"size": 28, "channels": 1, "mean": [FASHION_MNIST_MEAN], "std": [FASHION_MNIST_STD]}


def _read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def fashion_mnist(split):
    """(images uint8 N x 1 x 28 x 28, labels int64 N, label names) of split 'train' or 'test'."""
    prefix = "train" if split == "train" else "t10k"
    if not os.path.isdir(FASHION_MNIST_DIR):
        raise SystemExit(f"{FASHION_MNIST_DIR} is missing: install it with tools/setup.sh train")
    images = _read_idx(os.path.join(FASHION_MNIST_DIR, f"{prefix}-images-idx3-ubyte.gz"))
    labels = _read_idx(os.path.join(FASHION_MNIST_DIR, f"{prefix}-labels-idx1-ubyte.gz"))
    return (torch.from_numpy(images.copy()).unsqueeze(1), torch.from_numpy(labels.astype(np.int64)),
            FASHION_MNIST_LABELS)


def resample_matrix(size_in, size_out):
    """(size_out, size_in) weights resizing one axis as xnor does (src/image/resample.cpp): area averaging
    when the axis shrinks (each input pixel weighs by how much of it the output pixel covers; PIL's BOX
    filter weighs whole pixels instead), bilinear with pixel centres aligned and edges clamped when it grows."""
    weights = np.zeros((size_out, size_in))
    if size_in > size_out:
        for j in range(size_out):
            begin, end = j * size_in, (j + 1) * size_in
            for i in range(begin // size_out, size_in):
                if i * size_out >= end:
                    break
                weights[j, i] = (min(end, (i + 1) * size_out) - max(begin, i * size_out)) / size_in
        return weights
    for j in range(size_out):
        x = min(max((j + 0.5) * size_in / size_out - 0.5, 0.0), size_in - 1)
        left = math.floor(x)
        weights[j, left] += 1 - (x - left)
        if x > left:
            weights[j, left + 1] += x - left
    return weights


def load_image(path, size, channels):
    """One image file as xnor's preprocess() sees it: float (channels, size, size) values in [0, 255]."""
    from PIL import Image, ImageOps  # python3-pil, only needed for image folders
    with Image.open(path) as opened:
        # A large JPEG decodes at 1/2, 1/4 or 1/8 scale where that still covers the input, as in xnor.
        opened.draft(opened.mode, (size, size))
        image = ImageOps.exif_transpose(opened)
        if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
            rgba = image.convert("RGBA")
            white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
            image = Image.alpha_composite(white, rgba)
        pixels = np.asarray(image.convert("RGB"), dtype=np.float64)
    if channels == 1:
        pixels = pixels @ np.array([0.299, 0.587, 0.114])[:, None]
    rows = np.tensordot(resample_matrix(pixels.shape[0], size), pixels, axes=(1, 0))  # (size, w, c)
    resized = np.tensordot(resample_matrix(pixels.shape[1], size), rows, axes=(1, 1))  # (size x, size y, c)
    resized = resized.transpose(2, 1, 0)
    return torch.from_numpy(resized)


def folder_files(root):
    """[(path, class index)] of root/<class>/<image>, and the class names, both sorted by name."""
    if not os.path.isdir(root):
        raise SystemExit(f"{root}: not a folder")
    classes = sorted(d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d)))
    if not classes:
        raise SystemExit(f"{root}: no class sub-folders (expected {root}/<class>/<image>)")
    files = [(os.path.join(root, name, file), index) for index, name in enumerate(classes)
             for file in sorted(os.listdir(os.path.join(root, name))) if file.lower().endswith(IMAGE_EXTENSIONS)]
    return files, classes


def image_folder(root, size=28, channels=1):
    """An image folder (root/<class>/<image>) as (images uint8 N x channels x size x size, labels, class
    names in sorted order); files that do not decode are reported and skipped."""
    files, classes = folder_files(root)
    images, labels = [], []
    for path, index in files:
        try:
            # Held as uint8 to keep photo sets in memory: half a level from what xnor computes at most.
            images.append(load_image(path, size, channels).round().clamp(0, 255).to(torch.uint8))
        except (OSError, ValueError) as error:
            print(f"skipping {path}: {error}")
            continue
        labels.append(index)
    if not images:
        raise SystemExit(f"{root}: no readable images")
    return torch.stack(images), torch.tensor(labels, dtype=torch.int64), classes


def holdout_split(images, labels, fraction, generator):
    """(train, held-out) parts: `fraction` of each class, chosen at random, is held out."""
    held = torch.zeros(len(labels), dtype=torch.bool)
    for k in labels.unique():
        members = (labels == k).nonzero().flatten()
        members = members[torch.randperm(len(members), generator=generator)]
        held[members[:max(1, round(fraction * len(members)))]] = True
    return (images[~held], labels[~held]), (images[held], labels[held])


def channel_statistics(images):
    """Per-channel mean and standard deviation of uint8 (N, C, H, W) images scaled to [0, 1]."""
    values = images.float().div(255.0).transpose(0, 1).reshape(images.shape[1], -1)
    return values.mean(1).tolist(), values.std(1).clamp(min=1e-3).tolist()


def normalize(images, preprocessing):
    """(N, C, H, W) images with values in [0, 255] (uint8 or float) to the network's input."""
    x = images.float() / 255.0
    mean = torch.tensor(preprocessing["mean"]).view(1, -1, 1, 1)
    std = torch.tensor(preprocessing["std"]).view(1, -1, 1, 1)
    return (x - mean) / std


def augment(batch, generator):
    """Fashion-MNIST: random 2-pixel shifts (zero padding) and horizontal flips of a uint8 (N, C, H, W) batch."""
    n, c, h, w = batch.shape
    padded = F.pad(batch, (2, 2, 2, 2))
    dy = torch.randint(0, 5, (n,), generator=generator)
    dx = torch.randint(0, 5, (n,), generator=generator)
    rows = (dy[:, None] + torch.arange(h)[None, :])[:, None, :, None].expand(n, c, h, w)
    cols = (dx[:, None] + torch.arange(w)[None, :])[:, None, None, :].expand(n, c, h, w)
    shifted = padded[torch.arange(n)[:, None, None, None], torch.arange(c)[None, :, None, None], rows, cols]
    flip = torch.rand(n, generator=generator) < 0.5
    shifted[flip] = shifted[flip].flip(-1)
    return shifted


def augment_photos(batch, generator, min_area=0.35, jitter=0.3):
    """Photos: a random resized crop (8%..100% of the area in ImageNet recipes; here min_area..100%, aspect
    3:4..4:3) resized back to the input size, a horizontal flip, and brightness, contrast and saturation
    jitter of +-jitter. Takes uint8 (N, C, H, W), returns floats in [0, 255]."""
    n, c, h, w = batch.shape
    x = batch.float() / 255.0
    area = min_area + (1 - min_area) * torch.rand(n, generator=generator)
    log_aspect = (torch.rand(n, generator=generator) * 2 - 1) * math.log(4 / 3)
    width = (area.sqrt() * log_aspect.exp().sqrt()).clamp(max=1.0)
    height = (area.sqrt() / log_aspect.exp().sqrt()).clamp(max=1.0)
    # affine_grid works in [-1, 1] coordinates: a crop of width `width` is centred within 1 - width of 0.
    cx = (torch.rand(n, generator=generator) * 2 - 1) * (1 - width)
    cy = (torch.rand(n, generator=generator) * 2 - 1) * (1 - height)
    flip = torch.where(torch.rand(n, generator=generator) < 0.5, -1.0, 1.0)
    theta = torch.zeros(n, 2, 3)
    theta[:, 0, 0], theta[:, 0, 2] = width * flip, cx
    theta[:, 1, 1], theta[:, 1, 2] = height, cy
    grid = F.affine_grid(theta, (n, c, h, w), align_corners=False)
    x = F.grid_sample(x, grid, mode="bilinear", padding_mode="border", align_corners=False)

    def factor():
        return (1 + (torch.rand(n, generator=generator) * 2 - 1) * jitter).view(n, 1, 1, 1)

    x = x * factor()
    gray = x.mean(dim=(1, 2, 3), keepdim=True)
    x = (x - gray) * factor() + gray
    if c == 3:
        luma = (0.299 * x[:, 0:1] + 0.587 * x[:, 1:2] + 0.114 * x[:, 2:3])
        x = (x - luma) * factor() + luma
    return x.clamp(0.0, 1.0) * 255.0
