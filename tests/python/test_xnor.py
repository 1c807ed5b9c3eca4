#!/usr/bin/python3
"""Tests of the Python module `xnor` (src/python/module.cpp), with Debian's python3 and numpy only.

  PYTHONPATH=build/python XNOR_CLI=build/xnor /usr/bin/python3 tests/python/test_xnor.py -v [CLASS]

ctest runs one class per test (cmake/python.cmake: python.errors, python.arrays, ...). XNOR_CLI (the `xnor`
executable) is needed by the comparisons with the CLI; without it they are skipped.
"""
import gzip
import json
import os
import pathlib
import struct
import subprocess
import sys
import tempfile
import threading
import unittest

import numpy as np

import xnor

ROOT = pathlib.Path(__file__).resolve().parents[2]
MODELS = ROOT / "models"
DATA = ROOT / "tests" / "data"
FLOAT, BINARY, INT8 = (str(MODELS / f"fashion-inception-{name}.xnm") for name in ("float", "binary", "int8"))
FASHION_MNIST = pathlib.Path("/usr/share/datasets/fashion-mnist")
CLI = os.environ.get("XNOR_CLI", "")


def fashion_mnist_test_images(count):
    """The first `count` Fashion-MNIST test images, uint8 (count, 28, 28, 1), parsed from the idx file."""
    path = FASHION_MNIST / "t10k-images-idx3-ubyte.gz"
    if not path.exists():
        raise unittest.SkipTest(f"{path} is missing (Debian: dataset-fashion-mnist)")
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, n, h, w = struct.unpack(">IIII", data[:16])
    assert magic == 0x803 and count <= n
    return np.frombuffer(data, np.uint8, count * h * w, offset=16).reshape(count, h, w, 1)


def pgm(image):
    """A binary PGM file's bytes for a uint8 (h, w, 1) image: an encoded image without an image library."""
    h, w = image.shape[:2]
    return b"P5\n%d %d\n255\n" % (w, h) + np.ascontiguousarray(image).tobytes()


def run_cli(*args):
    """Runs the xnor CLI; returns its completed process (stdout and stderr as text)."""
    return subprocess.run([CLI, *map(str, args)], capture_output=True, text=True, check=False)


def same_bits(a, b):
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


class ErrorsTest(unittest.TestCase):
    def test_hierarchy(self):
        self.assertTrue(issubclass(xnor.Error, RuntimeError))
        for error in (xnor.ModelError, xnor.ImageError, xnor.DatasetError):
            self.assertTrue(issubclass(error, xnor.Error))
            self.assertIsNot(error, xnor.Error)

    def test_missing_model_file(self):
        with self.assertRaises(xnor.ModelError) as caught:
            xnor.Model("/no/such/model.xnm")
        self.assertEqual(str(caught.exception), "/no/such/model.xnm: cannot open")
        self.assertIsInstance(caught.exception, xnor.Error)
        self.assertIsInstance(caught.exception, RuntimeError)

    def test_corrupt_model_bytes(self):
        with self.assertRaises(xnor.ModelError) as caught:
            xnor.Model(b"junk")
        self.assertEqual(str(caught.exception), "model file: 4 bytes is shorter than the 32-byte header")
        good = pathlib.Path(BINARY).read_bytes()
        with self.assertRaises(xnor.ModelError):
            xnor.Model(good[:-1])
        corrupt = bytearray(good)
        corrupt[100] ^= 1
        with self.assertRaises(xnor.ModelError):
            xnor.Model(corrupt)

    def test_corrupt_and_missing_images(self):
        session = xnor.Model(BINARY).session()
        with self.assertRaises(xnor.ImageError) as caught:
            session.classify(b"\x89PNG\r\n\x1a\n" + b"\0" * 20)
        self.assertTrue(str(caught.exception).startswith("image: "), str(caught.exception))
        with self.assertRaises(xnor.ImageError) as caught:
            session.classify("/no/such/image.png")
        self.assertEqual(str(caught.exception), "/no/such/image.png: cannot open (No such file or directory)")

    def test_wrong_input_size(self):
        session = xnor.Model(BINARY).session()
        with self.assertRaises(ValueError) as caught:
            session.run(np.zeros((28, 28, 3), np.float32))
        self.assertEqual(str(caught.exception),
                         f"input: shape (28, 28, 3), but {BINARY} takes (28, 28, 1) or (1, 28, 28, 1) (H, W, C)")

    def test_dataset_error(self):
        with tempfile.TemporaryDirectory() as tmp:
            with self.assertRaises(xnor.DatasetError) as caught:
                xnor.convert(FLOAT, os.path.join(tmp, "x.xnm"), int8=True, calibration="/no/such/folder")
            self.assertEqual(str(caught.exception), "/no/such/folder: No such file or directory")
            self.assertFalse(os.path.exists(os.path.join(tmp, "x.xnm")))

    def test_bad_arguments(self):
        model = xnor.Model(BINARY)
        with self.assertRaises(TypeError):
            xnor.Model(42)
        with self.assertRaises(ValueError):
            model.session(threads=0)
        with self.assertRaises(ValueError):
            model.session().classify(np.zeros((28, 28, 1), np.uint8), top=0)
        with self.assertRaises(TypeError):
            model.session().classify(np.zeros((28, 28, 1), np.float32))


class ArraysTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.model = xnor.Model(FLOAT)
        cls.session = cls.model.session()
        cls.x = np.random.default_rng(7).normal(size=(28, 28, 1)).astype(np.float32)
        cls.expected = cls.session.run(cls.x)

    def test_output(self):
        self.assertEqual(self.expected.dtype, np.float32)
        self.assertEqual(self.expected.shape, (10,))
        self.assertEqual(self.model.output_shape, (10,))
        self.assertEqual(self.model.output_size, 10)
        self.assertEqual(self.model.input_shape, (28, 28, 1))

    def test_output_is_a_copy(self):
        first = self.session.run(self.x)
        kept = first.copy()
        self.session.run(np.zeros((28, 28, 1), np.float32))
        self.assertTrue(same_bits(first, kept))
        first[:] = 0  # the caller's to change
        self.assertTrue(same_bits(self.session.run(self.x), self.expected))

    def test_float64_and_integers_are_converted(self):
        self.assertTrue(same_bits(self.session.run(self.x.astype(np.float64)), self.expected))
        pixels = np.random.default_rng(8).integers(0, 256, size=(28, 28, 1))
        for dtype in (np.uint8, np.int32, np.int64):
            self.assertTrue(same_bits(self.session.run(pixels.astype(dtype)),
                                      self.session.run(pixels.astype(np.float32))))
        self.assertTrue(same_bits(self.session.run(self.x.tolist()), self.expected))  # any array-like

    def test_non_contiguous_views(self):
        transposed_back = np.ascontiguousarray(self.x.transpose(1, 0, 2)).transpose(1, 0, 2)
        self.assertFalse(transposed_back.flags.c_contiguous)
        self.assertTrue(same_bits(self.session.run(transposed_back), self.expected))
        strided = np.zeros((28, 56, 1), np.float32)
        strided[:, ::2] = self.x
        self.assertTrue(same_bits(self.session.run(strided[:, ::2]), self.expected))
        fortran = np.asfortranarray(self.x)
        self.assertTrue(same_bits(self.session.run(fortran), self.expected))
        misaligned = np.frombuffer(bytearray(self.x.nbytes + 1), np.float32, self.x.size, offset=1).reshape(self.x.shape)
        misaligned[...] = self.x
        self.assertFalse(misaligned.flags.aligned)
        self.assertTrue(same_bits(self.session.run(misaligned), self.expected))
        self.assertTrue(same_bits(self.session.run(self.x.astype(">f4")), self.expected))  # byte-swapped

    def test_batch_of_one(self):
        self.assertTrue(same_bits(self.session.run(self.x[None]), self.expected))

    def test_wrong_shapes_are_refused(self):
        for shape in [(28, 28), (784,), (2, 28, 28, 1), (1, 28, 28), (28, 28, 1, 1), (), (1, 1, 28, 28, 1)]:
            with self.subTest(shape=shape), self.assertRaises(ValueError):
                self.session.run(np.zeros(shape, np.float32))

    def test_non_numbers_are_refused(self):
        with self.assertRaises(TypeError):
            self.session.run(self.x.astype(np.complex64))
        with self.assertRaises(TypeError):
            self.session.run(np.full((28, 28, 1), "a"))


