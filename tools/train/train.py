#!/usr/bin/python3
"""Trains the Inception-style network (float or binary) for a fixed time budget and exports it to ONNX.

  /usr/bin/python3 tools/train/train.py --precision float --minutes 30 --out models/fashion-inception-float
  /usr/bin/python3 tools/train/train.py --precision binary --minutes 60 \
      --teacher models/fashion-inception-float.pt --out models/fashion-inception-binary

The learning rate follows the clock (warm-up, then cosine to zero at the budget), so a run of N minutes is
a complete schedule. Writes OUT.pt (state), OUT.onnx, OUT.labels (one label per line) and OUT.json (test
accuracy, time taken, PyTorch's test-set argmax for the runtime-agreement test).

Trains on the GPU where PyTorch sees one (--device); the final test-set scores are computed on the CPU, as
the runtime agreement is checked there. On a machine without the converter, --no-export writes the
checkpoint alone; tools/train/export.py exports it later.

Your own photos (DIR/<class>/<image>, JPEG/PNG/BMP, any size, colour or gray):

  /usr/bin/python3 tools/train/train.py --data photos --size 96 --minutes 60 --out food-float
  /usr/bin/python3 tools/train/train.py --data photos --size 96 --precision binary --minutes 120 \
      --teacher food-float.pt --out food-binary

Photos are read as `xnor classify` reads them (upright, whole picture resized to --size), augmented by random
resized crops, flips and colour jitter, and normalized by the training set's per-channel mean and std; the
ONNX metadata carries that normalization, so `xnor convert` and `xnor classify` preprocess alike. Without
--test-data, --holdout of each class is set aside to test on.
"""
import argparse
import json
import math
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data  # noqa: E402
from export import check_with_xnor, export, load_checkpoint  # noqa: E402
from network import VARIANTS, InceptionNet  # noqa: E402


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--precision", choices=["float", "binary"], default="float")
    p.add_argument("--width", type=float, default=1.0, help="channel multiplier of the Inception blocks")
    p.add_argument("--variant", choices=VARIANTS, default="xnor",
                   help="binary blocks: xnor (XNOR-Net) or residual (a real-valued shortcut, RSign, RPReLU)")
    p.add_argument("--two-stage", type=float, default=0.0, metavar="SHARE",
                   help="binary: spend this share of the budget on a first stage with real weights and binary "
                   "activations, the rest on binary weights (each stage warms up and decays; default 0: off)")
    p.add_argument("--minutes", type=float, default=30.0, help="training time budget")
    p.add_argument("--data", default="fashion-mnist", help="fashion-mnist or an image folder (DIR/<class>/*)")
    p.add_argument("--test-data", help="image folder to test on (default: the Fashion-MNIST test set, or for "
                   "an image folder the part --holdout keeps back)")
    p.add_argument("--holdout", type=float, default=0.15, help="share of each class held out for testing "
                   "when an image folder comes without --test-data")
    p.add_argument("--size", type=int, help="input height and width (image folders; default 96; Fashion-MNIST: 28)")
    p.add_argument("--channels", type=int, choices=[1, 3], help="3 (RGB, default for image folders) or 1 (gray)")
    p.add_argument("--epochs", type=int, help="stop after this many epochs (the schedule then follows the epochs; "
                   "--minutes still caps the time)")
    p.add_argument("--init", help="start from this checkpoint (.pt) of the same network, e.g. to fine-tune")
    p.add_argument("--teacher", help="float model (.pt) to distil from")
    p.add_argument("--distill-weight", type=float, default=0.7)
    p.add_argument("--temperature", type=float, default=4.0)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--lr", type=float, help="peak learning rate (default: 0.1 SGD for float, 2e-3 Adam for binary)")
    p.add_argument("--seed", type=int, default=20261128)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu",
                   help="where to train: cpu, cuda, cuda:N (default: cuda where PyTorch sees a GPU)")
    p.add_argument("--export", action=argparse.BooleanOptionalAction, default=True,
                   help="export OUT.onnx and check it with xnor (--no-export: the checkpoint and results only)")
    p.add_argument("--out", required=True, help="output prefix")
    return p.parse_args()


