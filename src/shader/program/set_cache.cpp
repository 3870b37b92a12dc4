#include "shader/program/set_cache.h"

#include <algorithm>
#include <bit>

namespace kiln::detail {

SetCache::SetCache(uint32_t capacity) {
  const uint32_t n = std::bit_floor(std::max(capacity, kWays));
  entries_.resize(n);
  buckets_ = n / kWays;
}

static bool same(const uint64_t* stored, std::span<const uint64_t> key) {
  // A few words: a plain loop beats a call to memcmp.
  for (size_t i = 0; i < key.size(); ++i) {
    if (stored[i] != key[i]) return false;
  }
  return true;
}

VkDescriptorSet SetCache::find(std::span<const uint64_t> key, uint64_t hash) {
  Entry* bucket = &entries_[kWays * bucket_of(hash)];
  for (uint32_t way = 0; way < kWays; ++way) {
    Entry& e = bucket[way];
    if (e.set != VK_NULL_HANDLE && e.hash == hash && e.size == key.size() && same(e.key(), key)) {
      e.stamp = ++clock_;
      ++hits_;
      return e.set;
    }
  }
  ++misses_;
  return VK_NULL_HANDLE;
}

VkDescriptorSet SetCache::insert(std::span<const uint64_t> key, uint64_t hash, VkDescriptorSet set) {
  Entry* bucket = &entries_[kWays * bucket_of(hash)];
  // An empty way (stamp 0), else the least recently used.
  Entry* victim = bucket;
  for (uint32_t way = 1; way < kWays; ++way) {
    if (bucket[way].stamp < victim->stamp) victim = &bucket[way];
  }
  const VkDescriptorSet displaced = victim->set;
  victim->hash = hash;
  victim->stamp = ++clock_;
  victim->set = set;
  victim->size = key.size();
  if (key.size() <= kInlineWords) std::copy(key.begin(), key.end(), victim->short_key.begin());
  else victim->long_key.assign(key.begin(), key.end());  // keeps its capacity: no allocation once warm
  return displaced;
}

}  // namespace kiln::detail
