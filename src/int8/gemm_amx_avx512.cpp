// The AMX int8 kernel: TDPBSSD multiplies a tile of 16 rows x 64 signed activation bytes by a tile of 64 k x 16
// output channels of signed weights (stored 4 k per channel side by side) into 16 x 16 int32 sums, 16384
// multiply-adds per instruction. Four accumulator tiles cover 32 rows x 32 channels (a job); the AVX-512
// requantization of one job runs between the tile instructions of the next. Tile loads are fast only from L1,
// so a group of 32 rows meets every weight panel of an L2-sized pass before the next group.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>

#include "src/int8/kernels.hpp"
#include "src/int8/packed_weights.hpp"
#include "src/int8/x86_intrinsics.hpp"

#define XNOR_ISA avx512_amx
#include "src/target.hpp"
XNOR_TARGET_BEGIN(XNOR_TARGET_AVX512_AMX)
#include "src/int8/requantize_avx512.hpp"

namespace xnor::avx512_amx {
namespace {

using namespace detail;

constexpr std::size_t tile_rows = 16;
constexpr std::size_t tile_row_bytes = 64;
constexpr std::size_t lanes = tile_row_bytes / sizeof(std::int32_t);  // output channels of an accumulator tile
constexpr std::size_t panel_width = 2 * lanes;                        // two weight tiles
constexpr std::size_t group_rows = 2 * tile_rows;                     // two activation tiles
constexpr std::size_t k_chunk = tile_row_bytes;
constexpr std::size_t chunk_weight_bytes = k_chunk * panel_width;  // one chunk of 64 k of a panel
constexpr std::size_t l2_weight_bytes = 1 << 20;                   // weights that one pass over the rows keeps in L2

// The tile configuration (palette 1): every tile 16 rows of 64 bytes. Tiles 0-3 accumulate, 4-5 hold
// activations, 6-7 weights.
struct alignas(64) TileConfig {
  std::uint8_t palette = 1;
  std::uint8_t start_row = 0;
  std::uint8_t reserved[14] = {};
  std::uint16_t row_bytes[16] = {};
  std::uint8_t rows[16] = {};
};

void load_tile_config() {
  TileConfig config;
  for (int t = 0; t < 8; ++t) {
    config.row_bytes[t] = tile_row_bytes;
    config.rows[t] = tile_rows;
  }
  // GCC 12 does not see that LDTILECFG reads the configuration and would drop the stores above.
  __asm__ volatile("" : : "r"(&config) : "memory");
  _tile_loadconfig(&config);
}

// One job's sums (32 rows x one panel), waiting in a buffer: they are requantized and stored a few rows at a
// time between the tile instructions of the next job, so the vector units work while the tile unit multiplies.
class PendingOutputs {
 public:
  explicit PendingOutputs(const Int8RowsArgs& args) : args_(args), w_(*args.weights) {}

  void start(std::size_t r0, std::size_t p, const std::int32_t (*sums)[panel_width]) {
    sums_ = sums;
    n0_ = p * panel_width;
    channels_ = std::min(panel_width, w_.out_c - n0_);
    rows_ = std::min(group_rows, args_.m - r0);
    row_ = 0;
    y_ = r0 / args_.row_pitch;
    x_ = r0 % args_.row_pitch;
    requantize_[0] = Requantizer16(w_, n0_);
    requantize_[1] = Requantizer16(w_, n0_ + lanes);
  }

  // Writes the outputs of up to `rows` more rows.
  void advance(std::size_t rows) {
    for (const std::size_t end = std::min(rows_, row_ + rows); row_ < end; ++row_) {
      if (x_ < args_.row_width) {
        __m512i values[2];
        for (int j = 0; j < 2; ++j) {
          const __m512i sums = _mm512_load_si512(&sums_[row_][lanes * j]);
          values[j] = requantize_[j](sums);
        }
        store_outputs(args_.out + (y_ * args_.row_width + x_) * args_.ldo + n0_, channels_, w_.range, values);
      }
      if (++x_ == args_.row_pitch) {
        x_ = 0;
        ++y_;
      }
    }
  }
  void finish() { advance(group_rows); }

 private:
  const Int8RowsArgs& args_;
  const PackedInt8Weights& w_;
  const std::int32_t (*sums_)[panel_width] = nullptr;
  std::size_t n0_ = 0, channels_ = 0, rows_ = 0, row_ = 0, y_ = 0, x_ = 0;
  Requantizer16 requantize_[2];
};

// The outputs of reference::int8_conv2d for args.m rows (the rows up to a multiple of 32 are read, their results
// dropped). Jobs of 32 rows x one panel of 32 channels run group by group over a chunk of panels that fits in
// L2 (all of them for most layers); each job's multiplies overlap the previous job's output transform.
void run(const Int8RowsArgs& args) {
  const PackedInt8Weights& w = *args.weights;
  const std::size_t chunks = w.k_padded / k_chunk;
  const std::size_t chunks_per_row = w.row_k_padded / k_chunk;
  const std::size_t rows_per_chunk = (group_rows + chunks - 1) / chunks;
  const std::size_t panels_per_pass = std::max<std::size_t>(1, l2_weight_bytes / (w.k_padded * panel_width));
  alignas(64) std::int32_t sums[2][group_rows][panel_width];
  PendingOutputs pending(args);
  int buffer = 0;
  load_tile_config();
  for (std::size_t first_panel = 0; first_panel < w.panels; first_panel += panels_per_pass) {
    const std::size_t end_panel = std::min(w.panels, first_panel + panels_per_pass);
    for (std::size_t r0 = 0; r0 < args.m; r0 += group_rows) {
      const std::int8_t* a0 = static_cast<const std::int8_t*>(args.a) + r0 * args.lda;
      const std::int8_t* a1 = a0 + tile_rows * args.lda;
      for (std::size_t p = first_panel; p < end_panel; ++p) {
        _tile_zero(0);
        _tile_zero(1);
        _tile_zero(2);
        _tile_zero(3);
        const std::int8_t* b = w.panel<std::int8_t>(p);
        // Each tile load follows the multiplies that free its tile, so it overlaps the rest of the chunk.
        const auto a_offset = [&](std::size_t c) {
          return args.kernel_row_offsets[c / chunks_per_row] + c % chunks_per_row * k_chunk;
        };
        _tile_loadd(4, a0 + a_offset(0), args.lda);
        _tile_loadd(6, b, panel_width * 4);
        _tile_loadd(5, a1 + a_offset(0), args.lda);
        _tile_loadd(7, b + tile_row_bytes, panel_width * 4);
        for (std::size_t c = 0; c < chunks; ++c) {
          const bool more = c + 1 < chunks;
          const std::int8_t* next_b = b + (c + 1) * chunk_weight_bytes;
          const std::size_t next_a = more ? a_offset(c + 1) : 0;
          _tile_dpbssd(0, 4, 6);
          _tile_dpbssd(2, 5, 6);
          if (more) _tile_loadd(6, next_b, panel_width * 4);
          _tile_dpbssd(1, 4, 7);
          if (more) _tile_loadd(4, a0 + next_a, args.lda);
          _tile_dpbssd(3, 5, 7);
          if (more) {
            _tile_loadd(5, a1 + next_a, args.lda);
            _tile_loadd(7, next_b + tile_row_bytes, panel_width * 4);
          }
          pending.advance(rows_per_chunk);
        }
        pending.finish();
        constexpr std::size_t stride = panel_width * sizeof(std::int32_t);
        _tile_stored(0, &sums[buffer][0][0], stride);
        _tile_stored(1, &sums[buffer][0][lanes], stride);
        _tile_stored(2, &sums[buffer][tile_rows][0], stride);
        _tile_stored(3, &sums[buffer][tile_rows][lanes], stride);
        pending.start(r0, p, sums[buffer]);
        buffer ^= 1;
      }
    }
  }
  pending.finish();
  _tile_release();
}

}  // namespace

const Int8Kernels& int8_kernels() {
  static const Int8Kernels kernels{"avx512-amx", {Int8Encoding::int8, 4, k_chunk, panel_width, group_rows}, false, run};
  return kernels;
}

}  // namespace xnor::avx512_amx

XNOR_TARGET_END
