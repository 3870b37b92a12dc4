// SetCache: descriptor sets found by content; a full bucket gives up its least recently used set.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <vector>

#include "shader/program/set_cache.h"

namespace kiln::detail {
namespace {

VkDescriptorSet fake_set(uintptr_t n) { return reinterpret_cast<VkDescriptorSet>(n); }

TEST(SetCache, FindsWhatWasInsertedByContentOnly) {
  SetCache cache(16);
  const std::vector<uint64_t> a{1, 0, 0, 16, 0}, b{2, 0, 0, 16, 0}, a_longer{1, 0, 0, 16, 0, 0};
  EXPECT_EQ(cache.find(a, SetCache::hash(a)), VK_NULL_HANDLE);
  EXPECT_EQ(cache.insert(a, SetCache::hash(a), fake_set(0x10)), VK_NULL_HANDLE);
  EXPECT_EQ(cache.find(a, SetCache::hash(a)), fake_set(0x10));
  EXPECT_EQ(cache.find(b, SetCache::hash(b)), VK_NULL_HANDLE);
  EXPECT_EQ(cache.find(a_longer, SetCache::hash(a_longer)), VK_NULL_HANDLE);
  // The same hash with other content is a miss, not a false hit.
  EXPECT_EQ(cache.find(b, SetCache::hash(a)), VK_NULL_HANDLE);
  EXPECT_EQ(cache.hits(), 1u);
  EXPECT_EQ(cache.misses(), 4u);
}

TEST(SetCache, AFullBucketDisplacesItsLeastRecentlyUsedSet) {
  SetCache cache(SetCache::kWays);  // one bucket
  ASSERT_EQ(cache.capacity(), SetCache::kWays);
  std::vector<std::vector<uint64_t>> keys;
  for (uint64_t i = 0; i <= SetCache::kWays; ++i) keys.push_back({i + 1, 7});
  for (uint32_t i = 0; i < SetCache::kWays; ++i) {
    EXPECT_EQ(cache.insert(keys[i], SetCache::hash(keys[i]), fake_set(0x100 + i)), VK_NULL_HANDLE);
  }
  EXPECT_EQ(cache.find(keys[0], SetCache::hash(keys[0])), fake_set(0x100));  // 0 used again: 1 is now oldest
  const std::vector<uint64_t>& extra = keys[SetCache::kWays];
  EXPECT_EQ(cache.insert(extra, SetCache::hash(extra), fake_set(0x200)), fake_set(0x101));
  EXPECT_EQ(cache.find(keys[1], SetCache::hash(keys[1])), VK_NULL_HANDLE);
  EXPECT_EQ(cache.find(keys[0], SetCache::hash(keys[0])), fake_set(0x100));
  EXPECT_EQ(cache.find(extra, SetCache::hash(extra)), fake_set(0x200));
}

// A draw loop cycling through its buffers (ids that step evenly, wherever they start) or through
// offsets into one buffer: a quarter of the capacity in keys all stay. A bucket that drew more than
// kWays of them would miss on every round.
TEST(SetCache, KeysThatStepEvenlyAllStayWhenTheyFillAQuarter) {
  for (uint64_t start : {1ull, 10ull, 1000ull, 77777ull, 1ull << 33}) {
    for (uint64_t step : {1ull, 2ull, 3ull, 7ull, 64ull}) {
      for (bool offsets : {false, true}) {
        SetCache cache(256);
        std::vector<std::vector<uint64_t>> keys;
        for (uint64_t i = 0; i < 64; ++i) {
          const uint64_t v = start + i * step;
          keys.push_back(offsets ? std::vector<uint64_t>{5, 0, v * 256, 256, 0} : std::vector<uint64_t>{v, 0, 0, 16, 0});
        }
        for (size_t i = 0; i < keys.size(); ++i) cache.insert(keys[i], SetCache::hash(keys[i]), fake_set(0x100 + i));
        for (size_t i = 0; i < keys.size(); ++i) {
          ASSERT_EQ(cache.find(keys[i], SetCache::hash(keys[i])), fake_set(0x100 + i))
              << "start " << start << " step " << step << (offsets ? " (offsets)" : " (ids)") << " key " << i;
        }
      }
    }
  }
}

TEST(SetCache, CapacityIsAPowerOfTwoOfAtLeastOneBucket) {
  EXPECT_EQ(SetCache(0).capacity(), SetCache::kWays);
  EXPECT_EQ(SetCache(100).capacity(), 64u);
  EXPECT_EQ(SetCache(256).capacity(), 256u);
}

}  // namespace
}  // namespace kiln::detail
