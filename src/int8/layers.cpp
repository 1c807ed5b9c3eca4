// Int8Conv2d and Int8Dense (int8_conv.hpp): checks and prepacking, then the driver (driver.hpp).
#include <memory>
#include <stdexcept>
#include <string>

#include "src/check_size.hpp"
#include "src/int8/driver.hpp"
#include "src/int8/packed_weights.hpp"
#include "src/path_kernels.hpp"
#include "xnor/int8_conv.hpp"

namespace xnor {
namespace {

using detail::PackedInt8Weights;

std::shared_ptr<const PackedInt8Weights> pack(const detail::Int8Kernels& kernels, const ConvGeometry& g,
                                              const Int8LayerParams& params, const char* layer) {
  const bool one_row = detail::uses_im2col(g, kernels);
  return std::make_shared<const PackedInt8Weights>(detail::pack_int8_weights(
      kernels, one_row ? 1 : g.kernel_h, one_row ? g.taps() : g.kernel_w, g.in_c, g.out_c, params, layer));
}

const ConvGeometry& validated(const ConvGeometry& geometry) {
  geometry.validate();
  return geometry;
}

// A dense layer is a 1x1 convolution over a batch x 1 image, so threads split the batch.
ConvGeometry dense_geometry(std::size_t batch, std::size_t inputs, std::size_t outputs) {
  return {batch, 1, inputs, 1, 1, 1, Padding::valid, outputs};
}

}  // namespace

FixedPointMultiplier output_multiplier(const Int8LayerParams& params, std::size_t channel) {
  const float weight_scale = params.weight_scales[params.weight_scales.size() == 1 ? 0 : channel];
  return quantize_multiplier(static_cast<double>(params.input.scale) * static_cast<double>(weight_scale) /
                             static_cast<double>(params.output.scale));
}

Int8Conv2d::Int8Conv2d(const ConvGeometry& geometry, const Int8LayerParams& params, Path path)
    : geometry_(validated(geometry)), weights_(pack(*detail::path_kernels(path).int8, geometry, params, "Int8Conv2d")) {}

std::string_view Int8Conv2d::kernel_name() const { return weights_->kernels->name; }

void Int8Conv2d::run(std::span<const std::int8_t> input, std::span<std::int8_t> output, ThreadPool* pool) const {
  detail::check_size("Int8Conv2d", "the input", input.size(), geometry_.in_pixels() * geometry_.in_c, "values");
  detail::check_size("Int8Conv2d", "the output", output.size(), geometry_.out_pixels() * geometry_.out_c, "values");
  detail::run_int8_layer(*weights_, geometry_, input.data(), output.data(), pool);
}

Int8Dense::Int8Dense(std::size_t inputs, std::size_t outputs, const Int8LayerParams& params, Path path)
    : inputs_(inputs), outputs_(outputs) {
  if (inputs == 0 || outputs == 0) {
    throw std::invalid_argument("Int8Dense: " + std::to_string(inputs) + " inputs and " + std::to_string(outputs) +
                                " outputs: both must be positive");
  }
  weights_ = pack(*detail::path_kernels(path).int8, dense_geometry(1, inputs, outputs), params, "Int8Dense");
}

std::string_view Int8Dense::kernel_name() const { return weights_->kernels->name; }

void Int8Dense::run(std::span<const std::int8_t> input, std::span<std::int8_t> output, ThreadPool* pool) const {
  if (input.size() % inputs_ != 0) {
    throw std::invalid_argument("Int8Dense: " + std::to_string(input.size()) + " input values are not whole rows of " +
                                std::to_string(inputs_));
  }
  const std::size_t batch = input.size() / inputs_;
  detail::check_size("Int8Dense", "the output", output.size(), batch * outputs_, "values");
  if (batch == 0) return;
  detail::run_int8_layer(*weights_, dense_geometry(batch, inputs_, outputs_), input.data(), output.data(), pool);
}

}  // namespace xnor
