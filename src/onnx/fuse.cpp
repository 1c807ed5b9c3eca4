// Ir rewrites: each turns a node into an alias of its input once a neighbour has absorbed it.
#include <algorithm>
#include <cmath>

#include "src/onnx/ir.hpp"

namespace xnor::onnx_import {
namespace {

class Fusion {
 public:
  explicit Fusion(Ir& ir) : ir_(ir) {}

  void run() {
    for (std::size_t i = 1; i < ir_.nodes.size(); ++i) merge_zero_pad(i);
    for (std::size_t i = 1; i < ir_.nodes.size(); ++i) recognize_binary(i);
    for (bool changed = true; changed;) {
      changed = false;
      for (std::size_t i = 1; i < ir_.nodes.size(); ++i) changed |= absorb(i);
    }
  }

 private:
  IrNode& node(std::size_t i) { return ir_.nodes[i]; }
  std::size_t uses(std::size_t i) const {
    std::size_t n = ir_.output == i;
    for (const IrNode& other : ir_.nodes) {
      if (other.kind == IrKind::alias) continue;
      for (std::size_t input : other.inputs) n += input == i;
    }
    return n;
  }
  // Node i is absorbed: its users read `target` instead.
  void alias(std::size_t i, std::size_t target) {
    for (IrNode& other : ir_.nodes) {
      for (std::size_t& input : other.inputs) {
        if (input == i) input = target;
      }
    }
    if (ir_.output == i) ir_.output = target;
    node(i).kind = IrKind::alias;
    node(i).inputs = {target};
  }
  // A conv whose output transform can still take a scale, shift or activation.
  bool open_conv(std::size_t i) {
    const IrNode& n = node(i);
    return n.kind == IrKind::conv && !n.bits_output && n.activation.kind == Activation::Kind::none && uses(i) == 1;
  }

  // A tensor of ±1 values: a Sign, or a max-pool of one (the pool then runs on bits).
  bool sign_valued(std::size_t i) {
    const IrNode& n = node(i);
    return n.kind == IrKind::sign || (n.kind == IrKind::pool && n.pool_kind == PoolKind::max && sign_valued(n.inputs[0]));
  }

  // Pad(0) -> Conv: the conv pads itself. Pad(0) -> AveragePool whose own padding (if any) counts: the pool
  // pads itself and counts the padding (PyTorch exports avg_pool2d so, with zero amounts too).
  void merge_zero_pad(std::size_t i) {
    IrNode& n = node(i);
    const bool average = n.kind == IrKind::pool && n.pool_kind == PoolKind::average && !n.global &&
                         (n.count_padding || n.pads == std::array<std::size_t, 4>{});
    if (n.kind != IrKind::conv && !average) return;
    const std::size_t p = n.inputs[0];
    if (node(p).kind != IrKind::pad || node(p).pad_value != 0.0f || uses(p) != 1) return;
    for (std::size_t k = 0; k < 4; ++k) n.pads[k] += node(p).pads[k];
    if (average) n.count_padding = true;
    n.inputs[0] = node(p).inputs[0];
  }

  // Sign [-> Pad(1)] -> Conv with weights ±alpha_n: a binary convolution.
  void recognize_binary(std::size_t i) {
    IrNode& conv = node(i);
    if (conv.kind != IrKind::conv || conv.groups != 1) return;
    std::size_t x = conv.inputs[0];
    const bool padded_with_one = node(x).kind == IrKind::pad && node(x).pad_value == 1.0f;
    const std::size_t sign = padded_with_one ? node(x).inputs[0] : x;
    if (!sign_valued(sign)) return;
    if (padded_with_one && conv.pads != std::array<std::size_t, 4>{}) return;
    const std::size_t out_c = conv.scale.size(), fan_in = conv.weights.size() / out_c;
    std::vector<float> alpha(out_c);
    for (std::size_t n = 0; n < out_c; ++n) {
      const float* w = conv.weights.data() + n * fan_in;
      const float a = std::fabs(w[0]);
      for (std::size_t k = 0; k < fan_in; ++k) {
        if (std::fabs(std::fabs(w[k]) - a) > 1e-6f * a) return;
      }
      alpha[n] = a;
    }
    for (std::size_t n = 0; n < out_c; ++n) {
      for (std::size_t k = 0; k < fan_in; ++k) {
        float& w = conv.weights[n * fan_in + k];
        w = std::signbit(w) ? -1.0f : 1.0f;
      }
      conv.scale[n] *= alpha[n];
    }
    conv.binary = true;
    if (padded_with_one) {
      conv.binary_padding = BinaryPadding::one;
      conv.pads = node(x).pads;
      conv.inputs[0] = sign;
    }
  }

