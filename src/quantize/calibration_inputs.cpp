#include "xnor/calibrate.hpp"
#include "xnor/dataset.hpp"
#include "xnor/image.hpp"

namespace xnor {

std::vector<std::vector<float>> calibration_inputs(const std::string& source, std::size_t count, const InputSpec& spec) {
  const LabelledImages data = source == "fashion-mnist" ? load_fashion_mnist("train", count)
                                                        : load_image_folder(source, count, {}, DecodeOptions::for_input(spec));
  if (data.size() == 0) throw DatasetError(source + ": no calibration images");
  std::vector<std::vector<float>> inputs;
  for (const Image& image : data.images) inputs.push_back(preprocess(image, spec));
  return inputs;
}

}  // namespace xnor
