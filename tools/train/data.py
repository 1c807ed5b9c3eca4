"""Training data: Fashion-MNIST from the Debian package dataset-fashion-mnist, or an image folder with one
sub-folder per class. Everything is held in memory as uint8 (N, H, W) tensors; nothing is downloaded."""
import gzip
import os

import numpy as np
import torch

FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist"
FASHION_MNIST_LABELS = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                        "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
# Mean and standard deviation of the Fashion-MNIST training pixels scaled to [0, 1].
FASHION_MNIST_MEAN, FASHION_MNIST_STD = 0.2860, 0.3530


def _read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def fashion_mnist(split):
    """(images uint8 N x 28 x 28, labels int64 N, label names) of split 'train' or 'test'."""
    prefix = "train" if split == "train" else "t10k"
    if not os.path.isdir(FASHION_MNIST_DIR):
        raise SystemExit(f"{FASHION_MNIST_DIR} is missing: install it with tools/setup.sh train")
    images = _read_idx(os.path.join(FASHION_MNIST_DIR, f"{prefix}-images-idx3-ubyte.gz"))
    labels = _read_idx(os.path.join(FASHION_MNIST_DIR, f"{prefix}-labels-idx1-ubyte.gz"))
    return torch.from_numpy(images.copy()), torch.from_numpy(labels.astype(np.int64)), FASHION_MNIST_LABELS


def image_folder(root, size=28):
    """An image folder (root/<class>/<image>) as grayscale size x size images, classes in sorted order."""
    from PIL import Image  # python3-pil, only needed for image folders
    classes = sorted(d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d)))
    if not classes:
        raise SystemExit(f"{root}: no class sub-folders")
    images, labels = [], []
    for index, name in enumerate(classes):
        folder = os.path.join(root, name)
        for file in sorted(os.listdir(folder)):
            try:
                with Image.open(os.path.join(folder, file)) as image:
                    gray = image.convert("L").resize((size, size), Image.BILINEAR)
            except OSError as error:
                print(f"skipping {os.path.join(folder, file)}: {error}")
                continue
            images.append(np.asarray(gray, dtype=np.uint8))
            labels.append(index)
    return torch.from_numpy(np.stack(images)), torch.tensor(labels, dtype=torch.int64), classes


def normalize(images):
    """uint8 (N, H, W) to the network's float input (N, 1, H, W)."""
    return ((images.float() / 255.0 - FASHION_MNIST_MEAN) / FASHION_MNIST_STD).unsqueeze(1)


def augment(batch, generator):
    """Random 2-pixel shifts (zero padding) and horizontal flips of a uint8 (N, H, W) batch."""
    n, h, w = batch.shape
    padded = torch.nn.functional.pad(batch, (2, 2, 2, 2))
    dy = torch.randint(0, 5, (n,), generator=generator)
    dx = torch.randint(0, 5, (n,), generator=generator)
    rows = (dy[:, None] + torch.arange(h)[None, :])[:, :, None].expand(n, h, w)
    cols = (dx[:, None] + torch.arange(w)[None, :])[:, None, :].expand(n, h, w)
    shifted = padded[torch.arange(n)[:, None, None], rows, cols]
    flip = torch.rand(n, generator=generator) < 0.5
    shifted[flip] = shifted[flip].flip(-1)
    return shifted