class ImagesTest(unittest.TestCase):
    def test_every_image_form_gives_the_same_result(self):
        session = xnor.Model(BINARY).session()
        image = fashion_mnist_test_images(3)[2]
        expected = session.classify(image, top=10)
        self.assertEqual(len(expected), 10)
        self.assertEqual([p for _, p in expected], sorted((p for _, p in expected), reverse=True))
        self.assertAlmostEqual(sum(p for _, p in expected), 1.0, places=5)
        encoded = pgm(image)
        with tempfile.TemporaryDirectory() as tmp:
            path = pathlib.Path(tmp) / "image.pgm"
            path.write_bytes(encoded)
            for form in (image[:, :, 0], np.asfortranarray(image), encoded, bytearray(encoded), memoryview(encoded),
                         str(path), path):
                with self.subTest(form=type(form).__name__):
                    self.assertEqual(session.classify(form, top=10), expected)
        self.assertEqual(session.classify(image, top=2), expected[:2])

    def test_preprocess_is_what_classify_runs(self):
        model = xnor.Model(FLOAT)
        session = model.session()
        image = fashion_mnist_test_images(1)[0]
        x = xnor.preprocess(image, model)
        self.assertEqual((x.dtype, x.shape), (np.float32, (28, 28, 1)))
        logits = session.run(x).astype(np.float64)
        probabilities = np.exp(logits - logits.max())
        probabilities /= probabilities.sum()
        top = session.classify(image, top=1)[0]
        self.assertEqual(top[0], model.labels[int(np.argmax(logits))])
        self.assertAlmostEqual(top[1], probabilities.max(), places=5)

    def test_rgb_and_alpha_images(self):
        session = xnor.Model(BINARY).session()
        gray = fashion_mnist_test_images(1)[0]
        rgb = np.repeat(gray, 3, axis=2)
        opaque = np.concatenate([gray, np.full_like(gray, 255)], axis=2)
        expected = session.classify(gray)
        self.assertEqual(session.classify(rgb), expected)  # gray repeated: the same luma
        self.assertEqual(session.classify(opaque), expected)


class ThreadsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.model = xnor.Model(BINARY)
        cls.inputs = [xnor.preprocess(image, cls.model) for image in fashion_mnist_test_images(32)]
        one = cls.model.session()
        cls.expected = [one.run(x) for x in cls.inputs]

    def run_threads(self, work, count):
        errors = []

        def guarded(i):
            try:
                work(i)
            except BaseException as error:  # reported by the main thread
                errors.append(error)

        threads = [threading.Thread(target=guarded, args=(i,)) for i in range(count)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])

    def check_every_thread(self, results):
        """Each thread's outputs (the inputs in turn, repeatedly) equal one session's, bit for bit."""
        for outputs in results.values():
            for k, out in enumerate(outputs):
                self.assertTrue(same_bits(out, self.expected[k % len(self.inputs)]))

    def test_two_sessions_in_two_threads(self):
        results = {}

        def work(i):
            session = self.model.session()
            results[i] = [session.run(x) for _ in range(10) for x in self.inputs]

        self.run_threads(work, 2)
        self.check_every_thread(results)

    def test_one_session_shared_by_threads(self):
        shared = self.model.session()
        results = {}

        def work(i):
            results[i] = [shared.run(x) for _ in range(5) for x in self.inputs]

        self.run_threads(work, 3)
        self.check_every_thread(results)

    def test_thread_pool_gives_the_same_results(self):
        session = self.model.session(threads=2)
        for x, expected in zip(self.inputs, self.expected):
            self.assertTrue(same_bits(session.run(x), expected))

    def gil_is_released_by(self, call):
        """Whether the main thread gets to run while a worker is inside `call` (repeated). With a switch
        interval far longer than the calls take, the interpreter never takes the GIL from the worker: the main
        thread, waiting for it, runs only where the worker's C++ code releases it. No timing is measured."""
        state = {"finished": False, "main_ran": False}
        started = threading.Event()

        def worker():
            started.set()
            for _ in range(500):
                call()
                if state["main_ran"]:
                    break
            state["finished"] = True

        old = sys.getswitchinterval()
        sys.setswitchinterval(60.0)
        try:
            t = threading.Thread(target=worker)
            t.start()
            started.wait()
            state["main_ran"] = not state["finished"]
            t.join()
        finally:
            sys.setswitchinterval(old)
        return state["main_ran"]

    def test_gil_is_released(self):
        session = self.model.session()
        image = fashion_mnist_test_images(1)[0]
        self.assertTrue(self.gil_is_released_by(lambda: session.run(self.inputs[0])))
        self.assertTrue(self.gil_is_released_by(lambda: session.classify(image)))


