// A 256 MiB upload with kiln::upload_now into a DeviceOnly buffer, against the device's peak
// vkCmdCopyBuffer rate (host-visible staging → device-local, one copy of the whole size) on EACH queue
// family that can copy, measured in the same run on a bare VkDevice with one queue per family: timed
// with timestamps (where the family has them) and with the wall clock from submit to fence, best of
// several. The CPU's memcpy rate into mapped staging memory is given as context: upload_now has to do
// that copy too, so peak copy and memcpy together bound what it can reach.
//
//   bench_upload [MiB] [reps] [chunk MiB] [threads]   prints one JSON line; ratio = kiln_gbps / peak_gbps (best family)
//
// GB/s here are 10^9 bytes per second.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "kiln/buffer.h"
#include "kiln/context.h"
#include "kiln/error.h"
#include "kiln/log.h"
#include "kiln/transfer.h"
#include "core/transfer/staging_ring.h"  // the default chunk size, reported with the result
#include "bench_util.h"

namespace {

using bench::Clock;
using bench::json_escape;
using bench::seconds_since;
using kiln::check;

std::string family_flags(VkQueueFlags f) {
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

uint32_t find_memory(const VkPhysicalDeviceMemoryProperties& mem, uint32_t bits, VkMemoryPropertyFlags want,
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

RawBuffer raw_buffer(VkDevice device, const VkPhysicalDeviceMemoryProperties& mem, VkDeviceSize size,
                     VkBufferUsageFlags usage, bool host) {
  RawBuffer b;
  VkBufferCreateInfo bi{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
  bi.size = size;
  bi.usage = usage;
  check(vkCreateBuffer(device, &bi, nullptr, &b.buffer), "vkCreateBuffer");
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
  check(vkAllocateMemory(device, &ai, nullptr, &b.memory), "vkAllocateMemory");
  check(vkBindBufferMemory(device, b.buffer, b.memory, 0), "vkBindBufferMemory");
  if (host) check(vkMapMemory(device, b.memory, 0, VK_WHOLE_SIZE, 0, &b.mapped), "vkMapMemory");
  return b;
}

void destroy(VkDevice device, RawBuffer& b) {
  vkDestroyBuffer(device, b.buffer, nullptr);
  vkFreeMemory(device, b.memory, nullptr);
}

// The peak: a bare device with one queue of every family that can copy, one vkCmdCopyBuffer per run.
std::vector<FamilyResult> measure_peak(const kiln::Context& ctx, VkDeviceSize size, int reps, double* memcpy_gbps,
                                       const std::vector<uint8_t>& data) {
  const kiln::DeviceInfo& info = ctx.info();
  std::vector<uint32_t> families;
  for (uint32_t f = 0; f < info.queue_families.size(); ++f) {
    // Graphics and compute families can copy even where they do not say TRANSFER.
    if (info.queue_families[f].queueFlags & (VK_QUEUE_TRANSFER_BIT | VK_QUEUE_GRAPHICS_BIT | VK_QUEUE_COMPUTE_BIT))
      families.push_back(f);
  }
  float priority = 1.0f;
  std::vector<VkDeviceQueueCreateInfo> queues;
  for (uint32_t f : families) {
    VkDeviceQueueCreateInfo q{VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO};
    q.queueFamilyIndex = f;
    q.queueCount = 1;
    q.pQueuePriorities = &priority;
    queues.push_back(q);
  }
  VkDeviceCreateInfo di{VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO};
  di.queueCreateInfoCount = uint32_t(queues.size());
  di.pQueueCreateInfos = queues.data();
  VkDevice device = VK_NULL_HANDLE;
  check(vkCreateDevice(ctx.physical_device(), &di, nullptr, &device), "vkCreateDevice (bare, for the peak)");

  RawBuffer staging = raw_buffer(device, info.memory, size, VK_BUFFER_USAGE_TRANSFER_SRC_BIT, true);
  RawBuffer target = raw_buffer(device, info.memory, size, VK_BUFFER_USAGE_TRANSFER_DST_BIT, false);

  // CPU → mapped staging memory, best of reps.
  double best_memcpy = 1e30;
  for (int i = 0; i < reps; ++i) {
    const auto t0 = Clock::now();
    std::memcpy(staging.mapped, data.data(), size);
    best_memcpy = std::min(best_memcpy, seconds_since(t0));
  }
  *memcpy_gbps = double(size) / best_memcpy / 1e9;

  std::vector<FamilyResult> results;
  VkQueryPool pool = VK_NULL_HANDLE;
  VkQueryPoolCreateInfo qi{VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO};
  qi.queryType = VK_QUERY_TYPE_TIMESTAMP;
  qi.queryCount = 2;
  check(vkCreateQueryPool(device, &qi, nullptr, &pool), "vkCreateQueryPool");
  VkFenceCreateInfo fi{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
  VkFence fence = VK_NULL_HANDLE;
  check(vkCreateFence(device, &fi, nullptr, &fence), "vkCreateFence");

  for (uint32_t f : families) {
    FamilyResult r;
    r.family = f;
    r.flags = family_flags(info.queue_families[f].queueFlags);
    const uint32_t bits = info.queue_families[f].timestampValidBits;
    VkQueue queue = VK_NULL_HANDLE;
    vkGetDeviceQueue(device, f, 0, &queue);
    VkCommandPoolCreateInfo pi{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
    pi.queueFamilyIndex = f;
    VkCommandPool cmd_pool = VK_NULL_HANDLE;
    check(vkCreateCommandPool(device, &pi, nullptr, &cmd_pool), "vkCreateCommandPool");
    VkCommandBufferAllocateInfo ca{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
    ca.commandPool = cmd_pool;
    ca.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
    ca.commandBufferCount = 1;
    VkCommandBuffer cmd = VK_NULL_HANDLE;
    check(vkAllocateCommandBuffers(device, &ca, &cmd), "vkAllocateCommandBuffers");
    VkCommandBufferBeginInfo bi{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
    check(vkBeginCommandBuffer(cmd, &bi), "vkBeginCommandBuffer");
    if (bits) {
      vkCmdResetQueryPool(cmd, pool, 0, 2);
      vkCmdWriteTimestamp(cmd, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, pool, 0);
    }
    const VkBufferCopy region{0, 0, size};
    vkCmdCopyBuffer(cmd, staging.buffer, target.buffer, 1, &region);
    if (bits) vkCmdWriteTimestamp(cmd, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, pool, 1);
    check(vkEndCommandBuffer(cmd), "vkEndCommandBuffer");

    double best_wall = 1e30, best_ts = 1e30;
    const uint64_t mask = bits >= 64 ? ~uint64_t(0) : (uint64_t(1) << bits) - 1;
    // One untimed run first: first-touch of the target's pages.
    for (int i = -1; i < reps; ++i) {
      VkSubmitInfo si{VK_STRUCTURE_TYPE_SUBMIT_INFO};
      si.commandBufferCount = 1;
      si.pCommandBuffers = &cmd;
      const auto t0 = Clock::now();
      check(vkQueueSubmit(queue, 1, &si, fence), "vkQueueSubmit");
      check(vkWaitForFences(device, 1, &fence, VK_TRUE, UINT64_MAX), "vkWaitForFences");
      const double wall = seconds_since(t0);
      check(vkResetFences(device, 1, &fence), "vkResetFences");
      if (i < 0) continue;
      best_wall = std::min(best_wall, wall);
      if (bits) {
        uint64_t ts[2] = {};
        check(vkGetQueryPoolResults(device, pool, 0, 2, sizeof(ts), ts, sizeof(uint64_t),
                                    VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT),
              "vkGetQueryPoolResults");
        const double s = double((ts[1] - ts[0]) & mask) * double(ctx.limits().timestampPeriod) * 1e-9;
        if (s > 0) best_ts = std::min(best_ts, s);
      }
    }
    r.gbps_wall = double(size) / best_wall / 1e9;
    if (bits && best_ts < 1e30) r.gbps_timestamps = double(size) / best_ts / 1e9;
    vkDestroyCommandPool(device, cmd_pool, nullptr);
    results.push_back(r);
  }
  vkDestroyFence(device, fence, nullptr);
  vkDestroyQueryPool(device, pool, nullptr);
  destroy(device, staging);
  destroy(device, target);
  vkDestroyDevice(device, nullptr);
  return results;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    unsetenv("KILN_VALIDATION");
    kiln::set_log_level(kiln::LogLevel::Warn);
    kiln::Context ctx({.validation = kiln::Validation::Off});
    const bool cpu = ctx.properties().deviceType == VK_PHYSICAL_DEVICE_TYPE_CPU;
    const VkDeviceSize mib = argc > 1 ? VkDeviceSize(std::max(1, std::atoi(argv[1]))) : 256;
    const int reps = argc > 2 ? std::max(1, std::atoi(argv[2])) : (cpu ? 3 : 8);
    const VkDeviceSize size = mib << 20;
    const VkDeviceSize chunk = argc > 3 ? VkDeviceSize(std::max(1, std::atoi(argv[3]))) << 20 : 0;
    const uint32_t threads = argc > 4 ? uint32_t(std::max(1, std::atoi(argv[4]))) : 0;  // 0: kiln's choice

    std::vector<uint8_t> data(size);
    for (size_t i = 0; i < data.size(); i += 4096) data[i] = uint8_t(i >> 12);  // touch every page

    double memcpy_gbps = 0;
    const std::vector<FamilyResult> families = measure_peak(ctx, size, reps, &memcpy_gbps, data);
    const FamilyResult* best = &families.at(0);
    auto rate = [](const FamilyResult& f) { return f.gbps_timestamps > 0 ? f.gbps_timestamps : f.gbps_wall; };
    for (const FamilyResult& f : families)
      if (rate(f) > rate(*best)) best = &f;

    // kiln: upload_now into a DeviceOnly buffer, as a user would; and with the staging path forced
    // (the same thing on a discrete GPU; on unified memory kiln writes mapped DeviceOnly memory directly).
    kiln::Buffer dst(ctx, {.size = size,
                           .usage = VK_BUFFER_USAGE_TRANSFER_DST_BIT | VK_BUFFER_USAGE_STORAGE_BUFFER_BIT,
                           .memory = kiln::MemoryIntent::DeviceOnly,
                           .name = "bench.upload.dst"});
    auto time_upload = [&](const kiln::TransferOptions& options) {
      double best_s = 1e30;
      for (int i = -1; i < reps; ++i) {
        const auto t0 = Clock::now();
        kiln::upload_now(ctx, dst, data.data(), size, 0, options);
        const double s = seconds_since(t0);
        if (i >= 0) best_s = std::min(best_s, s);
        ctx.collect();  // staging buffers of the previous run go
      }
      return double(size) / best_s / 1e9;
    };
    const double kiln_gbps = time_upload({.chunk_size = chunk, .threads = threads});
    const double kiln_staging_gbps = time_upload({.chunk_size = chunk, .force_staging = true, .threads = threads});

    std::string fam_json;
    for (const FamilyResult& f : families) {
      char buf[256];
      std::snprintf(buf, sizeof(buf), "%s{\"family\":%u,\"flags\":\"%s\",\"gbps_timestamps\":%.3f,\"gbps_wall\":%.3f}",
                    fam_json.empty() ? "" : ",", f.family, f.flags.c_str(), f.gbps_timestamps, f.gbps_wall);
      fam_json += buf;
    }
    std::printf(
        "{\"bench\":\"upload_%llumib\",\"device\":\"%s\",\"bytes\":%llu,\"kiln_gbps\":%.3f,\"kiln_path\":\"%s\","
        "\"kiln_staging_gbps\":%.3f,\"peak_gbps\":%.3f,\"peak_family\":%u,\"ratio\":%.3f,\"staging_ratio\":%.3f,"
        "\"memcpy_gbps\":%.3f,\"reps\":%d,\"chunk_mib\":%llu,\"threads\":%u,\"families\":[%s]}\n",
        (unsigned long long)mib, json_escape(ctx.properties().deviceName).c_str(), (unsigned long long)size,
        kiln_gbps, dst.mapped() ? "mapped" : "staging", kiln_staging_gbps, rate(*best), best->family,
        kiln_gbps / rate(*best), kiln_staging_gbps / rate(*best), memcpy_gbps, reps,
        (unsigned long long)((chunk ? chunk : kiln::detail::StagingRing::kDefaultChunk) >> 20), threads, fam_json.c_str());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_upload: %s\n", e.what());
    return 1;
  }
}
