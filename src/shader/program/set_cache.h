// SetCache: a set's descriptor sets by what was written into them. Binding back resources a set was
// already written with binds that descriptor set again instead of writing a fresh one: a draw loop
// that cycles through a few buffers or textures writes each combination once.
#pragma once

#include <vulkan/vulkan.h>

#include <array>
#include <bit>
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

  // Keys come in groups of five words (a descriptor each: SetData::kKeyWords). Within a group each
  // word is multiplied by its own odd constant and summed: independent multiplies, so a record()
  // hashing its set's content does not wait on it word after word; groups are chained by a rotation,
  // so the same descriptors in another order hash differently. No final mixing: the bucket comes from
  // the high bits, where multiplying by these constants spreads ids and offsets that step evenly (a
  // loop cycling through its buffers) evenly over the buckets. Inline: it runs on every record()
  // that changed a set.
  static uint64_t hash(std::span<const uint64_t> key) {
    constexpr uint64_t k0 = 0x9E3779B97F4A7C15ull, k1 = 0xBF58476D1CE4E5B9ull, k2 = 0x94D049BB133111EBull,
                       k3 = 0xD6E8FEB86659FD93ull, k4 = 0xC2B2AE3D27D4EB4Full;
    uint64_t h = key.size();
    size_t i = 0;
    for (; i + 5 <= key.size(); i += 5) {
      h = std::rotl(h, 23) + (key[i] + i) * k0 + key[i + 1] * k1 + key[i + 2] * k2 + key[i + 3] * k3 + key[i + 4] * k4;
    }
    for (; i < key.size(); ++i) h = std::rotl(h, 23) + (key[i] + i) * k0;
    return h;
  }

 private:
  // Keys of one descriptor (the common per-draw set) are held in the entry itself: a find compares
  // them without following a pointer.
  static constexpr size_t kInlineWords = 5;
  struct Entry {
    uint64_t hash = 0;
    uint64_t stamp = 0;  // of the last find or insert: the older entry of a bucket goes first
    VkDescriptorSet set = VK_NULL_HANDLE;
    size_t size = 0;     // of the key, in words
    std::array<uint64_t, kInlineWords> short_key{};
    std::vector<uint64_t> long_key;  // keys longer than kInlineWords
    const uint64_t* key() const { return size <= kInlineWords ? short_key.data() : long_key.data(); }
  };
  std::vector<Entry> entries_;  // bucket b is entries_[kWays * b] onwards
  uint64_t buckets_ = 1;
  // The bucket for a hash: from its high 32 bits, scaled to the bucket count.
  uint64_t bucket_of(uint64_t hash) const { return ((hash >> 32) * buckets_) >> 32; }
  uint64_t clock_ = 0;
  uint64_t hits_ = 0, misses_ = 0;
};

}  // namespace kiln::detail