class AgreementTest(unittest.TestCase):
    """tests/bundled_models_test.cpp's check, through the module: top-1 on the first 2000 test images."""
    images = 2000

    @classmethod
    def setUpClass(cls):
        cls.test_images = fashion_mnist_test_images(cls.images)

    def runtime_top1(self, path):
        model = xnor.Model(path)
        session = model.session()
        return np.array([np.argmax(session.run(xnor.preprocess(image, model))) for image in self.test_images])

    def torch_top1(self, name):
        digits = (MODELS / f"{name}.torch-argmax").read_text().strip()
        return np.array([int(d) for d in digits[:self.images]])

    def test_float_and_binary_agree_with_pytorch(self):
        for name, at_least in (("fashion-inception-float", 0.999), ("fashion-inception-binary", 0.995)):
            agree = np.mean(self.runtime_top1(str(MODELS / f"{name}.xnm")) == self.torch_top1(name))
            print(f"{name}: top-1 agrees with PyTorch on {agree:.2%} of {self.images} test images", file=sys.stderr)
            self.assertGreaterEqual(agree, at_least, name)

    def test_int8_agrees_with_float(self):
        agree = np.mean(self.runtime_top1(INT8) == self.runtime_top1(FLOAT))
        print(f"int8 and float top-1 agree on {agree:.2%} of {self.images} test images", file=sys.stderr)
        self.assertGreaterEqual(agree, 0.98)


@unittest.skipUnless(CLI, "XNOR_CLI (the xnor executable) is not set")
class CliAgreementTest(unittest.TestCase):
    """The module and the `xnor` CLI: the same numbers, bit for bit, and the same messages."""

    def test_run_matches_xnor_run(self):
        images = fashion_mnist_test_images(4)
        with tempfile.TemporaryDirectory() as tmp:
            for path in (FLOAT, BINARY, INT8):
                model = xnor.Model(path)
                session = model.session()
                for i, image in enumerate(images):
                    with self.subTest(model=path, image=i):
                        x = xnor.preprocess(image, model)
                        np.save(os.path.join(tmp, "x.npy"), x[None] if i % 2 else x)
                        done = run_cli("run", path, "--input", os.path.join(tmp, "x.npy"),
                                       "--output", os.path.join(tmp, "y.npy"))
                        self.assertEqual(done.returncode, 0, done.stderr)
                        cli = np.load(os.path.join(tmp, "y.npy"))
                        self.assertEqual(cli.shape, (1, 1, 10))
                        self.assertTrue(same_bits(session.run(x), cli.reshape(10)))

    def test_classify_matches_xnor_classify(self):
        samples = sorted((MODELS / "samples").glob("*.png"))
        done = run_cli("classify", "--json", "--top", "3", "--model", BINARY, *samples)
        self.assertEqual(done.returncode, 0, done.stderr)
        session = xnor.Model(BINARY).session()
        for sample, entry in zip(samples, json.loads(done.stdout), strict=True):
            ours = session.classify(sample, top=3)
            self.assertEqual([label for label, _ in ours], [p["label"] for p in entry["top"]])
            # %.10g round-trips a float32
            self.assertEqual([np.float32(p) for _, p in ours], [np.float32(p["probability"]) for p in entry["top"]])

    def test_same_messages(self):
        with tempfile.TemporaryDirectory() as tmp:
            bad = os.path.join(tmp, "bad.xnm")
            pathlib.Path(bad).write_bytes(pathlib.Path(BINARY).read_bytes()[:1000])
            with self.assertRaises(xnor.ModelError) as caught:
                xnor.Model(bad)
            self.assertEqual(run_cli("info", bad).stderr, f"xnor: {caught.exception}\n")
            np.save(os.path.join(tmp, "wrong.npy"), np.zeros((28, 28, 3), np.float32))
            done = run_cli("run", BINARY, "--input", os.path.join(tmp, "wrong.npy"), "--output", os.path.join(tmp, "y.npy"))
            with self.assertRaises(ValueError) as caught:
                xnor.Model(BINARY).session().run(np.zeros((28, 28, 3), np.float32))
            # The CLI names the .npy file where the module says "input".
            self.assertEqual(done.stderr, f"xnor: {os.path.join(tmp, 'wrong.npy')}{str(caught.exception)[len('input'):]}\n")