  bool absorb(std::size_t i) {
    IrNode& n = node(i);
    if (n.inputs.empty()) return false;
    const std::size_t x = n.inputs[0];
    switch (n.kind) {
      case IrKind::scale_shift:
        if (node(x).kind == IrKind::scale_shift && uses(x) == 1) {
          for (std::size_t c = 0; c < n.scale.size(); ++c) {
            node(x).scale[c] *= n.scale[c];
            node(x).shift[c] = node(x).shift[c] * n.scale[c] + n.shift[c];
          }
          alias(i, x);
          return true;
        }
        if (open_conv(x) || concat_of_open_convs(x)) {
          scale_shift_into(x, n.scale, n.shift, 0);
          alias(i, x);
          return true;
        }
        // A shift after a + b moves into a's or b's convolution (ReActNet's RPReLU starts with one).
        if (node(x).kind == IrKind::elementwise && node(x).elementwise_kind == ElementwiseKind::add && uses(x) == 1 &&
            node(x).activation.kind == Activation::Kind::none &&
            std::all_of(n.scale.begin(), n.scale.end(), [](float v) { return v == 1.0f; })) {
          for (std::size_t operand : node(x).inputs) {
            if (!open_conv(operand) || node(operand).shape.c != n.shift.size()) continue;
            scale_shift_into(operand, n.scale, n.shift, 0);
            alias(i, x);
            return true;
          }
        }
        return false;
      case IrKind::activation:
        if (node(x).kind == IrKind::elementwise && node(x).activation.kind == Activation::Kind::none && uses(x) == 1) {
          node(x).activation = n.activation;
          alias(i, x);
          return true;
        }
        if (!n.activation.fusable() || (!open_conv(x) && !concat_of_open_convs(x))) return false;
        for (std::size_t first = 0; std::size_t conv : node(x).kind == IrKind::concat ? node(x).inputs : std::vector<std::size_t>{x}) {
          Activation& a = node(conv).activation = n.activation;
          const std::size_t channels = node(conv).scale.size();
          if (a.kind == Activation::Kind::prelu) {
            a.slopes.assign(n.activation.slopes.begin() + static_cast<std::ptrdiff_t>(first),
                            n.activation.slopes.begin() + static_cast<std::ptrdiff_t>(first + channels));
          }
          first += channels;
        }
        alias(i, x);
        return true;
      case IrKind::elementwise: {
        // x * HardSigmoid(x): a hard swish of x (how opsets before 14 export HardSwish).
        if (n.elementwise_kind != ElementwiseKind::mul || n.activation.kind != Activation::Kind::none) return false;
        for (int k = 0; k < 2; ++k) {
          const std::size_t gate = n.inputs[k], y = n.inputs[1 - k];
          const IrNode& g = node(gate);
          if (g.kind != IrKind::activation || g.activation.kind != Activation::Kind::hard_sigmoid || uses(gate) != 1 ||
              g.inputs[0] != y) {
            continue;
          }
          Activation swish = Activation::hard_swish();
          swish.alpha = g.activation.alpha, swish.beta = g.activation.beta;
          n.kind = IrKind::activation;
          n.activation = swish;
          n.inputs = {y};
          node(gate).kind = IrKind::alias;  // read by nothing now
          node(gate).inputs = {y};
          return true;
        }
        return false;
      }
      case IrKind::sign:
        if (binary_open_conv(x) || (node(x).kind == IrKind::concat && uses(x) == 1 && all_inputs(x, &Fusion::binary_open_conv))) {
          if (node(x).kind == IrKind::conv) node(x).bits_output = true;
          for (std::size_t input : node(x).kind == IrKind::concat ? node(x).inputs : std::vector<std::size_t>{}) {
            node(input).bits_output = true;
          }
          alias(i, x);
          return true;
        }
        return false;
      default:
        return false;
    }
  }

  bool binary_open_conv(std::size_t i) { return open_conv(i) && node(i).binary; }
  bool concat_of_open_convs(std::size_t i) {
    return node(i).kind == IrKind::concat && uses(i) == 1 && all_inputs(i, &Fusion::open_conv);
  }
  bool all_inputs(std::size_t i, bool (Fusion::*test)(std::size_t)) {
    for (std::size_t input : node(i).inputs) {
      if (!(this->*test)(input)) return false;
    }
    return true;
  }
  // Applies scale / shift (from channel `first` on) to conv x, or to each conv of concat x.
  void scale_shift_into(std::size_t x, const std::vector<float>& scale, const std::vector<float>& shift, std::size_t first) {
    IrNode& n = node(x);
    if (n.kind == IrKind::concat) {
      for (std::size_t input : n.inputs) {
        scale_shift_into(input, scale, shift, first);
        first += node(input).scale.size();
      }
      return;
    }
    for (std::size_t c = 0; c < n.scale.size(); ++c) {
      n.scale[c] *= scale[first + c];
      n.shift[c] = n.shift[c] * scale[first + c] + shift[first + c];
    }
  }

  Ir& ir_;
};

}  // namespace

void fuse(Ir& ir) { Fusion(ir).run(); }

}  // namespace xnor::onnx_import
