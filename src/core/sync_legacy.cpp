#include "kiln/sync.h"

namespace kiln {

VkPipelineStageFlags legacy_stages(VkPipelineStageFlags2 s, bool src) {
  // The low 32 bits of the sync2 stage flags are the 1.0 flags; the rest are finer splits.
  VkPipelineStageFlags out = VkPipelineStageFlags(s & 0xFFFFFFFFull);
  if (s & (VK_PIPELINE_STAGE_2_COPY_BIT | VK_PIPELINE_STAGE_2_RESOLVE_BIT | VK_PIPELINE_STAGE_2_BLIT_BIT |
           VK_PIPELINE_STAGE_2_CLEAR_BIT))
    out |= VK_PIPELINE_STAGE_TRANSFER_BIT;
  if (s & (VK_PIPELINE_STAGE_2_INDEX_INPUT_BIT | VK_PIPELINE_STAGE_2_VERTEX_ATTRIBUTE_INPUT_BIT))
    out |= VK_PIPELINE_STAGE_VERTEX_INPUT_BIT;
  // Tessellation and geometry bits are invalid without their features; ALL_GRAPHICS covers them all.
  if (s & VK_PIPELINE_STAGE_2_PRE_RASTERIZATION_SHADERS_BIT) out |= VK_PIPELINE_STAGE_ALL_GRAPHICS_BIT;
  constexpr VkPipelineStageFlags2 kKnownHigh =
      VK_PIPELINE_STAGE_2_COPY_BIT | VK_PIPELINE_STAGE_2_RESOLVE_BIT | VK_PIPELINE_STAGE_2_BLIT_BIT |
      VK_PIPELINE_STAGE_2_CLEAR_BIT | VK_PIPELINE_STAGE_2_INDEX_INPUT_BIT |
      VK_PIPELINE_STAGE_2_VERTEX_ATTRIBUTE_INPUT_BIT | VK_PIPELINE_STAGE_2_PRE_RASTERIZATION_SHADERS_BIT;
  // A stage only synchronization2 names and this table does not: never weaken, wait for everything.
  if (s & ~kKnownHigh & ~VkPipelineStageFlags2(0xFFFFFFFFull)) out |= VK_PIPELINE_STAGE_ALL_COMMANDS_BIT;
  if (out == 0) out = src ? VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT : VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT;
  return out;
}

VkAccessFlags legacy_access(VkAccessFlags2 a) {
  VkAccessFlags out = VkAccessFlags(a & 0xFFFFFFFFull);
  if (a & (VK_ACCESS_2_SHADER_SAMPLED_READ_BIT | VK_ACCESS_2_SHADER_STORAGE_READ_BIT)) out |= VK_ACCESS_SHADER_READ_BIT;
  if (a & VK_ACCESS_2_SHADER_STORAGE_WRITE_BIT) out |= VK_ACCESS_SHADER_WRITE_BIT;
  return out;
}

}  // namespace kiln
