// Pieces of `kiln shader` shared by its subcommand files: the options each takes, and the runners.
#pragma once

#include <string>
#include <vector>

#include "kiln/shader.h"
#include "kiln/shader_cache.h"

namespace kiln::cli {

// The compile inputs `compile` and `reflect` (for a source file) both take.
struct ShaderSourceOptions {
  std::string file;
  std::string stage;
  std::string entry = "main";
  std::vector<std::string> defines;       // NAME or NAME=VALUE
  std::vector<std::string> include_dirs;
  std::string target = "vulkan1.2";
  bool debug_info = false;
  bool optimize = false;
  bool no_cache = false;
  std::string cache_dir;                  // "" → the user's cache directory
};

CompileDesc compile_desc(const ShaderSourceOptions& o);
ShaderCacheDesc cache_desc(bool no_cache, const std::string& cache_dir);
// Compiles through the cache; prints the diagnostics on stderr and returns false on a compile error.
bool compile_or_report(const ShaderSourceOptions& o, CompiledShader* out, double* ms);

struct ReflectOptions {
  ShaderSourceOptions source;
  bool json = false;
};
int run_shader_reflect(const ReflectOptions& o);


}  // namespace kiln::cli