@unittest.skipUnless(xnor.has_onnx, "the module was built without ONNX support")
class ConvertTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def out(self, name):
        return os.path.join(self.tmp.name, name)

    def test_tiny_binary_onnx(self):
        model = xnor.convert(DATA / "tiny_binary.onnx", self.out("tiny.xnm"))
        x = np.load(DATA / "tiny_binary_input.npy")
        expected = np.load(DATA / "tiny_binary_output.npy").astype(np.float64).reshape(-1)
        for m in (model, xnor.Model(self.out("tiny.xnm"))):
            out = m.session().run(x).astype(np.float64).reshape(-1)
            # tests/onnx_import_test.cpp's tolerance: doctest::Approx(expected).epsilon(1e-5)
            tolerance = 1e-5 * (1 + np.maximum(np.abs(out), np.abs(expected)))
            self.assertTrue(np.all(np.abs(out - expected) < tolerance), (out, expected))
        self.assertEqual(len(xnor.Model(self.out("tiny.xnm")).labels), model.output_size)

    def test_overrides(self):
        labels = [f"class {i}" for i in range(10)]
        model = xnor.convert(FLOAT, self.out("relabelled.xnm"), labels=labels, mean=0.5, std=[0.25])
        self.assertEqual(model.labels, labels)
        self.assertEqual(xnor.Model(self.out("relabelled.xnm")).labels, labels)
        image = np.full((28, 28, 1), 255, np.uint8)
        self.assertTrue(np.all(xnor.preprocess(image, model) == np.float32((1.0 - 0.5) / 0.25)))

    def test_int8(self):
        model = xnor.convert(FLOAT, self.out("int8.xnm"), int8=True, calibration_count=20)
        loaded = xnor.Model(self.out("int8.xnm"))
        self.assertEqual(loaded.output_size, 10)
        image = fashion_mnist_test_images(1)[0]
        self.assertTrue(same_bits(model.session().run(xnor.preprocess(image, model)),
                                  loaded.session().run(xnor.preprocess(image, loaded))))
        with self.assertRaises(ValueError):
            xnor.convert(FLOAT, self.out("x.xnm"), int8=True, calibration_method="median")
        with self.assertRaises(ValueError):
            xnor.convert(FLOAT, self.out("x.xnm"), int8=True, calibration_count=0)

    def test_bad_onnx(self):
        with self.assertRaises(xnor.ModelError) as caught:
            xnor.convert("/no/such/net.onnx", self.out("x.xnm"))
        self.assertEqual(str(caught.exception), "/no/such/net.onnx: cannot open")
        junk = self.out("junk.onnx")
        pathlib.Path(junk).write_bytes(b"definitely not protobuf \xff\xff\xff")
        with self.assertRaises(xnor.ModelError):
            xnor.convert(junk, self.out("x.xnm"))
        self.assertFalse(os.path.exists(self.out("x.xnm")))

    @unittest.skipUnless(CLI, "XNOR_CLI (the xnor executable) is not set")
    def test_same_file_as_xnor_convert(self):
        for source, options, cli_options in ((DATA / "tiny_binary.onnx", {}, []),
                                             (FLOAT, {"int8": True, "calibration_count": 20},
                                              ["--int8", "--calibration-count", "20"])):
            with self.subTest(source=source, options=options):
                xnor.convert(source, self.out("python.xnm"), **options)
                done = run_cli("convert", source, self.out("cli.xnm"), *cli_options)
                self.assertEqual(done.returncode, 0, done.stderr)
                self.assertEqual(pathlib.Path(self.out("python.xnm")).read_bytes(),
                                 pathlib.Path(self.out("cli.xnm")).read_bytes())


if __name__ == "__main__":
    unittest.main()
