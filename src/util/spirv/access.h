// Which resource variables an entry point really uses, reads and writes: a walk over the functions
// reachable from it (OpFunctionCall graph, iterative, so no recursion depth to exhaust), following
// pointers and image handles derived from each variable through access chains, copies, selects,
// phis, sampled-image construction and function parameters. Anything it does not understand that
// touches a tracked pointer counts as both a read and a write: "written" may be a false positive,
// never a false negative.
#pragma once

#include "module.h"

#include <unordered_map>
#include <vector>

namespace kiln::spv {

struct Access {
  bool used = false, read = false, written = false;
};

// `variables`: the global variables to track. Returns one Access per variable id.
std::unordered_map<uint32_t, Access> analyse_access(const Module& m, uint32_t entry_function,
                                                    const std::vector<uint32_t>& variables);

}  // namespace kiln::spv
