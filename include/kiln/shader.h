// kiln/shader.h — compiling GLSL and HLSL to SPIR-V in-process (glslang), for every shader stage.
//
// compile_shader() reads a file (or takes its source), resolves #include relative to the including
// file and then the include directories, and returns SPIR-V with the list of every file it read
// (path + content hash) so that a cache can tell when a result is stale. Failures throw ShaderError
// with FILE:LINE:COLUMN per diagnostic and the include chain.
// No cache here (kiln/shader_cache.h wraps this), no reflection (kiln/spirv.h), no pipelines
// (kiln/program.h). glslang initialises once per process, lazily, on the first compile — or never,
// where a compile worker (kiln/shader_worker.h) answers: compile_shader() then compiles there.
#pragma once

#include <kiln/error.h>
#include <kiln/spirv.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kiln {

enum class ShaderLanguage { Auto, Glsl, Hlsl };  // Auto: a path ending in .hlsl → HLSL, else GLSL
enum class ShaderTarget { Vulkan1_1, Vulkan1_2, Vulkan1_3 };  // SPIR-V 1.3 / 1.5 / 1.6

const char* shader_target_name(ShaderTarget t);                       // "vulkan1.2"
bool parse_shader_target(std::string_view name, ShaderTarget* out);  // "vulkan1.1" … "vulkan1.3"

struct ShaderDefine {
  std::string name;
  std::string value;  // "" → defined as 1
};

struct CompileDesc {
  std::string path;                  // file to read; also the name in diagnostics when `source` is given
  std::string source;                // compiled instead of reading `path` when non-empty
  std::optional<ShaderStage> stage;  // default: stage_from_path(path)
  std::string entry = "main";
  std::vector<ShaderDefine> defines;
  std::vector<std::string> include_dirs;
  ShaderTarget target = ShaderTarget::Vulkan1_2;
  ShaderLanguage language = ShaderLanguage::Auto;
  bool optimize = false;    // spirv-opt performance passes (-O)
  bool debug_info = false;  // OpSource/OpLine/OpName and non-semantic debug info (-g)
};

// A file the compile read, the main file included; `hash` is hash64 (kiln/hash.h) of its bytes.
// `path` is as the compiler opened it (the include directory joined with the include name).
struct ShaderDependency {
  std::string path;
  uint64_t hash = 0;
};

struct ShaderDiagnostic {
  std::string file;
  uint32_t line = 0, column = 0;  // 0 when the compiler gave none
  std::string severity;           // "error" / "warning"
  std::string message;            // the compiler's words
  std::vector<std::string> include_chain;  // outermost first: "main.frag:3", "lighting.glsl:10"
};

struct CompiledShader {
  std::vector<uint32_t> spirv;
  ShaderStage stage = ShaderStage::Compute;
  std::string entry;
  std::vector<ShaderDependency> dependencies;  // the main file first, then in the order read
  std::string warnings;                        // the compiler's warnings, as text; empty when none
  bool from_cache = false;
};

// what(): one "FILE:LINE:COLUMN: error: message" line per diagnostic, each followed by its
// "  included from FILE:LINE" lines (nearest includer first, as C compilers print them); a
// summary, when given, comes first on a line of its own.
class ShaderError : public Error {
 public:
  explicit ShaderError(std::vector<ShaderDiagnostic> diagnostics, std::string summary = {});
  const std::vector<ShaderDiagnostic>& diagnostics() const { return diagnostics_; }

 private:
  std::vector<ShaderDiagnostic> diagnostics_;
};

// The text of ShaderError::what() for these diagnostics (also what `kiln shader compile` prints).
std::string format_diagnostics(const std::vector<ShaderDiagnostic>& diagnostics);

// Compiles without any cache (the cache wraps it). Thread-safe: any number of compiles at once.
// In a compile worker when one answers (same result), else in this process.
// Throws ShaderError for errors in the shader, kiln::Error for a missing file or an unknown stage.
CompiledShader compile_shader(const CompileDesc& desc);

// Bytes of everything that identifies the compiler: glslang version + kiln's cache format; part of every cache key.
std::string_view shader_compiler_id();

// Everything but the file contents that decides the output (stage, entry, defines sorted, include
// dirs, target, options, language) as a deterministic string.
std::string compile_options_key(const CompileDesc& desc);

// Builds glslang's built-in symbol tables (GLSL #version 450 and 460, and HLSL) on a background
// thread, once per process. glslang builds them on the first compile of each language version —
// most of a first compile's time — so a program that calls this early (before creating its Vulkan
// context, say) finds them ready. Optional: compile_shader works without it. Returns at once. Does
// nothing where a compile worker answers (kiln/shader_worker.h): compiles go there.
void start_shader_compiler_warm_up();

// The language compile_shader will use for desc (resolves Auto).
ShaderLanguage resolve_shader_language(const CompileDesc& desc);

}  // namespace kiln
