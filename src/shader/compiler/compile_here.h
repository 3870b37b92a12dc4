// The two ways compile_shader() compiles: in this process (glslang), or in a compile worker
// (kiln/shader_worker.h) when one answers.
#pragma once

#include <optional>

#include "kiln/shader.h"

namespace kiln::shader_detail {

// glslang in this process; what compile_shader() did before workers existed, and what a worker runs.
CompiledShader compile_here(const CompileDesc& desc);

// In the worker on shader_worker_socket(): the result; nullopt when no worker answers there, it is
// of another kiln version, or the connection broke (the caller compiles here then). Throws what
// compile_here would, as the worker reported it: ShaderError with its diagnostics, or Error.
std::optional<CompiledShader> compile_in_worker(const CompileDesc& desc);

// Whether a worker listens on shader_worker_socket() (a connect, no request: tens of microseconds).
bool worker_answers();

// start_shader_compiler_warm_up() for this process, whether or not a worker answers (the worker's own).
void start_warm_up_here();

}  // namespace kiln::shader_detail