def load(args, generator):
    """(train images, labels), (test images, labels), label names, preprocessing."""
    if args.data == "fashion-mnist":
        if args.size not in (None, 28) or args.channels not in (None, 1):
            raise SystemExit("Fashion-MNIST is 28x28 gray: --size and --channels are for image folders")
        train_x, train_y, labels = data.fashion_mnist("train")
        test_x, test_y, _ = data.fashion_mnist("test")
        return (train_x, train_y), (test_x, test_y), labels, data.fashion_mnist_preprocessing()
    size, channels = args.size or 96, args.channels or 3
    train_x, train_y, labels = data.image_folder(args.data, size, channels)
    if args.test_data:
        test_x, test_y, test_labels = data.image_folder(args.test_data, size, channels)
        if test_labels != labels:
            raise SystemExit(f"{args.test_data}: classes {test_labels} differ from {args.data}'s {labels}")
        train, test = (train_x, train_y), (test_x, test_y)
    else:
        train, test = data.holdout_split(train_x, train_y, args.holdout, generator)
    mean, std = data.channel_statistics(train[0])
    print(f"{args.data}: {len(train[0])} training and {len(test[0])} test images of {len(labels)} classes, "
          f"{size}x{size}x{channels}, mean {[round(m, 4) for m in mean]}, std {[round(s, 4) for s in std]}")
    return train, test, labels, {"size": size, "channels": channels, "mean": mean, "std": std}


@torch.no_grad()
def predict(model, images, preprocessing, device="cpu", batch=128):
    model.eval()
    return torch.cat([model(data.normalize(images[i:i + batch], preprocessing).to(device)).cpu()
                      for i in range(0, len(images), batch)])


def build(args, classes, preprocessing):
    return InceptionNet(binary=args.precision == "binary", width=args.width, classes=classes,
                        channels=preprocessing["channels"], size=preprocessing["size"], variant=args.variant)


