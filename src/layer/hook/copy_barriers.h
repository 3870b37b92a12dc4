// The layer copies image subresources in a transfer layout: each moves there from the layout the
// program left it in, and back after the copies (the hook's copies and copy-on-write's alike).
#pragma once

#include <vulkan/vulkan.h>

#include <cstdint>
#include <vector>

namespace kiln::layer {

// TRANSFER_SRC_OPTIMAL, unless the layout is one copies may read already. GENERAL moves too: copying
// in GENERAL draws a performance warning from validation.
VkImageLayout copy_layout(VkImageLayout seen);

// DEPTH_ATTACHMENT_OPTIMAL, STENCIL_READ_ONLY_OPTIMAL, …: a layout of one aspect of a depth/stencil
// image (separateDepthStencilLayouts), which a barrier may only name with that aspect.
bool is_single_aspect_layout(VkImageLayout l);

struct CopiedSubresource {
  VkImage image = VK_NULL_HANDLE;
  uint32_t mip = 0, layer = 0;
  VkImageLayout layout = VK_IMAGE_LAYOUT_UNDEFINED;  // as the program left the copied aspect
  VkImageAspectFlags aspects = 0;                    // all of the image's
  VkImageAspectFlags aspect = 0;                     // the one copied (0: all)
};

// Barriers into the copy layout (`to`) and back (`back`): one per distinct subresource, over all its
// aspects, when its copied aspects share a layout that names both; else one per aspect, each from its
// own layout (depth and stencil in separate layouts).
void copy_layout_barriers(std::vector<CopiedSubresource> subs, std::vector<VkImageMemoryBarrier>& to,
                          std::vector<VkImageMemoryBarrier>& back);

}  // namespace kiln::layer
