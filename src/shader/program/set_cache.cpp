#include "shader/program/set_cache.h"

#include <algorithm>
#include <bit>

namespace kiln::detail {

SetCache::SetCache(uint32_t capacity) {
  const uint32_t n = std::bit_floor(std::max(capacity, kWays));
  entries_.resize(n);
  bucket_mask_ = n / kWays - 1;
}

uint64_t SetCache::hash(std::span<const uint64_t> key) {
  // Each word mixed on its own (with its position) and summed: no multiply chain through the key,
  // so a record() hashing its set's content does not wait on it word after word.
  auto mix = [](uint64_t w, size_t i) {
    const uint64_t x = (w + i) * 0x9E3779B97F4A7C15ull;
    return x ^ (x >> 29);
  };
  uint64_t h = key.size();
  size_t i = 0;
  for (; i + 4 <= key.size(); i += 4) {
    h += mix(key[i], i) + mix(key[i + 1], i + 1) + mix(key[i + 2], i + 2) + mix(key[i + 3], i + 3);
  }
  for (; i < key.size(); ++i) h += mix(key[i], i);
  h *= 0xBF58476D1CE4E5B9ull;
  return h ^ (h >> 31);
}

static bool same(const std::vector<uint64_t>& stored, std::span<const uint64_t> key) {
  return stored.size() == key.size() && std::equal(key.begin(), key.end(), stored.begin());
}

VkDescriptorSet SetCache::find(std::span<const uint64_t> key, uint64_t hash) {
  Entry* bucket = &entries_[kWays * (hash & bucket_mask_)];
  for (uint32_t way = 0; way < kWays; ++way) {
    Entry& e = bucket[way];
    if (e.set != VK_NULL_HANDLE && e.hash == hash && same(e.key, key)) {
      e.stamp = ++clock_;
      ++hits_;
      return e.set;
    }
  }
  ++misses_;
  return VK_NULL_HANDLE;
}

VkDescriptorSet SetCache::insert(std::span<const uint64_t> key, uint64_t hash, VkDescriptorSet set) {
  Entry* bucket = &entries_[kWays * (hash & bucket_mask_)];
  // An empty way (stamp 0), else the least recently used.
  Entry* victim = bucket;
  for (uint32_t way = 1; way < kWays; ++way) {
    if (bucket[way].stamp < victim->stamp) victim = &bucket[way];
  }
  const VkDescriptorSet displaced = victim->set;
  victim->hash = hash;
  victim->stamp = ++clock_;
  victim->set = set;
  victim->key.assign(key.begin(), key.end());  // keeps its capacity: no allocation once warm
  return displaced;
}

}  // namespace kiln::detail
