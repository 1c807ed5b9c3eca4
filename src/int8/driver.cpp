// The int8 layer driver (driver.hpp). A stride-1 convolution's kernels read the padded image in place (the
// input itself for a 1x1 convolution whose kernel takes activations as they are); other strides get im2col
// rows a block at a time, sized to stay in cache while every weight panel passes over them. Threads split the
// output rows, and every output is computed by the same code whatever the split.
#include "src/int8/driver.hpp"

#include <algorithm>
#include <cstring>
#include <vector>

#include "src/aligned_buffer.hpp"
#include "src/int8/activations.hpp"

namespace xnor::detail {
namespace {

constexpr std::size_t block_bytes = 128 * 1024;

std::size_t round_up(std::size_t n, std::size_t multiple) { return (n + multiple - 1) / multiple * multiple; }

std::size_t value_bytes(Int8Encoding encoding) { return encoding == Int8Encoding::int16 ? 2 : 1; }

// Runs the kernel on args.m rows of which only the first `readable` (from args.a) may be read: the rows a kernel
// would read past them come from a copy, padded to the kernel's row alignment. (A finite `readable` is the
// input of a 1x1 convolution, whose rows map to output pixels one to one.)
void run_rows(const Int8RowsArgs& args, std::size_t readable) {
  const Int8Kernels& kernels = *args.weights->kernels;
  const std::size_t align = kernels.layout.row_align;
  const std::size_t in_place = std::min(args.m, readable / align * align);
  if (in_place > 0)
    kernels.run({args.a, args.lda, args.kernel_row_offsets, in_place, args.row_pitch, args.row_width, args.weights,
                 args.out, args.ldo});
  if (in_place == args.m) return;
  thread_local AlignedBuffer tail;
  const std::size_t bytes = args.lda * value_bytes(kernels.layout.encoding);
  tail.grow_to(align * bytes);
  std::memcpy(tail.as<void>(), static_cast<const char*>(args.a) + in_place * bytes, (args.m - in_place) * bytes);
  kernels.run({tail.as<void>(), args.lda, args.kernel_row_offsets, args.m - in_place, args.row_pitch, args.row_width,
               args.weights, args.out + in_place * args.ldo, args.ldo});
}

void run_stride_one(const PackedInt8Weights& w, const ConvGeometry& g, const std::int8_t* input, std::int8_t* output,
                    ThreadPool* pool) {
  const Int8Layout& layout = w.kernels->layout;
  const std::size_t c = g.in_c;
  const std::size_t pitch = g.out_w() + g.kernel_w - 1;
  const bool input_in_place = g.taps() == 1 && !g.padded() && layout.encoding == Int8Encoding::int8 && w.row_k_padded == c;
  // What a kernel reads past the last row's last kernel row: whole rows up to the alignment, and the rest of a
  // kernel row's padded values.
  const std::size_t slack = layout.row_align * c + (w.row_k_padded - w.row_k);
  const void* image = input_in_place ? input : padded_image(g, input, w.input_zero_point, layout.encoding, slack);
  const std::size_t image_rows = input_in_place ? g.in_pixels() : ~std::size_t{0};
  // Kept by the calling thread (no allocation after the first run); the workers read it through a pointer.
  thread_local std::vector<std::size_t> row_offsets;
  row_offsets.resize(g.kernel_h);
  for (std::size_t ky = 0; ky < g.kernel_h; ++ky) row_offsets[ky] = ky * pitch * c;
  const std::size_t* kernel_row_offsets = row_offsets.data();
  const std::size_t value_size = value_bytes(layout.encoding);
  parallel_for(pool, g.out_h(), 1, [&](std::size_t row_begin, std::size_t row_end) {
    const std::size_t first = row_begin * pitch;  // the virtual row of the first output pixel
    const Int8RowsArgs args{static_cast<const char*>(image) + first * c * value_size,
                            c,
                            kernel_row_offsets,
                            (row_end - row_begin - 1) * pitch + g.out_w(),
                            pitch,
                            g.out_w(),
                            &w,
                            output + row_begin * g.out_w() * w.out_c,
                            w.out_c};
    run_rows(args, image_rows - first);
  });
}

void run_im2col(const PackedInt8Weights& w, const ConvGeometry& g, const std::int8_t* input, std::int8_t* output,
                ThreadPool* pool) {
  const Int8Layout& layout = w.kernels->layout;
  const std::size_t row_bytes = w.k_padded * value_bytes(layout.encoding);
  const std::size_t block_rows =
      std::max(layout.row_align, block_bytes / row_bytes / layout.row_align * layout.row_align);
  const std::size_t kernel_row_offsets[1] = {0};  // an im2col row is one kernel row (uses_im2col)
  parallel_for(pool, g.out_h(), 1, [&](std::size_t row_begin, std::size_t row_end) {
    thread_local AlignedBuffer rows;
    const std::size_t end = row_end * g.out_w();
    for (std::size_t m0 = row_begin * g.out_w(); m0 < end; m0 += block_rows) {
      const std::size_t m = std::min(block_rows, end - m0);
      rows.grow_to(round_up(m, layout.row_align) * row_bytes);
      im2col(g, input, w.input_zero_point, layout.encoding, m0, m, w.k_padded, rows.as<void>());
      w.kernels->run(
          {rows.as<void>(), w.k_padded, kernel_row_offsets, m, 1, 1, &w, output + m0 * w.out_c, w.out_c});
    }
  });
}

}  // namespace

void run_int8_layer(const PackedInt8Weights& weights, const ConvGeometry& geometry, const std::int8_t* input,
                    std::int8_t* output, ThreadPool* pool) {
  if (uses_im2col(geometry, *weights.kernels)) {
    run_im2col(weights, geometry, input, output, pool);
  } else {
    run_stride_one(weights, geometry, input, output, pool);
  }
}

}  // namespace xnor::detail
