// Warm shader-cache hits with the dependency re-check, for the corpus's largest shader
// (bench/shaders/pbr_forward.frag: ~340 lines + 10 includes, ~1200 lines read in all).
//
//   memory_hit: ShaderCompiler::compile() answered by the in-memory layer (every dependency re-read and
//     re-hashed), `hits` times on one compiler.
//   disk_hit: a new ShaderCompiler on the same directory each time (an empty memory layer), so the entry
//     comes from disk: read, checksum, dependency re-check.
// Baseline in the same run: the cold compile (compile_shader, no cache). Median and minimum per hit;
// ratio = median hit / cold compile. Goal: median memory hit <= 0.5 ms.
//
//   bench_shader_cache [hits]
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "kiln/error.h"
#include "kiln/shader.h"
#include "kiln/shader_cache.h"
#include "bench_util.h"

namespace {

namespace fs = std::filesystem;
using bench::Clock;
using bench::ms_since;

// The corpus beside this file; KILN_BENCH_SHADERS when the bench runs from another checkout.
fs::path corpus_dir() {
  if (const char* dir = std::getenv("KILN_BENCH_SHADERS")) return dir;
  return fs::path(__FILE__).parent_path() / "shaders";
}

struct Summary {
  double median_ms = 0, min_ms = 0;
};

Summary summarize(std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  return {ms[ms.size() / 2], ms.front()};
}

}  // namespace

int main(int argc, char** argv) {
  const int hits = argc > 1 ? std::max(1, std::atoi(argv[1])) : 1000;
  const fs::path dir = fs::temp_directory_path() / ("kiln_bench_shader_cache_" + std::to_string(getpid()));
  try {
    kiln::CompileDesc desc;
    desc.path = (corpus_dir() / "pbr_forward.frag").string();
    desc.include_dirs = {(corpus_dir() / "include").string()};

    std::vector<double> cold;
    size_t dependencies = 0, dependency_bytes = 0;
    for (int i = 0; i < 5; ++i) {
      const auto start = Clock::now();
      const kiln::CompiledShader s = kiln::compile_shader(desc);
      cold.push_back(ms_since(start));
      dependencies = s.dependencies.size();
      dependency_bytes = 0;
      for (const kiln::ShaderDependency& d : s.dependencies) dependency_bytes += fs::file_size(d.path);
    }
    const Summary cold_s = summarize(cold);

    std::vector<double> memory;
    {
      kiln::ShaderCompiler compiler({.directory = dir.string()}, 1);
      if (compiler.compile(desc).from_cache) throw kiln::Error("the first compile came from a fresh cache");
      for (int i = 0; i < hits; ++i) {
        const auto start = Clock::now();
        const kiln::CompiledShader s = compiler.compile(desc);
        memory.push_back(ms_since(start));
        if (!s.from_cache) throw kiln::Error("a warm compile missed the cache");
      }
    }
    std::vector<double> disk;
    const int disk_hits = std::max(1, hits / 5);
    for (int i = 0; i < disk_hits; ++i) {
      kiln::ShaderCompiler compiler({.directory = dir.string()}, 1);
      const auto start = Clock::now();
      const kiln::CompiledShader s = compiler.compile(desc);
      disk.push_back(ms_since(start));
      if (!s.from_cache) throw kiln::Error("a new compiler missed the disk cache");
    }
    fs::remove_all(dir);

    const Summary m = summarize(memory), d = summarize(disk);
    std::printf(
        "{\"bench\":\"shader_cache_memory_hit\",\"median_ms\":%.4f,\"min_ms\":%.4f,\"cold_compile_ms\":%.3f,"
        "\"ratio\":%.5f,\"goal_ms\":0.5,\"hits\":%d,\"dependencies\":%zu,\"dependency_bytes\":%zu}\n",
        m.median_ms, m.min_ms, cold_s.median_ms, m.median_ms / cold_s.median_ms, hits, dependencies, dependency_bytes);
    std::printf(
        "{\"bench\":\"shader_cache_disk_hit\",\"median_ms\":%.4f,\"min_ms\":%.4f,\"cold_compile_ms\":%.3f,"
        "\"ratio\":%.5f,\"goal_ms\":0.5,\"hits\":%d,\"dependencies\":%zu,\"dependency_bytes\":%zu}\n",
        d.median_ms, d.min_ms, cold_s.median_ms, d.median_ms / cold_s.median_ms, disk_hits, dependencies,
        dependency_bytes);
    return 0;
  } catch (const std::exception& e) {
    std::error_code ec;
    fs::remove_all(dir, ec);
    std::fprintf(stderr, "bench_shader_cache: %s\n", e.what());
    return 1;
  }
}
