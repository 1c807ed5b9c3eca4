#pragma once
// <immintrin.h> without GCC 12's false -Wuninitialized on AVX-512 intrinsics that start from an undefined
// vector (GCC bug 105593, fixed in GCC 13). The warning points into the header, so it is silenced there.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop
