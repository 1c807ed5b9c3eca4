#pragma once
// Each bench file registers its benchmarks for the paths this CPU supports.
namespace xnor::bench {

void register_roofline_benchmarks();
void register_bgemm_benchmarks();
void register_binary_conv_benchmarks();

}  // namespace xnor::bench
