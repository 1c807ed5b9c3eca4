// conv/xnnpack_f32/<shape> and conv/xnnpack_int8/<shape>: XNNPACK's NHWC convolution operators on the data of
// bench/conv_cases.hpp, created (weights packed) and set up once, then xnn_run_operator timed, one thread
// (no pthreadpool). int8 is the qc8 operator: int8 input with a zero point, int8 weights with a scale per
// output channel, int32 bias, int8 output.
#include "bench/benchmarks.hpp"

#if defined(XNOR_HAVE_XNNPACK)

#include <benchmark/benchmark.h>
#include <xnnpack.h>

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "bench/conv_cases.hpp"

namespace xnor::bench {
namespace {

struct DeleteOperator {
  void operator()(xnn_operator_t op) const { xnn_delete_operator(op); }
};
using Operator = std::unique_ptr<xnn_operator, DeleteOperator>;

// The geometry's sizes as XNNPACK's create functions take them (padding explicit, TensorFlow's split included).
struct Window {
  std::uint32_t pad_top, pad_right, pad_bottom, pad_left, kernel_h, kernel_w, stride, groups;
};

Window window_of(const ConvShape& shape) {
  const ConvGeometry g = shape.geometry();
  const auto u32 = [](std::size_t v) { return static_cast<std::uint32_t>(v); };
  return {u32(g.pad_top()), u32(pad_right(g)), u32(pad_bottom(g)), u32(g.pad_left()), u32(g.kernel_h), u32(g.kernel_w),
          u32(g.stride), u32(shape.groups)};
}

// Times an operator that create_and_setup made and set up; runs it once first for the check.
void time_operator(benchmark::State& state, const ConvShape& shape,
                   const std::function<xnn_status(xnn_operator_t*)>& create_and_setup,
                   const std::function<bool()>& output_matches) {
  static const xnn_status initialized = xnn_initialize(nullptr);
  xnn_operator_t raw = nullptr;
  xnn_status status = initialized == xnn_status_success ? create_and_setup(&raw) : initialized;
  const Operator op(raw);
  if (status == xnn_status_success) status = xnn_run_operator(op.get(), nullptr);
  if (status != xnn_status_success) {
    state.SkipWithError(("XNNPACK failed with status " + std::to_string(status)).c_str());
    return;
  }
  if (!output_matches()) {
    state.SkipWithError("XNNPACK's output differs from the reference");
    return;
  }
  for (auto _ : state) xnn_run_operator(op.get(), nullptr);
  state.counters["MAC/s"] = benchmark::Counter(shape.macs() * state.iterations(), benchmark::Counter::kIsRate);
}

void run_xnnpack_f32(benchmark::State& state, ConvShape shape) {
  const FloatConvCase c = float_case(shape);
  const ConvGeometry g = shape.geometry();
  const Window w = window_of(shape);
  std::vector<float> output(g.out_pixels() * g.out_c);
  time_operator(
      state, shape,
      [&](xnn_operator_t* op) {
        const xnn_status created = xnn_create_convolution2d_nhwc_f32(
            w.pad_top, w.pad_right, w.pad_bottom, w.pad_left, w.kernel_h, w.kernel_w, w.stride, w.stride, 1, 1,
            w.groups, g.in_c / w.groups, g.out_c / w.groups, g.in_c, g.out_c,
            c.weights.data(), c.bias.data(), -std::numeric_limits<float>::infinity(),
            std::numeric_limits<float>::infinity(), 0, op);
        if (created != xnn_status_success) return created;
        return xnn_setup_convolution2d_nhwc_f32(*op, 1, g.in_h, g.in_w, c.input.data(), output.data(), nullptr);
      },
      [&] { return matches_reference(shape, output); });
}

void run_xnnpack_int8(benchmark::State& state, ConvShape shape) {
  const Int8ConvCase c = int8_case(shape);
  const Int8LayerParams params = c.params();
  const ConvGeometry g = shape.geometry();
  const Window w = window_of(shape);
  std::vector<std::int8_t> output(g.out_pixels() * g.out_c);
  time_operator(
      state, shape,
      [&](xnn_operator_t* op) {
        const xnn_status created = xnn_create_convolution2d_nhwc_qc8(
            w.pad_top, w.pad_right, w.pad_bottom, w.pad_left, w.kernel_h, w.kernel_w, w.stride, w.stride, 1, 1,
            w.groups, g.in_c / w.groups, g.out_c / w.groups, g.in_c, g.out_c,
            static_cast<std::int8_t>(params.input.zero_point), params.input.scale, c.weight_scales.data(),
            c.weights.data(), c.bias.data(), static_cast<std::int8_t>(params.output.zero_point), params.output.scale,
            params.range.min, params.range.max, 0, op);
        if (created != xnn_status_success) return created;
        return xnn_setup_convolution2d_nhwc_qc8(*op, 1, g.in_h, g.in_w, c.input.data(), output.data(), nullptr);
      },
      [&] { return matches_reference(shape, output); });
}

}  // namespace

void register_xnnpack_benchmarks() {
  for (const auto& shapes : {std::span<const ConvShape>(conv_shapes), std::span<const ConvShape>(depthwise_shapes)}) {
    for (const ConvShape& shape : shapes) {
      benchmark::RegisterBenchmark(shape.name("xnnpack_f32").c_str(), run_xnnpack_f32, shape);
      benchmark::RegisterBenchmark(shape.name("xnnpack_int8").c_str(), run_xnnpack_int8, shape);
    }
  }
}

}  // namespace xnor::bench

#else

void xnor::bench::register_xnnpack_benchmarks() {}

#endif
