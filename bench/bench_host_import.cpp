// Whether uploads from ordinary host memory could skip the memcpy into staging by importing the
// caller's pages (VK_EXT_external_memory_host) and copying from them: the cost of the import (the
// driver pins the pages) and of the free, and the copy engine's rate from imported pages, against the
// peak copy from the driver's own host-visible memory (bare Vulkan, same run) and the CPU's memcpy
// rate into it on 8 threads. Each measured on 4 KiB pages (malloc) and on 2 MiB transparent huge
// pages (madvise). Prints one JSON line:
//   import_ms, free_ms:        importing and freeing the whole block (best of reps)
//   per_call_gbps, ratio:      import + copy + free per upload, and its ratio to the peak
//   pipelined_gbps:            the block imported in 16 MiB pieces, each copied while the next is imported
//   registered_gbps, registered_ratio: the copy alone from pages imported once (kept registered)
//   huge_*:                    the same on huge pages
// The kiln Uploader does not import per call: per_call_gbps stays below the memcpy path on the H200
// (docs/uploads.md). Pinned data goes through Uploader::upload(dst, src buffer, ...) instead.
//
//   bench_host_import [MiB] [reps]      defaults 256 4 (64 2 on CPU devices)
#include <sys/mman.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

#include "copy_peak.h"
#include "kiln/log.h"

