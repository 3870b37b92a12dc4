// Bytes per texel (or per block of a compressed format) of the formats the hook copies (the layer
// cannot use kiln's core format table).
#pragma once

#include <vulkan/vulkan.h>

#include <cstdint>

namespace kiln::layer {

// Bytes per texel block of `aspect` of `format` as vkCmdCopyImageToBuffer writes it (a block is one
// texel, except in compressed formats: BC, ETC2/EAC, ASTC); 0 when unknown (such images are skipped
// with a note).
uint32_t copy_texel_bytes(VkFormat format, VkImageAspectFlags aspect);
// The texel block's extent: 1x1, or the compressed format's (4x4 for BC and ETC2/EAC, ASTC's own).
VkExtent2D copy_block_extent(VkFormat format);
// The bytes a whole subresource of `extent` texels copies to, tightly packed (0 when unknown).
uint64_t copy_bytes(VkFormat format, VkImageAspectFlags aspect, VkExtent3D extent);
// Every aspect of the format (colour, or depth and/or stencil): what a layout transition names.
VkImageAspectFlags format_aspects(VkFormat format);

}  // namespace kiln::layer
