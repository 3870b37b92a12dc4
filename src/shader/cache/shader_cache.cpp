// ShaderCache: the in-memory layer, the key, the dependency re-check; the disk is disk_store's.
#include <kiln/log.h>
#include <kiln/shader_cache.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <unordered_map>

#include "shader/cache/disk_store.h"

namespace kiln {
namespace {

using shader_cache::CacheEntry;
using shader_cache::DiskStore;
using shader_cache::read_file;

struct KeyHash {
  size_t operator()(const Hash128& k) const { return static_cast<size_t>(k.lo); }
};


uint64_t shader_bytes(const CompiledShader& s) {
  uint64_t n = 64 + s.spirv.size() * 4 + s.entry.size() + s.warnings.size();
  for (const auto& d : s.dependencies) n += 16 + d.path.size();
  return n;
}

CacheEntry to_entry(const Hash128& key, const CompiledShader& s) {
  CacheEntry e;
  e.key = key;
  e.stage = static_cast<uint32_t>(s.stage);
  e.entry = s.entry;
  e.warnings = s.warnings;
  e.spirv = s.spirv;
  e.dependencies.reserve(s.dependencies.size());
  for (const auto& d : s.dependencies) e.dependencies.emplace_back(d.path, d.hash);
  return e;
}

std::optional<CompiledShader> from_entry(CacheEntry&& e) {
  if (e.stage >= static_cast<uint32_t>(ShaderStage::Count)) return std::nullopt;
  CompiledShader s;
  s.stage = static_cast<ShaderStage>(e.stage);
  s.entry = std::move(e.entry);
  s.warnings = std::move(e.warnings);
  s.spirv = std::move(e.spirv);
  s.dependencies.reserve(e.dependencies.size());
  for (auto& [path, hash] : e.dependencies) s.dependencies.push_back({std::move(path), hash});
  return s;
}

}  // namespace

std::string shader_cache_directory(std::string_view dir) {
  if (dir == "-") return {};
  if (!dir.empty()) return std::string(dir);
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && xdg[0] == '/') return str(xdg, "/kiln/shaders");
  if (const char* home = std::getenv("HOME"); home && home[0]) return str(home, "/.cache/kiln/shaders");
  log_once(LogLevel::Warn, "shader-cache-no-home",
           "shader cache: neither XDG_CACHE_HOME nor HOME is set; caching in memory only");
  return {};
}

struct ShaderCache::Impl {
  struct Slot {
    std::shared_ptr<const CompiledShader> shader;
    uint64_t bytes = 0;
    uint64_t last_use = 0;
  };

  uint64_t max_bytes;
  std::string directory;
  std::unique_ptr<DiskStore> disk;  // null: memory only

  mutable std::mutex mutex;
  std::unordered_map<Hash128, Slot, KeyHash> memory;
  uint64_t memory_bytes = 0;
  uint64_t tick = 0;

  std::atomic<uint64_t> hits{0}, misses{0}, evictions{0};

  // Drops least-recently-used memory slots until under the cap. Caller holds mutex.
  void trim_memory(const Hash128& keep) {
    while (memory_bytes > max_bytes && memory.size() > 1) {
      auto victim = memory.end();
      for (auto it = memory.begin(); it != memory.end(); ++it) {
        if (it->first == keep) continue;
        if (victim == memory.end() || it->second.last_use < victim->second.last_use) victim = it;
      }
      if (victim == memory.end()) break;
      memory_bytes -= victim->second.bytes;
      memory.erase(victim);
      if (!disk) evictions.fetch_add(1);
    }
  }

  void insert(const Hash128& key, std::shared_ptr<const CompiledShader> shader) {
    std::lock_guard lock(mutex);
    Slot& slot = memory[key];
    memory_bytes -= slot.bytes;
    slot.bytes = shader_bytes(*shader);
    slot.shader = std::move(shader);
    slot.last_use = ++tick;
    memory_bytes += slot.bytes;
    trim_memory(key);
  }
};

ShaderCache::ShaderCache(const ShaderCacheDesc& desc) : impl_(std::make_unique<Impl>()) {
  impl_->max_bytes = desc.max_bytes;
  impl_->directory = shader_cache_directory(desc.directory);
  if (!impl_->directory.empty()) impl_->disk = std::make_unique<DiskStore>(impl_->directory, desc.sync_writes);
}

