// Blocks, dedicated allocations and the VkDeviceMemory limit. Statistics and checks: allocator_stats.cpp.
#include <algorithm>

#include "core/memory/allocator_impl.h"
#include "core/memory/memory_types.h"
#include "kiln/context.h"
#include "kiln/error.h"
#include "kiln/log.h"

namespace kiln {

namespace {

VkDeviceSize align_up(VkDeviceSize v, VkDeviceSize a) { return (v + a - 1) / a * a; }

std::string human_bytes(VkDeviceSize bytes) {
  constexpr VkDeviceSize kKiB = 1024, kMiB = kKiB * 1024, kGiB = kMiB * 1024;
  if (bytes >= kGiB && bytes % kMiB == 0) return str(double(bytes) / double(kGiB), " GiB");
  if (bytes >= kMiB) return str(double(bytes) / double(kMiB), " MiB");
  if (bytes >= kKiB) return str(double(bytes) / double(kKiB), " KiB");
  return str(bytes, " B");
}

}  // namespace

Allocator::Allocator(VkDevice device, const DeviceInfo& info, const AllocatorDesc& desc, bool budget_extension,
                     bool buffer_device_address)
    : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.device = device;
  m.physical = info.handle;
  m.props = info.memory;
  m.granularity = std::max<VkDeviceSize>(info.properties.limits.bufferImageGranularity, 1);
  m.atom = std::max<VkDeviceSize>(info.properties.limits.nonCoherentAtomSize, 1);
  m.desc = desc;
  m.budget_extension = budget_extension && desc.memory_budget;
  m.buffer_device_address = buffer_device_address;
  m.limit = info.properties.limits.maxMemoryAllocationCount;
  m.limit_name = "maxMemoryAllocationCount";
  if (m.limit == 0) m.limit = 4096;  // the spec's minimum; a zero would be a driver bug
  if (desc.max_allocations != 0 && desc.max_allocations < m.limit) {
    m.limit = desc.max_allocations;
    m.limit_name = "AllocatorDesc::max_allocations";
  }
  for (uint32_t h = 0; h < m.props.memoryHeapCount; ++h) {
    m.block_size[h] = detail::block_size_for_heap(m.props.memoryHeaps[h].size, desc.block_size);
    m.dedicated_threshold[h] = desc.dedicated_threshold ? desc.dedicated_threshold : m.block_size[h] / 2;
  }
}

Allocator::~Allocator() {
  Impl& m = *impl_;
  uint32_t leaked = 0;
  for (uint32_t slot = 0; slot < m.blocks.size(); ++slot) {
    if (!m.blocks[slot].memory) continue;
    leaked += m.blocks[slot].tlsf ? m.blocks[slot].tlsf->allocations() : 1;
    m.destroy_block(slot);
  }
  if (leaked) log(LogLevel::Warn, str("memory allocator destroyed with ", leaked, " allocations still live"));
}

Allocator::Impl::Need Allocator::Impl::need_for(const AllocationRequest& request, uint32_t type) const {
  Need need;
  need.size = request.requirements.size;
  need.alignment = std::max<VkDeviceSize>(request.requirements.alignment, 1);
  need.kind = request.linear ? 0 : 1;
  if (!coherent(type)) {
    // A flush of one allocation then never touches a neighbour's atom.
    need.alignment = std::max(need.alignment, atom);
    need.size = align_up(need.size, atom);
  }
  return need;
}

Allocation Allocator::Impl::make_allocation(uint32_t slot, uint32_t node, VkDeviceSize offset,
                                            VkDeviceSize size) const {
  const Block& b = blocks[slot];
  Allocation a;
  a.memory = b.memory;
  a.offset = offset;
  a.size = size;
  a.mapped = b.mapped ? static_cast<char*>(b.mapped) + offset : nullptr;
  a.memory_type = b.type;
  a.dedicated = !b.tlsf;
  a.coherent = coherent(b.type);
  a.block = slot;
  a.node = node;
  return a;
}

