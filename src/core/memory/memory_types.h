// Choosing memory types by intent, block sizes per heap and flush-range rounding: the parts of the
// allocator that are pure functions of the device's properties, kept apart so that tests can feed
// them the memory layouts of devices this machine does not have.
#pragma once

#include <vulkan/vulkan.h>

#include <cstdint>
#include <vector>

#include "kiln/memory.h"

namespace kiln::detail {

// Device-local and host-visible memory on a heap larger than this is "ReBAR", not a 256 MiB BAR window.
constexpr VkDeviceSize kRebarMinHeap = VkDeviceSize(256) << 20;

// The memory types acceptable for `intent` among `type_bits`, best first. Empty when none is.
std::vector<uint32_t> rank_memory_types(const VkPhysicalDeviceMemoryProperties& props, MemoryIntent intent,
                                        uint32_t type_bits);
bool is_rebar_type(const VkPhysicalDeviceMemoryProperties& props, uint32_t type);
bool has_rebar(const VkPhysicalDeviceMemoryProperties& props);

// `requested` (AllocatorDesc::block_size) or, when 0: 256 MiB, or heap/8 for heaps under 2 GiB.
VkDeviceSize block_size_for_heap(VkDeviceSize heap_size, VkDeviceSize requested);

// A mapped-memory range [offset, offset + size) widened to nonCoherentAtomSize, as
// vkFlushMappedMemoryRanges wants: the offset rounded down, the end rounded up but never past the memory.
struct AtomRange {
  VkDeviceSize offset = 0;
  VkDeviceSize size = 0;
};
AtomRange round_to_atom(VkDeviceSize offset, VkDeviceSize size, VkDeviceSize atom, VkDeviceSize memory_size);

}  // namespace kiln::detail
