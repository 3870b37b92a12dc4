// kiln/format.h — what kiln knows about a VkFormat: size of a texel or block, aspects, depth, sRGB.
//
// Answers come from a static table, without a device; whether a device *supports* a format for a
// use is a device question (vkGetPhysicalDeviceImageFormatProperties; Image checks it when created).
// Covers the core 1.3 formats (plain, packed, depth/stencil, BC, ETC2, EAC, ASTC LDR). Multi-planar
// YCbCr formats are reported with their first plane's block and `multi_planar` set; kiln does not
// create them.
#pragma once

#include <vulkan/vulkan.h>

#include <cstdint>

namespace kiln {

struct FormatInfo {
  const char* name = "VK_FORMAT_UNDEFINED";  // "VK_FORMAT_R8G8B8A8_UNORM"
  uint32_t block_bytes = 0;                  // bytes per texel, or per block for compressed formats
  uint32_t block_width = 1;                  // texels per block (1 unless compressed)
  uint32_t block_height = 1;
  uint32_t components = 0;                   // colour components, or depth/stencil ones
  VkImageAspectFlags aspect = 0;             // COLOR, DEPTH, STENCIL or DEPTH|STENCIL
  bool srgb = false;
  bool compressed = false;
  bool multi_planar = false;
  bool known = false;                        // false: not in kiln's table (an extension's format)
};

// A zeroed FormatInfo (known == false) for formats kiln does not know.
const FormatInfo& format_info(VkFormat format);

const char* format_name(VkFormat format);
// Bytes per texel; for compressed formats, bytes per block (see format_block_extent).
uint32_t format_block_bytes(VkFormat format);
inline uint32_t format_texel_bytes(VkFormat format) { return format_block_bytes(format); }
VkExtent2D format_block_extent(VkFormat format);
VkImageAspectFlags format_aspect(VkFormat format);
bool is_depth(VkFormat format);          // has a depth aspect (D16, D32, D24S8, ...)
bool is_stencil(VkFormat format);        // has a stencil aspect (S8, D24S8, ...)
bool is_depth_stencil(VkFormat format);  // either of the two
bool is_srgb(VkFormat format);
bool is_compressed(VkFormat format);
// The UNORM twin of an sRGB format and back; the format itself when it has none.
VkFormat srgb_to_linear(VkFormat format);
VkFormat linear_to_srgb(VkFormat format);

// Bytes of one mip level of `extent` texels in `format`, rounding up to whole blocks.
uint64_t format_size(VkFormat format, VkExtent3D extent);

}  // namespace kiln
