// Format facts from a static table. The table lists every core Vulkan 1.3 format (vulkan_core.h
// 1.3.239, vendor-suffixed extension formats left out); its rows were generated from the format
// names and the spec's texel-block sizes, then checked by tests/unit/test_format.cpp.
#include "kiln/format.h"

#include <cstdint>

namespace kiln {
namespace {

enum : uint32_t { kSrgb = 1, kCompressed = 2, kMultiPlanar = 4 };
constexpr VkImageAspectFlags COLOR = VK_IMAGE_ASPECT_COLOR_BIT;
constexpr VkImageAspectFlags DEPTH = VK_IMAGE_ASPECT_DEPTH_BIT;
constexpr VkImageAspectFlags STENCIL = VK_IMAGE_ASPECT_STENCIL_BIT;
constexpr VkImageAspectFlags DEPTH_STENCIL = VK_IMAGE_ASPECT_DEPTH_BIT | VK_IMAGE_ASPECT_STENCIL_BIT;

// K(name, block bytes, block width, block height, components, aspect, flags)
#define KILN_FORMATS(K) \
  K(R4G4_UNORM_PACK8, 1, 1, 1, 2, COLOR, 0) \
  K(R4G4B4A4_UNORM_PACK16, 2, 1, 1, 4, COLOR, 0) \
  K(B4G4R4A4_UNORM_PACK16, 2, 1, 1, 4, COLOR, 0) \
  K(R5G6B5_UNORM_PACK16, 2, 1, 1, 3, COLOR, 0) \
  K(B5G6R5_UNORM_PACK16, 2, 1, 1, 3, COLOR, 0) \
  K(R5G5B5A1_UNORM_PACK16, 2, 1, 1, 4, COLOR, 0) \
  K(B5G5R5A1_UNORM_PACK16, 2, 1, 1, 4, COLOR, 0) \
  K(A1R5G5B5_UNORM_PACK16, 2, 1, 1, 4, COLOR, 0) \
  K(R8_UNORM, 1, 1, 1, 1, COLOR, 0) \
  K(R8_SNORM, 1, 1, 1, 1, COLOR, 0) \
  K(R8_USCALED, 1, 1, 1, 1, COLOR, 0) \
  K(R8_SSCALED, 1, 1, 1, 1, COLOR, 0) \
  K(R8_UINT, 1, 1, 1, 1, COLOR, 0) \
  K(R8_SINT, 1, 1, 1, 1, COLOR, 0) \
  K(R8_SRGB, 1, 1, 1, 1, COLOR, kSrgb) \
  K(R8G8_UNORM, 2, 1, 1, 2, COLOR, 0) \
  K(R8G8_SNORM, 2, 1, 1, 2, COLOR, 0) \
  K(R8G8_USCALED, 2, 1, 1, 2, COLOR, 0) \
  K(R8G8_SSCALED, 2, 1, 1, 2, COLOR, 0) \
  K(R8G8_UINT, 2, 1, 1, 2, COLOR, 0) \
  K(R8G8_SINT, 2, 1, 1, 2, COLOR, 0) \
  K(R8G8_SRGB, 2, 1, 1, 2, COLOR, kSrgb) \
  K(R8G8B8_UNORM, 3, 1, 1, 3, COLOR, 0) \
  K(R8G8B8_SNORM, 3, 1, 1, 3, COLOR, 0) \
  K(R8G8B8_USCALED, 3, 1, 1, 3, COLOR, 0) \
  K(R8G8B8_SSCALED, 3, 1, 1, 3, COLOR, 0) \
  K(R8G8B8_UINT, 3, 1, 1, 3, COLOR, 0) \
  K(R8G8B8_SINT, 3, 1, 1, 3, COLOR, 0) \
  K(R8G8B8_SRGB, 3, 1, 1, 3, COLOR, kSrgb) \
  K(B8G8R8_UNORM, 3, 1, 1, 3, COLOR, 0) \
  K(B8G8R8_SNORM, 3, 1, 1, 3, COLOR, 0) \
  K(B8G8R8_USCALED, 3, 1, 1, 3, COLOR, 0) \
  K(B8G8R8_SSCALED, 3, 1, 1, 3, COLOR, 0) \
  K(B8G8R8_UINT, 3, 1, 1, 3, COLOR, 0) \
  K(B8G8R8_SINT, 3, 1, 1, 3, COLOR, 0) \
  K(B8G8R8_SRGB, 3, 1, 1, 3, COLOR, kSrgb) \
  K(R8G8B8A8_UNORM, 4, 1, 1, 4, COLOR, 0) \
  K(R8G8B8A8_SNORM, 4, 1, 1, 4, COLOR, 0) \
  K(R8G8B8A8_USCALED, 4, 1, 1, 4, COLOR, 0) \
  K(R8G8B8A8_SSCALED, 4, 1, 1, 4, COLOR, 0) \
  K(R8G8B8A8_UINT, 4, 1, 1, 4, COLOR, 0) \
  K(R8G8B8A8_SINT, 4, 1, 1, 4, COLOR, 0) \
  K(R8G8B8A8_SRGB, 4, 1, 1, 4, COLOR, kSrgb) \
  K(B8G8R8A8_UNORM, 4, 1, 1, 4, COLOR, 0) \
  K(B8G8R8A8_SNORM, 4, 1, 1, 4, COLOR, 0) \
  K(B8G8R8A8_USCALED, 4, 1, 1, 4, COLOR, 0) \
  K(B8G8R8A8_SSCALED, 4, 1, 1, 4, COLOR, 0) \
  K(B8G8R8A8_UINT, 4, 1, 1, 4, COLOR, 0) \
  K(B8G8R8A8_SINT, 4, 1, 1, 4, COLOR, 0) \
  K(B8G8R8A8_SRGB, 4, 1, 1, 4, COLOR, kSrgb) \
  K(A8B8G8R8_UNORM_PACK32, 4, 1, 1, 4, COLOR, 0) \
  K(A8B8G8R8_SNORM_PACK32, 4, 1, 1, 4, COLOR, 0) \
  K(A8B8G8R8_USCALED_PACK32, 4, 1, 1, 4, COLOR, 0) \
  K(A8B8G8R8_SSCALED_PACK32, 4, 1, 1, 4, COLOR, 0) \
  K(A8B8G8R8_UINT_PACK32, 4, 1, 1, 4, COLOR, 0) \
  K(A8B8G8R8_SINT_PACK32, 4, 1, 1, 4, COLOR, 0) \
  K(A8B8G8R8_SRGB_PACK32, 4, 1, 1, 4, COLOR, kSrgb) \
  K(A2R10G10B10_UNORM_PACK32, 4, 1, 1, 4, COLOR, 0) \
  K(A2R10G10B10_SNORM_PACK32, 4, 1, 1, 4, COLOR, 0) \
  K(A2R10G10B10_USCALED_PACK32, 4, 1, 1, 4, COLOR, 0) \
  K(A2R10G10B10_SSCALED_PACK32, 4, 1, 1, 4, COLOR, 0) \
  K(A2R10G10B10_UINT_PACK32, 4, 1, 1, 4, COLOR, 0) \
  K(A2R10G10B10_SINT_PACK32, 4, 1, 1, 4, COLOR, 0) \
  K(A2B10G10R10_UNORM_PACK32, 4, 1, 1, 4, COLOR, 0) \
  K(A2B10G10R10_SNORM_PACK32, 4, 1, 1, 4, COLOR, 0) \
  K(A2B10G10R10_USCALED_PACK32, 4, 1, 1, 4, COLOR, 0) \
  K(A2B10G10R10_SSCALED_PACK32, 4, 1, 1, 4, COLOR, 0) \
  K(A2B10G10R10_UINT_PACK32, 4, 1, 1, 4, COLOR, 0) \
  K(A2B10G10R10_SINT_PACK32, 4, 1, 1, 4, COLOR, 0) \
  K(R16_UNORM, 2, 1, 1, 1, COLOR, 0) \
  K(R16_SNORM, 2, 1, 1, 1, COLOR, 0) \
  K(R16_USCALED, 2, 1, 1, 1, COLOR, 0) \
  K(R16_SSCALED, 2, 1, 1, 1, COLOR, 0) \
  K(R16_UINT, 2, 1, 1, 1, COLOR, 0) \
  K(R16_SINT, 2, 1, 1, 1, COLOR, 0) \
  K(R16_SFLOAT, 2, 1, 1, 1, COLOR, 0) \
  K(R16G16_UNORM, 4, 1, 1, 2, COLOR, 0) \
  K(R16G16_SNORM, 4, 1, 1, 2, COLOR, 0) \
  K(R16G16_USCALED, 4, 1, 1, 2, COLOR, 0) \
  K(R16G16_SSCALED, 4, 1, 1, 2, COLOR, 0) \
  K(R16G16_UINT, 4, 1, 1, 2, COLOR, 0) \
  K(R16G16_SINT, 4, 1, 1, 2, COLOR, 0) \
  K(R16G16_SFLOAT, 4, 1, 1, 2, COLOR, 0) \
  K(R16G16B16_UNORM, 6, 1, 1, 3, COLOR, 0) \
  K(R16G16B16_SNORM, 6, 1, 1, 3, COLOR, 0) \
  K(R16G16B16_USCALED, 6, 1, 1, 3, COLOR, 0) \
  K(R16G16B16_SSCALED, 6, 1, 1, 3, COLOR, 0) \
  K(R16G16B16_UINT, 6, 1, 1, 3, COLOR, 0) \
  K(R16G16B16_SINT, 6, 1, 1, 3, COLOR, 0) \
  K(R16G16B16_SFLOAT, 6, 1, 1, 3, COLOR, 0) \
  K(R16G16B16A16_UNORM, 8, 1, 1, 4, COLOR, 0) \
  K(R16G16B16A16_SNORM, 8, 1, 1, 4, COLOR, 0) \
  K(R16G16B16A16_USCALED, 8, 1, 1, 4, COLOR, 0) \
  K(R16G16B16A16_SSCALED, 8, 1, 1, 4, COLOR, 0) \
  K(R16G16B16A16_UINT, 8, 1, 1, 4, COLOR, 0) \
  K(R16G16B16A16_SINT, 8, 1, 1, 4, COLOR, 0) \
  K(R16G16B16A16_SFLOAT, 8, 1, 1, 4, COLOR, 0) \
  K(R32_UINT, 4, 1, 1, 1, COLOR, 0) \
  K(R32_SINT, 4, 1, 1, 1, COLOR, 0) \
  K(R32_SFLOAT, 4, 1, 1, 1, COLOR, 0) \
  K(R32G32_UINT, 8, 1, 1, 2, COLOR, 0) \
  K(R32G32_SINT, 8, 1, 1, 2, COLOR, 0) \
  K(R32G32_SFLOAT, 8, 1, 1, 2, COLOR, 0) \
  K(R32G32B32_UINT, 12, 1, 1, 3, COLOR, 0) \
  K(R32G32B32_SINT, 12, 1, 1, 3, COLOR, 0) \
  K(R32G32B32_SFLOAT, 12, 1, 1, 3, COLOR, 0) \
  K(R32G32B32A32_UINT, 16, 1, 1, 4, COLOR, 0) \
  K(R32G32B32A32_SINT, 16, 1, 1, 4, COLOR, 0) \
  K(R32G32B32A32_SFLOAT, 16, 1, 1, 4, COLOR, 0) \
  K(R64_UINT, 8, 1, 1, 1, COLOR, 0) \
  K(R64_SINT, 8, 1, 1, 1, COLOR, 0) \
  K(R64_SFLOAT, 8, 1, 1, 1, COLOR, 0) \
  K(R64G64_UINT, 16, 1, 1, 2, COLOR, 0) \
  K(R64G64_SINT, 16, 1, 1, 2, COLOR, 0) \
  K(R64G64_SFLOAT, 16, 1, 1, 2, COLOR, 0) \
  K(R64G64B64_UINT, 24, 1, 1, 3, COLOR, 0) \
  K(R64G64B64_SINT, 24, 1, 1, 3, COLOR, 0) \
  K(R64G64B64_SFLOAT, 24, 1, 1, 3, COLOR, 0) \
  K(R64G64B64A64_UINT, 32, 1, 1, 4, COLOR, 0) \
  K(R64G64B64A64_SINT, 32, 1, 1, 4, COLOR, 0) \
  K(R64G64B64A64_SFLOAT, 32, 1, 1, 4, COLOR, 0) \
  K(B10G11R11_UFLOAT_PACK32, 4, 1, 1, 3, COLOR, 0) \
  K(E5B9G9R9_UFLOAT_PACK32, 4, 1, 1, 3, COLOR, 0) \
  K(D16_UNORM, 2, 1, 1, 1, DEPTH, 0) \
  K(X8_D24_UNORM_PACK32, 4, 1, 1, 1, DEPTH, 0) \
  K(D32_SFLOAT, 4, 1, 1, 1, DEPTH, 0) \
  K(S8_UINT, 1, 1, 1, 1, STENCIL, 0) \
  K(D16_UNORM_S8_UINT, 3, 1, 1, 2, DEPTH_STENCIL, 0) \
  K(D24_UNORM_S8_UINT, 4, 1, 1, 2, DEPTH_STENCIL, 0) \
  K(D32_SFLOAT_S8_UINT, 5, 1, 1, 2, DEPTH_STENCIL, 0) \
  K(BC1_RGB_UNORM_BLOCK, 8, 4, 4, 3, COLOR, kCompressed) \
  K(BC1_RGB_SRGB_BLOCK, 8, 4, 4, 3, COLOR, kSrgb|kCompressed) \
  K(BC1_RGBA_UNORM_BLOCK, 8, 4, 4, 4, COLOR, kCompressed) \
  K(BC1_RGBA_SRGB_BLOCK, 8, 4, 4, 4, COLOR, kSrgb|kCompressed) \
  K(BC2_UNORM_BLOCK, 16, 4, 4, 4, COLOR, kCompressed) \
  K(BC2_SRGB_BLOCK, 16, 4, 4, 4, COLOR, kSrgb|kCompressed) \
  K(BC3_UNORM_BLOCK, 16, 4, 4, 4, COLOR, kCompressed) \
  K(BC3_SRGB_BLOCK, 16, 4, 4, 4, COLOR, kSrgb|kCompressed) \
  K(BC4_UNORM_BLOCK, 8, 4, 4, 1, COLOR, kCompressed) \
  K(BC4_SNORM_BLOCK, 8, 4, 4, 1, COLOR, kCompressed) \
  K(BC5_UNORM_BLOCK, 16, 4, 4, 2, COLOR, kCompressed) \
  K(BC5_SNORM_BLOCK, 16, 4, 4, 2, COLOR, kCompressed) \
  K(BC6H_UFLOAT_BLOCK, 16, 4, 4, 3, COLOR, kCompressed) \
  K(BC6H_SFLOAT_BLOCK, 16, 4, 4, 3, COLOR, kCompressed) \
  K(BC7_UNORM_BLOCK, 16, 4, 4, 4, COLOR, kCompressed) \
  K(BC7_SRGB_BLOCK, 16, 4, 4, 4, COLOR, kSrgb|kCompressed) \
  K(ETC2_R8G8B8_UNORM_BLOCK, 8, 4, 4, 3, COLOR, kCompressed) \
  K(ETC2_R8G8B8_SRGB_BLOCK, 8, 4, 4, 3, COLOR, kSrgb|kCompressed) \
  K(ETC2_R8G8B8A1_UNORM_BLOCK, 8, 4, 4, 4, COLOR, kCompressed) \
  K(ETC2_R8G8B8A1_SRGB_BLOCK, 8, 4, 4, 4, COLOR, kSrgb|kCompressed) \
  K(ETC2_R8G8B8A8_UNORM_BLOCK, 16, 4, 4, 4, COLOR, kCompressed) \
  K(ETC2_R8G8B8A8_SRGB_BLOCK, 16, 4, 4, 4, COLOR, kSrgb|kCompressed) \
  K(EAC_R11_UNORM_BLOCK, 8, 4, 4, 1, COLOR, kCompressed) \
  K(EAC_R11_SNORM_BLOCK, 8, 4, 4, 1, COLOR, kCompressed) \
  K(EAC_R11G11_UNORM_BLOCK, 16, 4, 4, 2, COLOR, kCompressed) \
  K(EAC_R11G11_SNORM_BLOCK, 16, 4, 4, 2, COLOR, kCompressed) \
  K(ASTC_4x4_UNORM_BLOCK, 16, 4, 4, 4, COLOR, kCompressed) \
  K(ASTC_4x4_SRGB_BLOCK, 16, 4, 4, 4, COLOR, kSrgb|kCompressed) \
  K(ASTC_5x4_UNORM_BLOCK, 16, 5, 4, 4, COLOR, kCompressed) \
  K(ASTC_5x4_SRGB_BLOCK, 16, 5, 4, 4, COLOR, kSrgb|kCompressed) \
  K(ASTC_5x5_UNORM_BLOCK, 16, 5, 5, 4, COLOR, kCompressed) \
  K(ASTC_5x5_SRGB_BLOCK, 16, 5, 5, 4, COLOR, kSrgb|kCompressed) \
  K(ASTC_6x5_UNORM_BLOCK, 16, 6, 5, 4, COLOR, kCompressed) \
  K(ASTC_6x5_SRGB_BLOCK, 16, 6, 5, 4, COLOR, kSrgb|kCompressed) \
  K(ASTC_6x6_UNORM_BLOCK, 16, 6, 6, 4, COLOR, kCompressed) \
  K(ASTC_6x6_SRGB_BLOCK, 16, 6, 6, 4, COLOR, kSrgb|kCompressed) \
  K(ASTC_8x5_UNORM_BLOCK, 16, 8, 5, 4, COLOR, kCompressed) \
  K(ASTC_8x5_SRGB_BLOCK, 16, 8, 5, 4, COLOR, kSrgb|kCompressed) \
  K(ASTC_8x6_UNORM_BLOCK, 16, 8, 6, 4, COLOR, kCompressed) \
  K(ASTC_8x6_SRGB_BLOCK, 16, 8, 6, 4, COLOR, kSrgb|kCompressed) \
  K(ASTC_8x8_UNORM_BLOCK, 16, 8, 8, 4, COLOR, kCompressed) \
  K(ASTC_8x8_SRGB_BLOCK, 16, 8, 8, 4, COLOR, kSrgb|kCompressed) \
  K(ASTC_10x5_UNORM_BLOCK, 16, 10, 5, 4, COLOR, kCompressed) \
  K(ASTC_10x5_SRGB_BLOCK, 16, 10, 5, 4, COLOR, kSrgb|kCompressed) \
  K(ASTC_10x6_UNORM_BLOCK, 16, 10, 6, 4, COLOR, kCompressed) \
  K(ASTC_10x6_SRGB_BLOCK, 16, 10, 6, 4, COLOR, kSrgb|kCompressed) \
  K(ASTC_10x8_UNORM_BLOCK, 16, 10, 8, 4, COLOR, kCompressed) \
  K(ASTC_10x8_SRGB_BLOCK, 16, 10, 8, 4, COLOR, kSrgb|kCompressed) \
  K(ASTC_10x10_UNORM_BLOCK, 16, 10, 10, 4, COLOR, kCompressed) \
  K(ASTC_10x10_SRGB_BLOCK, 16, 10, 10, 4, COLOR, kSrgb|kCompressed) \
  K(ASTC_12x10_UNORM_BLOCK, 16, 12, 10, 4, COLOR, kCompressed) \
  K(ASTC_12x10_SRGB_BLOCK, 16, 12, 10, 4, COLOR, kSrgb|kCompressed) \
  K(ASTC_12x12_UNORM_BLOCK, 16, 12, 12, 4, COLOR, kCompressed) \
  K(ASTC_12x12_SRGB_BLOCK, 16, 12, 12, 4, COLOR, kSrgb|kCompressed) \
  K(G8B8G8R8_422_UNORM, 4, 2, 1, 3, COLOR, 0) \
  K(B8G8R8G8_422_UNORM, 4, 2, 1, 3, COLOR, 0) \
  K(G8_B8_R8_3PLANE_420_UNORM, 1, 1, 1, 3, COLOR, kMultiPlanar) \
  K(G8_B8R8_2PLANE_420_UNORM, 1, 1, 1, 3, COLOR, kMultiPlanar) \
  K(G8_B8_R8_3PLANE_422_UNORM, 1, 1, 1, 3, COLOR, kMultiPlanar) \
  K(G8_B8R8_2PLANE_422_UNORM, 1, 1, 1, 3, COLOR, kMultiPlanar) \
  K(G8_B8_R8_3PLANE_444_UNORM, 1, 1, 1, 3, COLOR, kMultiPlanar) \
  K(R10X6_UNORM_PACK16, 2, 1, 1, 1, COLOR, 0) \
  K(R10X6G10X6_UNORM_2PACK16, 4, 1, 1, 2, COLOR, 0) \
  K(R10X6G10X6B10X6A10X6_UNORM_4PACK16, 8, 1, 1, 4, COLOR, 0) \
  K(G10X6B10X6G10X6R10X6_422_UNORM_4PACK16, 8, 2, 1, 3, COLOR, 0) \
  K(B10X6G10X6R10X6G10X6_422_UNORM_4PACK16, 8, 2, 1, 3, COLOR, 0) \
  K(G10X6_B10X6_R10X6_3PLANE_420_UNORM_3PACK16, 2, 1, 1, 3, COLOR, kMultiPlanar) \
  K(G10X6_B10X6R10X6_2PLANE_420_UNORM_3PACK16, 2, 1, 1, 3, COLOR, kMultiPlanar) \
  K(G10X6_B10X6_R10X6_3PLANE_422_UNORM_3PACK16, 2, 1, 1, 3, COLOR, kMultiPlanar) \
  K(G10X6_B10X6R10X6_2PLANE_422_UNORM_3PACK16, 2, 1, 1, 3, COLOR, kMultiPlanar) \
  K(G10X6_B10X6_R10X6_3PLANE_444_UNORM_3PACK16, 2, 1, 1, 3, COLOR, kMultiPlanar) \
  K(R12X4_UNORM_PACK16, 2, 1, 1, 1, COLOR, 0) \
  K(R12X4G12X4_UNORM_2PACK16, 4, 1, 1, 2, COLOR, 0) \
  K(R12X4G12X4B12X4A12X4_UNORM_4PACK16, 8, 1, 1, 4, COLOR, 0) \
  K(G12X4B12X4G12X4R12X4_422_UNORM_4PACK16, 8, 2, 1, 3, COLOR, 0) \
  K(B12X4G12X4R12X4G12X4_422_UNORM_4PACK16, 8, 2, 1, 3, COLOR, 0) \
  K(G12X4_B12X4_R12X4_3PLANE_420_UNORM_3PACK16, 2, 1, 1, 3, COLOR, kMultiPlanar) \
  K(G12X4_B12X4R12X4_2PLANE_420_UNORM_3PACK16, 2, 1, 1, 3, COLOR, kMultiPlanar) \
  K(G12X4_B12X4_R12X4_3PLANE_422_UNORM_3PACK16, 2, 1, 1, 3, COLOR, kMultiPlanar) \
  K(G12X4_B12X4R12X4_2PLANE_422_UNORM_3PACK16, 2, 1, 1, 3, COLOR, kMultiPlanar) \
  K(G12X4_B12X4_R12X4_3PLANE_444_UNORM_3PACK16, 2, 1, 1, 3, COLOR, kMultiPlanar) \
  K(G16B16G16R16_422_UNORM, 8, 2, 1, 3, COLOR, 0) \
  K(B16G16R16G16_422_UNORM, 8, 2, 1, 3, COLOR, 0) \
  K(G16_B16_R16_3PLANE_420_UNORM, 2, 1, 1, 3, COLOR, kMultiPlanar) \
  K(G16_B16R16_2PLANE_420_UNORM, 2, 1, 1, 3, COLOR, kMultiPlanar) \
  K(G16_B16_R16_3PLANE_422_UNORM, 2, 1, 1, 3, COLOR, kMultiPlanar) \
  K(G16_B16R16_2PLANE_422_UNORM, 2, 1, 1, 3, COLOR, kMultiPlanar) \
  K(G16_B16_R16_3PLANE_444_UNORM, 2, 1, 1, 3, COLOR, kMultiPlanar) \
  K(G8_B8R8_2PLANE_444_UNORM, 1, 1, 1, 3, COLOR, kMultiPlanar) \
  K(G10X6_B10X6R10X6_2PLANE_444_UNORM_3PACK16, 2, 1, 1, 3, COLOR, kMultiPlanar) \
  K(G12X4_B12X4R12X4_2PLANE_444_UNORM_3PACK16, 2, 1, 1, 3, COLOR, kMultiPlanar) \
  K(G16_B16R16_2PLANE_444_UNORM, 2, 1, 1, 3, COLOR, kMultiPlanar) \
  K(A4R4G4B4_UNORM_PACK16, 2, 1, 1, 4, COLOR, 0) \
  K(A4B4G4R4_UNORM_PACK16, 2, 1, 1, 4, COLOR, 0) \
  K(ASTC_4x4_SFLOAT_BLOCK, 16, 4, 4, 4, COLOR, kCompressed) \
  K(ASTC_5x4_SFLOAT_BLOCK, 16, 5, 4, 4, COLOR, kCompressed) \
  K(ASTC_5x5_SFLOAT_BLOCK, 16, 5, 5, 4, COLOR, kCompressed) \
  K(ASTC_6x5_SFLOAT_BLOCK, 16, 6, 5, 4, COLOR, kCompressed) \
  K(ASTC_6x6_SFLOAT_BLOCK, 16, 6, 6, 4, COLOR, kCompressed) \
  K(ASTC_8x5_SFLOAT_BLOCK, 16, 8, 5, 4, COLOR, kCompressed) \
  K(ASTC_8x6_SFLOAT_BLOCK, 16, 8, 6, 4, COLOR, kCompressed) \
  K(ASTC_8x8_SFLOAT_BLOCK, 16, 8, 8, 4, COLOR, kCompressed) \
  K(ASTC_10x5_SFLOAT_BLOCK, 16, 10, 5, 4, COLOR, kCompressed) \
  K(ASTC_10x6_SFLOAT_BLOCK, 16, 10, 6, 4, COLOR, kCompressed) \
  K(ASTC_10x8_SFLOAT_BLOCK, 16, 10, 8, 4, COLOR, kCompressed) \
  K(ASTC_10x10_SFLOAT_BLOCK, 16, 10, 10, 4, COLOR, kCompressed) \
  K(ASTC_12x10_SFLOAT_BLOCK, 16, 12, 10, 4, COLOR, kCompressed) \
  K(ASTC_12x12_SFLOAT_BLOCK, 16, 12, 12, 4, COLOR, kCompressed)

#define KILN_SRGB_PAIRS(P) \
  P(R8_SRGB, R8_UNORM) \
  P(R8G8_SRGB, R8G8_UNORM) \
  P(R8G8B8_SRGB, R8G8B8_UNORM) \
  P(B8G8R8_SRGB, B8G8R8_UNORM) \
  P(R8G8B8A8_SRGB, R8G8B8A8_UNORM) \
  P(B8G8R8A8_SRGB, B8G8R8A8_UNORM) \
  P(A8B8G8R8_SRGB_PACK32, A8B8G8R8_UNORM_PACK32) \
  P(BC1_RGB_SRGB_BLOCK, BC1_RGB_UNORM_BLOCK) \
  P(BC1_RGBA_SRGB_BLOCK, BC1_RGBA_UNORM_BLOCK) \
  P(BC2_SRGB_BLOCK, BC2_UNORM_BLOCK) \
  P(BC3_SRGB_BLOCK, BC3_UNORM_BLOCK) \
  P(BC7_SRGB_BLOCK, BC7_UNORM_BLOCK) \
  P(ETC2_R8G8B8_SRGB_BLOCK, ETC2_R8G8B8_UNORM_BLOCK) \
  P(ETC2_R8G8B8A1_SRGB_BLOCK, ETC2_R8G8B8A1_UNORM_BLOCK) \
  P(ETC2_R8G8B8A8_SRGB_BLOCK, ETC2_R8G8B8A8_UNORM_BLOCK) \
  P(ASTC_4x4_SRGB_BLOCK, ASTC_4x4_UNORM_BLOCK) \
  P(ASTC_5x4_SRGB_BLOCK, ASTC_5x4_UNORM_BLOCK) \
  P(ASTC_5x5_SRGB_BLOCK, ASTC_5x5_UNORM_BLOCK) \
  P(ASTC_6x5_SRGB_BLOCK, ASTC_6x5_UNORM_BLOCK) \
  P(ASTC_6x6_SRGB_BLOCK, ASTC_6x6_UNORM_BLOCK) \
  P(ASTC_8x5_SRGB_BLOCK, ASTC_8x5_UNORM_BLOCK) \
  P(ASTC_8x6_SRGB_BLOCK, ASTC_8x6_UNORM_BLOCK) \
  P(ASTC_8x8_SRGB_BLOCK, ASTC_8x8_UNORM_BLOCK) \
  P(ASTC_10x5_SRGB_BLOCK, ASTC_10x5_UNORM_BLOCK) \
  P(ASTC_10x6_SRGB_BLOCK, ASTC_10x6_UNORM_BLOCK) \
  P(ASTC_10x8_SRGB_BLOCK, ASTC_10x8_UNORM_BLOCK) \
  P(ASTC_10x10_SRGB_BLOCK, ASTC_10x10_UNORM_BLOCK) \
  P(ASTC_12x10_SRGB_BLOCK, ASTC_12x10_UNORM_BLOCK) \
  P(ASTC_12x12_SRGB_BLOCK, ASTC_12x12_UNORM_BLOCK)

enum Row : uint32_t {
  kUndefinedRow,
#define KILN_ROW(n, ...) kRow_##n,
  KILN_FORMATS(KILN_ROW)
#undef KILN_ROW
  kRowCount
};

constexpr FormatInfo make(const char* name, uint32_t bytes, uint32_t bw, uint32_t bh, uint32_t components,
                          VkImageAspectFlags aspect, uint32_t flags) {
  FormatInfo info;
  info.name = name;
  info.block_bytes = bytes;
  info.block_width = bw;
  info.block_height = bh;
  info.components = components;
  info.aspect = aspect;
  info.srgb = (flags & kSrgb) != 0;
  info.compressed = (flags & kCompressed) != 0;
  info.multi_planar = (flags & kMultiPlanar) != 0;
  info.known = true;
  return info;
}

constexpr FormatInfo kRows[kRowCount] = {
    FormatInfo{},
#define KILN_ROW(n, bytes, bw, bh, comps, aspect, flags) make("VK_FORMAT_" #n, bytes, bw, bh, comps, aspect, flags),
    KILN_FORMATS(KILN_ROW)
#undef KILN_ROW
};

Row row_of(VkFormat format) {
  switch (format) {
#define KILN_CASE(n, ...) \
  case VK_FORMAT_##n:     \
    return kRow_##n;
    KILN_FORMATS(KILN_CASE)
#undef KILN_CASE
    default:
      return kUndefinedRow;
  }
}

}  // namespace

const FormatInfo& format_info(VkFormat format) { return kRows[row_of(format)]; }

const char* format_name(VkFormat format) {
  const FormatInfo& info = format_info(format);
  if (info.known || format == VK_FORMAT_UNDEFINED) return info.name;
  return "VK_FORMAT_(unknown)";
}

uint32_t format_block_bytes(VkFormat format) { return format_info(format).block_bytes; }

VkExtent2D format_block_extent(VkFormat format) {
  const FormatInfo& info = format_info(format);
  return {info.block_width, info.block_height};
}

VkImageAspectFlags format_aspect(VkFormat format) { return format_info(format).aspect; }
bool is_depth(VkFormat format) { return (format_aspect(format) & VK_IMAGE_ASPECT_DEPTH_BIT) != 0; }
bool is_stencil(VkFormat format) { return (format_aspect(format) & VK_IMAGE_ASPECT_STENCIL_BIT) != 0; }
bool is_depth_stencil(VkFormat format) {
  return (format_aspect(format) & (VK_IMAGE_ASPECT_DEPTH_BIT | VK_IMAGE_ASPECT_STENCIL_BIT)) != 0;
}
bool is_srgb(VkFormat format) { return format_info(format).srgb; }
bool is_compressed(VkFormat format) { return format_info(format).compressed; }

VkFormat srgb_to_linear(VkFormat format) {
  switch (format) {
#define KILN_PAIR(s, u) \
  case VK_FORMAT_##s:   \
    return VK_FORMAT_##u;
    KILN_SRGB_PAIRS(KILN_PAIR)
#undef KILN_PAIR
    default:
      return format;
  }
}

VkFormat linear_to_srgb(VkFormat format) {
  switch (format) {
#define KILN_PAIR(s, u) \
  case VK_FORMAT_##u:   \
    return VK_FORMAT_##s;
    KILN_SRGB_PAIRS(KILN_PAIR)
#undef KILN_PAIR
    default:
      return format;
  }
}

uint64_t format_size(VkFormat format, VkExtent3D extent) {
  const FormatInfo& info = format_info(format);
  const uint64_t blocks_x = (uint64_t(extent.width) + info.block_width - 1) / info.block_width;
  const uint64_t blocks_y = (uint64_t(extent.height) + info.block_height - 1) / info.block_height;
  return blocks_x * blocks_y * uint64_t(extent.depth) * info.block_bytes;
}

}  // namespace kiln
