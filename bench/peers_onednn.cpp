// conv/onednn_f32/<shape> and conv/onednn_int8/<shape>: oneDNN's convolution forward inference on the data
// of bench/conv_cases.hpp, NHWC activations, weights reordered once to the layout oneDNN picks
// (format_tag::any); only execute() and the stream's wait are timed. int8 is uint8 input x int8 weights ->
// int8 output with int32 bias and one output scale per channel. The label is oneDNN's implementation.
// One thread: this oneDNN runs on OpenMP, and registration calls omp_set_num_threads(1) before any
// primitive runs (OMP_NUM_THREADS would have to be set before the process starts).
#include "bench/benchmarks.hpp"

#if defined(XNOR_HAVE_ONEDNN)

#include <benchmark/benchmark.h>
#include <omp.h>

#include <cstdint>
#include <functional>
#include <oneapi/dnnl/dnnl.hpp>
#include <vector>

#include "bench/conv_cases.hpp"

namespace xnor::bench {
namespace {

using dims = dnnl::memory::dims;
using data_type = dnnl::memory::data_type;
using tag = dnnl::memory::format_tag;

struct Operand {
  data_type type;
  void* data;
};

dnnl::memory::dim dim(std::size_t value) { return static_cast<dnnl::memory::dim>(value); }

void time_convolution(benchmark::State& state, const ConvShape& shape, Operand src, Operand weights, Operand bias,
                      Operand dst, const std::vector<float>& output_scales,
                      const std::function<bool()>& output_matches) {
  static const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  dnnl::stream stream(engine);
  const ConvGeometry g = shape.geometry();
  const dims weight_dims{dim(g.out_c), dim(g.in_c), dim(g.kernel_h), dim(g.kernel_w)};
  const dnnl::memory::desc src_desc({1, dim(g.in_c), dim(g.in_h), dim(g.in_w)}, src.type, tag::nhwc);
  const dnnl::memory::desc dst_desc({1, dim(g.out_c), dim(g.out_h()), dim(g.out_w())}, dst.type, tag::nhwc);
  const dnnl::memory::desc bias_desc({dim(g.out_c)}, bias.type, tag::x);
  const dnnl::convolution_forward::desc desc(
      dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct, src_desc,
      dnnl::memory::desc(weight_dims, weights.type, tag::any), bias_desc, dst_desc, {dim(g.stride), dim(g.stride)},
      {dim(g.pad_top()), dim(g.pad_left())},
      {dim(pad_bottom(g)), dim(pad_right(g))});
  dnnl::primitive_attr attr;
  if (!output_scales.empty()) attr.set_output_scales(1 << 1, output_scales);
  const dnnl::convolution_forward::primitive_desc primitive_desc(desc, attr, engine);

  dnnl::memory user_weights({weight_dims, weights.type, tag::ohwi}, engine, weights.data);
  dnnl::memory packed_weights(primitive_desc.weights_desc(), engine);
  dnnl::reorder(user_weights, packed_weights).execute(stream, user_weights, packed_weights);
  const dnnl::convolution_forward convolution(primitive_desc);
  const std::unordered_map<int, dnnl::memory> args{
      {DNNL_ARG_SRC, dnnl::memory(src_desc, engine, src.data)},
      {DNNL_ARG_WEIGHTS, packed_weights},
      {DNNL_ARG_BIAS, dnnl::memory(bias_desc, engine, bias.data)},
      {DNNL_ARG_DST, dnnl::memory(dst_desc, engine, dst.data)}};
  convolution.execute(stream, args);
  stream.wait();
  if (!output_matches()) {
    state.SkipWithError("oneDNN's output differs from the reference");
    return;
  }
  for (auto _ : state) {
    convolution.execute(stream, args);
    stream.wait();
  }
  state.counters["MAC/s"] = benchmark::Counter(shape.macs() * state.iterations(), benchmark::Counter::kIsRate);
  state.SetLabel(primitive_desc.impl_info_str());
}

void run_onednn_f32(benchmark::State& state, ConvShape shape) {
  FloatConvCase c = float_case(shape);
  std::vector<float> output(shape.geometry().out_pixels() * shape.out_c);
  time_convolution(state, shape, {data_type::f32, c.input.data()}, {data_type::f32, c.weights.data()},
                   {data_type::f32, c.bias.data()}, {data_type::f32, output.data()}, {},
                   [&] { return matches_reference(shape, output); });
}

void run_onednn_int8(benchmark::State& state, ConvShape shape) {
  Int8ConvCase c = int8_case(shape);
  // uint8 without a zero point reads the real value q - (-128).
  std::vector<std::uint8_t> input(c.input.size());
  for (std::size_t i = 0; i < input.size(); ++i) {
    input[i] = static_cast<std::uint8_t>(c.input[i] - Int8ConvCase::input_zero_point);
  }
  std::vector<std::int8_t> output(shape.geometry().out_pixels() * shape.out_c);
  time_convolution(state, shape, {data_type::u8, input.data()}, {data_type::s8, c.weights.data()},
                   {data_type::s32, c.bias.data()}, {data_type::s8, output.data()}, c.weight_scales,
                   [&] { return matches_reference(shape, output); });
}

}  // namespace

void register_onednn_benchmarks() {
  omp_set_num_threads(1);
  for (const ConvShape& shape : conv_shapes) {
    benchmark::RegisterBenchmark(shape.name("onednn_f32").c_str(), run_onednn_f32, shape);
    benchmark::RegisterBenchmark(shape.name("onednn_int8").c_str(), run_onednn_int8, shape);
  }
}

}  // namespace xnor::bench

#else

void xnor::bench::register_onednn_benchmarks() {}

#endif
