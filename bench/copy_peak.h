// The device's peak vkCmdCopyBuffer rate, host-visible staging → device-local, for EACH queue family
// that can copy, each measured on a bare VkDevice of its own with one queue of that family (nothing of
// kiln in the way): timed with timestamps where the family has them and with the wall clock from submit
// to fence, best of several runs, after one untimed run (first touch of the target's pages). Also the
// CPU's memcpy rate into mapped staging memory, and the same copy with many regions (measure_regions).
// The baseline bench_upload, bench_uploader and bench_stream compare against.
// Header-only: each bench stays one standalone program.
#pragma once

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "bench_util.h"
#include "kiln/context.h"
#include "kiln/error.h"

namespace bench {

inline std::string family_flags(VkQueueFlags f) {
  std::string s;
  auto add = [&](VkQueueFlags bit, const char* name) {
    if (f & bit) s += s.empty() ? name : std::string("|") + name;
  };
  add(VK_QUEUE_GRAPHICS_BIT, "graphics");
  add(VK_QUEUE_COMPUTE_BIT, "compute");
  add(VK_QUEUE_TRANSFER_BIT, "transfer");
  add(VK_QUEUE_SPARSE_BINDING_BIT, "sparse");
  return s;
}

struct FamilyResult {
  uint32_t family = 0;
  std::string flags;
  double gbps_timestamps = 0;  // 0: the family has no timestamps
  double gbps_wall = 0;
};

inline uint32_t find_memory(const VkPhysicalDeviceMemoryProperties& mem, uint32_t bits, VkMemoryPropertyFlags want,
                     VkMemoryPropertyFlags avoid) {
  for (uint32_t i = 0; i < mem.memoryTypeCount; ++i) {
    const VkMemoryPropertyFlags f = mem.memoryTypes[i].propertyFlags;
    if ((bits & (1u << i)) && (f & want) == want && (f & avoid) == 0) return i;
  }
  return UINT32_MAX;
}

struct RawBuffer {
  VkBuffer buffer = VK_NULL_HANDLE;
  VkDeviceMemory memory = VK_NULL_HANDLE;
  void* mapped = nullptr;
};

inline RawBuffer raw_buffer(VkDevice device, const VkPhysicalDeviceMemoryProperties& mem, VkDeviceSize size,
                     VkBufferUsageFlags usage, bool host) {
  RawBuffer b;
  VkBufferCreateInfo bi{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
  bi.size = size;
  bi.usage = usage;
  kiln::check(vkCreateBuffer(device, &bi, nullptr, &b.buffer), "vkCreateBuffer");
  VkMemoryRequirements req;
  vkGetBufferMemoryRequirements(device, b.buffer, &req);
  uint32_t type = host ? find_memory(mem, req.memoryTypeBits,
                                     VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT,
                                     VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT)
                       : find_memory(mem, req.memoryTypeBits, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT,
                                     VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT);
  // Unified memory (lavapipe, integrated GPUs): take what there is.
  if (type == UINT32_MAX) {
    type = find_memory(mem, req.memoryTypeBits,
                       host ? VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT
                            : VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT,
                       0);
  }
  if (type == UINT32_MAX) throw kiln::Error("no memory type for the raw copy buffers");
  VkMemoryAllocateInfo ai{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
  ai.allocationSize = req.size;
  ai.memoryTypeIndex = type;
  kiln::check(vkAllocateMemory(device, &ai, nullptr, &b.memory), "vkAllocateMemory");
  kiln::check(vkBindBufferMemory(device, b.buffer, b.memory, 0), "vkBindBufferMemory");
  if (host) kiln::check(vkMapMemory(device, b.memory, 0, VK_WHOLE_SIZE, 0, &b.mapped), "vkMapMemory");
  return b;
}

inline void destroy(VkDevice device, RawBuffer& b) {
  vkDestroyBuffer(device, b.buffer, nullptr);
  vkFreeMemory(device, b.memory, nullptr);
}

// A VkDevice with one queue of `family` and nothing else: no kiln, no layers' extras.
inline VkDevice bare_device(const kiln::Context& ctx, uint32_t family, const char* what) {
  float priority = 1.0f;
  VkDeviceQueueCreateInfo q{VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO};
  q.queueFamilyIndex = family;
  q.queueCount = 1;
  q.pQueuePriorities = &priority;
  VkDeviceCreateInfo di{VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO};
  di.queueCreateInfoCount = 1;
  di.pQueueCreateInfos = &q;
  VkDevice device = VK_NULL_HANDLE;
  kiln::check(vkCreateDevice(ctx.physical_device(), &di, nullptr, &device), what);
  return device;
}


// One bare vkCmdCopyBuffer, host-visible staging → device-local, on a device of its own with one queue
// of `family`: one region (the peak) or many (small uploads batched the way the Uploader batches them).
// GB/s of the regions' bytes by timestamps (0 where the family has none) and by the wall clock from
// submit to fence, best of reps after one untimed run (first touch of the target's pages).
struct CopyRate {
  double gbps_timestamps = 0;
  double gbps_wall = 0;
  double best() const { return gbps_timestamps > 0 ? gbps_timestamps : gbps_wall; }
};
inline CopyRate measure_regions(const kiln::Context& ctx, uint32_t family, VkDeviceSize src_size, VkDeviceSize dst_size,
                                const std::vector<VkBufferCopy>& regions, int reps) {
  const kiln::DeviceInfo& info = ctx.info();
  VkDevice device = bare_device(ctx, family, "vkCreateDevice (bare, for the copy rate)");
  RawBuffer staging = raw_buffer(device, info.memory, src_size, VK_BUFFER_USAGE_TRANSFER_SRC_BIT, true);
  RawBuffer target = raw_buffer(device, info.memory, dst_size, VK_BUFFER_USAGE_TRANSFER_DST_BIT, false);
  VkQueue queue = VK_NULL_HANDLE;
  vkGetDeviceQueue(device, family, 0, &queue);
  VkQueryPool pool = VK_NULL_HANDLE;
  VkQueryPoolCreateInfo qi{VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO};
  qi.queryType = VK_QUERY_TYPE_TIMESTAMP;
  qi.queryCount = 2;
  kiln::check(vkCreateQueryPool(device, &qi, nullptr, &pool), "vkCreateQueryPool");
  VkFenceCreateInfo fi{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
  VkFence fence = VK_NULL_HANDLE;
  kiln::check(vkCreateFence(device, &fi, nullptr, &fence), "vkCreateFence");
  VkCommandPoolCreateInfo pi{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
  pi.queueFamilyIndex = family;
  VkCommandPool cmd_pool = VK_NULL_HANDLE;
  kiln::check(vkCreateCommandPool(device, &pi, nullptr, &cmd_pool), "vkCreateCommandPool");
  VkCommandBufferAllocateInfo ca{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
  ca.commandPool = cmd_pool;
  ca.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
  ca.commandBufferCount = 1;
  VkCommandBuffer cmd = VK_NULL_HANDLE;
  kiln::check(vkAllocateCommandBuffers(device, &ca, &cmd), "vkAllocateCommandBuffers");
  const uint32_t bits = info.queue_families[family].timestampValidBits;
  VkCommandBufferBeginInfo bi{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
  kiln::check(vkBeginCommandBuffer(cmd, &bi), "vkBeginCommandBuffer");
  if (bits) {
    vkCmdResetQueryPool(cmd, pool, 0, 2);
    vkCmdWriteTimestamp(cmd, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, pool, 0);
  }
  vkCmdCopyBuffer(cmd, staging.buffer, target.buffer, uint32_t(regions.size()), regions.data());
  if (bits) vkCmdWriteTimestamp(cmd, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, pool, 1);
  kiln::check(vkEndCommandBuffer(cmd), "vkEndCommandBuffer");
  VkDeviceSize bytes = 0;
  for (const VkBufferCopy& r : regions) bytes += r.size;
  double best_wall = 1e30, best_ts = 1e30;
  const uint64_t mask = bits >= 64 ? ~uint64_t(0) : (uint64_t(1) << bits) - 1;
  for (int i = -1; i < reps; ++i) {
    VkSubmitInfo si{VK_STRUCTURE_TYPE_SUBMIT_INFO};
    si.commandBufferCount = 1;
    si.pCommandBuffers = &cmd;
    const auto t0 = Clock::now();
    kiln::check(vkQueueSubmit(queue, 1, &si, fence), "vkQueueSubmit");
    kiln::check(vkWaitForFences(device, 1, &fence, VK_TRUE, UINT64_MAX), "vkWaitForFences");
    const double wall = seconds_since(t0);
    kiln::check(vkResetFences(device, 1, &fence), "vkResetFences");
    if (i < 0) continue;
    best_wall = std::min(best_wall, wall);
    if (bits) {
      uint64_t ts[2] = {};
      kiln::check(vkGetQueryPoolResults(device, pool, 0, 2, sizeof(ts), ts, sizeof(uint64_t),
                                        VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT),
                  "vkGetQueryPoolResults");
      const double t = double((ts[1] - ts[0]) & mask) * double(ctx.limits().timestampPeriod) * 1e-9;
      if (t > 0) best_ts = std::min(best_ts, t);
    }
  }
  vkDestroyCommandPool(device, cmd_pool, nullptr);
  vkDestroyFence(device, fence, nullptr);
  vkDestroyQueryPool(device, pool, nullptr);
  destroy(device, staging);
  destroy(device, target);
  vkDestroyDevice(device, nullptr);
  CopyRate r;
  r.gbps_wall = double(bytes) / best_wall / 1e9;
  if (bits && best_ts < 1e30) r.gbps_timestamps = double(bytes) / best_ts / 1e9;
  return r;
}

// The peak: one region of `size` on every family that can copy; and the CPU's memcpy rate into mapped
// staging memory.
inline std::vector<FamilyResult> measure_peak(const kiln::Context& ctx, VkDeviceSize size, int reps, double* memcpy_gbps,
                                              const std::vector<uint8_t>& data) {
  const kiln::DeviceInfo& info = ctx.info();
  {
    VkDevice device = bare_device(ctx, 0, "vkCreateDevice (bare, for memcpy)");
    RawBuffer staging = raw_buffer(device, info.memory, size, VK_BUFFER_USAGE_TRANSFER_SRC_BIT, true);
    double best_memcpy = 1e30;
    for (int i = 0; i < reps; ++i) {
      const auto t0 = Clock::now();
      std::memcpy(staging.mapped, data.data(), size);
      best_memcpy = std::min(best_memcpy, seconds_since(t0));
    }
    *memcpy_gbps = double(size) / best_memcpy / 1e9;
    destroy(device, staging);
    vkDestroyDevice(device, nullptr);
  }
  std::vector<FamilyResult> results;
  for (uint32_t f = 0; f < info.queue_families.size(); ++f) {
    // Graphics and compute families can copy even where they do not say TRANSFER.
    if (!(info.queue_families[f].queueFlags & (VK_QUEUE_TRANSFER_BIT | VK_QUEUE_GRAPHICS_BIT | VK_QUEUE_COMPUTE_BIT)))
      continue;
    const CopyRate rate = measure_regions(ctx, f, size, size, {VkBufferCopy{0, 0, size}}, reps);
    FamilyResult r;
    r.family = f;
    r.flags = family_flags(info.queue_families[f].queueFlags);
    r.gbps_timestamps = rate.gbps_timestamps;
    r.gbps_wall = rate.gbps_wall;
    results.push_back(r);
  }
  return results;
}

// The family with the best rate (timestamps where there are, else wall clock).
inline double family_rate(const FamilyResult& f) { return f.gbps_timestamps > 0 ? f.gbps_timestamps : f.gbps_wall; }
inline const FamilyResult& best_family(const std::vector<FamilyResult>& families) {
  const FamilyResult* best = &families.at(0);
  for (const FamilyResult& f : families)
    if (family_rate(f) > family_rate(*best)) best = &f;
  return *best;
}

// The families as a JSON array's items.
inline std::string families_json(const std::vector<FamilyResult>& families) {
  std::string out;
  for (const FamilyResult& f : families) {
    char buf[256];
    std::snprintf(buf, sizeof(buf), "%s{\"family\":%u,\"flags\":\"%s\",\"gbps_timestamps\":%.3f,\"gbps_wall\":%.3f}",
                  out.empty() ? "" : ",", f.family, f.flags.c_str(), f.gbps_timestamps, f.gbps_wall);
    out += buf;
  }
  return out;
}

}  // namespace bench
