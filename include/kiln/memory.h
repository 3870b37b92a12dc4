// kiln/memory.h — device memory: sub-allocation in large blocks, chosen by intent.
//
// VMA is not packaged on Debian here, so kiln has its own allocator, with an interface small enough
// that VMA could replace it. Resources (buffer.h, image.h) call it; users rarely need to.
//
// - Blocks per memory type (default 256 MiB, smaller on small heaps), sub-allocated with TLSF.
// - Dedicated allocations for large resources, or when the driver prefers/requires them.
// - Alignment and bufferImageGranularity respected (linear and optimal resources never share a page).
// - Host-visible memory is persistently mapped; flush/invalidate round to nonCoherentAtomSize.
// - Never more live VkDeviceMemory objects than maxMemoryAllocationCount (or AllocatorDesc's limit).
//
// Not thread-hot: allocation takes a mutex. Not a defragmenter.
#pragma once

#include <vulkan/vulkan.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace kiln {

struct DeviceInfo;

// What the memory is for, instead of raw property flags.
enum class MemoryIntent : uint32_t {
  DeviceOnly,            // device-local, never mapped
  Upload,                // host-visible, written sequentially by the CPU (staging, per-frame constants)
  Readback,              // host-visible and cached, read by the CPU
  DeviceWithHostWrites,  // device-local and host-visible (ReBAR/BAR) when present; else Upload memory
};
const char* memory_intent_name(MemoryIntent intent);

struct AllocatorDesc {
  VkDeviceSize block_size = 0;              // 0: 256 MiB, or heap size / 8 for heaps under 2 GiB
  VkDeviceSize dedicated_threshold = 0;     // 0: block_size / 2; larger requests get their own memory
  uint32_t max_allocations = 0;             // 0: the device's maxMemoryAllocationCount (tests force small)
  bool memory_budget = true;                // use VK_EXT_memory_budget when the device has it
};

// One piece of memory handed out by the Allocator. Plain data; free it with Allocator::free.
struct Allocation {
  VkDeviceMemory memory = VK_NULL_HANDLE;
  VkDeviceSize offset = 0;
  VkDeviceSize size = 0;
  void* mapped = nullptr;     // at `offset`, for host-visible memory; else null
  uint32_t memory_type = 0;
  bool dedicated = false;
  bool coherent = true;       // false: flush after writes, invalidate before reads
  // Allocator-private bookkeeping.
  uint32_t block = UINT32_MAX;
  uint32_t node = UINT32_MAX;

  explicit operator bool() const { return memory != VK_NULL_HANDLE; }
};

struct AllocationRequest {
  VkMemoryRequirements requirements{};
  MemoryIntent intent = MemoryIntent::DeviceOnly;
  bool linear = true;              // buffers and linear images; false for optimal-tiling images
  bool prefer_dedicated = false;   // from VkMemoryDedicatedRequirements
  bool require_dedicated = false;
  VkBuffer dedicated_buffer = VK_NULL_HANDLE;  // for VkMemoryDedicatedAllocateInfo
  VkImage dedicated_image = VK_NULL_HANDLE;
  bool device_address = false;     // VK_MEMORY_ALLOCATE_DEVICE_ADDRESS_BIT
  const char* name = nullptr;      // for errors and debug names
};

struct HeapStats {
  uint32_t heap = 0;
  VkDeviceSize heap_size = 0;
  VkMemoryHeapFlags flags = 0;
  VkDeviceSize allocated = 0;      // bytes of VkDeviceMemory (blocks + dedicated)
  VkDeviceSize used = 0;           // bytes handed out to resources
  uint32_t blocks = 0;
  uint32_t dedicated = 0;
  uint32_t allocations = 0;        // live Allocation objects
  VkDeviceSize largest_free = 0;   // the largest free range in any block
  VkDeviceSize budget = 0;         // VK_EXT_memory_budget; 0 when unknown
  VkDeviceSize budget_usage = 0;   // the whole process's usage per the driver; 0 when unknown
};

struct MemoryStats {
  std::vector<HeapStats> heaps;
  uint32_t device_memory_objects = 0;  // live VkDeviceMemory
  uint32_t max_device_memory_objects = 0;
};

class Allocator {
 public:
  Allocator(VkDevice device, const DeviceInfo& info, const AllocatorDesc& desc, bool budget_extension,
            bool buffer_device_address);
  ~Allocator();  // frees every block; resources must be gone already
  Allocator(const Allocator&) = delete;
  Allocator& operator=(const Allocator&) = delete;

  // Throws kiln::Error (with the request's name) when no memory type fits or memory is exhausted.
  Allocation allocate(const AllocationRequest& request);
  void free(Allocation& allocation);  // resets `allocation`

  // Creates memory for and binds an existing buffer/image (queries its requirements, dedicated hints).
  Allocation allocate_and_bind(VkBuffer buffer, MemoryIntent intent, const char* name = nullptr,
                               bool device_address = false);
  // linear_tiling: the image was created with VK_IMAGE_TILING_LINEAR (a VkImage does not say so itself;
  // it decides which side of bufferImageGranularity the image is on).
  Allocation allocate_and_bind(VkImage image, MemoryIntent intent, const char* name = nullptr,
                               bool linear_tiling = false);

  // No-ops on coherent memory. Ranges are relative to the allocation and rounded to nonCoherentAtomSize.
  void flush(const Allocation& a, VkDeviceSize offset = 0, VkDeviceSize size = VK_WHOLE_SIZE);
  void invalidate(const Allocation& a, VkDeviceSize offset = 0, VkDeviceSize size = VK_WHOLE_SIZE);

  // The memory type index `intent` resolves to for the given type bits; UINT32_MAX if none.
  uint32_t memory_type_for(MemoryIntent intent, uint32_t type_bits) const;
  bool has_rebar() const;  // device-local + host-visible memory exists beyond a small BAR window

  MemoryStats stats() const;
  // Checks every internal invariant (free lists, block coverage, no overlap, counters); false with a
  // description in *why. Used by the stress test after every step.
  bool check_invariants(std::string* why) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kiln
