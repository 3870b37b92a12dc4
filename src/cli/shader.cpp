// kiln shader compile|reflect|cache|serve: GLSL/HLSL to SPIR-V through kiln's compiler and cache,
// reflection of a source or a .spv, the cache's statistics, and the compile worker. docs/shader-command.md.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/shader_command.h"
#include "cli/shader_serve.h"
#include "kiln/error.h"
#include "kiln/log.h"

namespace kiln::cli {
namespace {

namespace fs = std::filesystem;

struct CompileOptions {
  ShaderSourceOptions source;
  std::string output;
  bool deps = false;
};

struct CacheOptions {
  bool json = false;
  std::string cache_dir;
};

std::string human_bytes(uint64_t bytes) {
  if (bytes < 10 * 1024) return str(bytes, " B");
  if (bytes < 10ull * 1024 * 1024) return str((bytes + 512) / 1024, " KiB");
  return str((bytes + (512ull << 10)) >> 20, " MiB");
}

// "blur.comp" → "blur.comp.spv", in the current directory.
std::string default_output(const std::string& file) { return fs::path(file).filename().string() + ".spv"; }

void write_file(const std::string& path, const std::vector<uint32_t>& words) {
  // Through a temporary name, so an interrupted write never leaves half a module under the real one.
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw Error(str("cannot write '", tmp, "'"));
    out.write(reinterpret_cast<const char*>(words.data()), std::streamsize(words.size() * 4));
    if (!out) throw Error(str("cannot write '", tmp, "'"));
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) throw Error(str("cannot rename '", tmp, "' to '", path, "': ", ec.message()));
}

int run_compile(const CompileOptions& o) {
  CompiledShader shader;
  double ms = 0.0;
  if (!compile_or_report(o.source, &shader, &ms)) return kExitFailure;
  const std::string output = o.output.empty() ? default_output(o.source.file) : o.output;
  write_file(output, shader.spirv);
  if (!shader.warnings.empty()) std::fprintf(stderr, "%s", shader.warnings.c_str());
  std::printf("%s -> %s: %s %s, %zu bytes (%zu words), %s in %.2f ms\n", o.source.file.c_str(), output.c_str(),
              shader_stage_name(shader.stage), shader.entry.c_str(), shader.spirv.size() * 4, shader.spirv.size(),
              shader.from_cache ? "from cache" : "compiled", ms);
  if (o.deps) {
    std::printf("dependencies (%zu):\n", shader.dependencies.size());
    for (const ShaderDependency& d : shader.dependencies) {
      std::printf("  %s  %016llx\n", d.path.c_str(), static_cast<unsigned long long>(d.hash));
    }
  }
  return kExitOk;
}

int run_cache_stats(const CacheOptions& o) {
  ShaderCache cache(cache_desc(false, o.cache_dir));
  const ShaderCacheStats s = cache.stats();
  if (o.json) {
    nlohmann::ordered_json j;
    j["directory"] = s.directory;
    j["entries"] = s.entries;
    j["bytes"] = s.bytes;
    j["max_bytes"] = ShaderCacheDesc{}.max_bytes;
    j["compiler"] = std::string(shader_compiler_id());
    std::printf("%s\n", j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace).c_str());
  } else {
    std::printf("directory  %s\nentries    %llu\nsize       %s (%llu bytes, cap %s)\n", s.directory.c_str(),
                static_cast<unsigned long long>(s.entries), human_bytes(s.bytes).c_str(),
                static_cast<unsigned long long>(s.bytes), human_bytes(ShaderCacheDesc{}.max_bytes).c_str());
  }
  return kExitOk;
}

int run_cache_clear(const CacheOptions& o) {
  ShaderCache cache(cache_desc(false, o.cache_dir));
  const ShaderCacheStats before = cache.stats();
  cache.clear();
  std::printf("removed %llu entries (%s) from %s\n", static_cast<unsigned long long>(before.entries),
              human_bytes(before.bytes).c_str(), before.directory.c_str());
  return kExitOk;
}

// The options `compile` and `reflect` share for a source file.
void add_source_options(CLI::App* app, ShaderSourceOptions& s, bool reflect) {
  app->add_option("FILE", s.file, reflect ? "A shader source (compiled first, through the cache) or a .spv file"
                                          : "The shader source (GLSL, or HLSL when it ends in .hlsl)")
      ->required();
  app->add_option("--stage", s.stage, "The stage when the file's extension does not say it (vert, frag, comp, ...)")
      ->type_name("S")
      ->check(CLI::Validator(
          [](std::string& v) {
            ShaderStage stage;
            return parse_shader_stage(v, &stage)
                       ? std::string()
                       : "unknown stage '" + v + "'; stages: vert, tesc, tese, geom, frag, comp, task, mesh, rgen, "
                                                 "rahit, rchit, rmiss, rint, rcall";
          },
          "STAGE"));
  app->add_option("--entry", s.entry, "Entry point name (default main)")->type_name("E");
  app->add_option("-D,--define", s.defines, "Define a macro (NAME or NAME=VALUE); repeatable")
      ->type_name("NAME[=VALUE]")
      ->allow_extra_args(false);
  app->add_option("-I,--include-dir", s.include_dirs, "Search this directory for #include; repeatable")
      ->type_name("DIR")
      ->allow_extra_args(false);
  app->add_option("--target", s.target, "Target environment (default vulkan1.2)")
      ->check(CLI::IsMember({"vulkan1.1", "vulkan1.2", "vulkan1.3"}))
      ->type_name("vulkan1.1|vulkan1.2|vulkan1.3");
  app->add_flag("-g", s.debug_info, "Emit debug information (source, line numbers, names)");
  app->add_flag("-O", s.optimize, "Optimise for performance (spirv-opt passes)");
  app->add_flag("--no-cache", s.no_cache, "Neither read nor write the shader cache");
  app->add_option("--cache-dir", s.cache_dir, "Cache directory (default $XDG_CACHE_HOME/kiln/shaders)")
      ->type_name("DIR");
}

}  // namespace

