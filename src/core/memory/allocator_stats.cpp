// Statistics, the invariant check and flush/invalidate of the Allocator.
#include <algorithm>

#include "core/memory/allocator_impl.h"
#include "core/memory/memory_types.h"
#include "kiln/error.h"
#include "kiln/log.h"

namespace kiln {

MemoryStats Allocator::stats() const {
  const Impl& m = *impl_;
  MemoryStats s;
  s.max_device_memory_objects = m.limit;
  {
    std::lock_guard lock(m.mutex);
    s.device_memory_objects = m.live;
    for (uint32_t h = 0; h < m.props.memoryHeapCount; ++h) {
      const Impl::HeapCounters& c = m.heaps[h];
      HeapStats& hs = s.heaps.emplace_back();
      hs.heap = h;
      hs.heap_size = m.props.memoryHeaps[h].size;
      hs.flags = m.props.memoryHeaps[h].flags;
      hs.allocated = c.allocated;
      hs.used = c.used;
      hs.blocks = c.blocks;
      hs.dedicated = c.dedicated;
      hs.allocations = c.allocations;
    }
    for (const Impl::Block& b : m.blocks) {
      if (!b.memory || !b.tlsf) continue;
      HeapStats& hs = s.heaps[m.heap_of(b.type)];
      hs.largest_free = std::max(hs.largest_free, b.tlsf->largest_free());
    }
  }
  if (m.budget_extension && m.physical) {
    VkPhysicalDeviceMemoryBudgetPropertiesEXT budget{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MEMORY_BUDGET_PROPERTIES_EXT};
    VkPhysicalDeviceMemoryProperties2 props{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MEMORY_PROPERTIES_2};
    props.pNext = &budget;
    vkGetPhysicalDeviceMemoryProperties2(m.physical, &props);
    for (HeapStats& hs : s.heaps) {
      hs.budget = budget.heapBudget[hs.heap];
      hs.budget_usage = budget.heapUsage[hs.heap];
    }
  }
  return s;
}

bool Allocator::check_invariants(std::string* why) const {
  const Impl& m = *impl_;
  auto fail = [&](std::string text) {
    if (why) *why = std::move(text);
    return false;
  };
  std::lock_guard lock(m.mutex);
  Impl::HeapCounters recount[VK_MAX_MEMORY_HEAPS];
  uint32_t live = 0, free_slots = 0;
  for (uint32_t slot = 0; slot < m.blocks.size(); ++slot) {
    const Impl::Block& b = m.blocks[slot];
    if (!b.memory) {
      if (std::count(m.free_slots.begin(), m.free_slots.end(), slot) != 1) {
        return fail(str("slot ", slot, " is unused but not listed once as free"));
      }
      ++free_slots;
      continue;
    }
    ++live;
    if (m.host_visible(b.type) != (b.mapped != nullptr)) return fail(str("block ", slot, " mapping is wrong"));
    Impl::HeapCounters& c = recount[m.heap_of(b.type)];
    c.allocated += b.size;
    const auto& list = m.type_blocks[b.type];
    auto listed = std::count(list.begin(), list.end(), slot);
    if (!b.tlsf) {
      if (listed) return fail(str("dedicated allocation ", slot, " is in a block list"));
      c.dedicated += 1;
      c.used += b.size;
      c.allocations += 1;
      continue;
    }
    if (listed != 1) return fail(str("block ", slot, " is listed ", listed, " times for its memory type"));
    if (b.tlsf->size() != b.size) return fail(str("block ", slot, " size differs from its TLSF's"));
    std::string inner;
    if (!b.tlsf->check(&inner)) return fail(str("block ", slot, " (memory type ", b.type, "): ", inner));
    c.blocks += 1;
    c.used += b.tlsf->used();
    c.allocations += b.tlsf->allocations();
  }
  if (free_slots != m.free_slots.size()) return fail("the free slot list names slots in use");
  if (live != m.live) return fail(str(m.live, " VkDeviceMemory counted, ", live, " found"));
  if (live > m.limit) return fail(str(live, " VkDeviceMemory objects exceed the limit of ", m.limit));
  for (uint32_t t = 0; t < m.props.memoryTypeCount; ++t) {
    auto empty = std::count_if(m.type_blocks[t].begin(), m.type_blocks[t].end(),
                               [&](uint32_t slot) { return m.blocks[slot].tlsf->empty(); });
    if (empty > 1) return fail(str("memory type ", t, " keeps ", empty, " empty blocks"));
  }
  for (uint32_t h = 0; h < m.props.memoryHeapCount; ++h) {
    const Impl::HeapCounters& a = m.heaps[h];
    const Impl::HeapCounters& b = recount[h];
    if (a.allocated != b.allocated || a.used != b.used || a.blocks != b.blocks || a.dedicated != b.dedicated ||
        a.allocations != b.allocations) {
      return fail(str("heap ", h, " counters (allocated ", a.allocated, ", used ", a.used, ", blocks ", a.blocks,
                      ", dedicated ", a.dedicated, ", allocations ", a.allocations, ") differ from a recount (",
                      b.allocated, ", ", b.used, ", ", b.blocks, ", ", b.dedicated, ", ", b.allocations, ")"));
    }
  }
  return true;
}

VkMappedMemoryRange Allocator::Impl::mapped_range(const Allocation& a, VkDeviceSize offset,
                                                  VkDeviceSize size) const {
  VkDeviceSize memory_size;
  {
    std::lock_guard lock(mutex);
    memory_size = blocks[a.block].size;
  }
  if (size == VK_WHOLE_SIZE) size = a.size > offset ? a.size - offset : 0;
  detail::AtomRange r = detail::round_to_atom(a.offset + offset, size, atom, memory_size);
  VkMappedMemoryRange range{VK_STRUCTURE_TYPE_MAPPED_MEMORY_RANGE};
  range.memory = a.memory;
  range.offset = r.offset;
  range.size = r.size;
  return range;
}

void Allocator::flush(const Allocation& a, VkDeviceSize offset, VkDeviceSize size) {
  if (!a || a.coherent) return;
  VkMappedMemoryRange range = impl_->mapped_range(a, offset, size);
  check(vkFlushMappedMemoryRanges(impl_->device, 1, &range), "vkFlushMappedMemoryRanges");
}

void Allocator::invalidate(const Allocation& a, VkDeviceSize offset, VkDeviceSize size) {
  if (!a || a.coherent) return;
  VkMappedMemoryRange range = impl_->mapped_range(a, offset, size);
  check(vkInvalidateMappedMemoryRanges(impl_->device, 1, &range), "vkInvalidateMappedMemoryRanges");
}

}  // namespace kiln
