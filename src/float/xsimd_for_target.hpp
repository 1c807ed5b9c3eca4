#pragma once
// What xsimd includes from the standard library and the compiler, for the float kernel units of an
// instruction set (conv_kernels_avx2.cpp, conv_kernels_avx512.cpp): they include this before their target
// begins (src/target.hpp), so that none of it is compiled for the target, then xsimd itself after it.
// xsimd chooses its architectures by the compiler's feature macros, which a target pragma does not set in
// C++, so those units define the macros of their target before including <xsimd/xsimd.hpp>.
#include <algorithm>
#include <array>
#include <cassert>
#include <cmath>
#include <complex>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <iterator>
#include <limits>
#include <memory>
#include <ostream>
#include <stdexcept>
#include <tuple>
#include <type_traits>
#include <utility>

#include <immintrin.h>
#include <malloc.h>
