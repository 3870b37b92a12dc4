// ShaderCompiler: the cache in front of compile_shader, and compile_all on a lazily started pool.
#include <kiln/shader_cache.h>

#include <kiln/log.h>

#include <algorithm>
#include <exception>
#include <mutex>
#include <thread>

#include "shader/cache/job_pool.h"

namespace kiln {

struct ShaderCompiler::Impl {
  ShaderCache cache;
  uint32_t threads;
  std::once_flag pool_once;
  std::unique_ptr<shader_cache::JobPool> pool;

  Impl(const ShaderCacheDesc& desc, uint32_t n)
      : cache(desc), threads(n ? n : std::max(1u, std::thread::hardware_concurrency())) {}
};

ShaderCompiler::ShaderCompiler(const ShaderCacheDesc& cache, uint32_t threads)
    : impl_(std::make_unique<Impl>(cache, threads)) {
  // glslang builds its built-in symbol tables on the first compile of each language version
  // (~60 ms): a program that makes its compiler early gets them built in the background meanwhile.
  start_shader_compiler_warm_up();
}

ShaderCompiler::~ShaderCompiler() = default;

ShaderCache& ShaderCompiler::cache() { return impl_->cache; }
uint32_t ShaderCompiler::threads() const { return impl_->threads; }

CompiledShader ShaderCompiler::compile(const CompileDesc& desc) {
  std::optional<Hash128> key = impl_->cache.key(desc);
  if (key) {
    if (auto hit = impl_->cache.find(*key, desc)) return std::move(*hit);
  }
  CompiledShader out = compile_shader(desc);  // an unreadable main file throws here, with its name
  if (key) impl_->cache.store(*key, out);
  return out;
}

std::vector<CompiledShader> ShaderCompiler::compile_all(std::span<const CompileDesc> descs) {
  std::vector<CompiledShader> results(descs.size());
  std::vector<std::exception_ptr> errors(descs.size());
  std::call_once(impl_->pool_once, [&] { impl_->pool = std::make_unique<shader_cache::JobPool>(impl_->threads); });
  impl_->pool->run(descs.size(), [&](size_t i) {
    try {
      results[i] = compile(descs[i]);
    } catch (...) {
      errors[i] = std::current_exception();
    }
  });

  std::vector<ShaderDiagnostic> diagnostics;
  std::string failed;
  size_t failures = 0;
  for (size_t i = 0; i < descs.size(); ++i) {
    if (!errors[i]) continue;
    ++failures;
    failed += str(failures > 1 ? ", " : "", descs[i].path.empty() ? str("#", i) : descs[i].path);
    try {
      std::rethrow_exception(errors[i]);
    } catch (const ShaderError& e) {
      diagnostics.insert(diagnostics.end(), e.diagnostics().begin(), e.diagnostics().end());
    } catch (const std::exception& e) {
      diagnostics.push_back({.file = descs[i].path, .severity = "error", .message = e.what()});
    }
  }
  if (failures > 0) {
    throw ShaderError(std::move(diagnostics), str(failures, " of ", descs.size(), " shaders failed: ", failed));
  }
  return results;
}

}  // namespace kiln