def main():
    args = parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    if args.device.startswith("cuda"):
        torch.backends.cudnn.benchmark = True  # fixed shapes: let cuDNN pick its fastest convolutions once
    generator = torch.Generator().manual_seed(args.seed)
    (train_x, train_y), (test_x, test_y), labels, preprocessing = load(args, generator)
    photos = args.data != "fashion-mnist"
    model = build(args, len(labels), preprocessing)
    if args.init:
        model.load_state_dict(torch.load(args.init)["state"])
    # NHWC: PyTorch's CPU convolutions and pools run 1.3-1.6x faster on these networks than in NCHW.
    model = model.to(args.device, memory_format=torch.channels_last)
    teacher = None
    if args.teacher:
        teacher, teacher_labels, teacher_preprocessing = load_checkpoint(args.teacher)
        if teacher_labels != labels or teacher_preprocessing != preprocessing:
            raise SystemExit(f"{args.teacher} was trained on other classes or another input size or normalization")
        teacher = teacher.to(args.device, memory_format=torch.channels_last)
    binary = args.precision == "binary"
    if binary:
        lr = args.lr or 2e-3
        optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    else:
        lr = args.lr or 0.1
        optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9, nesterov=True, weight_decay=5e-4)
    params = sum(p.numel() for p in model.parameters())
    print(f"{args.precision} width {args.width}: {params} parameters, {len(train_x)} training images, "
          f"budget {args.minutes} min, seed {args.seed}, on {args.device}", flush=True)

    batch = min(args.batch, len(train_x))
    steps_per_epoch = len(train_x) // batch
    budget = args.minutes * 60.0
    start = time.time()
    epoch, steps = 0, 0
    done = False
    while not done:
        model.train()
        order = torch.randperm(len(train_x), generator=generator)
        seen, correct, loss_sum = 0, 0, 0.0
        for i in range(0, len(order) - batch + 1, batch):
            progress = (time.time() - start) / budget
            if args.epochs:
                progress = max(progress, steps / (args.epochs * steps_per_epoch))
            if progress >= 1.0:
                done = True
                break
            if binary and args.two_stage > 0:
                first_stage = progress < args.two_stage
                for conv in model.binary_convs():
                    conv.binary_weights = not first_stage
                # Each stage runs a schedule of its own.
                progress = progress / args.two_stage if first_stage else (progress - args.two_stage) / (1 - args.two_stage)
            # Warm-up over the first 3% of the budget, then cosine to zero.
            scale = progress / 0.03 if progress < 0.03 else 0.5 * (1 + math.cos(math.pi * (progress - 0.03) / 0.97))
            for group in optimizer.param_groups:
                group["lr"] = lr * scale
            index = order[i:i + batch]
            augmented = (data.augment_photos if photos else data.augment)(train_x[index], generator)
            x = data.normalize(augmented, preprocessing).to(args.device).contiguous(memory_format=torch.channels_last)
            y = train_y[index].to(args.device)
            logits = model(x)
            loss = F.cross_entropy(logits, y, label_smoothing=0.0 if teacher else 0.1)
            if teacher is not None:
                with torch.no_grad():
                    soft = F.softmax(teacher(x) / args.temperature, 1)
                kd = F.kl_div(F.log_softmax(logits / args.temperature, 1), soft, reduction="batchmean")
                loss = (1 - args.distill_weight) * loss + args.distill_weight * args.temperature ** 2 * kd
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            if binary:
                for conv in model.binary_convs():
                    conv.clip_()
            steps += 1
            seen += len(y)
            correct += (logits.argmax(1) == y).sum().item()
            loss_sum += loss.item() * len(y)
        epoch += 1
        if args.epochs and epoch >= args.epochs:
            done = True
        # A quick look at the first 2000 test images; the whole test set is scored once at the end.
        predicted = predict(model, test_x[:2000], preprocessing, args.device).argmax(1)
        accuracy = (predicted == test_y[:2000]).float().mean().item()
        print(f"epoch {epoch} ({time.time() - start:.0f} s): train loss {loss_sum / max(seen, 1):.4f} "
              f"acc {correct / max(seen, 1):.4f}, test acc (2000 images) {accuracy:.4f}", flush=True)

    minutes = (time.time() - start) / 60.0
    for conv in model.binary_convs():
        conv.binary_weights = True  # a budget that ended inside the first stage still exports binary weights
    model = model.to("cpu", memory_format=torch.contiguous_format)
    logits = predict(model, test_x, preprocessing)
    accuracy = (logits.argmax(1) == test_y).float().mean().item()
    torch.save({"state": model.state_dict(), "width": args.width, "precision": args.precision, "labels": labels,
                "preprocessing": preprocessing, "variant": args.variant}, args.out + ".pt")
    if args.export:
        export(model, labels, preprocessing, args.out + ".onnx")
        check_with_xnor(model, args.out + ".onnx", test_x, preprocessing)
    with open(args.out + ".labels", "w") as f:
        f.write("\n".join(labels) + "\n")
    device = torch.cuda.get_device_name(args.device) if args.device.startswith("cuda") else "cpu"
    with open(args.out + ".json", "w") as f:
        json.dump({"precision": args.precision, "width": args.width, "variant": args.variant,
                   "two_stage": args.two_stage, "parameters": params,
                   "test_accuracy": accuracy, "minutes": round(minutes, 1), "epochs": epoch, "steps": steps,
                   "seed": args.seed, "teacher": bool(teacher), "device": device, "preprocessing": preprocessing,
                   "torch_argmax": logits.argmax(1).tolist()}, f)
    print(f"done: test accuracy {accuracy:.4f} after {minutes:.1f} min ({epoch} epochs on {device}); "
          f"wrote {args.out}.*")


if __name__ == "__main__":
    main()
