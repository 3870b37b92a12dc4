// SetCache: a set's descriptor sets by what was written into them. Binding back resources a set was
// already written with binds that descriptor set again instead of writing a fresh one: a draw loop
// that cycles through a few buffers or textures writes each combination once.
#pragma once

#include <vulkan/vulkan.h>

#include <cstdint>
#include <span>
#include <vector>

namespace kiln::detail {

class SetCache {
 public:
  // Holds at most `capacity` sets (rounded down to a power of two, at least kWays), kWays per bucket:
  // a few keys that land in one bucket do not push each other out over and over.
  explicit SetCache(uint32_t capacity);

  // The set written with `key`, or VK_NULL_HANDLE.
  VkDescriptorSet find(std::span<const uint64_t> key, uint64_t hash);
  // Remembers `set` as written with `key`; returns the set it displaced (to retire), or VK_NULL_HANDLE.
  VkDescriptorSet insert(std::span<const uint64_t> key, uint64_t hash, VkDescriptorSet set);

  static constexpr uint32_t kWays = 4;

  uint32_t capacity() const { return uint32_t(entries_.size()); }
  uint64_t hits() const { return hits_; }
  uint64_t misses() const { return misses_; }

  static uint64_t hash(std::span<const uint64_t> key);

 private:
  struct Entry {
    uint64_t hash = 0;
    uint64_t stamp = 0;  // of the last find or insert: the older entry of a bucket goes first
    VkDescriptorSet set = VK_NULL_HANDLE;
    std::vector<uint64_t> key;
  };
  std::vector<Entry> entries_;  // bucket b is entries_[kWays * b] onwards
  uint64_t bucket_mask_ = 0;
  uint64_t clock_ = 0;
  uint64_t hits_ = 0, misses_ = 0;
};

}  // namespace kiln::detail
