// kiln/barrier.h — raw pipeline barriers, for what `CommandBuffer::use` (commands.h) does not cover.
//
//   kiln::barrier(cmd, VkDependencyInfo{...});                       // any sync2 dependency
//   cmd.barrier({buffer_barrier}, {image_barrier}, {memory_barrier});  // the same, from slices
//
// Barriers are written in synchronization2 terms everywhere. On a device without synchronization2
// (or with it disabled in ContextDesc), they are translated to one vkCmdPipelineBarrier: the stages and
// accesses that exist only in sync2 map to their legacy supersets (COPY/BLIT/CLEAR/RESOLVE → TRANSFER,
// SHADER_SAMPLED_READ/STORAGE_READ → SHADER_READ, NONE → TOP/BOTTOM_OF_PIPE, …).
//
// Raw barriers do not touch any resource's ResourceState (sync.h): if you move a kiln resource to
// another layout by hand, set its `state()` to match, or the next `use` starts from a wrong picture.
#pragma once

#include <vulkan/vulkan.h>

#include "kiln/sync.h"

namespace kiln {

class CommandBuffer;
struct DeviceFunctions;

// Records `dep` into `cmd` after its pending use() barriers.
void barrier(CommandBuffer& cmd, const VkDependencyInfo& dep);

// For raw command buffers: vkCmdPipelineBarrier2 through `fn` when present, else the translation.
void pipeline_barrier(const DeviceFunctions& fn, VkCommandBuffer cmd, const VkDependencyInfo& dep);

// The translation alone: one vkCmdPipelineBarrier with the OR of every barrier's stages (legacy
// barriers share one stage mask pair per call).
void pipeline_barrier_fallback(VkCommandBuffer cmd, const VkDependencyInfo& dep);

// The per-flag translation (legacy_stages, legacy_access) lives in sync.h.

}  // namespace kiln
