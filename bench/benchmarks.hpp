#pragma once
// Each bench file registers its benchmarks for the paths this CPU supports.
namespace xnor::bench {

void register_roofline_benchmarks();
void register_bgemm_benchmarks();
void register_bitpack_benchmarks();
void register_binary_conv_benchmarks();
void register_net_benchmarks();
void register_float_conv_benchmarks();
void register_int8_conv_benchmarks();
// The peers register nothing where they are not installed.
void register_onednn_benchmarks();
void register_xnnpack_benchmarks();

}  // namespace xnor::bench
