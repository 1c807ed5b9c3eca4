#pragma once
#include <ostream>

namespace xnor::cli {

// `xnor selfcheck`: runs the bit kernels of every supported path on random data against the reference and
// prints one line per path. Returns the process exit code.
int selfcheck(std::ostream& out);

}  // namespace xnor::cli
