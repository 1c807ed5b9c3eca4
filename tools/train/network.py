"""The Inception-style network (28x28 grayscale Fashion-MNIST, or photos of any size), in float or binarized
XNOR-Net style.

Float: every convolution is Conv -> BatchNorm -> ReLU.
Binary: the stem convolution and the classifier stay float; every convolution inside the Inception blocks is
BatchNorm -> sign -> binary convolution: weights sign(W) scaled by alpha = mean |W| per output channel,
activations sign(x) in {-1, +1} (0 counts as +1), and 3x3 windows padded with +1, which is what the runtime's
packed bits do (a padding bit is 0, and bit 0 means +1). Gradients pass straight through sign where |x| < 1.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

# Per block: 1x1 | 1x1 -> 3x3 | 1x1 -> 3x3 -> 3x3 | 3x3 max-pool -> 1x1, at width 1.
BLOCKS = [
    # name, (b1, b2_reduce, b2, b3_reduce, b3, pool_projection); "pool" halves the image
    ("a", (32, 32, 48, 16, 24, 24)),
    ("b", (48, 48, 64, 16, 32, 32)),
    ("pool", None),
    ("c", (64, 48, 96, 16, 32, 32)),
    ("d", (96, 64, 128, 24, 48, 48)),
]
STEM_CHANNELS = 64


class SignSTE(torch.autograd.Function):
    """sign(x) with 0 -> +1; the gradient passes where |x| < 1 (hardtanh's). Exports as ONNX Sign."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        # Not torch.where: on channels-last tensors it takes 5x as long on the CPU (PyTorch 1.13).
        return (x >= 0).to(x.dtype).mul_(2).sub_(1)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return torch.ops.aten.hardtanh_backward(grad, x, -1.0, 1.0)

    @staticmethod
    def symbolic(g, x):
        return g.op("Sign", x)


class SignBN(nn.Module):
    """BatchNorm -> sign: the binary activation of a binary convolution's input."""

    def __init__(self, channels):
        super().__init__()
        self.bn = nn.BatchNorm2d(channels)

    def forward(self, x):
        return SignSTE.apply(self.bn(x))


class BinaryConv(nn.Module):
    """A convolution of ±1 inputs with sign(W) * alpha; latent weights are kept in [-1, 1] by clip_()."""

    def __init__(self, cin, cout, kernel, stride=1):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(cout, cin, kernel, kernel).uniform_(-0.1, 0.1))
        self.pad = kernel // 2
        self.stride = stride
        self.exported = False
        # Two-stage training (ReActNet): the first stage convolves the binary activations with the real
        # latent weights; the second binarizes the weights too. Only binary weights export.
        self.binary_weights = True

    def alpha(self):
        return self.weight.abs().mean(dim=(1, 2, 3))

    def forward(self, x):
        if self.pad:
            x = F.pad(x, (self.pad,) * 4, value=1.0)
        if self.exported:
            # Exact ±1 weights, then alpha: the sums stay integers, as in the popcount kernel.
            return F.conv2d(x, self.sign_weight, stride=self.stride) * self.alpha_buffer.view(1, -1, 1, 1)
        if not self.binary_weights:
            return F.conv2d(x, self.weight, stride=self.stride)
        # alpha scales the weights rather than the output: the same gradients, a product over the weights
        # instead of over every activation (training steps 1.27x as fast with the sign above, on 2 CPU cores).
        binary = self.weight + (torch.sign(self.weight) - self.weight).detach()
        return F.conv2d(x, binary * self.alpha().view(-1, 1, 1, 1), stride=self.stride)

    def export_(self):
        """Freezes sign(W) and alpha as constants so ONNX holds exact ±1 weights and a per-channel Mul."""
        if not self.binary_weights:
            raise ValueError("a first-stage model (real weights) does not export: train the second stage")
        sign = torch.where(self.weight >= 0, 1.0, -1.0).detach()
        self.register_buffer("sign_weight", sign)
        self.register_buffer("alpha_buffer", self.alpha().detach())
        self.exported = True

    def clip_(self):
        self.weight.data.clamp_(-1.0, 1.0)


class FloatConv(nn.Sequential):
    def __init__(self, cin, cout, kernel):
        super().__init__(nn.Conv2d(cin, cout, kernel, padding=kernel // 2, bias=False), nn.BatchNorm2d(cout),
                         nn.ReLU(inplace=True))


class Inception(nn.Module):
    def __init__(self, cin, widths, binary):
        super().__init__()
        b1, b2r, b2, b3r, b3, bp = widths
        self.binary = binary
        if binary:
            self.sign_in = SignBN(cin)
            conv = BinaryConv
            chain = lambda *layers: nn.Sequential(*[m for i, layer in enumerate(layers)
                                                    for m in ([SignBN(layer.weight.shape[1])] if i else []) + [layer]])
        else:
            conv = FloatConv
            chain = nn.Sequential
        self.branch1 = conv(cin, b1, 1)
        self.branch2 = chain(conv(cin, b2r, 1), conv(b2r, b2, 3))
        self.branch3 = chain(conv(cin, b3r, 1), conv(b3r, b3, 3), conv(b3, b3, 3))
        self.branch4 = conv(cin, bp, 1)
        self.out_channels = b1 + b2 + b3 + bp

    def forward(self, x):
        if self.binary:
            x = self.sign_in(x)
        pooled = F.max_pool2d(x, 3, stride=1, padding=1)
        return torch.cat([self.branch1(x), self.branch2(x), self.branch3(x), self.branch4(pooled)], 1)


def stem_reduction(size):
    """How much the stem shrinks a size x size input: the first block sees 14 to 28 pixels across."""
    return 2 if size < 56 else 4 if size < 112 else 8


class ResidualInception(nn.Module):
    """The binary Inception block with a real-valued shortcut: its input passes on beside the branches, by
    concatenation (BinaryDenseNet's shortcut: no projection is needed where the width changes), so the block
    adds features and binarizes none of those it was given: out = concat(x, branches(sign(BN(x)))). BN before
    sign is ReActNet's RSign (a learned threshold per channel; the sign of its scale may flip the bit). Each
    branch ends in BatchNorm and ReActNet's RPReLU, which the converter folds into the last binary
    convolution's output transform."""

    def __init__(self, cin, widths):
        super().__init__()
        b1, b2r, b2, b3r, b3, bp = widths
        self.sign_in = SignBN(cin)

        def chain(*convs):
            layers = []
            for i, conv in enumerate(convs):
                layers += ([SignBN(conv.weight.shape[1])] if i else []) + [conv]
            out = convs[-1].weight.shape[0]
            return nn.Sequential(*layers, nn.BatchNorm2d(out), RPReLU(out))

        self.branch1 = chain(BinaryConv(cin, b1, 1))
        self.branch2 = chain(BinaryConv(cin, b2r, 1), BinaryConv(b2r, b2, 3))
        self.branch3 = chain(BinaryConv(cin, b3r, 1), BinaryConv(b3r, b3, 3), BinaryConv(b3, b3, 3))
        self.branch4 = chain(BinaryConv(cin, bp, 1))
        self.out_channels = cin + b1 + b2 + b3 + bp

    def forward(self, x):
        bits = self.sign_in(x)
        pooled = F.max_pool2d(bits, 3, stride=1, padding=1)
        return torch.cat([x, self.branch1(bits), self.branch2(bits), self.branch3(bits), self.branch4(pooled)], 1)


VARIANTS = ("xnor", "residual")


class InceptionNet(nn.Module):
    """variant (binary only): "xnor", XNOR-Net blocks (Inception); "residual", ResidualInception blocks.
    size: the input's height and width. Up to 55 pixels the stem is one 3x3 convolution and a 2x2
    max-pool (the Fashion-MNIST network); larger inputs get Inception v1's stem: a 7x7 stride-2 convolution
    and a 3x3 stride-2 max-pool, then from 112 pixels a 3x3 convolution and another 3x3 stride-2 max-pool."""

    def __init__(self, binary=False, width=1.0, classes=10, channels=1, size=28, variant="xnor"):
        super().__init__()
        if variant not in VARIANTS or (variant != "xnor" and not binary):
            raise ValueError(f"variant {variant!r}: one of {VARIANTS}, and only binary networks have variants")
        self.binary = binary
        reduction = stem_reduction(size)
        if reduction == 2:
            self.stem = FloatConv(channels, STEM_CHANNELS, 3)
            self.stem_pool = nn.MaxPool2d(2)
        else:
            stem = [nn.Conv2d(channels, STEM_CHANNELS, 7, stride=2, padding=3, bias=False),
                    nn.BatchNorm2d(STEM_CHANNELS), nn.ReLU(inplace=True), nn.MaxPool2d(3, stride=2, padding=1)]
            if reduction == 8:
                stem += [FloatConv(STEM_CHANNELS, STEM_CHANNELS, 3), nn.MaxPool2d(3, stride=2, padding=1)]
            self.stem = nn.Sequential(*stem)
            self.stem_pool = nn.Identity()
        layers, channels = [], STEM_CHANNELS
        for name, widths in BLOCKS:
            if widths is None:
                layers.append(nn.MaxPool2d(2))
                continue
            scaled = [max(1, round(w * width)) for w in widths]
            block = ResidualInception(channels, scaled) if variant == "residual" else Inception(channels, scaled, binary)
            layers.append(block)
            channels = block.out_channels
        self.blocks = nn.Sequential(*layers)
        # The binary blocks end in scaled sums: a BatchNorm and ReLU before pooling (float, as the classifier).
        self.head = nn.Sequential(nn.BatchNorm2d(channels), nn.ReLU(inplace=True)) if binary else nn.Identity()
        self.classifier = nn.Linear(channels, classes)

    def forward(self, x):
        x = self.stem_pool(self.stem(x))
        x = self.head(self.blocks(x))
        return self.classifier(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))

    def binary_convs(self):
        return [m for m in self.modules() if isinstance(m, BinaryConv)]


