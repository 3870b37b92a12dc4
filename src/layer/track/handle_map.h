// Handle -> tracked object, sharded with a reader-writer lock per shard: creation, destruction and
// lookups of different objects rarely meet on one lock, and no lock is global.
#pragma once

#include <vulkan/vulkan.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>
#include <vector>

namespace kiln::layer {

template <class H>
uint64_t handle_key(H h) {
  uint64_t k = 0;
  static_assert(sizeof(H) <= sizeof(k));
  std::memcpy(&k, &h, sizeof(H));
  return k;
}

template <class T>
class HandleMap {
 public:
  template <class H>
  void add(H h, std::shared_ptr<T> v) {
    Shard& s = shard(handle_key(h));
    std::unique_lock lock(s.mutex);
    s.map[handle_key(h)] = std::move(v);
  }
  template <class H>
  std::shared_ptr<T> get(H h) const {
    const Shard& s = shard(handle_key(h));
    std::shared_lock lock(s.mutex);
    auto it = s.map.find(handle_key(h));
    return it == s.map.end() ? nullptr : it->second;
  }
  template <class H>
  std::shared_ptr<T> remove(H h) {
    Shard& s = shard(handle_key(h));
    std::unique_lock lock(s.mutex);
    auto it = s.map.find(handle_key(h));
    if (it == s.map.end()) return nullptr;
    auto v = std::move(it->second);
    s.map.erase(it);
    return v;
  }
  template <class F>
  void for_each(F&& f) const {
    for (const Shard& s : shards_) {
      std::shared_lock lock(s.mutex);
      for (const auto& [k, v] : s.map) f(k, v);
    }
  }

 private:
  static constexpr size_t kShards = 16;
  struct Shard {
    mutable std::shared_mutex mutex;
    std::unordered_map<uint64_t, std::shared_ptr<T>> map;
  };
  Shard& shard(uint64_t k) { return shards_[((k >> 4) ^ (k >> 12)) % kShards]; }
  const Shard& shard(uint64_t k) const { return shards_[((k >> 4) ^ (k >> 12)) % kShards]; }
  Shard shards_[kShards];
};

}  // namespace kiln::layer
