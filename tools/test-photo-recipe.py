#!/usr/bin/python3
"""The photo path end to end, as a user runs it on a folder of their own photos: makes a small synthetic
colour data set (tools/train/make_synthetic.py), trains a binary network on it at 64x64 RGB
(tools/train/train.py, a held-out split), converts the ONNX file with `xnor convert`, then checks that
`xnor classify` gives each test JPEG the label PyTorch gives it (tools/train/predict.py reads images as xnor
does), with the same probability, that both read a 12-megapixel JPEG stored sideways (EXIF orientation 6)
alike, and that `xnor eval` on the test folder scores what PyTorch scores and clearly better than chance. Prints PASS at the end; exits non-zero on any failure.

  /usr/bin/python3 tools/test-photo-recipe.py --xnor build/xnor --work build/photo-recipe
"""
import argparse
import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TRAIN = os.path.join(HERE, "train")
sys.path.insert(0, TRAIN)


def run(*command):
    print("+", " ".join(command), flush=True)
    return subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True).stdout


def fail(message):
    print(f"FAIL: {message}")
    sys.exit(1)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--xnor", required=True, help="the xnor command-line program")
    parser.add_argument("--work", required=True, help="a folder for the data set and the model (emptied first)")
    parser.add_argument("--epochs", type=int, default=40)
    args = parser.parse_args()
    shutil.rmtree(args.work, ignore_errors=True)
    photos, model = os.path.join(args.work, "photos"), os.path.join(args.work, "shapes-binary")

    python = "/usr/bin/python3"
    run(python, os.path.join(TRAIN, "make_synthetic.py"), photos, "--per-class", "150", "--test-per-class", "30")
    log = run(python, os.path.join(TRAIN, "train.py"), "--precision", "binary", "--data",
              os.path.join(photos, "train"), "--size", "64", "--epochs", str(args.epochs), "--batch", "32",
              "--minutes", "20", "--out", model)
    print("\n".join(line for line in log.splitlines() if not line.startswith("epoch")))
    converted = run(args.xnor, "convert", model + ".onnx", model + ".xnm")
    if "binary" not in run(args.xnor, "info", model + ".xnm"):
        fail(f"{model}.xnm has no binary layer:\n{converted}")

    test = os.path.join(photos, "test")
    classes = sorted(os.listdir(test))
    folders = [os.path.join(test, name) for name in classes]
    xnor_top = {r["file"]: r["top"][0] for r in json.loads(run(args.xnor, "classify", "--model", model + ".xnm",
                                                                "--top", "1", "--json", *folders))}
    torch_top = {r["file"]: r for r in json.loads(run(python, os.path.join(TRAIN, "predict.py"), model + ".pt",
                                                       *folders, "--json"))}
    if sorted(xnor_top) != sorted(torch_top) or not torch_top:
        fail("xnor classify and predict.py saw different files")
    agree = sum(xnor_top[f]["label"] == torch_top[f]["label"] for f in torch_top)
    close = sum(abs(xnor_top[f]["probability"] - torch_top[f]["probability"]) < 1e-3 for f in torch_top)
    torch_correct = sum(torch_top[f]["label"] == os.path.basename(os.path.dirname(f)) for f in torch_top)
    print(f"xnor classify agrees with PyTorch on {agree} of {len(torch_top)} test JPEGs, the same top "
          f"probability (within 1e-3) on {close}; PyTorch gets {torch_correct} right")

    # A phone's photo: 12 megapixels stored sideways with EXIF orientation 6 (decoded at 1/8 scale by both).
    from PIL import Image
    phone = os.path.join(args.work, "phone-photo.jpg")
    with Image.open(os.path.join(test, classes[0], sorted(os.listdir(os.path.join(test, classes[0])))[0])) as source:
        upright = source.convert("RGB").resize((3000, 4000), Image.BILINEAR)
    exif = Image.Exif()
    exif[0x0112] = 6  # stored rotated: turn 90 degrees clockwise to view
    upright.transpose(Image.Transpose.ROTATE_90).save(phone, quality=90, exif=exif)
    xnor_phone = json.loads(run(args.xnor, "classify", "--model", model + ".xnm", "--top", "1", "--json", phone))[0]["top"][0]
    torch_phone = json.loads(run(python, os.path.join(TRAIN, "predict.py"), model + ".pt", phone, "--json"))[0]
    print(f"12-megapixel sideways JPEG: xnor {xnor_phone['label']} {xnor_phone['probability']:.4f}, "
          f"PyTorch {torch_phone['label']} {torch_phone['probability']:.4f}")
    if xnor_phone["label"] != torch_phone["label"] or abs(xnor_phone["probability"] - torch_phone["probability"]) > 0.01:
        fail("xnor and PyTorch read the phone photo differently")

    evaluation = json.loads(run(args.xnor, "eval", "--model", model + ".xnm", "--dataset", test, "--json"))
    print(f"xnor eval: {evaluation['correct']} of {evaluation['images']} right ({evaluation['accuracy']:.3f})")
    # A float difference of 1e-6 before a sign (PyTorch's and xnor's convolutions sum in other orders) can
    # flip a bit and move a probability: allow one image in 20 a different label and one in 10 a different
    # probability. A preprocessing difference moves nearly every probability (PIL's BOX resize instead of
    # area averaging: most by more than 0.01).
    if agree < 0.95 * len(torch_top) or close < 0.9 * len(torch_top):
        fail("xnor and PyTorch disagree on the test photos")
    if evaluation["images"] != len(torch_top) or abs(evaluation["correct"] - torch_correct) > len(torch_top) - agree:
        fail("xnor eval's count does not follow from the per-image results")
    if evaluation["accuracy"] < 0.6:
        fail(f"accuracy {evaluation['accuracy']:.3f} on 4 classes (chance: 0.25): the recipe did not learn")
    print("PASS photo-recipe")


if __name__ == "__main__":
    main()