ShaderCache::~ShaderCache() = default;

const std::string& ShaderCache::directory() const { return impl_->directory; }

std::optional<Hash128> ShaderCache::key(const CompileDesc& desc) const {
  thread_local std::string bytes;
  std::string_view main = desc.source;
  if (main.empty()) {
    int err = 0;
    if (!read_file(desc.path, bytes, &err)) return std::nullopt;
    main = bytes;
  }
  Hasher128 h;
  h.update_value(shader_cache::kCacheFormatVersion);
  h.update_field(shader_compiler_id());
  h.update_field(compile_options_key(desc));
  // Absolute, so that one relative name used from two working directories is two entries.
  std::error_code ec;
  std::filesystem::path abs = std::filesystem::absolute(desc.path, ec);
  h.update_field(ec ? desc.path : abs.lexically_normal().string());
  h.update_value(uint8_t(desc.source.empty() ? 0 : 1));
  h.update_field(main);
  if (bytes.size() > (1u << 20)) std::string().swap(bytes);
  return h.digest();
}

std::optional<CompiledShader> ShaderCache::find(const Hash128& key, const CompileDesc& desc) {
  Impl& m = *impl_;
  std::shared_ptr<const CompiledShader> found;
  {
    std::lock_guard lock(m.mutex);
    if (auto it = m.memory.find(key); it != m.memory.end()) {
      found = it->second.shader;
      it->second.last_use = ++m.tick;
    }
  }
  bool from_disk = false;
  if (!found && m.disk) {
    if (auto entry = m.disk->read(key)) {
      if (auto shader = from_entry(std::move(*entry))) {
        found = std::make_shared<const CompiledShader>(std::move(*shader));
        from_disk = true;
      }
    }
  }
  if (!found) {
    m.misses.fetch_add(1);
    return std::nullopt;
  }

  // The key covers the main file; the includes it pulled in are checked here, by content.
  thread_local std::string bytes;
  uint64_t source_hash = desc.source.empty() ? 0 : hash64(desc.source);
  for (const ShaderDependency& dep : found->dependencies) {
    // Given as `source`, the main file may not exist on disk; the key already holds its bytes.
    if (!desc.source.empty() && dep.hash == source_hash) continue;
    int err = 0;
    if (!read_file(dep.path, bytes, &err) || hash64(bytes) != dep.hash) {
      log(LogLevel::Debug, str("shader cache: ", desc.path, ": dependency ", dep.path, " changed; recompiling"));
      {
        std::lock_guard lock(m.mutex);
        if (auto it = m.memory.find(key); it != m.memory.end()) {
          m.memory_bytes -= it->second.bytes;
          m.memory.erase(it);
        }
      }
      m.misses.fetch_add(1);
      return std::nullopt;
    }
  }
  if (bytes.size() > (1u << 20)) std::string().swap(bytes);

  if (from_disk) m.insert(key, found);
  if (m.disk) m.disk->touch(key);
  m.hits.fetch_add(1);
  CompiledShader out = *found;
  out.from_cache = true;
  return out;
}

void ShaderCache::store(const Hash128& key, const CompiledShader& shader) {
  Impl& m = *impl_;
  auto copy = std::make_shared<CompiledShader>(shader);
  copy->from_cache = false;
  if (m.disk) {
    uint64_t written = m.disk->write(to_entry(key, shader));
    if (written && m.disk->scan_due(m.max_bytes, written)) m.evictions.fetch_add(m.disk->evict_to(m.max_bytes, &key));
  }
  m.insert(key, std::move(copy));
}

ShaderCacheStats ShaderCache::stats() const {
  const Impl& m = *impl_;
  ShaderCacheStats s;
  s.directory = m.directory;
  if (m.disk) {
    auto usage = m.disk->usage();
    s.entries = usage.entries;
    s.bytes = usage.bytes;
    s.corrupt = m.disk->corrupt();
  } else {
    std::lock_guard lock(m.mutex);
    s.entries = m.memory.size();
    s.bytes = m.memory_bytes;
  }
  s.hits = m.hits.load();
  s.misses = m.misses.load();
  s.evictions = m.evictions.load();
  return s;
}

void ShaderCache::clear() {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->memory.clear();
    impl_->memory_bytes = 0;
  }
  if (impl_->disk) impl_->disk->clear();
}

}  // namespace kiln
