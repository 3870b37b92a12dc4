// Creates and frees 100k small buffers (256 B .. 64 KiB, storage | transfer) with memory from kiln's
// allocator, and the same buffers with one vkAllocateMemory each (the baseline), in the same run.
//
// Both sides work in batches: create a batch of buffers with their memory, then destroy them all. The
// baseline needs batches because a device allows only maxMemoryAllocationCount live VkDeviceMemory
// objects (4096 on NVIDIA; huge on lavapipe): a batch is min(4000, that limit - 64). kiln uses the same
// batches so that both sides do the same work. Buffer creation and destruction are timed on both sides.
//
//   bench_alloc [count]     prints one JSON line; ratio = raw_ms / kiln_ms (above 1: kiln is faster)
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "kiln/context.h"
#include "kiln/error.h"
#include "kiln/memory.h"
#include "bench_util.h"

namespace {

using bench::Clock;
using bench::json_escape;
using bench::ms_since;

VkBuffer create_buffer(VkDevice device, VkDeviceSize size) {
  VkBufferCreateInfo info{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
  info.size = size;
  info.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT |
               VK_BUFFER_USAGE_TRANSFER_DST_BIT;
  info.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
  VkBuffer buffer = VK_NULL_HANDLE;
  kiln::check(vkCreateBuffer(device, &info, nullptr, &buffer), "vkCreateBuffer");
  return buffer;
}

double run_kiln(kiln::Context& ctx, const std::vector<VkDeviceSize>& sizes, size_t batch) {
  VkDevice device = ctx.device();
  kiln::Allocator& allocator = ctx.allocator();
  std::vector<std::pair<VkBuffer, kiln::Allocation>> live;
  live.reserve(batch);
  auto start = Clock::now();
  for (size_t first = 0; first < sizes.size(); first += batch) {
    size_t end = std::min(sizes.size(), first + batch);
    for (size_t i = first; i < end; ++i) {
      VkBuffer buffer = create_buffer(device, sizes[i]);
      live.emplace_back(buffer, allocator.allocate_and_bind(buffer, kiln::MemoryIntent::DeviceOnly, "bench"));
    }
    for (auto& [buffer, allocation] : live) {
      vkDestroyBuffer(device, buffer, nullptr);
      allocator.free(allocation);
    }
    live.clear();
  }
  return ms_since(start);
}

double run_raw(kiln::Context& ctx, const std::vector<VkDeviceSize>& sizes, size_t batch) {
  VkDevice device = ctx.device();
  std::vector<std::pair<VkBuffer, VkDeviceMemory>> live;
  live.reserve(batch);
  auto start = Clock::now();
  for (size_t first = 0; first < sizes.size(); first += batch) {
    size_t end = std::min(sizes.size(), first + batch);
    for (size_t i = first; i < end; ++i) {
      VkBuffer buffer = create_buffer(device, sizes[i]);
      VkMemoryRequirements req;
      vkGetBufferMemoryRequirements(device, buffer, &req);
      VkMemoryAllocateInfo info{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
      info.allocationSize = req.size;
      // The same memory type kiln picks, so that only the allocation strategy differs.
      info.memoryTypeIndex = ctx.allocator().memory_type_for(kiln::MemoryIntent::DeviceOnly, req.memoryTypeBits);
      VkDeviceMemory memory = VK_NULL_HANDLE;
      kiln::check(vkAllocateMemory(device, &info, nullptr, &memory), "vkAllocateMemory");
      kiln::check(vkBindBufferMemory(device, buffer, memory, 0), "vkBindBufferMemory");
      live.emplace_back(buffer, memory);
    }
    for (auto& [buffer, memory] : live) {
      vkDestroyBuffer(device, buffer, nullptr);
      vkFreeMemory(device, memory, nullptr);
    }
    live.clear();
  }
  return ms_since(start);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    size_t count = argc > 1 ? size_t(std::strtoull(argv[1], nullptr, 10)) : 100000;
    kiln::ContextDesc desc;
    desc.app_name = "bench_alloc";
    desc.validation = kiln::Validation::Off;
    kiln::Context ctx(desc);

    std::mt19937_64 rng(12345);
    std::vector<VkDeviceSize> sizes(count);
    for (VkDeviceSize& s : sizes) s = 256 + rng() % (64 * 1024 - 256 + 1);
    uint32_t limit = ctx.limits().maxMemoryAllocationCount;
    size_t batch = std::min<size_t>(4000, limit > 128 ? limit - 64 : 1);

    // Warm both paths once (driver-internal pools, the allocator's first block), then measure.
    std::vector<VkDeviceSize> warm(sizes.begin(), sizes.begin() + long(std::min<size_t>(count, 2000)));
    run_raw(ctx, warm, batch);
    run_kiln(ctx, warm, batch);
    double raw_ms = run_raw(ctx, sizes, batch);
    double kiln_ms = run_kiln(ctx, sizes, batch);

    std::printf(
        "{\"bench\":\"alloc_100k_buffers\",\"kiln_ms\":%.2f,\"raw_ms\":%.2f,\"ratio\":%.3f,\"device\":\"%s\","
        "\"count\":%zu,\"batch\":%zu}\n",
        kiln_ms, raw_ms, raw_ms / kiln_ms, json_escape(ctx.properties().deviceName).c_str(), count, batch);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_alloc: %s\n", e.what());
    return 1;
  }
}
