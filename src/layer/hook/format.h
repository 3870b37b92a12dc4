// Bytes per texel of the formats the hook copies (the layer cannot use kiln's core format table).
#pragma once

#include <vulkan/vulkan.h>

#include <cstdint>

namespace kiln::layer {

// Bytes per texel of `aspect` of `format` as vkCmdCopyImageToBuffer writes it; 0 when unknown or
// block-compressed (such images are skipped with a note).
uint32_t copy_texel_bytes(VkFormat format, VkImageAspectFlags aspect);
// Every aspect of the format (colour, or depth and/or stencil): what a layout transition names.
VkImageAspectFlags format_aspects(VkFormat format);

}  // namespace kiln::layer
