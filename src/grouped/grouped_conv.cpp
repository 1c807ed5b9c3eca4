// FloatGroupedConv2d and Int8GroupedConv2d (grouped_conv.hpp): checks, the depthwise weights in the kernels' lane
// order (src/grouped/depthwise_kernels.hpp), and the per-group convolutions of other groupings.
#include "xnor/grouped_conv.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

#include "src/check_size.hpp"
#include "src/int8/packed_weights.hpp"
#include "src/path_kernels.hpp"

namespace xnor {
namespace detail {

struct FloatDepthwiseWeights {
  std::vector<float> weights;   // [padded tap][lane]
  std::vector<float> epilogue;  // [bias, negative slope, low, high][lane]
  std::vector<float> padding;   // the pixel of the taps outside the input: zeros
};

struct Int8DepthwiseWeights {
  std::vector<std::int8_t> weights;    // [padded tap][lane]
  std::vector<std::int8_t> padding;    // the pixel of the taps outside the input: the input zero point
  std::vector<std::int32_t> channels;  // [bias, multiplier, left shift, right shift][lane]
  bool left_shifts = false;
  std::int32_t input_zero_point = 0, output_zero_point = 0;
  Int8Range range;
};

}  // namespace detail

namespace {

constexpr const char* float_layer = "FloatGroupedConv2d";
constexpr const char* int8_layer = "Int8GroupedConv2d";

// One group's convolution: the same window over in_c / groups channels, out_c / groups outputs.
ConvGeometry group_geometry(const ConvGeometry& g, std::size_t groups) {
  ConvGeometry group = g;
  group.in_c = g.in_c / groups;
  group.out_c = g.out_c / groups;
  return group;
}

// Values [group * size, +size) of a span of one value per output channel or one in all (or none).
template <class T>
std::span<const T> group_slice(std::span<const T> values, std::size_t group, std::size_t size) {
  return values.size() <= 1 ? values : values.subspan(group * size, size);
}

// Output channel o = i * multiplier + j of a depthwise layer is lane j * in_c + i of its kernel.
std::size_t lane_of(const ConvGeometry& g, std::size_t o) {
  const std::size_t multiplier = g.out_c / g.in_c;
  return o % multiplier * g.in_c + o / multiplier;
}

// Depthwise weights [out_c][tap] to [padded tap][lane], zero past the kernel's taps.
template <class T>
std::vector<T> weights_in_lanes(const ConvGeometry& g, std::span<const T> weights) {
  std::vector<T> lanes(detail::depthwise_padded_taps(g.taps()) * g.out_c, T{0});
  for (std::size_t o = 0; o < g.out_c; ++o) {
    for (std::size_t t = 0; t < g.taps(); ++t) lanes[t * g.out_c + lane_of(g, o)] = weights[o * g.taps() + t];
  }
  return lanes;
}

// Runs a depthwise kernel, the output rows split among the pool's threads, each with its own scratch sums (kept by
// the thread: nothing is allocated after the first run).
template <class Args>
void run_depthwise(const ConvGeometry& g, Args args, void (*kernel)(const Args&), ThreadPool* pool) {
  args.shape = {g.in_h,       g.in_w,    g.in_c,           g.kernel_h, g.kernel_w, g.stride, g.pad_top(),
                g.pad_left(), g.out_w(), g.out_c / g.in_c, 0,          0};
  parallel_for(pool, g.out_h(), 1, [&](std::size_t row_begin, std::size_t row_end) {
    thread_local std::vector<std::remove_pointer_t<decltype(args.scratch)>> scratch;
    scratch.resize(g.out_c);
    Args band = args;
    band.shape.row_begin = row_begin;
    band.shape.row_end = row_end;
    band.scratch = scratch.data();
    kernel(band);
  });
}

// Runs one convolution per group on its channels, gathered into scratch kept by the thread (nothing is allocated
// after the first run); a single group reads the input as it is.
template <class T, class Conv>
void run_groups(const ConvGeometry& g, const std::vector<Conv>& convs, std::span<const T> input, std::span<T> output,
                ThreadPool* pool) {
  if (convs.size() == 1) {
    convs.front().run(input, output, pool);
    return;
  }
  const std::size_t in_c = g.in_c / convs.size(), out_c = g.out_c / convs.size();
  thread_local std::vector<T> group_input, group_output;
  group_input.resize(g.in_pixels() * in_c);
  group_output.resize(g.out_pixels() * out_c);
  for (std::size_t group = 0; group < convs.size(); ++group) {
    for (std::size_t p = 0; p < g.in_pixels(); ++p) {
      std::copy_n(input.data() + p * g.in_c + group * in_c, in_c, group_input.data() + p * in_c);
    }
    convs[group].run(group_input, group_output, pool);
    for (std::size_t p = 0; p < g.out_pixels(); ++p) {
      std::copy_n(group_output.data() + p * out_c, out_c, output.data() + p * g.out_c + group * out_c);
    }
  }
}

}  // namespace

detail::GroupedConv2d::GroupedConv2d(const char* layer, const ConvGeometry& geometry, std::size_t groups, Path path)
    : geometry_(geometry), groups_(groups), path_(path) {
  geometry_.validate();
  if (groups == 0 || geometry_.in_c % groups != 0 || geometry_.out_c % groups != 0) {
    throw std::invalid_argument(std::string(layer) + ": " + std::to_string(groups) + " groups do not divide " +
                                std::to_string(geometry_.in_c) + " input channels and " +
                                std::to_string(geometry_.out_c) + " output channels");
  }
  const PathKernels& kernels = path_kernels(path);
  if (groups == geometry_.in_c) {
    depthwise_ = kernels.depthwise;
    kernel_name_ = std::string("depthwise ") + depthwise_->name;
  }
}

FloatGroupedConv2d::FloatGroupedConv2d(const ConvGeometry& geometry, std::size_t groups,
                                       std::span<const float> weights, std::span<const float> bias,
                                       Activation activation, Path path)
    : GroupedConv2d(float_layer, geometry, groups, path) {
  const ConvGeometry& g = geometry_;
  const ConvGeometry group = group_geometry(g, groups);
  const std::size_t group_weights = group.out_c * group.taps() * group.in_c;
  detail::check_size(float_layer, "weights", weights.size(), groups * group_weights);
  if (!bias.empty()) detail::check_size(float_layer, "bias", bias.size(), g.out_c);
  const bool prelu = activation.kind == Activation::Kind::prelu;
  if (prelu) detail::check_size(float_layer, "PReLU slopes", activation.slopes.size(), g.out_c);
  if (!activation.fusable()) throw std::invalid_argument(std::string(float_layer) + ": a hard sigmoid or swish does not fuse");

  if (depthwise_ != nullptr) {
    auto packed = std::make_shared<detail::FloatDepthwiseWeights>();
    packed->weights = weights_in_lanes(g, weights);
    packed->epilogue.resize(4 * g.out_c);
    packed->padding.assign(g.in_c, 0.0f);
    constexpr float infinity = std::numeric_limits<float>::infinity();
    const bool relu = activation.kind == Activation::Kind::relu, clamp = activation.kind == Activation::Kind::clamp;
    for (std::size_t o = 0; o < g.out_c; ++o) {
      float* e = packed->epilogue.data() + lane_of(g, o);
      e[0] = bias.empty() ? 0.0f : bias[o];
      e[g.out_c] = prelu ? activation.slopes[o] : 1.0f;
      e[2 * g.out_c] = clamp ? activation.low : relu ? 0.0f : -infinity;
      e[3 * g.out_c] = clamp ? activation.high : infinity;
    }
    depthwise_weights_ = std::move(packed);
    return;
  }
  kernel_name_ = "grouped " + std::string(path_name(path));
  for (std::size_t i = 0; i < groups; ++i) {
    Activation group_activation = activation;
    if (prelu) {
      group_activation.slopes.assign(activation.slopes.begin() + static_cast<std::ptrdiff_t>(i * group.out_c),
                                     activation.slopes.begin() + static_cast<std::ptrdiff_t>((i + 1) * group.out_c));
    }
    group_convs_.emplace_back(group, weights.subspan(i * group_weights, group_weights),
                              group_slice(bias, i, group.out_c), std::move(group_activation), path);
  }
}

void FloatGroupedConv2d::run(std::span<const float> input, std::span<float> output, ThreadPool* pool) const {
  detail::check_size(float_layer, "input", input.size(), input_size());
  detail::check_size(float_layer, "output", output.size(), output_size());
  if (depthwise_ == nullptr) {
    run_groups(geometry_, group_convs_, input, output, pool);
    return;
  }
  const detail::FloatDepthwiseWeights& w = *depthwise_weights_;
  run_depthwise(geometry_,
                detail::FloatDepthwiseArgs{{}, input.data(), w.padding.data(), w.weights.data(), w.epilogue.data(),
                                           nullptr, output.data()},
                depthwise_->run_float, pool);
}

Int8GroupedConv2d::Int8GroupedConv2d(const ConvGeometry& geometry, std::size_t groups, const Int8LayerParams& params,
                                     Path path)
    : GroupedConv2d(int8_layer, geometry, groups, path) {
  const ConvGeometry& g = geometry_;
  const ConvGeometry group = group_geometry(g, groups);
  // Checks the parameters as Int8Conv2d does (the same messages, for the whole layer), and gives each channel's
  // multiplier and shifts.
  const detail::PackedInt8Weights packed = detail::pack_int8_weights(
      *detail::path_kernels(path).int8, g.kernel_h, g.kernel_w, group.in_c, g.out_c, params, int8_layer);

  if (depthwise_ != nullptr) {
    auto lanes = std::make_shared<detail::Int8DepthwiseWeights>();
    lanes->weights = weights_in_lanes(g, params.weights);
    lanes->channels.resize(4 * g.out_c);
    lanes->padding.assign(g.in_c, static_cast<std::int8_t>(params.input.zero_point));
    for (std::size_t o = 0; o < g.out_c; ++o) {
      std::int32_t* c = lanes->channels.data() + lane_of(g, o);
      c[0] = params.bias.empty() ? 0 : params.bias[o];
      c[g.out_c] = packed.multiplier[o];
      c[2 * g.out_c] = packed.left_shift[o];
      c[3 * g.out_c] = packed.right_shift[o];
    }
    lanes->left_shifts = packed.any_left_shift;
    lanes->input_zero_point = params.input.zero_point;
    lanes->output_zero_point = params.output.zero_point;
    lanes->range = params.range;
    depthwise_weights_ = std::move(lanes);
    return;
  }
  const std::size_t group_weights = group.out_c * group.taps() * group.in_c;
  for (std::size_t i = 0; i < groups; ++i) {
    Int8LayerParams slice = params;
    slice.weights = params.weights.subspan(i * group_weights, group_weights);
    slice.weight_scales = group_slice(params.weight_scales, i, group.out_c);
    slice.bias = group_slice(params.bias, i, group.out_c);
    group_convs_.emplace_back(group, slice, path);
  }
  kernel_name_ = "grouped " + std::string(group_convs_.front().kernel_name());
}

void Int8GroupedConv2d::run(std::span<const std::int8_t> input, std::span<std::int8_t> output,
                            ThreadPool* pool) const {
  detail::check_size(int8_layer, "the input", input.size(), input_size(), "values");
  detail::check_size(int8_layer, "the output", output.size(), output_size(), "values");
  if (depthwise_ == nullptr) {
    run_groups(geometry_, group_convs_, input, output, pool);
    return;
  }
  const detail::Int8DepthwiseWeights& w = *depthwise_weights_;
  run_depthwise(geometry_,
                detail::Int8DepthwiseArgs{{},
                                          input.data(),
                                          w.padding.data(),
                                          w.weights.data(),
                                          w.channels.data(),
                                          w.left_shifts,
                                          w.input_zero_point,
                                          w.output_zero_point,
                                          w.range.min,
                                          w.range.max,
                                          nullptr,
                                          output.data()},
                depthwise_->run_int8, pool);
}

}  // namespace xnor
