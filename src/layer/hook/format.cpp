#include "hook/format.h"

#include <algorithm>

#include "dump/astc_decode.h"

namespace kiln::layer {

VkExtent2D copy_block_extent(VkFormat f) {
  const int v = static_cast<int>(f);
  if (v >= VK_FORMAT_BC1_RGB_UNORM_BLOCK && v <= VK_FORMAT_EAC_R11G11_SNORM_BLOCK) return {4, 4};
  if (const AstcFormat astc = astc_format(f); astc.width) return {astc.width, astc.height};
  return {1, 1};
}

uint64_t copy_bytes(VkFormat format, VkImageAspectFlags aspect, VkExtent3D extent) {
  const VkExtent2D block = copy_block_extent(format);
  return uint64_t(copy_texel_bytes(format, aspect)) * ((extent.width + block.width - 1) / block.width) *
         ((extent.height + block.height - 1) / block.height) * std::max(extent.depth, 1u);
}

VkImageAspectFlags format_aspects(VkFormat f) {
  switch (f) {
    case VK_FORMAT_D16_UNORM:
    case VK_FORMAT_X8_D24_UNORM_PACK32:
    case VK_FORMAT_D32_SFLOAT: return VK_IMAGE_ASPECT_DEPTH_BIT;
    case VK_FORMAT_S8_UINT: return VK_IMAGE_ASPECT_STENCIL_BIT;
    case VK_FORMAT_D16_UNORM_S8_UINT:
    case VK_FORMAT_D24_UNORM_S8_UINT:
    case VK_FORMAT_D32_SFLOAT_S8_UINT: return VK_IMAGE_ASPECT_DEPTH_BIT | VK_IMAGE_ASPECT_STENCIL_BIT;
    default: return VK_IMAGE_ASPECT_COLOR_BIT;
  }
}

uint32_t copy_texel_bytes(VkFormat f, VkImageAspectFlags aspect) {
  if (aspect == VK_IMAGE_ASPECT_STENCIL_BIT) return format_aspects(f) & VK_IMAGE_ASPECT_STENCIL_BIT ? 1 : 0;
  int v = static_cast<int>(f);
  if (v == 1) return 1;                       // R4G4
  if (v >= 2 && v <= 8) return 2;             // 4444, 565, 5551
  if (v >= 9 && v <= 15) return 1;            // R8
  if (v >= 16 && v <= 22) return 2;           // R8G8
  if (v >= 23 && v <= 36) return 3;           // R8G8B8, B8G8R8
  if (v >= 37 && v <= 69) return 4;           // RGBA8, BGRA8, ABGR8, A2R10G10B10, A2B10G10R10
  if (v >= 70 && v <= 76) return 2;           // R16
  if (v >= 77 && v <= 83) return 4;           // R16G16
  if (v >= 84 && v <= 90) return 6;           // R16G16B16
  if (v >= 91 && v <= 97) return 8;           // R16G16B16A16
  if (v >= 98 && v <= 100) return 4;          // R32
  if (v >= 101 && v <= 103) return 8;         // R32G32
  if (v >= 104 && v <= 106) return 12;        // R32G32B32
  if (v >= 107 && v <= 109) return 16;        // R32G32B32A32
  if (v >= 110 && v <= 112) return 8;         // R64
  if (v >= 113 && v <= 115) return 16;        // R64G64
  if (v >= 116 && v <= 118) return 24;        // R64G64B64
  if (v >= 119 && v <= 121) return 32;        // R64G64B64A64
  if (v == 122 || v == 123) return 4;         // B10G11R11, E5B9G9R9
  // Compressed, bytes per block: BC1 (4 formats) and BC4 8, BC2/3/5/6H/7 16; ETC2 RGB and RGB A1 8,
  // ETC2 RGBA 16; EAC R11 8, RG11 16; ASTC 16.
  if (v >= VK_FORMAT_BC1_RGB_UNORM_BLOCK && v <= VK_FORMAT_BC1_RGBA_SRGB_BLOCK) return 8;
  if (v >= VK_FORMAT_BC2_UNORM_BLOCK && v <= VK_FORMAT_BC3_SRGB_BLOCK) return 16;
  if (v >= VK_FORMAT_BC4_UNORM_BLOCK && v <= VK_FORMAT_BC4_SNORM_BLOCK) return 8;
  if (v >= VK_FORMAT_BC5_UNORM_BLOCK && v <= VK_FORMAT_BC7_SRGB_BLOCK) return 16;
  if (v >= VK_FORMAT_ETC2_R8G8B8_UNORM_BLOCK && v <= VK_FORMAT_ETC2_R8G8B8A1_SRGB_BLOCK) return 8;
  if (v >= VK_FORMAT_ETC2_R8G8B8A8_UNORM_BLOCK && v <= VK_FORMAT_ETC2_R8G8B8A8_SRGB_BLOCK) return 16;
  if (v >= VK_FORMAT_EAC_R11_UNORM_BLOCK && v <= VK_FORMAT_EAC_R11_SNORM_BLOCK) return 8;
  if (v >= VK_FORMAT_EAC_R11G11_UNORM_BLOCK && v <= VK_FORMAT_EAC_R11G11_SNORM_BLOCK) return 16;
  if (astc_format(f).width) return 16;
  switch (f) {
    case VK_FORMAT_D16_UNORM:
    case VK_FORMAT_D16_UNORM_S8_UINT: return 2;
    case VK_FORMAT_X8_D24_UNORM_PACK32:
    case VK_FORMAT_D32_SFLOAT:
    case VK_FORMAT_D24_UNORM_S8_UINT:
    case VK_FORMAT_D32_SFLOAT_S8_UINT: return 4;
    case VK_FORMAT_S8_UINT: return 1;
    default: return 0;
  }
}

}  // namespace kiln::layer