class RSign(nn.Module):
    """ReActNet's RSign: sign(x - threshold), a learned threshold per channel."""

    def __init__(self, channels):
        super().__init__()
        self.threshold = nn.Parameter(torch.zeros(1, channels, 1, 1))

    def forward(self, x):
        return SignSTE.apply(x - self.threshold)


class RPReLU(nn.Module):
    """ReActNet's RPReLU: PReLU(x - shift_in) + shift_out, per channel."""

    def __init__(self, channels):
        super().__init__()
        self.shift_in = nn.Parameter(torch.zeros(1, channels, 1, 1))
        self.prelu = nn.PReLU(channels, init=0.25)
        self.shift_out = nn.Parameter(torch.zeros(1, channels, 1, 1))

    def forward(self, x):
        return self.prelu(x - self.shift_in) + self.shift_out


class BiRealBlock(nn.Module):
    """A binary 3x3 convolution inside a real-valued shortcut (Bi-Real Net), with ReActNet's RSign and RPReLU:
    RPReLU(BN(BinaryConv(RSign(x))) + shortcut(x)); at stride 2 the shortcut is a 2x2 average pool."""

    def __init__(self, channels, stride=1):
        super().__init__()
        self.sign = RSign(channels)
        self.conv = BinaryConv(channels, channels, 3, stride)
        self.bn = nn.BatchNorm2d(channels)
        self.act = RPReLU(channels)
        self.stride = stride

    def forward(self, x):
        shortcut = F.avg_pool2d(x, 2) if self.stride == 2 else x
        return self.act(self.bn(self.conv(self.sign(x))) + shortcut)


class BiRealNet(nn.Module):
    """A small residual binary network for 28x28 grayscale images: a float stem, Bi-Real blocks at 14x14 and
    7x7, a float classifier."""

    def __init__(self, channels=32, classes=10):
        super().__init__()
        self.stem = FloatConv(1, channels, 3)
        self.blocks = nn.Sequential(BiRealBlock(channels), BiRealBlock(channels), BiRealBlock(channels, stride=2),
                                    BiRealBlock(channels))
        self.classifier = nn.Linear(channels, classes)

    def forward(self, x):
        x = self.blocks(F.max_pool2d(self.stem(x), 2))
        return self.classifier(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))

    def binary_convs(self):
        return [m for m in self.modules() if isinstance(m, BinaryConv)]
