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

struct CopiedSubresource {
  VkImage image = VK_NULL_HANDLE;
  uint32_t mip = 0, layer = 0;
  VkImageLayout layout = VK_IMAGE_LAYOUT_UNDEFINED;  // as the program left it
  VkImageAspectFlags aspects = 0;                    // all of the image's
};

// One barrier per distinct subresource that must move: into the copy layout (`to`) and back (`back`).
void copy_layout_barriers(std::vector<CopiedSubresource> subs, std::vector<VkImageMemoryBarrier>& to,
                          std::vector<VkImageMemoryBarrier>& back);

}  // namespace kiln::layer
