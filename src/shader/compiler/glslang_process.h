// glslang's process-wide state, started once on the first compile (not at load time, so that a
// program that never compiles pays nothing).
#pragma once

namespace kiln::shader_detail {

void ensure_glslang_initialized();

}  // namespace kiln::shader_detail
