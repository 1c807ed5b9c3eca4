#pragma once
// xtensor views of a model's input and output, for applications that use xtensor: header-only, so the
// runtime itself does not need xtensor (CMake propagates it to xnor::xnor's users where it is installed).
#include <algorithm>
#include <array>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <xtensor/xadapt.hpp>
#include <xtensor/xtensor.hpp>

#include "xnor/image.hpp"
#include "xnor/model.hpp"

namespace xnor {

// The model input for an image (preprocess) as an xtensor of shape {spec.h, spec.w, spec.c}.
inline xt::xtensor<float, 3> preprocess_tensor(const Image& image, const InputSpec& spec) {
  const std::vector<float> values = preprocess(image, spec);
  xt::xtensor<float, 3> input = xt::xtensor<float, 3>::from_shape({spec.h, spec.w, spec.c});
  std::copy(values.begin(), values.end(), input.begin());
  return input;
}

// A model's output as an H x W x C xtensor view of a Session's arena (no copy), valid until its next run.
using OutputView = decltype(xt::adapt(std::declval<const float*>(), std::size_t{}, xt::no_ownership(),
                                      std::declval<std::array<std::size_t, 3>>()));

// Session::run on an H x W x C image tensor, whose shape must be the model's input shape.
inline OutputView run(Session& session, const xt::xtensor<float, 3>& image) {
  const TensorSpec& in = session.model().input();
  if (image.shape(0) != in.h || image.shape(1) != in.w || image.shape(2) != in.c) {
    throw std::invalid_argument("model input is " + std::to_string(in.h) + "x" + std::to_string(in.w) + "x" +
                                std::to_string(in.c) + ", the image tensor " + std::to_string(image.shape(0)) + "x" +
                                std::to_string(image.shape(1)) + "x" + std::to_string(image.shape(2)));
  }
  const std::span<const float> out = session.run(std::span<const float>(image.data(), image.size()));
  const TensorSpec& o = session.model().output();
  return xt::adapt(out.data(), out.size(), xt::no_ownership(), std::array<std::size_t, 3>{o.h, o.w, o.c});
}

}  // namespace xnor
