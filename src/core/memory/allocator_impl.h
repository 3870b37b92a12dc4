// The Allocator's state, shared by allocator.cpp (allocating, freeing) and allocator_stats.cpp
// (statistics, invariants, flushes).
#pragma once

#include <vulkan/vulkan.h>

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/memory/tlsf.h"
#include "kiln/memory.h"

namespace kiln {

struct Allocator::Impl {
  // One VkDeviceMemory: a block sub-allocated with TLSF, or one dedicated allocation (tlsf null).
  struct Block {
    VkDeviceMemory memory = VK_NULL_HANDLE;  // null: the slot is free for reuse
    uint32_t type = 0;
    VkDeviceSize size = 0;
    void* mapped = nullptr;  // the whole memory, mapped once, for host-visible types
    std::unique_ptr<detail::Tlsf> tlsf;
  };

  struct HeapCounters {
    VkDeviceSize allocated = 0;
    VkDeviceSize used = 0;
    uint32_t blocks = 0;
    uint32_t dedicated = 0;
    uint32_t allocations = 0;
  };

  // What one request needs from one memory type (sizes widened for non-coherent memory).
  struct Need {
    VkDeviceSize size = 0;
    VkDeviceSize alignment = 1;
    uint8_t kind = 0;  // 0 linear, 1 optimal (bufferImageGranularity)
  };

  VkDevice device = VK_NULL_HANDLE;
  VkPhysicalDevice physical = VK_NULL_HANDLE;
  VkPhysicalDeviceMemoryProperties props{};
  VkDeviceSize granularity = 1;
  VkDeviceSize atom = 1;
  AllocatorDesc desc;
  bool budget_extension = false;
  bool buffer_device_address = false;
  uint32_t limit = 0;
  const char* limit_name = "";
  VkDeviceSize block_size[VK_MAX_MEMORY_HEAPS] = {};
  VkDeviceSize dedicated_threshold[VK_MAX_MEMORY_HEAPS] = {};

  mutable std::mutex mutex;
  std::vector<Block> blocks;
  std::vector<uint32_t> free_slots;
  std::vector<uint32_t> type_blocks[VK_MAX_MEMORY_TYPES];  // sub-allocated blocks per memory type
  uint32_t live = 0;                                      // live VkDeviceMemory objects
  HeapCounters heaps[VK_MAX_MEMORY_HEAPS];

  uint32_t heap_of(uint32_t type) const { return props.memoryTypes[type].heapIndex; }
  bool host_visible(uint32_t type) const {
    return props.memoryTypes[type].propertyFlags & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT;
  }
  bool coherent(uint32_t type) const {
    return !host_visible(type) || (props.memoryTypes[type].propertyFlags & VK_MEMORY_PROPERTY_HOST_COHERENT_BIT);
  }
  Need need_for(const AllocationRequest& request, uint32_t type) const;

  Allocation allocate_locked(const AllocationRequest& request);
  std::optional<Allocation> suballocate_existing(uint32_t type, const Need& need);
  Allocation suballocate_new_block(uint32_t type, const Need& need);
  Allocation allocate_dedicated(uint32_t type, const AllocationRequest& request);
  // vkAllocateMemory (+ map); throws Error on failure. Returns the block slot.
  uint32_t create_memory(uint32_t type, VkDeviceSize size, const void* dedicated_info, bool device_address);
  void destroy_block(uint32_t slot);
  bool release_an_empty_block();
  void free_locked(const Allocation& allocation);
  // The allocation's range widened to nonCoherentAtomSize, for flush and invalidate.
  VkMappedMemoryRange mapped_range(const Allocation& a, VkDeviceSize offset, VkDeviceSize size) const;
  Allocation make_allocation(uint32_t slot, uint32_t node, VkDeviceSize offset, VkDeviceSize size) const;
};

}  // namespace kiln
