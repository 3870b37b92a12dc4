// kiln/sync.h — what a resource was last used for, and the barrier a new use needs.
//
// The immediate-mode style the seed notes settle on: every Buffer and Image carries a ResourceState
// (its last writes, the reads since, its layout and owning queue family). `cmd.use(image,
// kiln::Use::SampledInFragment)` (commands.h) compares that state with the new use, queues the one
// barrier needed, and updates the state. A frame graph, if anyone wants one, goes on top of this.
//
// Barriers are expressed in synchronization2 terms; without synchronization2 the commands layer
// translates them to vkCmdPipelineBarrier.
#pragma once

#include <vulkan/vulkan.h>

#include <cstdint>

namespace kiln {

// How a command is about to use a resource.
enum class Use : uint32_t {
  None,                   // nothing yet (fresh resource): contents undefined
  TransferSrc,
  TransferDst,
  VertexBuffer,
  IndexBuffer,
  IndirectBuffer,
  UniformInVertex,
  UniformInFragment,
  UniformInCompute,
  StorageReadInVertex,
  StorageReadInFragment,
  StorageReadInCompute,
  StorageWriteInCompute,      // write-only
  StorageReadWriteInCompute,
  StorageWriteInFragment,
  SampledInVertex,
  SampledInFragment,
  SampledInCompute,
  ColorAttachment,            // read + write (blending, load)
  DepthAttachment,            // depth/stencil test and write
  DepthRead,                  // depth test without writes, or sampled as read-only depth
  Present,
  HostRead,
  HostWrite,
  General,                    // any access in GENERAL layout, all commands (heavy, for odd cases)
  Count
};
const char* use_name(Use use);

// The stages, accesses and layout one Use stands for.
struct UseInfo {
  VkPipelineStageFlags2 stages = 0;
  VkAccessFlags2 access = 0;
  VkImageLayout layout = VK_IMAGE_LAYOUT_UNDEFINED;  // for images
  bool writes = false;
};
UseInfo use_info(Use use, bool depth_format = false);

// What a resource was last used for. Kept by Buffer and Image; advanced by CommandBuffer::use.
//
// Recording order is the order kiln assumes the GPU sees: record and submit command buffers that touch
// the same resource in the order you recorded them (or keep the state right yourself).
struct ResourceState {
  VkPipelineStageFlags2 write_stages = 0;  // stages of the last write (transition counts as one)
  VkAccessFlags2 write_access = 0;         // its write accesses (0 for a layout transition)
  VkPipelineStageFlags2 read_stages = 0;   // stages the last write has been made visible to (and read)
  VkAccessFlags2 visible_access = 0;       // accesses the last write has been made visible to
  VkImageLayout layout = VK_IMAGE_LAYOUT_UNDEFINED;
  uint32_t queue_family = VK_QUEUE_FAMILY_IGNORED;  // owner for exclusive sharing; IGNORED: none yet
  // Set by CommandBuffer::release: the family whose next use records the matching acquire, and the
  // layout the pair transitions from (the new one is `layout`). IGNORED: no transfer pending.
  uint32_t release_to = VK_QUEUE_FAMILY_IGNORED;
  VkImageLayout release_old_layout = VK_IMAGE_LAYOUT_UNDEFINED;
};

// One barrier in synchronization2 terms, before it becomes a Vk*MemoryBarrier2.
struct BarrierPlan {
  bool needed = false;
  VkPipelineStageFlags2 src_stages = 0;
  VkAccessFlags2 src_access = 0;
  VkPipelineStageFlags2 dst_stages = 0;
  VkAccessFlags2 dst_access = 0;
  VkImageLayout old_layout = VK_IMAGE_LAYOUT_UNDEFINED;  // images only
  VkImageLayout new_layout = VK_IMAGE_LAYOUT_UNDEFINED;
  uint32_t src_family = VK_QUEUE_FAMILY_IGNORED;  // differ only for ownership transfers
  uint32_t dst_family = VK_QUEUE_FAMILY_IGNORED;
};

// What one use needs: an acquire (queue-family ownership transfer, recorded first, alone in its
// batch) and/or an ordinary barrier. Either may be not needed.
struct UsePlan {
  BarrierPlan acquire;
  BarrierPlan barrier;
};

// The decision logic of CommandBuffer::use, free of Vulkan calls (unit-tested on its own). Advances
// `state` as if the use had been recorded on a command buffer of queue family `family`.
//  - write after anything: barrier from the last write's and the reads' stages (src access = the
//    write's), or none at all for a resource never used;
//  - read after write: barrier only if the write is not yet visible to these stages and accesses;
//    the barrier covers every reader so far, so later reads by any of them need nothing;
//  - read after read in the same layout: nothing;
//  - images: a layout change is always a barrier, from UNDEFINED when `discard` or never used.
UsePlan plan_use(ResourceState& state, const UseInfo& use, bool image, bool discard, uint32_t family);

// True when a read of a buffer (or of an image in `use.layout`, checked by the caller) is already
// covered by `state`: same owner, no transfer pending, stages and accesses already made visible.
// plan_use would then return nothing and leave the state as it is; inline for per-draw callers.
inline bool use_needs_nothing(const ResourceState& state, const UseInfo& use, uint32_t family) {
  return !use.writes && state.release_to == VK_QUEUE_FAMILY_IGNORED && state.queue_family == family &&
         (use.stages & ~state.read_stages) == 0 && (use.access & ~state.visible_access) == 0;
}

// The release half of an ownership transfer from `from` to `to` (the acquire comes from plan_use on
// a command buffer of family `to`); images also transition to `next.layout`. Not needed (and the
// state only re-targeted) when the resource has no owner yet or `from == to`.
BarrierPlan plan_release(ResourceState& state, const UseInfo& next, bool image, uint32_t from, uint32_t to);

// The access bits that are writes (the rest are reads).
VkAccessFlags2 write_access_bits(VkAccessFlags2 access);

// synchronization2 → Vulkan 1.0 translation, for devices without synchronization2
// (src/core/sync_legacy.cpp). `src` picks TOP_OF_PIPE for an empty source scope, BOTTOM_OF_PIPE
// for an empty destination; stages only sync2 has map to the 1.0 stage that contains them.
VkPipelineStageFlags legacy_stages(VkPipelineStageFlags2 stages, bool src);
VkAccessFlags legacy_access(VkAccessFlags2 access);

}  // namespace kiln
