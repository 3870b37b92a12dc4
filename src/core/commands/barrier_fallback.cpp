// Raw barriers: vkCmdPipelineBarrier2 when the device has synchronization2, else one
// vkCmdPipelineBarrier carrying the same barriers in 1.0 terms.
#include <array>

#include "kiln/barrier.h"
#include "kiln/commands.h"
#include "kiln/context.h"

namespace kiln {
namespace {

// Legacy barrier structs per call without allocating; larger dependencies go out in several calls
// (each with the full stage masks, so the meaning is unchanged).
constexpr uint32_t kChunk = 32;

}  // namespace

void pipeline_barrier_fallback(VkCommandBuffer cmd, const VkDependencyInfo& dep) {
  VkPipelineStageFlags2 src2 = 0;
  VkPipelineStageFlags2 dst2 = 0;
  for (uint32_t i = 0; i < dep.memoryBarrierCount; ++i) {
    src2 |= dep.pMemoryBarriers[i].srcStageMask;
    dst2 |= dep.pMemoryBarriers[i].dstStageMask;
  }
  for (uint32_t i = 0; i < dep.bufferMemoryBarrierCount; ++i) {
    src2 |= dep.pBufferMemoryBarriers[i].srcStageMask;
    dst2 |= dep.pBufferMemoryBarriers[i].dstStageMask;
  }
  for (uint32_t i = 0; i < dep.imageMemoryBarrierCount; ++i) {
    src2 |= dep.pImageMemoryBarriers[i].srcStageMask;
    dst2 |= dep.pImageMemoryBarriers[i].dstStageMask;
  }
  const VkPipelineStageFlags src = legacy_stages(src2, /*src=*/true);
  const VkPipelineStageFlags dst = legacy_stages(dst2, /*src=*/false);

  std::array<VkMemoryBarrier, kChunk> memory;
  std::array<VkBufferMemoryBarrier, kChunk> buffers;
  std::array<VkImageMemoryBarrier, kChunk> images;
  uint32_t m = 0, b = 0, im = 0;
  bool any = false;
  auto flush = [&] {
    vkCmdPipelineBarrier(cmd, src, dst, dep.dependencyFlags, m, memory.data(), b, buffers.data(), im,
                         images.data());
    m = b = im = 0;
    any = true;
  };
  for (uint32_t i = 0; i < dep.memoryBarrierCount; ++i) {
    const VkMemoryBarrier2& x = dep.pMemoryBarriers[i];
    memory[m++] = {VK_STRUCTURE_TYPE_MEMORY_BARRIER, nullptr, legacy_access(x.srcAccessMask),
                   legacy_access(x.dstAccessMask)};
    if (m == kChunk) flush();
  }
  for (uint32_t i = 0; i < dep.bufferMemoryBarrierCount; ++i) {
    const VkBufferMemoryBarrier2& x = dep.pBufferMemoryBarriers[i];
    buffers[b++] = {VK_STRUCTURE_TYPE_BUFFER_MEMORY_BARRIER,
                    nullptr,
                    legacy_access(x.srcAccessMask),
                    legacy_access(x.dstAccessMask),
                    x.srcQueueFamilyIndex,
                    x.dstQueueFamilyIndex,
                    x.buffer,
                    x.offset,
                    x.size};
    if (b == kChunk) flush();
  }
  for (uint32_t i = 0; i < dep.imageMemoryBarrierCount; ++i) {
    const VkImageMemoryBarrier2& x = dep.pImageMemoryBarriers[i];
    images[im++] = {VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER,
                    nullptr,
                    legacy_access(x.srcAccessMask),
                    legacy_access(x.dstAccessMask),
                    x.oldLayout,
                    x.newLayout,
                    x.srcQueueFamilyIndex,
                    x.dstQueueFamilyIndex,
                    x.image,
                    x.subresourceRange};
    if (im == kChunk) flush();
  }
  if (m + b + im > 0 || !any) flush();  // an empty dependency is still an execution dependency
}

void pipeline_barrier(const DeviceFunctions& fn, VkCommandBuffer cmd, const VkDependencyInfo& dep) {
  if (fn.cmd_pipeline_barrier2) {
    fn.cmd_pipeline_barrier2(cmd, &dep);
  } else {
    pipeline_barrier_fallback(cmd, dep);
  }
}

void barrier(CommandBuffer& cmd, const VkDependencyInfo& dep) { cmd.barrier(dep); }

}  // namespace kiln
