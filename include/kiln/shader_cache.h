// kiln/shader_cache.h — compiling shaders with a persistent cache, many at once.
//
// ShaderCompiler is what programs hold: compile() answers from the cache when every input is
// unchanged and otherwise compiles (kiln/shader.h) and stores the result; compile_all() compiles a
// list on a job pool and reports every failure at once. ShaderCache is the cache itself: an
// in-memory map in front of a directory shared by all kiln processes (default
// $XDG_CACHE_HOME/kiln/shaders, else ~/.cache/kiln/shaders).
//
// The key is a 128-bit hash of kiln's cache format version, the compiler's identity, every compile
// option, the main file's path and bytes; the entry records each file the compile read with its
// content hash, and a hit re-reads and re-hashes them all (a changed or missing include is a miss).
// Entries are written atomically (temporary file + rename) and checksummed: processes compiling at
// once, or one killed mid-write, never leave a corrupt entry visible; a damaged file is logged,
// removed and recompiled. A size cap evicts least-recently-used entries. docs/shader-cache.md.
// Not here: file watching and hot reload (kiln/program.h), reflection (kiln/spirv.h).
#pragma once

#include <kiln/hash.h>
#include <kiln/shader.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace kiln {

struct ShaderCacheDesc {
  // "" → $XDG_CACHE_HOME/kiln/shaders, else $HOME/.cache/kiln/shaders; "-" → memory only.
  std::string directory;
  // Cap on the directory's entries (and on the in-memory layer); least recently used go first.
  uint64_t max_bytes = 256ull << 20;
  bool sync_writes = false;  // fsync each entry before it becomes visible (survives power loss)
};

struct ShaderCacheStats {
  uint64_t entries = 0, bytes = 0;  // on disk (memory only: in memory)
  uint64_t hits = 0, misses = 0, evictions = 0, corrupt = 0;  // by this ShaderCache object
  std::string directory;  // empty when memory only
};

// The directory ShaderCacheDesc{.directory = dir} resolves to ("" when memory only).
std::string shader_cache_directory(std::string_view dir = {});

class ShaderCache {
 public:
  explicit ShaderCache(const ShaderCacheDesc& desc = {});
  ~ShaderCache();
  ShaderCache(const ShaderCache&) = delete;
  ShaderCache& operator=(const ShaderCache&) = delete;

  // The key of desc: reads the main file (or takes desc.source). nullopt when the main file cannot be
  // read (the compile will report it). Thread-safe, as is everything here.
  std::optional<Hash128> key(const CompileDesc& desc) const;
  // A hit (from_cache = true) only when every recorded dependency still has its recorded hash.
  // Counts a hit or a miss.
  std::optional<CompiledShader> find(const Hash128& key, const CompileDesc& desc);
  // Stores under key in memory and on disk, then evicts down to max_bytes.
  void store(const Hash128& key, const CompiledShader& shader);

  ShaderCacheStats stats() const;
  // Removes every entry, in memory and on disk (other processes' entries too).
  void clear();
  const std::string& directory() const;  // empty when memory only

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class ShaderCompiler {
 public:
  // threads: how many compiles run at once in compile_all (0: std::thread::hardware_concurrency).
  explicit ShaderCompiler(const ShaderCacheDesc& cache = {}, uint32_t threads = 0);
  ~ShaderCompiler();
  ShaderCompiler(const ShaderCompiler&) = delete;
  ShaderCompiler& operator=(const ShaderCompiler&) = delete;

  // Cache lookup (with the dependency re-check), else compile_shader + store. Throws like compile_shader.
  CompiledShader compile(const CompileDesc& desc);
  // Compiles all of descs in parallel; results in the same order. When any fail, throws one
  // ShaderError whose diagnostics are every failed file's, after all have finished.
  std::vector<CompiledShader> compile_all(std::span<const CompileDesc> descs);

  ShaderCache& cache();
  uint32_t threads() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kiln