uint32_t Allocator::Impl::create_memory(uint32_t type, VkDeviceSize size, const void* dedicated_info,
                                        bool device_address) {
  VkMemoryAllocateFlagsInfo flags{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_FLAGS_INFO};
  flags.flags = VK_MEMORY_ALLOCATE_DEVICE_ADDRESS_BIT;
  flags.pNext = dedicated_info;
  VkMemoryAllocateInfo info{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
  info.pNext = device_address ? &flags : dedicated_info;
  info.allocationSize = size;
  info.memoryTypeIndex = type;
  VkDeviceMemory memory = VK_NULL_HANDLE;
  check(vkAllocateMemory(device, &info, nullptr, &memory), "vkAllocateMemory");
  void* mapped = nullptr;
  if (host_visible(type)) {
    VkResult r = vkMapMemory(device, memory, 0, VK_WHOLE_SIZE, 0, &mapped);
    if (r < 0) {
      vkFreeMemory(device, memory, nullptr);
      check(r, "vkMapMemory");
    }
  }
  uint32_t slot;
  if (!free_slots.empty()) {
    slot = free_slots.back();
    free_slots.pop_back();
  } else {
    slot = uint32_t(blocks.size());
    blocks.emplace_back();
  }
  Block& b = blocks[slot];
  b.memory = memory;
  b.type = type;
  b.size = size;
  b.mapped = mapped;
  live += 1;
  heaps[heap_of(type)].allocated += size;
  return slot;
}

void Allocator::Impl::destroy_block(uint32_t slot) {
  Block& b = blocks[slot];
  HeapCounters& h = heaps[heap_of(b.type)];
  if (b.mapped) vkUnmapMemory(device, b.memory);
  vkFreeMemory(device, b.memory, nullptr);
  h.allocated -= b.size;
  if (b.tlsf) {
    h.blocks -= 1;
    h.used -= b.tlsf->used();
    h.allocations -= b.tlsf->allocations();
    auto& list = type_blocks[b.type];
    list.erase(std::find(list.begin(), list.end(), slot));
  } else {
    h.dedicated -= 1;
    h.used -= b.size;
    h.allocations -= 1;
  }
  b = Block{};
  free_slots.push_back(slot);
  live -= 1;
}

bool Allocator::Impl::release_an_empty_block() {
  for (uint32_t slot = 0; slot < blocks.size(); ++slot) {
    if (blocks[slot].memory && blocks[slot].tlsf && blocks[slot].tlsf->empty()) {
      destroy_block(slot);
      return true;
    }
  }
  return false;
}

std::optional<Allocation> Allocator::Impl::suballocate_existing(uint32_t type, const Need& need) {
  for (uint32_t slot : type_blocks[type]) {
    Block& b = blocks[slot];
    if (auto p = b.tlsf->allocate(need.size, need.alignment, need.kind)) {
      HeapCounters& h = heaps[heap_of(type)];
      h.used += need.size;
      h.allocations += 1;
      return make_allocation(slot, p->node, p->offset, need.size);
    }
  }
  return std::nullopt;
}

Allocation Allocator::Impl::suballocate_new_block(uint32_t type, const Need& need) {
  // When the full block size does not fit in the heap any more, smaller blocks may.
  VkDeviceSize size = block_size[heap_of(type)];
  for (;;) {
    try {
      uint32_t slot = create_memory(type, size, nullptr, buffer_device_address);
      Block& b = blocks[slot];
      b.tlsf = std::make_unique<detail::Tlsf>(size, granularity);
      type_blocks[type].push_back(slot);
      heaps[heap_of(type)].blocks += 1;
      auto a = suballocate_existing(type, need);  // the new block is empty: this cannot fail
      return *a;
    } catch (Error& e) {
      if (e.result() != VK_ERROR_OUT_OF_DEVICE_MEMORY || size / 2 < need.size + need.alignment) throw;
      size /= 2;
    }
  }
}

Allocation Allocator::Impl::allocate_dedicated(uint32_t type, const AllocationRequest& request) {
  VkMemoryDedicatedAllocateInfo dedicated{VK_STRUCTURE_TYPE_MEMORY_DEDICATED_ALLOCATE_INFO};
  dedicated.buffer = request.dedicated_buffer;
  dedicated.image = request.dedicated_buffer ? VK_NULL_HANDLE : request.dedicated_image;
  bool named = dedicated.buffer || dedicated.image;
  // Images never need device addresses; buffers (or anonymous memory) get them when the feature is on.
  bool device_address = buffer_device_address && !dedicated.image;
  // Memory dedicated to a resource must have exactly the resource's size (VUID-...-02964/02965).
  VkDeviceSize size = named ? request.requirements.size : need_for(request, type).size;
  uint32_t slot = create_memory(type, size, named ? &dedicated : nullptr, device_address);
  HeapCounters& h = heaps[heap_of(type)];
  h.dedicated += 1;
  h.used += size;
  h.allocations += 1;
  return make_allocation(slot, detail::Tlsf::kNone, 0, request.requirements.size);
}

Allocation Allocator::Impl::allocate_locked(const AllocationRequest& request) {
  const VkMemoryRequirements& req = request.requirements;
  if (req.size == 0) throw Error("the memory requirements' size is 0");
  if (request.device_address && !buffer_device_address) {
    throw Error("a device address was asked for, but Feature::BufferDeviceAddress is not enabled");
  }
  std::vector<uint32_t> types = detail::rank_memory_types(props, request.intent, req.memoryTypeBits);
  if (types.empty()) {
    throw Error(str("no memory type fits the intent among memoryTypeBits 0x", std::hex, req.memoryTypeBits));
  }

  std::optional<Error> out_of_memory;
  bool limit_reached = false, too_big_for_blocks = false;
  for (uint32_t type : types) {
    uint32_t heap = heap_of(type);
    Need need = need_for(request, type);
    bool too_big = need.size + need.alignment > block_size[heap];
    too_big_for_blocks = too_big_for_blocks || too_big;
    bool dedicated = request.require_dedicated || request.prefer_dedicated || too_big ||
                     need.size > dedicated_threshold[heap];
    if (!dedicated) {
      if (auto a = suballocate_existing(type, need)) return *a;
    }
    // Any new VkDeviceMemory must fit under the limit; an empty cached block can make room.
    if (live >= limit && !release_an_empty_block()) {
      limit_reached = true;
      if (!request.require_dedicated) {
        if (auto a = suballocate_existing(type, need)) return *a;
      }
      continue;
    }
    try {
      return dedicated ? allocate_dedicated(type, request) : suballocate_new_block(type, need);
    } catch (Error& e) {
      if (e.result() != VK_ERROR_OUT_OF_DEVICE_MEMORY) throw;
      out_of_memory = e;
      // A resource that only preferred its own memory may still fit in a block that exists.
      if (dedicated && !request.require_dedicated) {
        if (auto a = suballocate_existing(type, need)) return *a;
      }
    }
  }
  if (out_of_memory) throw *out_of_memory;
  if (limit_reached) {
    throw Error(str("the limit of ", limit, " live VkDeviceMemory objects (", limit_name, ") is reached and ",
                    request.require_dedicated ? "the resource requires a dedicated allocation"
                    : too_big_for_blocks      ? "the request is larger than a block, so it needs its own memory"
                                              : "no existing block has room"));
  }
  throw Error("no memory type could be allocated from");  // unreachable: every path above returns or records
}

Allocation Allocator::allocate(const AllocationRequest& request) {
  std::string what = str("allocating memory for '", request.name ? request.name : "unnamed", "' (",
                         human_bytes(request.requirements.size), ", ", memory_intent_name(request.intent), ")");
  return with_context(what, [&] {
    std::lock_guard lock(impl_->mutex);
    return impl_->allocate_locked(request);
  });
}

void Allocator::Impl::free_locked(const Allocation& a) {
  if (a.block >= blocks.size() || blocks[a.block].memory != a.memory) {
    log(LogLevel::Error, "memory allocator: free of an allocation it does not know (freed twice?)");
    return;
  }
  Block& b = blocks[a.block];
  if (!b.tlsf) {
    destroy_block(a.block);
    return;
  }
  if (!b.tlsf->is_allocated(a.node, a.offset)) {
    log(LogLevel::Error, "memory allocator: free of a sub-allocation that is not live (freed twice?)");
    return;
  }
  HeapCounters& h = heaps[heap_of(b.type)];
  h.used -= b.tlsf->node_size(a.node);
  h.allocations -= 1;
  b.tlsf->free(a.node);
  if (!b.tlsf->empty()) return;
  // Keep one empty block per type for the next allocation; free any other.
  for (uint32_t slot : type_blocks[b.type]) {
    if (slot != a.block && blocks[slot].tlsf->empty()) {
      destroy_block(a.block);
      return;
    }
  }
}

void Allocator::free(Allocation& allocation) {
  if (!allocation) return;
  {
    std::lock_guard lock(impl_->mutex);
    impl_->free_locked(allocation);
  }
  allocation = Allocation{};
}

Allocation Allocator::allocate_and_bind(VkBuffer buffer, MemoryIntent intent, const char* name,
                                        bool device_address) {
  VkBufferMemoryRequirementsInfo2 info{VK_STRUCTURE_TYPE_BUFFER_MEMORY_REQUIREMENTS_INFO_2};
  info.buffer = buffer;
  VkMemoryDedicatedRequirements dedicated{VK_STRUCTURE_TYPE_MEMORY_DEDICATED_REQUIREMENTS};
  VkMemoryRequirements2 requirements{VK_STRUCTURE_TYPE_MEMORY_REQUIREMENTS_2};
  requirements.pNext = &dedicated;
  vkGetBufferMemoryRequirements2(impl_->device, &info, &requirements);
  Allocation a = allocate({.requirements = requirements.memoryRequirements,
                           .intent = intent,
                           .linear = true,
                           .prefer_dedicated = dedicated.prefersDedicatedAllocation == VK_TRUE,
                           .require_dedicated = dedicated.requiresDedicatedAllocation == VK_TRUE,
                           .dedicated_buffer = buffer,
                           .device_address = device_address,
                           .name = name});
  VkResult r = vkBindBufferMemory(impl_->device, buffer, a.memory, a.offset);
  if (r < 0) {
    free(a);
    with_context(str("binding memory to buffer '", name ? name : "unnamed", "'"),
                 [&] { check(r, "vkBindBufferMemory"); });
  }
  return a;
}

Allocation Allocator::allocate_and_bind(VkImage image, MemoryIntent intent, const char* name, bool linear_tiling) {
  VkImageMemoryRequirementsInfo2 info{VK_STRUCTURE_TYPE_IMAGE_MEMORY_REQUIREMENTS_INFO_2};
  info.image = image;
  VkMemoryDedicatedRequirements dedicated{VK_STRUCTURE_TYPE_MEMORY_DEDICATED_REQUIREMENTS};
  VkMemoryRequirements2 requirements{VK_STRUCTURE_TYPE_MEMORY_REQUIREMENTS_2};
  requirements.pNext = &dedicated;
  vkGetImageMemoryRequirements2(impl_->device, &info, &requirements);
  Allocation a = allocate({.requirements = requirements.memoryRequirements,
                           .intent = intent,
                           .linear = linear_tiling,
                           .prefer_dedicated = dedicated.prefersDedicatedAllocation == VK_TRUE,
                           .require_dedicated = dedicated.requiresDedicatedAllocation == VK_TRUE,
                           .dedicated_image = image,
                           .name = name});
  VkResult r = vkBindImageMemory(impl_->device, image, a.memory, a.offset);
  if (r < 0) {
    free(a);
    with_context(str("binding memory to image '", name ? name : "unnamed", "'"),
                 [&] { check(r, "vkBindImageMemory"); });
  }
  return a;
}

uint32_t Allocator::memory_type_for(MemoryIntent intent, uint32_t type_bits) const {
  std::vector<uint32_t> types = detail::rank_memory_types(impl_->props, intent, type_bits);
  return types.empty() ? UINT32_MAX : types.front();
}

bool Allocator::has_rebar() const { return detail::has_rebar(impl_->props); }

}  // namespace kiln
