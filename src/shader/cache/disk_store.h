// The on-disk half of the shader cache: one file per entry named by its key's hex digits, written
// atomically (unique temporary file in the same directory, then rename), checked on every read,
// evicted least-recently-used (file mtime; a hit touches it) when the directory outgrows its cap.
// Several processes may share one directory: a reader sees a whole old file, a whole new file or no
// file, never a partial one. Knows nothing of the compiler (entry_format.h holds the bytes).
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

#include "shader/cache/entry_format.h"

namespace kiln::shader_cache {

class DiskStore {
 public:
  // `directory` is created on the first write.
  DiskStore(std::string directory, bool sync_writes = false);

  const std::string& directory() const { return directory_; }
  std::string path_for(const Hash128& key) const;

  // nullopt when absent; a corrupt entry is logged (Warn), removed, counted and reported as absent.
  std::optional<CacheEntry> read(const Hash128& key);
  // Atomic replace. Returns the file's size, 0 (logged) when the file system refused.
  uint64_t write(const CacheEntry& entry);
  // Marks the entry recently used (mtime = now).
  void touch(const Hash128& key);
  // Deletes least-recently-used entries until the directory's entries total at most `max_bytes`;
  // `keep` (the entry just written) goes last. Also removes temporary files left by dead writers.
  // Returns how many entries it deleted.
  uint64_t evict_to(uint64_t max_bytes, const Hash128* keep = nullptr);
  // Whether a store of `written` bytes should be followed by evict_to: a directory scan costs a stat
  // per entry, so it runs on the first store, when the estimated total nears the cap, and every 32nd
  // store (other processes write too).
  bool scan_due(uint64_t max_bytes, uint64_t written);

  struct Usage {
    uint64_t entries = 0, bytes = 0, temp_files = 0;
  };
  Usage usage() const;
  // Removes every entry and temporary file.
  void clear();

  uint64_t corrupt() const { return corrupt_.load(); }

 private:
  std::string directory_;
  bool sync_writes_;
  std::atomic<uint64_t> corrupt_{0};
  std::mutex evict_mutex_;  // one scan at a time within a process
  std::atomic<uint64_t> estimate_{0};  // bytes at the last scan + written since
  std::atomic<uint32_t> stores_since_scan_{0};
  std::atomic<bool> scanned_{false};
};

// An entry's file name is exactly 32 lowercase hex digits; temporaries start with ".tmp-".
// Reads a whole regular file into `out`, reusing its capacity (cache hits re-read every dependency:
// no allocation once warm). false with *err = errno when it cannot.
bool read_file(const std::string& path, std::string& out, int* err);

bool is_entry_name(std::string_view name);
bool is_temp_name(std::string_view name);

}  // namespace kiln::shader_cache
