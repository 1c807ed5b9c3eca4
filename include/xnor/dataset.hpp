#pragma once
// Labelled images for measuring a model's accuracy: Fashion-MNIST (gzip-compressed idx files, as Debian's
// dataset-fashion-mnist installs them) and folders of image files, one sub-folder per class.
//
// Every image is kept decoded as an Image (xnor/image.hpp), so preprocess() turns it into any model's
// input tensor; a folder of large photos takes their decoded size in memory.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "xnor/error.hpp"
#include "xnor/image.hpp"

namespace xnor {

// A data set that cannot be read: the message names the file and the problem.
class DatasetError : public Error {
 public:
  using Error::Error;
};

struct LabelledImages {
  std::vector<std::string> classes;  // label i is classes[i]
  std::vector<Image> images;
  std::vector<int> labels;         // one per image
  std::vector<std::string> files;  // one per image for image folders; empty for idx data sets

  std::size_t size() const { return images.size(); }
};

// An idx array (the MNIST format) of unsigned bytes, gzip-compressed or plain. With `max_items`, only the
// first max_items entries of the first dimension are read (0: all). Sizes are bounded and checked against
// the data actually present, so a hostile header never allocates more than the file holds.
struct IdxArray {
  std::vector<std::size_t> shape;
  std::vector<std::uint8_t> values;
};
IdxArray load_idx(const std::string& path, std::size_t max_items = 0);

inline constexpr const char* fashion_mnist_dir = "/usr/share/datasets/fashion-mnist";
// T-shirt/top, Trouser, ..., Ankle boot: the names of labels 0..9.
const std::vector<std::string>& fashion_mnist_classes();
// split: "train" (60,000 images) or "test" (10,000); 28x28 gray, light objects on black. limit: the first
// `limit` images (0: all).
LabelledImages load_fashion_mnist(const std::string& split, std::size_t limit = 0,
                                  const std::string& dir = fashion_mnist_dir);

// DIR/<class>/<image>: the classes are the sub-folders' names, sorted; files starting with '.' are skipped.
// Images are taken from the classes in turn (the first of each class, then the second, ...), so that a
// `limit` (0: all) still covers every class. A file that does not decode goes to on_bad_file (its path, and
// the decoder's message, which names it) and is skipped; without on_bad_file its ImageError propagates.
// `decode` says how each is decoded (for one model's input, a large JPEG need not be decoded whole).
using BadFileHandler = std::function<void(const std::string& path, const std::string& reason)>;
LabelledImages load_image_folder(const std::string& dir, std::size_t limit = 0, const BadFileHandler& on_bad_file = {},
                                 const DecodeOptions& decode = {});

}  // namespace xnor
