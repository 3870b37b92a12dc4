// The device-memory allocator: memory-type choice on the layouts of real GPUs (pure), then on lavapipe
// real buffers per intent with content copied through the GPU, a randomized stress test with every
// invariant checked after every step, the VkDeviceMemory limit, statistics and errors.
#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/memory/memory_types.h"
#include "kiln/error.h"
#include "kiln/memory.h"
#include "support/gpu_test.h"

namespace kiln {
namespace {

constexpr VkDeviceSize kMiB = 1 << 20;
constexpr VkDeviceSize kGiB = kMiB * 1024;
constexpr auto kLocal = VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT;
constexpr auto kVisible = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT;
constexpr auto kCoherent = VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
constexpr auto kCached = VK_MEMORY_PROPERTY_HOST_CACHED_BIT;

VkPhysicalDeviceMemoryProperties make_props(std::vector<std::pair<VkDeviceSize, VkMemoryHeapFlags>> heaps,
                                            std::vector<std::pair<uint32_t, VkMemoryPropertyFlags>> types) {
  VkPhysicalDeviceMemoryProperties p{};
  p.memoryHeapCount = uint32_t(heaps.size());
  for (size_t i = 0; i < heaps.size(); ++i) p.memoryHeaps[i] = {heaps[i].first, heaps[i].second};
  p.memoryTypeCount = uint32_t(types.size());
  for (size_t i = 0; i < types.size(); ++i) p.memoryTypes[i] = {types[i].second, types[i].first};
  return p;
}

// A discrete GPU as NVIDIA drivers describe it: VRAM, system RAM, and a 256 MiB BAR window.
VkPhysicalDeviceMemoryProperties discrete(VkDeviceSize bar_heap) {
  return make_props({{8 * kGiB, VK_MEMORY_HEAP_DEVICE_LOCAL_BIT}, {16 * kGiB, 0}, {bar_heap, VK_MEMORY_HEAP_DEVICE_LOCAL_BIT}},
                    {{1, 0}, {0, kLocal}, {1, kVisible | kCoherent}, {1, kVisible | kCoherent | kCached},
                     {2, kLocal | kVisible | kCoherent}});
}

uint32_t first(const std::vector<uint32_t>& types) { return types.empty() ? UINT32_MAX : types.front(); }

}  // namespace

TEST(MemoryTypes, DiscreteWithoutRebar) {
  auto p = discrete(256 * kMiB);
  EXPECT_FALSE(detail::has_rebar(p));
  EXPECT_EQ(first(detail::rank_memory_types(p, MemoryIntent::DeviceOnly, ~0u)), 1u);
  EXPECT_EQ(detail::rank_memory_types(p, MemoryIntent::Upload, ~0u), (std::vector<uint32_t>{2, 3, 4}));
  EXPECT_EQ(first(detail::rank_memory_types(p, MemoryIntent::Readback, ~0u)), 3u);
  // The 256 MiB window is not ReBAR: host writes go to upload memory.
  EXPECT_EQ(first(detail::rank_memory_types(p, MemoryIntent::DeviceWithHostWrites, ~0u)), 2u);
}

TEST(MemoryTypes, DiscreteWithRebar) {
  auto p = discrete(8 * kGiB);
  EXPECT_TRUE(detail::has_rebar(p));
  EXPECT_EQ(first(detail::rank_memory_types(p, MemoryIntent::DeviceWithHostWrites, ~0u)), 4u);
  EXPECT_EQ(first(detail::rank_memory_types(p, MemoryIntent::Upload, ~0u)), 2u);  // still system memory
  EXPECT_EQ(first(detail::rank_memory_types(p, MemoryIntent::DeviceOnly, ~0u)), 1u);
  // Type bits that rule out the ReBAR type fall back to upload memory.
  EXPECT_EQ(first(detail::rank_memory_types(p, MemoryIntent::DeviceWithHostWrites, 0b01111)), 2u);
}

TEST(MemoryTypes, IntegratedAndTypeBits) {
  auto p = make_props({{4 * kGiB, VK_MEMORY_HEAP_DEVICE_LOCAL_BIT}},
                      {{0, kLocal}, {0, kLocal | kVisible | kCoherent}, {0, kLocal | kVisible | kCoherent | kCached}});
  EXPECT_EQ(first(detail::rank_memory_types(p, MemoryIntent::DeviceOnly, ~0u)), 0u);
  EXPECT_EQ(first(detail::rank_memory_types(p, MemoryIntent::Upload, ~0u)), 1u);
  EXPECT_EQ(first(detail::rank_memory_types(p, MemoryIntent::Readback, ~0u)), 2u);
  EXPECT_EQ(first(detail::rank_memory_types(p, MemoryIntent::DeviceWithHostWrites, ~0u)), 1u);
  // Always within type bits: device-only falls back to what is allowed; upload has no invisible type.
  EXPECT_EQ(first(detail::rank_memory_types(p, MemoryIntent::DeviceOnly, 0b100)), 2u);
  EXPECT_TRUE(detail::rank_memory_types(p, MemoryIntent::Upload, 0b001).empty());
  EXPECT_TRUE(detail::rank_memory_types(p, MemoryIntent::DeviceOnly, 0).empty());
}

TEST(MemoryTypes, NonCoherentAndExcludedTypes) {
  // Some mobile GPUs: host-visible memory is cached and not coherent; a protected type must never be picked.
  auto p = make_props({{2 * kGiB, VK_MEMORY_HEAP_DEVICE_LOCAL_BIT}},
                      {{0, kLocal | VK_MEMORY_PROPERTY_PROTECTED_BIT}, {0, kLocal}, {0, kLocal | kVisible | kCached},
                       {0, kLocal | VK_MEMORY_PROPERTY_LAZILY_ALLOCATED_BIT}});
  EXPECT_EQ(detail::rank_memory_types(p, MemoryIntent::DeviceOnly, ~0u), (std::vector<uint32_t>{1, 2}));
  EXPECT_EQ(first(detail::rank_memory_types(p, MemoryIntent::Upload, ~0u)), 2u);
  EXPECT_EQ(first(detail::rank_memory_types(p, MemoryIntent::Readback, ~0u)), 2u);
  EXPECT_TRUE(detail::rank_memory_types(p, MemoryIntent::DeviceOnly, 0b1001).empty());
}

TEST(MemoryTypes, BlockSizes) {
  EXPECT_EQ(detail::block_size_for_heap(8 * kGiB, 0), 256 * kMiB);
  EXPECT_EQ(detail::block_size_for_heap(2 * kGiB, 0), 256 * kMiB);
  EXPECT_EQ(detail::block_size_for_heap(1 * kGiB, 0), 128 * kMiB);
  EXPECT_EQ(detail::block_size_for_heap(256 * kMiB, 0), 32 * kMiB);
  EXPECT_EQ(detail::block_size_for_heap(8 * kGiB, 4 * kMiB), 4 * kMiB);
  EXPECT_EQ(detail::block_size_for_heap(64 * kMiB, 256 * kMiB), 64 * kMiB);  // never beyond the heap
}

TEST(MemoryTypes, FlushRangesRoundToAtoms) {
  // Offset rounded down, end rounded up, never past the memory (then the end is the memory's end).
  auto r = detail::round_to_atom(100, 10, 64, 4096);
  EXPECT_EQ(r.offset, 64u);
  EXPECT_EQ(r.size, 64u);
  r = detail::round_to_atom(60, 10, 64, 4096);  // straddles an atom boundary
  EXPECT_EQ(r.offset, 0u);
  EXPECT_EQ(r.size, 128u);
  r = detail::round_to_atom(128, 64, 64, 4096);  // already aligned: unchanged
  EXPECT_EQ(r.offset, 128u);
  EXPECT_EQ(r.size, 64u);
  r = detail::round_to_atom(4000, 90, 256, 4090);  // the end clamps to the memory size
  EXPECT_EQ(r.offset, 3840u);
  EXPECT_EQ(r.offset + r.size, 4090u);
  r = detail::round_to_atom(5, 3, 1, 100);  // coherent-like atom of 1
  EXPECT_EQ(r.offset, 5u);
  EXPECT_EQ(r.size, 3u);
}

namespace {

class MemoryTest : public test::GpuTest {
 protected:
  VkBuffer make_buffer(VkDeviceSize size, VkBufferUsageFlags usage = VK_BUFFER_USAGE_TRANSFER_SRC_BIT |
                                                                      VK_BUFFER_USAGE_TRANSFER_DST_BIT |
                                                                      VK_BUFFER_USAGE_STORAGE_BUFFER_BIT) {
    VkBufferCreateInfo info{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
    info.size = size;
    info.usage = usage;
    info.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
    VkBuffer buffer = VK_NULL_HANDLE;
    check(vkCreateBuffer(ctx->device(), &info, nullptr, &buffer), "vkCreateBuffer");
    return buffer;
  }

  // Records copies with raw Vulkan and waits for them: enough to move bytes between test buffers.
  void copy_now(std::vector<std::tuple<VkBuffer, VkBuffer, VkDeviceSize>> copies) {
    Queue& q = ctx->queue();
    VkCommandPoolCreateInfo pool_info{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
    pool_info.queueFamilyIndex = q.family();
    VkCommandPool pool;
    check(vkCreateCommandPool(ctx->device(), &pool_info, nullptr, &pool), "vkCreateCommandPool");
    VkCommandBufferAllocateInfo alloc{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
    alloc.commandPool = pool;
    alloc.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
    alloc.commandBufferCount = 1;
    VkCommandBuffer cmd;
    check(vkAllocateCommandBuffers(ctx->device(), &alloc, &cmd), "vkAllocateCommandBuffers");
    VkCommandBufferBeginInfo begin{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
    begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
    vkBeginCommandBuffer(cmd, &begin);
    for (auto& [src, dst, size] : copies) {
      VkBufferCopy region{0, 0, size};
      vkCmdCopyBuffer(cmd, src, dst, 1, &region);
      // The next copy may read what this one wrote.
      VkMemoryBarrier barrier{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
      barrier.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
      barrier.dstAccessMask = VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_TRANSFER_WRITE_BIT | VK_ACCESS_HOST_READ_BIT;
      vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT | VK_PIPELINE_STAGE_HOST_BIT,
                           0, 1, &barrier, 0, nullptr, 0, nullptr);
    }
    vkEndCommandBuffer(cmd);
    q.wait(q.submit({.raw_commands = {cmd}}));
    vkDestroyCommandPool(ctx->device(), pool, nullptr);
  }

  void expect_valid() {
    std::string why;
    ASSERT_TRUE(ctx->allocator().check_invariants(&why)) << why;
  }

  // The heap that device-only memory comes from (heap 0 on lavapipe, VRAM on a discrete GPU).
  HeapStats device_heap() {
    uint32_t type = ctx->allocator().memory_type_for(MemoryIntent::DeviceOnly, ~0u);
    return ctx->allocator().stats().heaps.at(ctx->info().memory.memoryTypes[type].heapIndex);
  }
  uint32_t total_allocations() {
    uint32_t n = 0;
    for (const HeapStats& h : ctx->allocator().stats().heaps) n += h.allocations;
    return n;
  }
};

std::vector<uint8_t> pattern(size_t size, uint32_t seed) {
  std::vector<uint8_t> bytes(size);
  std::mt19937 rng(seed);
  for (uint8_t& b : bytes) b = uint8_t(rng());
  return bytes;
}

}  // namespace

TEST_F(MemoryTest, IntentsCarryBytesThroughTheGpu) {
  Allocator& alloc = ctx->allocator();
  const VkDeviceSize size = 256 * 1024 + 12;  // not a multiple of anything
  VkBuffer upload = make_buffer(size), device = make_buffer(size), host_writes = make_buffer(size),
           readback = make_buffer(size), readback2 = make_buffer(size);
  Allocation a_upload = alloc.allocate_and_bind(upload, MemoryIntent::Upload, "test.upload");
  Allocation a_device = alloc.allocate_and_bind(device, MemoryIntent::DeviceOnly, "test.device");
  Allocation a_host_writes = alloc.allocate_and_bind(host_writes, MemoryIntent::DeviceWithHostWrites, "test.rebar");
  Allocation a_readback = alloc.allocate_and_bind(readback, MemoryIntent::Readback, "test.readback");
  Allocation a_readback2 = alloc.allocate_and_bind(readback2, MemoryIntent::Readback, "test.readback2");

  const auto& types = ctx->info().memory.memoryTypes;
  for (const Allocation* a : {&a_upload, &a_host_writes, &a_readback, &a_readback2}) {
    ASSERT_TRUE(*a);
    ASSERT_NE(a->mapped, nullptr);
    EXPECT_TRUE(types[a->memory_type].propertyFlags & kVisible);
    EXPECT_EQ(a->coherent, (types[a->memory_type].propertyFlags & kCoherent) != 0);
  }
  EXPECT_TRUE(types[a_upload.memory_type].propertyFlags & kCoherent);
  EXPECT_EQ(a_device.memory_type, alloc.memory_type_for(MemoryIntent::DeviceOnly, ~0u));
  EXPECT_TRUE(types[a_device.memory_type].propertyFlags & kLocal);
  // Small buffers of one memory type share one block: distinct, non-overlapping ranges of it.
  if (a_upload.memory_type == a_readback.memory_type) {
    EXPECT_EQ(a_upload.memory, a_readback.memory);
  }
  if (a_upload.memory == a_readback.memory) {
    EXPECT_TRUE(a_upload.offset + size <= a_readback.offset || a_readback.offset + size <= a_upload.offset);
  }

  auto p1 = pattern(size_t(size), 1), p2 = pattern(size_t(size), 2);
  std::memcpy(a_upload.mapped, p1.data(), p1.size());
  alloc.flush(a_upload);
  std::memcpy(a_host_writes.mapped, p2.data(), p2.size());
  alloc.flush(a_host_writes);
  // upload -> device-only -> readback; device-with-host-writes -> readback2.
  copy_now({{upload, device, size}, {device, readback, size}, {host_writes, readback2, size}});
  alloc.invalidate(a_readback);
  alloc.invalidate(a_readback2);
  EXPECT_EQ(std::memcmp(a_readback.mapped, p1.data(), p1.size()), 0);
  EXPECT_EQ(std::memcmp(a_readback2.mapped, p2.data(), p2.size()), 0);
  expect_valid();

  for (auto [b, a] : {std::pair{upload, &a_upload}, {device, &a_device}, {host_writes, &a_host_writes},
                      {readback, &a_readback}, {readback2, &a_readback2}}) {
    vkDestroyBuffer(ctx->device(), b, nullptr);
    alloc.free(*a);
    EXPECT_FALSE(*a);
  }
  expect_valid();
  EXPECT_EQ(total_allocations(), 0u);
}

TEST_F(MemoryTest, LinearAndOptimalNeverShareAGranularityPage) {
  Allocator& alloc = ctx->allocator();
  const VkDeviceSize g = std::max<VkDeviceSize>(ctx->limits().bufferImageGranularity, 1);
  VkImageCreateInfo info{VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO};
  info.imageType = VK_IMAGE_TYPE_2D;
  info.format = VK_FORMAT_R8G8B8A8_UNORM;
  info.extent = {13, 7, 1};
  info.mipLevels = 1;
  info.arrayLayers = 1;
  info.samples = VK_SAMPLE_COUNT_1_BIT;
  info.tiling = VK_IMAGE_TILING_OPTIMAL;
  info.usage = VK_IMAGE_USAGE_TRANSFER_DST_BIT | VK_IMAGE_USAGE_SAMPLED_BIT;
  info.initialLayout = VK_IMAGE_LAYOUT_UNDEFINED;
  struct Range {
    Allocation a;
    bool linear;
    VkDeviceSize size;
  };
  std::vector<Range> ranges;
  std::vector<VkBuffer> buffers;
  std::vector<VkImage> images;
  for (int i = 0; i < 40; ++i) {
    if (i % 3 == 1) {
      VkImage image;
      check(vkCreateImage(ctx->device(), &info, nullptr, &image), "vkCreateImage");
      images.push_back(image);
      VkMemoryRequirements req;
      vkGetImageMemoryRequirements(ctx->device(), image, &req);
      ranges.push_back({alloc.allocate_and_bind(image, MemoryIntent::DeviceOnly, "test.image"), false, req.size});
    } else {
      VkDeviceSize size = 40 + 8 * VkDeviceSize(i);  // smaller than a granularity page: neighbours would share
      VkBuffer buffer = make_buffer(size);
      buffers.push_back(buffer);
      VkMemoryRequirements req;
      vkGetBufferMemoryRequirements(ctx->device(), buffer, &req);
      ranges.push_back({alloc.allocate_and_bind(buffer, MemoryIntent::DeviceOnly, "test.buffer"), true, req.size});
    }
  }
  for (size_t i = 0; i < ranges.size(); ++i) {
    for (size_t j = 0; j < ranges.size(); ++j) {
      const Range &x = ranges[i], &y = ranges[j];
      if (i == j || x.a.memory != y.a.memory) continue;
      EXPECT_TRUE(x.a.offset + x.size <= y.a.offset || y.a.offset + y.size <= x.a.offset) << "overlap";
      if (x.linear != y.linear && x.a.offset < y.a.offset) {
        EXPECT_LT((x.a.offset + x.size - 1) / g, y.a.offset / g) << "linear and optimal share a page";
      }
    }
  }
  expect_valid();
  for (VkBuffer b : buffers) vkDestroyBuffer(ctx->device(), b, nullptr);
  for (VkImage im : images) vkDestroyImage(ctx->device(), im, nullptr);
  for (Range& r : ranges) alloc.free(r.a);
  expect_valid();
}

namespace {

// Small blocks so that the stress test makes and frees many of them, and meets dedicated allocations.
class MemoryStressTest : public MemoryTest {
 protected:
  void adjust(ContextDesc& desc) override {
    desc.allocator.block_size = 4 * kMiB;
    desc.allocator.dedicated_threshold = 1 * kMiB;
  }
};

}  // namespace

TEST_F(MemoryStressTest, RandomAllocFreeKeepsInvariantsAndContents) {
  Allocator& alloc = ctx->allocator();
  const auto& props = ctx->info().memory;
  std::mt19937_64 rng(7);
  struct Live {
    Allocation a;
    uint64_t tag;
  };
  std::vector<Live> live;
  uint64_t next_tag = 1, dedicated_seen = 0, bytes_live = 0;
  auto tag_ok = [](const Live& l) {
    if (!l.a.mapped) return true;
    uint64_t head, tail;
    std::memcpy(&head, l.a.mapped, 8);
    std::memcpy(&tail, static_cast<const char*>(l.a.mapped) + l.a.size - 8, 8);
    return head == l.tag && tail == ~l.tag;
  };
  for (int step = 0; step < 3000; ++step) {
    if (live.empty() || rng() % 100 < (bytes_live < 24 * kMiB ? 60u : 35u)) {
      AllocationRequest r;
      r.requirements.size = 16 + rng() % (256 * 1024);
      if (rng() % 40 == 0) r.requirements.size = kMiB + rng() % (3 * kMiB);  // dedicated
      r.requirements.alignment = VkDeviceSize(1) << (rng() % 13);
      r.requirements.memoryTypeBits = (1u << props.memoryTypeCount) - 1;
      r.intent = MemoryIntent(rng() % 4);
      r.linear = rng() % 2 == 0;
      r.prefer_dedicated = rng() % 200 == 0;
      r.name = "stress";
      Live l{alloc.allocate(r), next_tag++};
      ASSERT_TRUE(l.a);
      ASSERT_EQ(l.a.offset % r.requirements.alignment, 0u) << "step " << step;
      ASSERT_EQ(l.a.size, r.requirements.size);
      ASSERT_TRUE(r.requirements.memoryTypeBits & (1u << l.a.memory_type));
      dedicated_seen += l.a.dedicated;
      // Host-visible memory (all of it on lavapipe): tag both ends, check them at free time.
      if (l.a.mapped) {
        uint64_t tail = ~l.tag;
        std::memcpy(l.a.mapped, &l.tag, 8);
        std::memcpy(static_cast<char*>(l.a.mapped) + l.a.size - 8, &tail, 8);
      }
      bytes_live += l.a.size;
      live.push_back(l);
    } else {
      size_t i = size_t(rng() % live.size());
      ASSERT_TRUE(tag_ok(live[i])) << "an allocation was overwritten (overlap) at step " << step;
      bytes_live -= live[i].a.size;
      alloc.free(live[i].a);
      live[i] = live.back();
      live.pop_back();
    }
    std::string why;
    ASSERT_TRUE(alloc.check_invariants(&why)) << "step " << step << ": " << why;
    MemoryStats s = alloc.stats();
    ASSERT_EQ(total_allocations(), live.size());
    ASSERT_LE(s.device_memory_objects, s.max_device_memory_objects);
  }
  EXPECT_GT(dedicated_seen, 10u);
  // Pairwise, no two live allocations overlap in one memory.
  std::map<VkDeviceMemory, std::map<VkDeviceSize, VkDeviceSize>> by_memory;
  for (const Live& l : live) by_memory[l.a.memory][l.a.offset] = l.a.size;
  for (auto& [memory, ranges] : by_memory) {
    VkDeviceSize end = 0;
    for (auto& [offset, size] : ranges) {
      EXPECT_GE(offset, end);
      end = offset + size;
    }
  }
  for (Live& l : live) {
    EXPECT_TRUE(tag_ok(l));
    alloc.free(l.a);
  }
  expect_valid();
  EXPECT_EQ(total_allocations(), 0u);
  // At most one empty block is kept per memory type.
  for (const HeapStats& h : alloc.stats().heaps) {
    EXPECT_EQ(h.used, 0u);
    EXPECT_LE(h.blocks, props.memoryTypeCount);
    EXPECT_EQ(h.dedicated, 0u);
  }
}

TEST_F(MemoryStressTest, ConcurrentAllocFree) {
  Allocator& alloc = ctx->allocator();
  auto work = [&](uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::vector<Allocation> mine;
    for (int step = 0; step < 2000; ++step) {
      if (mine.empty() || rng() % 2) {
        AllocationRequest r;
        r.requirements = {1 + rng() % 65536, VkDeviceSize(1) << (rng() % 8), ~0u};
        r.intent = MemoryIntent::Upload;
        r.name = "threaded";
        mine.push_back(alloc.allocate(r));
      } else {
        size_t i = size_t(rng() % mine.size());
        alloc.free(mine[i]);
        mine[i] = mine.back();
        mine.pop_back();
      }
    }
    for (Allocation& a : mine) alloc.free(a);
  };
  std::thread t1(work, 1), t2(work, 2);
  t1.join();
  t2.join();
  expect_valid();
  EXPECT_EQ(total_allocations(), 0u);
}

TEST_F(MemoryStressTest, StatsAddUp) {
  Allocator& alloc = ctx->allocator();
  const VkDeviceSize block = 4 * kMiB;
  auto request = [](VkDeviceSize size, const char* name) {
    AllocationRequest r;
    r.requirements = {size, 256, ~0u};
    r.intent = MemoryIntent::DeviceOnly;
    r.name = name;
    return r;
  };
  HeapStats before = device_heap();
  EXPECT_EQ(before.allocated, 0u);
  Allocation a = alloc.allocate(request(1000 * 1000, "a"));
  Allocation b = alloc.allocate(request(1000 * 1000, "b"));
  Allocation c = alloc.allocate(request(2 * kMiB + 1, "big"));     // over the 1 MiB threshold: dedicated
  EXPECT_FALSE(a.dedicated);
  EXPECT_FALSE(b.dedicated);
  EXPECT_TRUE(c.dedicated);
  HeapStats s = device_heap();
  EXPECT_EQ(s.allocations, 3u);
  EXPECT_EQ(s.dedicated, 1u);
  EXPECT_EQ(s.used, a.size + b.size + c.size);  // coherent memory: sizes are not widened
  EXPECT_EQ(a.memory, b.memory);
  EXPECT_EQ(s.blocks, 1u);
  EXPECT_EQ(s.allocated, block + c.size);
  // The tail after a and b (b aligned to 256 behind a).
  EXPECT_LE(s.largest_free, block - a.size - b.size);
  EXPECT_GE(s.largest_free, block - a.size - b.size - 256);
  EXPECT_EQ(alloc.stats().device_memory_objects, s.blocks + 1);

  alloc.free(c);
  alloc.free(a);
  alloc.free(b);
  s = device_heap();
  EXPECT_EQ(s.used, 0u);
  EXPECT_EQ(s.allocations, 0u);
  EXPECT_EQ(s.dedicated, 0u);
  EXPECT_EQ(s.blocks, 1u);  // one empty block stays cached
  EXPECT_EQ(s.allocated, block);
  EXPECT_EQ(s.largest_free, block);
  expect_valid();
}

namespace {

// At most 4 live VkDeviceMemory objects, 1 MiB blocks, dedicated above 512 KiB.
class MemoryLimitTest : public MemoryTest {
 protected:
  void adjust(ContextDesc& desc) override {
    desc.allocator.max_allocations = 4;
    desc.allocator.block_size = 1 * kMiB;
  }
};

}  // namespace

TEST_F(MemoryLimitTest, NeverMoreMemoryObjectsThanTheLimit) {
  Allocator& alloc = ctx->allocator();
  ASSERT_EQ(alloc.stats().max_device_memory_objects, 4u);
  std::vector<std::pair<VkBuffer, Allocation>> live;
  auto memory_objects = [&] {
    std::set<VkDeviceMemory> distinct;
    for (auto& [b, a] : live) distinct.insert(a.memory);
    EXPECT_LE(alloc.stats().device_memory_objects, 4u);
    EXPECT_LE(distinct.size(), 4u);
    std::string why;
    EXPECT_TRUE(alloc.check_invariants(&why)) << why;
    return distinct.size();
  };
  auto create = [&](VkDeviceSize size, const char* name) {
    VkBuffer b = make_buffer(size);
    try {
      Allocation a = alloc.allocate_and_bind(b, MemoryIntent::DeviceOnly, name);
      live.emplace_back(b, a);
      return true;
    } catch (const Error&) {
      vkDestroyBuffer(ctx->device(), b, nullptr);
      throw;
    }
  };
  auto destroy = [&](size_t i) {
    vkDestroyBuffer(ctx->device(), live[i].first, nullptr);
    alloc.free(live[i].second);
    live.erase(live.begin() + long(i));
  };

  // A large resource: its own memory (2 MiB > the 1 MiB block).
  create(2 * kMiB, "large.0");
  EXPECT_TRUE(live.back().second.dedicated);
  // Small ones until the three remaining blocks are full: 3 MiB / 64 KiB = 48 of them.
  std::string failure;
  for (int i = 0; i < 100; ++i) {
    try {
      create(64 * 1024, "small");
    } catch (const Error& e) {
      failure = e.what();
      break;
    }
    memory_objects();
  }
  EXPECT_EQ(live.size(), 1u + 48u);
  EXPECT_EQ(memory_objects(), 4u);
  EXPECT_NE(failure.find("AllocatorDesc::max_allocations"), std::string::npos) << failure;
  EXPECT_NE(failure.find("'small'"), std::string::npos) << failure;
  EXPECT_NE(failure.find("limit of 4"), std::string::npos) << failure;

  // At the limit a resource that would like its own memory (600 KiB > 512 KiB threshold) is placed in an
  // existing block once there is room there.
  for (int i = 0; i < 12; ++i) destroy(1 + 16);  // frees 12 of the small ones in the second block
  memory_objects();
  create(600 * 1024, "medium");
  EXPECT_FALSE(live.back().second.dedicated);
  EXPECT_EQ(memory_objects(), 4u);

  // A large one cannot be placed at all: a clear error naming the limit and the resource.
  try {
    create(2 * kMiB, "large.1");
    ADD_FAILURE() << "a fifth VkDeviceMemory was allowed";
  } catch (const Error& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("allocating memory for 'large.1' (2 MiB, device-only)"), std::string::npos) << what;
    EXPECT_NE(what.find("larger than a block"), std::string::npos) << what;
  }
  memory_objects();

  // Freeing the first large one makes room for the second.
  destroy(0);
  create(2 * kMiB, "large.1");
  EXPECT_TRUE(live.back().second.dedicated);
  EXPECT_EQ(memory_objects(), 4u);

  while (!live.empty()) destroy(live.size() - 1);
  MemoryStats s = alloc.stats();
  EXPECT_EQ(s.device_memory_objects, 1u);  // one empty block cached, the rest freed
  EXPECT_EQ(total_allocations(), 0u);
  expect_valid();
}

TEST_F(MemoryTest, ErrorsSayWhatWasAllocated) {
  Allocator& alloc = ctx->allocator();
  AllocationRequest r;
  r.requirements = {1024, 16, 0};  // no memory type allowed
  r.intent = MemoryIntent::Readback;
  r.name = "gbuffer.albedo";
  try {
    alloc.allocate(r);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("allocating memory for 'gbuffer.albedo' (1 KiB, readback): no memory type", 0),
              0u)
        << e.what();
  }
  r.requirements = {0, 16, ~0u};
  EXPECT_THROW(alloc.allocate(r), Error);
  if (!ctx->has(Feature::BufferDeviceAddress)) {
    r.requirements = {64, 16, ~0u};
    r.device_address = true;
    EXPECT_THROW(alloc.allocate(r), Error);
  }
  expect_valid();
  EXPECT_EQ(total_allocations(), 0u);
}

TEST_F(MemoryTest, DeviceAddressMemory) {
  if (!ctx->has(Feature::BufferDeviceAddress)) GTEST_SKIP() << "no buffer device address";
  VkBuffer b = make_buffer(4096, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_SHADER_DEVICE_ADDRESS_BIT);
  Allocation a = ctx->allocator().allocate_and_bind(b, MemoryIntent::DeviceOnly, "bda", true);
  VkBufferDeviceAddressInfo info{VK_STRUCTURE_TYPE_BUFFER_DEVICE_ADDRESS_INFO};
  info.buffer = b;
  EXPECT_NE(vkGetBufferDeviceAddress(ctx->device(), &info), 0u);
  vkDestroyBuffer(ctx->device(), b, nullptr);
  ctx->allocator().free(a);
}

}  // namespace kiln