CompileDesc compile_desc(const ShaderSourceOptions& o) {
  CompileDesc desc;
  desc.path = o.file;
  if (!o.stage.empty()) {
    ShaderStage stage;
    parse_shader_stage(o.stage, &stage);  // validated by the option's check
    desc.stage = stage;
  }
  desc.entry = o.entry;
  for (const std::string& d : o.defines) {
    const size_t eq = d.find('=');
    desc.defines.push_back(eq == std::string::npos ? ShaderDefine{d, ""} : ShaderDefine{d.substr(0, eq), d.substr(eq + 1)});
  }
  desc.include_dirs = o.include_dirs;
  parse_shader_target(o.target, &desc.target);
  desc.optimize = o.optimize;
  desc.debug_info = o.debug_info;
  return desc;
}

ShaderCacheDesc cache_desc(bool no_cache, const std::string& cache_dir) {
  ShaderCacheDesc desc;
  desc.directory = no_cache ? "-" : cache_dir;
  return desc;
}

bool compile_or_report(const ShaderSourceOptions& o, CompiledShader* out, double* ms) {
  const CompileDesc desc = compile_desc(o);
  if (!desc.stage && !stage_from_path(desc.path)) {
    throw Error(str("cannot tell the stage of '", desc.path,
                    "' from its extension (.vert .frag .comp .geom .tesc .tese .mesh .task .rgen ...): give --stage"));
  }
  const auto start = std::chrono::steady_clock::now();
  try {
    ShaderCompiler compiler(cache_desc(o.no_cache, o.cache_dir), 1);
    *out = compiler.compile(desc);
  } catch (const ShaderError& e) {
    const std::string text = format_diagnostics(e.diagnostics());
    std::fprintf(stderr, "%s", text.c_str());
    if (!text.empty() && text.back() != '\n') std::fputc('\n', stderr);
    std::fprintf(stderr, "kiln shader: %zu error(s) compiling %s\n", e.diagnostics().size(), o.file.c_str());
    return false;
  }
  *ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return true;
}

Command add_shader_command(CLI::App& root) {
  CLI::App* app = root.add_subcommand("shader", "Compile shaders to SPIR-V (with kiln's cache), reflect them, "
                                                "and manage the shader cache.");
  app->require_subcommand(0, 1);
  app->footer("Run 'kiln shader COMMAND --help' for a command's options.");

  auto compile = std::make_shared<CompileOptions>();
  CLI::App* compile_app = app->add_subcommand("compile", "Compile a GLSL or HLSL file to SPIR-V");
  compile_app->footer("");
  add_source_options(compile_app, compile->source, false);
  compile_app->add_option("-o,--output", compile->output, "Output file (default: FILE's name + .spv, here)")
      ->type_name("OUT.spv");
  compile_app->add_flag("--deps", compile->deps, "Print every file the compile read, with its content hash");

  auto reflect = std::make_shared<ReflectOptions>();
  CLI::App* reflect_app = app->add_subcommand("reflect", "Show what a shader binds and takes: entry points, "
                                                         "bindings, blocks, push constants, inputs/outputs");
  reflect_app->footer("");
  add_source_options(reflect_app, reflect->source, true);
  reflect_app->add_flag("--json", reflect->json, "Print JSON instead of text (shape: docs/reflection.md)");

  auto cache = std::make_shared<CacheOptions>();
  CLI::App* cache_app = app->add_subcommand("cache", "Show or clear the shader cache");
  cache_app->require_subcommand(0, 1);
  cache_app->footer("");
  CLI::App* stats_app = cache_app->add_subcommand("stats", "Entries and size of the cache directory");
  stats_app->add_flag("--json", cache->json, "Print one JSON object");
  stats_app->add_option("--cache-dir", cache->cache_dir, "Cache directory (default $XDG_CACHE_HOME/kiln/shaders)")
      ->type_name("DIR");
  CLI::App* clear_app = cache_app->add_subcommand("clear", "Remove every entry of the cache directory");
  clear_app->add_option("--cache-dir", cache->cache_dir, "Cache directory (default $XDG_CACHE_HOME/kiln/shaders)")
      ->type_name("DIR");

  auto serve = std::make_shared<ServeOptions>();
  CLI::App* serve_app = app->add_subcommand("serve", "Run a compile worker that keeps the compiler initialised, so "
                                                     "that new processes' first compiles skip its start-up");
  serve_app->footer("Programs compile in the worker when one answers (KILN_SHADER_WORKER=off: never). "
                    "docs/shaders.md, \"Compile worker\".");
  add_serve_options(serve_app, *serve);

  auto run = [=]() -> int {
    if (compile_app->parsed()) return run_compile(*compile);
    if (serve_app->parsed()) return run_shader_serve(*serve);
    if (reflect_app->parsed()) return run_shader_reflect(*reflect);
    if (stats_app->parsed()) return run_cache_stats(*cache);
    if (clear_app->parsed()) return run_cache_clear(*cache);
    const bool in_cache = cache_app->parsed();
    std::fprintf(stderr, "kiln shader%s: no command given. Valid commands: %s\nRun 'kiln shader%s --help' for usage.\n",
                 in_cache ? " cache" : "", in_cache ? "stats, clear" : "compile, reflect, cache, serve",
                 in_cache ? " cache" : "");
    return kExitUsage;
  };
  return {app, run};
}

}  // namespace kiln::cli
