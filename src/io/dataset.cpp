// Fashion-MNIST and image folders (see dataset.hpp).
#include "xnor/dataset.hpp"

#include <algorithm>
#include <filesystem>

namespace xnor {

const std::vector<std::string>& fashion_mnist_classes() {
  static const std::vector<std::string> classes = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                                   "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
  return classes;
}

LabelledImages load_fashion_mnist(const std::string& split, std::size_t limit, const std::string& dir) {
  if (split != "train" && split != "test") throw DatasetError("Fashion-MNIST: unknown split '" + split + "' (train or test)");
  // The files keep their original names: the test split is "t10k".
  const std::string prefix = dir + "/" + (split == "test" ? "t10k" : "train");
  const std::string images_path = prefix + "-images-idx3-ubyte.gz";
  const std::string labels_path = prefix + "-labels-idx1-ubyte.gz";
  const IdxArray images = load_idx(images_path, limit);
  const IdxArray labels = load_idx(labels_path, limit);
  if (images.shape.size() != 3) throw DatasetError(images_path + ": expected N x H x W images");
  if (labels.shape.size() != 1) throw DatasetError(labels_path + ": expected a list of labels");
  if (images.shape[0] != labels.shape[0]) {
    throw DatasetError(images_path + ": " + std::to_string(images.shape[0]) + " images but " +
                       std::to_string(labels.shape[0]) + " labels");
  }

  LabelledImages set;
  set.classes = fashion_mnist_classes();
  const std::size_t h = images.shape[1], w = images.shape[2];
  set.images.reserve(images.shape[0]);
  set.labels.reserve(images.shape[0]);
  for (std::size_t i = 0; i < images.shape[0]; ++i) {
    if (labels.values[i] >= set.classes.size()) {
      throw DatasetError(labels_path + ": label " + std::to_string(labels.values[i]) + " of image " + std::to_string(i) +
                         " is not a class (0 to 9)");
    }
    const auto first = images.values.begin() + static_cast<std::ptrdiff_t>(i * h * w);
    set.images.push_back(Image{h, w, 1, std::vector<std::uint8_t>(first, first + static_cast<std::ptrdiff_t>(h * w))});
    set.labels.push_back(labels.values[i]);
  }
  return set;
}

LabelledImages load_image_folder(const std::string& dir, std::size_t limit, const BadFileHandler& on_bad_file,
                                 const DecodeOptions& decode) {
  namespace fs = std::filesystem;
  const auto hidden = [](const fs::path& path) { return path.filename().string().starts_with("."); };
  LabelledImages set;
  std::vector<std::vector<fs::path>> files_by_class;
  try {
    std::vector<fs::path> class_dirs;
    for (const fs::directory_entry& entry : fs::directory_iterator(dir)) {
      if (entry.is_directory() && !hidden(entry.path())) class_dirs.push_back(entry.path());
    }
    std::sort(class_dirs.begin(), class_dirs.end());
    for (const fs::path& class_dir : class_dirs) {
      std::vector<fs::path> files;
      for (const fs::directory_entry& entry : fs::directory_iterator(class_dir)) {
        if (entry.is_regular_file() && !hidden(entry.path())) files.push_back(entry.path());
      }
      std::sort(files.begin(), files.end());
      set.classes.push_back(class_dir.filename().string());
      files_by_class.push_back(std::move(files));
    }
  } catch (const fs::filesystem_error& error) {
    throw DatasetError(dir + ": " + error.code().message());
  }
  if (set.classes.empty()) throw DatasetError(dir + ": no class sub-folders (expected DIR/<class>/<image>)");

  const std::size_t wanted = limit == 0 ? SIZE_MAX : limit;
  std::size_t longest = 0;
  for (const auto& files : files_by_class) longest = std::max(longest, files.size());
  for (std::size_t rank = 0; rank < longest && set.size() < wanted; ++rank) {
    for (std::size_t label = 0; label < files_by_class.size() && set.size() < wanted; ++label) {
      if (rank >= files_by_class[label].size()) continue;
      const std::string path = files_by_class[label][rank].string();
      try {
        set.images.push_back(load_image(path, {}, decode));
      } catch (const ImageError& error) {
        if (!on_bad_file) throw;
        on_bad_file(path, error.what());
        continue;
      }
      set.labels.push_back(static_cast<int>(label));
      set.files.push_back(path);
    }
  }
  if (set.images.empty()) throw DatasetError(dir + ": no images in its class sub-folders");
  return set;
}

}  // namespace xnor