namespace {

using bench::Clock;
using bench::seconds_since;

struct Imported {
  VkBuffer buffer = VK_NULL_HANDLE;
  VkDeviceMemory memory = VK_NULL_HANDLE;
  VkDeviceSize offset = 0;  // of the caller's pointer in the imported (page-aligned) range
};

class Device {
 public:
  Device(const kiln::Context& ctx) : ctx_(ctx) {
    float priority = 1;
    VkDeviceQueueCreateInfo q{VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO};
    q.queueCount = 1;
    q.pQueuePriorities = &priority;
    const char* extensions[] = {VK_EXT_EXTERNAL_MEMORY_HOST_EXTENSION_NAME};
    VkDeviceCreateInfo di{VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO};
    di.queueCreateInfoCount = 1;
    di.pQueueCreateInfos = &q;
    di.enabledExtensionCount = 1;
    di.ppEnabledExtensionNames = extensions;
    kiln::check(vkCreateDevice(ctx.physical_device(), &di, nullptr, &device), "vkCreateDevice (with VK_EXT_external_memory_host)");
    host_pointer_properties = reinterpret_cast<PFN_vkGetMemoryHostPointerPropertiesEXT>(
        vkGetDeviceProcAddr(device, "vkGetMemoryHostPointerPropertiesEXT"));
    vkGetDeviceQueue(device, 0, 0, &queue);
    VkPhysicalDeviceExternalMemoryHostPropertiesEXT host{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_EXTERNAL_MEMORY_HOST_PROPERTIES_EXT};
    VkPhysicalDeviceProperties2 p2{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2};
    p2.pNext = &host;
    vkGetPhysicalDeviceProperties2(ctx.physical_device(), &p2);
    align = host.minImportedHostPointerAlignment;
    VkCommandPoolCreateInfo pi{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
    pi.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
    kiln::check(vkCreateCommandPool(device, &pi, nullptr, &pool), "vkCreateCommandPool");
    VkCommandBufferAllocateInfo ca{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
    ca.commandPool = pool;
    ca.commandBufferCount = kSlots;
    kiln::check(vkAllocateCommandBuffers(device, &ca, cmds), "vkAllocateCommandBuffers");
    VkFenceCreateInfo fi{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
    for (VkFence& f : fences) kiln::check(vkCreateFence(device, &fi, nullptr, &f), "vkCreateFence");
  }
  ~Device() {
    vkDeviceWaitIdle(device);
    for (VkFence f : fences) vkDestroyFence(device, f, nullptr);
    vkDestroyCommandPool(device, pool, nullptr);
    vkDestroyDevice(device, nullptr);
  }

  Imported import(const void* p, size_t n) const {
    const uintptr_t lo = uintptr_t(p) / align * align, hi = (uintptr_t(p) + n + align - 1) / align * align;
    VkMemoryHostPointerPropertiesEXT props{VK_STRUCTURE_TYPE_MEMORY_HOST_POINTER_PROPERTIES_EXT};
    kiln::check(host_pointer_properties(device, VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT,
                                        reinterpret_cast<void*>(lo), &props),
                "vkGetMemoryHostPointerPropertiesEXT");
    VkExternalMemoryBufferCreateInfo external{VK_STRUCTURE_TYPE_EXTERNAL_MEMORY_BUFFER_CREATE_INFO};
    external.handleTypes = VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT;
    VkBufferCreateInfo bi{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
    bi.pNext = &external;
    bi.size = hi - lo;
    bi.usage = VK_BUFFER_USAGE_TRANSFER_SRC_BIT;
    Imported r;
    kiln::check(vkCreateBuffer(device, &bi, nullptr, &r.buffer), "vkCreateBuffer (imported)");
    VkMemoryRequirements req;
    vkGetBufferMemoryRequirements(device, r.buffer, &req);
    const uint32_t bits = props.memoryTypeBits & req.memoryTypeBits;
    if (!bits) throw kiln::Error("no memory type can import this host memory for a buffer");
    VkImportMemoryHostPointerInfoEXT import{VK_STRUCTURE_TYPE_IMPORT_MEMORY_HOST_POINTER_INFO_EXT};
    import.handleType = VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT;
    import.pHostPointer = reinterpret_cast<void*>(lo);
    VkMemoryAllocateInfo ai{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
    ai.pNext = &import;
    ai.allocationSize = hi - lo;
    ai.memoryTypeIndex = uint32_t(__builtin_ctz(bits));
    kiln::check(vkAllocateMemory(device, &ai, nullptr, &r.memory), "vkAllocateMemory (host pointer import)");
    kiln::check(vkBindBufferMemory(device, r.buffer, r.memory, 0), "vkBindBufferMemory");
    r.offset = uintptr_t(p) - lo;
    return r;
  }
  void release(Imported& r) const {
    vkDestroyBuffer(device, r.buffer, nullptr);
    vkFreeMemory(device, r.memory, nullptr);
  }
  void copy(uint32_t slot, VkBuffer src, VkDeviceSize src_offset, VkBuffer dst, VkDeviceSize dst_offset,
            VkDeviceSize n) const {
    VkCommandBufferBeginInfo bi{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
    kiln::check(vkBeginCommandBuffer(cmds[slot], &bi), "vkBeginCommandBuffer");
    const VkBufferCopy region{src_offset, dst_offset, n};
    vkCmdCopyBuffer(cmds[slot], src, dst, 1, &region);
    kiln::check(vkEndCommandBuffer(cmds[slot]), "vkEndCommandBuffer");
    VkSubmitInfo si{VK_STRUCTURE_TYPE_SUBMIT_INFO};
    si.commandBufferCount = 1;
    si.pCommandBuffers = &cmds[slot];
    kiln::check(vkQueueSubmit(queue, 1, &si, fences[slot]), "vkQueueSubmit");
  }
  void wait(uint32_t slot) const {
    kiln::check(vkWaitForFences(device, 1, &fences[slot], VK_TRUE, UINT64_MAX), "vkWaitForFences");
    kiln::check(vkResetFences(device, 1, &fences[slot]), "vkResetFences");
  }

  static constexpr uint32_t kSlots = 4;
  const kiln::Context& ctx_;
  VkDevice device = VK_NULL_HANDLE;
  VkQueue queue = VK_NULL_HANDLE;
  PFN_vkGetMemoryHostPointerPropertiesEXT host_pointer_properties = nullptr;
  VkDeviceSize align = 4096;
  VkCommandPool pool = VK_NULL_HANDLE;
  VkCommandBuffer cmds[kSlots] = {};
  VkFence fences[kSlots] = {};
};

struct ImportResult {
  double import_ms = 1e30, free_ms = 1e30, per_call_gbps = 0, pipelined_gbps = 0, registered_gbps = 0;
};

ImportResult measure(const Device& d, VkBuffer target, const uint8_t* src, size_t size, int reps) {
  ImportResult r;
  for (int i = 0; i < reps; ++i) {
    auto t0 = Clock::now();
    Imported m = d.import(src, size);
    const double ti = seconds_since(t0);
    d.copy(0, m.buffer, m.offset, target, 0, size);
    d.wait(0);
    const auto t1 = Clock::now();
    d.release(m);
    const double tf = seconds_since(t1), total = seconds_since(t0);
    r.import_ms = std::min(r.import_ms, ti * 1e3);
    r.free_ms = std::min(r.free_ms, tf * 1e3);
    r.per_call_gbps = std::max(r.per_call_gbps, double(size) / total / 1e9);
  }
  const size_t piece = std::min<size_t>(size, size_t(16) << 20), pieces = size / piece;
  for (int i = 0; i < reps; ++i) {
    std::vector<Imported> held;
    const auto t0 = Clock::now();
    for (size_t k = 0; k < pieces; ++k) {
      held.push_back(d.import(src + k * piece, piece));
      const uint32_t slot = uint32_t(k % Device::kSlots);
      if (k >= Device::kSlots) d.wait(slot);
      d.copy(slot, held.back().buffer, held.back().offset, target, k * piece, piece);
    }
    for (size_t k = pieces > Device::kSlots ? pieces - Device::kSlots : 0; k < pieces; ++k) d.wait(uint32_t(k % Device::kSlots));
    for (Imported& m : held) d.release(m);
    r.pipelined_gbps = std::max(r.pipelined_gbps, double(pieces * piece) / seconds_since(t0) / 1e9);
  }
  Imported kept = d.import(src, size);
  for (int i = -1; i < reps; ++i) {
    const auto t0 = Clock::now();
    d.copy(0, kept.buffer, kept.offset, target, 0, size);
    d.wait(0);
    if (i >= 0) r.registered_gbps = std::max(r.registered_gbps, double(size) / seconds_since(t0) / 1e9);
  }
  d.release(kept);
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    kiln::Context ctx = bench::quiet_context();
    const bool cpu = ctx.properties().deviceType == VK_PHYSICAL_DEVICE_TYPE_CPU;
    const size_t size = size_t(argc > 1 ? std::max(1, std::atoi(argv[1])) : (cpu ? 64 : 256)) << 20;
    const int reps = argc > 2 ? std::max(1, std::atoi(argv[2])) : (cpu ? 2 : 4);
    if (!ctx.info().has_extension(VK_EXT_EXTERNAL_MEMORY_HOST_EXTENSION_NAME)) {
      std::printf("{\"bench\":\"host_import\",\"device\":\"%s\",\"skipped\":\"no VK_EXT_external_memory_host\"}\n",
                  bench::json_escape(ctx.properties().deviceName).c_str());
      return 0;
    }
    // Ordinary memory: malloc'd (4 KiB pages), the pointer 16 bytes into a page as vectors' are.
    std::vector<uint8_t> data(size + 64);
    for (size_t i = 0; i < data.size(); i += 64) data[i] = uint8_t(i >> 6);
    const uint8_t* src = data.data() + 16;
    // The same bytes on 2 MiB pages.
    const size_t huge_page = size_t(2) << 20;
    void* mapping = mmap(nullptr, size + 2 * huge_page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mapping == MAP_FAILED) throw kiln::Error("mmap failed");
    auto* huge = reinterpret_cast<uint8_t*>((uintptr_t(mapping) + huge_page - 1) / huge_page * huge_page);
    const bool advised = madvise(huge, size + huge_page, MADV_HUGEPAGE) == 0;
    std::memcpy(huge + 16, src, size);

    double memcpy_gbps = 0;
    const std::vector<bench::FamilyResult> families =
        bench::measure_peak(ctx, size, reps, &memcpy_gbps, data);
    const double peak = bench::family_rate(families.at(0));  // the family Device uses
    ImportResult small_pages, huge_pages;
    double memcpy8_gbps = 0;
    {
      Device d(ctx);
      bench::RawBuffer target = bench::raw_buffer(d.device, ctx.info().memory, size, VK_BUFFER_USAGE_TRANSFER_DST_BIT, false);
      bench::RawBuffer staging = bench::raw_buffer(d.device, ctx.info().memory, size, VK_BUFFER_USAGE_TRANSFER_SRC_BIT, true);
      small_pages = measure(d, target.buffer, src, size, reps);
      huge_pages = measure(d, target.buffer, huge + 16, size, reps);
      for (int i = 0; i < reps; ++i) {
        const auto t0 = Clock::now();
        std::vector<std::thread> threads;
        for (size_t k = 0; k < 8; ++k)
          threads.emplace_back([&, k] {
            std::memcpy(static_cast<uint8_t*>(staging.mapped) + k * (size / 8), src + k * (size / 8), size / 8);
          });
        for (std::thread& t : threads) t.join();
        memcpy8_gbps = std::max(memcpy8_gbps, double(size) / seconds_since(t0) / 1e9);
      }
      bench::destroy(d.device, target);
      bench::destroy(d.device, staging);
    }
    munmap(mapping, size + 2 * huge_page);
    std::printf(
        "{\"bench\":\"host_import\",\"device\":\"%s\",\"bytes\":%zu,\"peak_gbps\":%.3f,\"memcpy_1t_gbps\":%.3f,"
        "\"memcpy_8t_gbps\":%.3f,\"import_ms\":%.3f,\"free_ms\":%.3f,\"per_call_gbps\":%.3f,\"ratio\":%.3f,"
        "\"pipelined_gbps\":%.3f,\"registered_gbps\":%.3f,\"registered_ratio\":%.3f,\"huge_pages_advised\":%s,"
        "\"huge_import_ms\":%.3f,\"huge_free_ms\":%.3f,\"huge_per_call_gbps\":%.3f,\"huge_ratio\":%.3f,"
        "\"huge_pipelined_gbps\":%.3f,\"huge_registered_gbps\":%.3f,\"huge_registered_ratio\":%.3f,\"reps\":%d}\n",
        bench::json_escape(ctx.properties().deviceName).c_str(), size, peak, memcpy_gbps, memcpy8_gbps,
        small_pages.import_ms, small_pages.free_ms, small_pages.per_call_gbps, small_pages.per_call_gbps / peak,
        small_pages.pipelined_gbps, small_pages.registered_gbps, small_pages.registered_gbps / peak,
        advised ? "true" : "false", huge_pages.import_ms, huge_pages.free_ms, huge_pages.per_call_gbps,
        huge_pages.per_call_gbps / peak, huge_pages.pipelined_gbps, huge_pages.registered_gbps,
        huge_pages.registered_gbps / peak, reps);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_host_import: %s\n", e.what());
    return 1;
  }
}
