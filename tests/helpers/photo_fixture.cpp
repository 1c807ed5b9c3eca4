// What the phone-photo tests of `xnor classify` need (tests/tools_tests.cmake):
//   photo SRC OUT.jpg WIDTH HEIGHT ORIENTATION
//       SRC (any image) enlarged to WIDTH x HEIGHT as shown, with a little fixed noise as a camera's, stored
//       as a JPEG (quality 90) turned the way EXIF ORIENTATION (1 to 8) says it must be turned back: what a
//       phone writes for a portrait photo is `photo ... 3000 4000 6` (stored 4000 x 3000, sideways).
//   peak-rss MAX_MB COMMAND...
//       runs COMMAND, prints its peak resident memory, and fails when it is over MAX_MB or COMMAND fails.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "src/image/orientation.hpp"
#include "tests/image_files.hpp"
#include "xnor/image.hpp"

namespace {

void write_photo(const std::string& source, const std::string& out, std::size_t w, std::size_t h, int orientation) {
  // Raw 0..255 RGB values at the shown size.
  const xnor::InputSpec shown{h, w, 3, {0.0f, 0.0f, 0.0f}, {1.0f, 1.0f, 1.0f}, 255.0f, false};
  const std::vector<float> values = xnor::preprocess(xnor::load_image(source), shown);
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> noise(-6, 6);
  xnor::Image image{h, w, 3, std::vector<std::uint8_t>(values.size())};
  for (std::size_t i = 0; i < values.size(); ++i) {
    image.pixels[i] = static_cast<std::uint8_t>(std::clamp(std::lround(values[i]) + noise(rng), 0L, 255L));
  }
  // Stored turned the other way: orientations 6 and 8 undo each other, the others undo themselves.
  const int undo = orientation == 6 ? 8 : orientation == 8 ? 6 : orientation;
  const xnor::Image stored = xnor::image_detail::oriented(std::move(image), undo);
  const xnor::test::Bytes jpeg = xnor::test::with_jpeg_exif(
      xnor::test::encode_jpeg(static_cast<int>(stored.w), static_cast<int>(stored.h), 3, stored.pixels, 90),
      xnor::test::exif_orientation_tiff(orientation));
  std::ofstream file(out, std::ios::binary | std::ios::trunc);
  file.write(reinterpret_cast<const char*>(jpeg.data()), static_cast<std::streamsize>(jpeg.size()));
  if (!file) throw std::runtime_error("cannot write " + out);
  std::cout << out << ": " << stored.w << "x" << stored.h << " stored, orientation " << orientation << ", " << jpeg.size()
            << " bytes\n";
}

int peak_rss(double max_mb, char** command) {
  const pid_t child = fork();
  if (child == 0) {
    execvp(command[0], command);
    std::perror(command[0]);
    _exit(127);
  }
  int status = 0;
  rusage usage{};
  if (child < 0 || wait4(child, &status, 0, &usage) != child) {
    std::perror("peak-rss");
    return 1;
  }
  const double mb = static_cast<double>(usage.ru_maxrss) / 1024.0;  // Linux counts kilobytes
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::printf("%s failed\n", command[0]);
    return 1;
  }
  // ctest matches the output, not the exit code, where a test has a pass expression: the verdict is printed.
  std::printf("peak resident: %.1f MB (limit %.1f MB): %s\n", mb, max_mb, mb <= max_mb ? "within the limit" : "OVER THE LIMIT");
  return mb <= max_mb ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  try {
    if (args.size() == 6 && args[0] == "photo") {
      write_photo(args[1], args[2], std::stoul(args[3]), std::stoul(args[4]), std::stoi(args[5]));
      return 0;
    }
    if (args.size() >= 3 && args[0] == "peak-rss") return peak_rss(std::stod(args[1]), argv + 3);
  } catch (const std::exception& error) {
    std::cerr << "xnor-photo-fixture: " << error.what() << "\n";
    return 1;
  }
  std::cerr << "usage: xnor-photo-fixture photo SRC OUT.jpg WIDTH HEIGHT ORIENTATION | peak-rss MAX_MB COMMAND...\n";
  return 2;
}
