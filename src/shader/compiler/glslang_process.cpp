#include "shader/compiler/glslang_process.h"

#include <kiln/error.h>

#include <glslang/Public/ShaderLang.h>

#include <mutex>

namespace kiln::shader_detail {

void ensure_glslang_initialized() {
  static std::once_flag once;
  // Never finalised: compiles on other threads may still run while the process exits, and the
  // state is small (built-in symbol tables are made per stage on first use, then shared).
  std::call_once(once, [] {
    if (!glslang::InitializeProcess()) throw Error("glslang::InitializeProcess failed");
  });
}

}  // namespace kiln::shader_detail
