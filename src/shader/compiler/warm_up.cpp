// start_shader_compiler_warm_up: glslang's per-version built-in tables, built off the caller's thread.
#include <kiln/log.h>
#include <kiln/shader.h>

#include "shader/compiler/compile_here.h"

#include <mutex>
#include <thread>

namespace kiln {

namespace {

// Joined at exit so that the thread never runs while the process tears down.
struct WarmUpThread {
  std::thread thread;
  ~WarmUpThread() {
    if (thread.joinable()) thread.join();
  }
};

void warm_up() {
  // One tiny shader per table glslang keys by (language, version, profile): the stage does not
  // matter, every stage's table of that version is built at once.
  static const char* const kGlsl[] = {
      "#version 450\nlayout(local_size_x = 1) in;\nvoid main() {}\n",
      "#version 460\nlayout(local_size_x = 1) in;\nvoid main() {}\n",
  };
  try {
    for (const char* source : kGlsl) {
      shader_detail::compile_here({.path = "<warm-up>.comp", .source = source, .stage = ShaderStage::Compute});
    }
    shader_detail::compile_here({.path = "<warm-up>.comp.hlsl",
                    .source = "[numthreads(1, 1, 1)] void main() {}\n",
                    .stage = ShaderStage::Compute,
                    .language = ShaderLanguage::Hlsl});
  } catch (const std::exception& e) {
    log(LogLevel::Warn, str("shader compiler warm-up failed: ", e.what()));
  }
}

}  // namespace

void shader_detail::start_warm_up_here() {
  static WarmUpThread holder;
  static std::once_flag once;
  std::call_once(once, [] { holder.thread = std::thread(warm_up); });
}

void start_shader_compiler_warm_up() {
  // Where a compile worker answers, compiles go there: tables built here would only hold up exit.
  if (!shader_detail::worker_answers()) shader_detail::start_warm_up_here();
}

}  // namespace kiln
