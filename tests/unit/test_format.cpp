// Format facts: sizes against the spec's texel-block table, aspects, sRGB pairs, sizes of mips.
#include <gtest/gtest.h>

#include <cstring>

#include "kiln/format.h"
#include "kiln/image.h"

namespace kiln {
namespace {

TEST(Format, BlockBytesOfPlainFormats) {
  EXPECT_EQ(format_block_bytes(VK_FORMAT_R8_UNORM), 1u);
  EXPECT_EQ(format_block_bytes(VK_FORMAT_R8G8_SNORM), 2u);
  EXPECT_EQ(format_block_bytes(VK_FORMAT_R8G8B8_UINT), 3u);
  EXPECT_EQ(format_block_bytes(VK_FORMAT_R8G8B8A8_UNORM), 4u);
  EXPECT_EQ(format_block_bytes(VK_FORMAT_B8G8R8A8_SRGB), 4u);
  EXPECT_EQ(format_block_bytes(VK_FORMAT_R16G16B16A16_SFLOAT), 8u);
  EXPECT_EQ(format_block_bytes(VK_FORMAT_R32G32B32_SFLOAT), 12u);
  EXPECT_EQ(format_block_bytes(VK_FORMAT_R32G32B32A32_UINT), 16u);
  EXPECT_EQ(format_block_bytes(VK_FORMAT_R64G64B64A64_SFLOAT), 32u);
  EXPECT_EQ(format_texel_bytes(VK_FORMAT_R64_UINT), 8u);
}

TEST(Format, BlockBytesOfPackedFormats) {
  EXPECT_EQ(format_block_bytes(VK_FORMAT_R4G4_UNORM_PACK8), 1u);
  EXPECT_EQ(format_block_bytes(VK_FORMAT_R5G6B5_UNORM_PACK16), 2u);
  EXPECT_EQ(format_block_bytes(VK_FORMAT_A4B4G4R4_UNORM_PACK16), 2u);
  EXPECT_EQ(format_block_bytes(VK_FORMAT_A2B10G10R10_UNORM_PACK32), 4u);
  EXPECT_EQ(format_block_bytes(VK_FORMAT_B10G11R11_UFLOAT_PACK32), 4u);
  EXPECT_EQ(format_block_bytes(VK_FORMAT_E5B9G9R9_UFLOAT_PACK32), 4u);
  EXPECT_EQ(format_block_bytes(VK_FORMAT_R10X6_UNORM_PACK16), 2u);
  EXPECT_EQ(format_block_bytes(VK_FORMAT_R12X4G12X4B12X4A12X4_UNORM_4PACK16), 8u);
  EXPECT_EQ(format_info(VK_FORMAT_B10G11R11_UFLOAT_PACK32).components, 3u);
  EXPECT_EQ(format_info(VK_FORMAT_E5B9G9R9_UFLOAT_PACK32).components, 3u);
  EXPECT_EQ(format_info(VK_FORMAT_R10X6G10X6_UNORM_2PACK16).components, 2u);
}

TEST(Format, DepthAndStencil) {
  EXPECT_EQ(format_block_bytes(VK_FORMAT_D16_UNORM), 2u);
  EXPECT_EQ(format_block_bytes(VK_FORMAT_X8_D24_UNORM_PACK32), 4u);
  EXPECT_EQ(format_block_bytes(VK_FORMAT_D32_SFLOAT), 4u);
  EXPECT_EQ(format_block_bytes(VK_FORMAT_S8_UINT), 1u);
  EXPECT_EQ(format_block_bytes(VK_FORMAT_D16_UNORM_S8_UINT), 3u);
  EXPECT_EQ(format_block_bytes(VK_FORMAT_D24_UNORM_S8_UINT), 4u);
  EXPECT_EQ(format_block_bytes(VK_FORMAT_D32_SFLOAT_S8_UINT), 5u);

  EXPECT_EQ(format_aspect(VK_FORMAT_D32_SFLOAT), VkImageAspectFlags(VK_IMAGE_ASPECT_DEPTH_BIT));
  EXPECT_EQ(format_aspect(VK_FORMAT_S8_UINT), VkImageAspectFlags(VK_IMAGE_ASPECT_STENCIL_BIT));
  EXPECT_EQ(format_aspect(VK_FORMAT_D24_UNORM_S8_UINT),
            VkImageAspectFlags(VK_IMAGE_ASPECT_DEPTH_BIT | VK_IMAGE_ASPECT_STENCIL_BIT));
  EXPECT_EQ(format_aspect(VK_FORMAT_R32_SFLOAT), VkImageAspectFlags(VK_IMAGE_ASPECT_COLOR_BIT));

  EXPECT_TRUE(is_depth(VK_FORMAT_D16_UNORM));
  EXPECT_TRUE(is_depth(VK_FORMAT_D32_SFLOAT_S8_UINT));
  EXPECT_FALSE(is_depth(VK_FORMAT_S8_UINT));
  EXPECT_FALSE(is_depth(VK_FORMAT_R32_SFLOAT));  // a float colour format is not depth
  EXPECT_TRUE(is_stencil(VK_FORMAT_S8_UINT));
  EXPECT_TRUE(is_stencil(VK_FORMAT_D24_UNORM_S8_UINT));
  EXPECT_FALSE(is_stencil(VK_FORMAT_D32_SFLOAT));
  EXPECT_TRUE(is_depth_stencil(VK_FORMAT_S8_UINT));
  EXPECT_FALSE(is_depth_stencil(VK_FORMAT_R8_UINT));
}

TEST(Format, CompressedBlocks) {
  EXPECT_TRUE(is_compressed(VK_FORMAT_BC1_RGB_UNORM_BLOCK));
  EXPECT_EQ(format_block_bytes(VK_FORMAT_BC1_RGBA_SRGB_BLOCK), 8u);
  EXPECT_EQ(format_block_bytes(VK_FORMAT_BC3_UNORM_BLOCK), 16u);
  EXPECT_EQ(format_block_bytes(VK_FORMAT_BC4_SNORM_BLOCK), 8u);
  EXPECT_EQ(format_block_bytes(VK_FORMAT_BC5_UNORM_BLOCK), 16u);
  EXPECT_EQ(format_block_bytes(VK_FORMAT_BC6H_UFLOAT_BLOCK), 16u);
  EXPECT_EQ(format_block_bytes(VK_FORMAT_BC7_SRGB_BLOCK), 16u);
  EXPECT_EQ(format_block_bytes(VK_FORMAT_ETC2_R8G8B8_UNORM_BLOCK), 8u);
  EXPECT_EQ(format_block_bytes(VK_FORMAT_ETC2_R8G8B8A1_UNORM_BLOCK), 8u);
  EXPECT_EQ(format_block_bytes(VK_FORMAT_ETC2_R8G8B8A8_SRGB_BLOCK), 16u);
  EXPECT_EQ(format_block_bytes(VK_FORMAT_EAC_R11_UNORM_BLOCK), 8u);
  EXPECT_EQ(format_block_bytes(VK_FORMAT_EAC_R11G11_SNORM_BLOCK), 16u);
  const VkExtent2D bc = format_block_extent(VK_FORMAT_BC7_UNORM_BLOCK);
  EXPECT_EQ(bc.width, 4u);
  EXPECT_EQ(bc.height, 4u);
  const VkExtent2D astc = format_block_extent(VK_FORMAT_ASTC_10x6_UNORM_BLOCK);
  EXPECT_EQ(astc.width, 10u);
  EXPECT_EQ(astc.height, 6u);
  EXPECT_EQ(format_block_bytes(VK_FORMAT_ASTC_12x12_SFLOAT_BLOCK), 16u);
  EXPECT_EQ(format_block_extent(VK_FORMAT_R8_UNORM).width, 1u);
  EXPECT_FALSE(is_compressed(VK_FORMAT_R8_UNORM));
  // 422 formats have 2x1 blocks; planar formats are flagged.
  EXPECT_EQ(format_block_extent(VK_FORMAT_G8B8G8R8_422_UNORM).width, 2u);
  EXPECT_EQ(format_block_bytes(VK_FORMAT_G8B8G8R8_422_UNORM), 4u);
  EXPECT_TRUE(format_info(VK_FORMAT_G8_B8R8_2PLANE_420_UNORM).multi_planar);
}

TEST(Format, Srgb) {
  EXPECT_TRUE(is_srgb(VK_FORMAT_R8G8B8A8_SRGB));
  EXPECT_TRUE(is_srgb(VK_FORMAT_BC7_SRGB_BLOCK));
  EXPECT_TRUE(is_srgb(VK_FORMAT_ASTC_4x4_SRGB_BLOCK));
  EXPECT_FALSE(is_srgb(VK_FORMAT_R8G8B8A8_UNORM));
  EXPECT_EQ(srgb_to_linear(VK_FORMAT_B8G8R8A8_SRGB), VK_FORMAT_B8G8R8A8_UNORM);
  EXPECT_EQ(srgb_to_linear(VK_FORMAT_BC1_RGB_SRGB_BLOCK), VK_FORMAT_BC1_RGB_UNORM_BLOCK);
  EXPECT_EQ(linear_to_srgb(VK_FORMAT_R8G8B8A8_UNORM), VK_FORMAT_R8G8B8A8_SRGB);
  EXPECT_EQ(linear_to_srgb(VK_FORMAT_ASTC_8x8_UNORM_BLOCK), VK_FORMAT_ASTC_8x8_SRGB_BLOCK);
  EXPECT_EQ(linear_to_srgb(VK_FORMAT_R32_SFLOAT), VK_FORMAT_R32_SFLOAT);  // has none
  EXPECT_EQ(srgb_to_linear(VK_FORMAT_R8G8B8A8_UNORM), VK_FORMAT_R8G8B8A8_UNORM);
}

TEST(Format, Names) {
  EXPECT_STREQ(format_name(VK_FORMAT_R8G8B8A8_UNORM), "VK_FORMAT_R8G8B8A8_UNORM");
  EXPECT_STREQ(format_name(VK_FORMAT_D24_UNORM_S8_UINT), "VK_FORMAT_D24_UNORM_S8_UINT");
  EXPECT_STREQ(format_name(VK_FORMAT_ASTC_4x4_SFLOAT_BLOCK), "VK_FORMAT_ASTC_4x4_SFLOAT_BLOCK");
  EXPECT_STREQ(format_name(VK_FORMAT_UNDEFINED), "VK_FORMAT_UNDEFINED");
  EXPECT_STREQ(format_name(VkFormat(123456)), "VK_FORMAT_(unknown)");
  EXPECT_FALSE(format_info(VkFormat(123456)).known);
  EXPECT_EQ(format_block_bytes(VkFormat(123456)), 0u);
  EXPECT_TRUE(format_info(VK_FORMAT_R16_SFLOAT).known);
}

// Every core format from 1 to VK_FORMAT_ASTC_12x12_SRGB_BLOCK (184) is in the table, with a size.
TEST(Format, EveryCoreFormatIsKnown) {
  for (int f = 1; f <= int(VK_FORMAT_ASTC_12x12_SRGB_BLOCK); ++f) {
    const FormatInfo& info = format_info(VkFormat(f));
    EXPECT_TRUE(info.known) << f;
    EXPECT_GT(info.block_bytes, 0u) << info.name;
    EXPECT_NE(info.aspect, 0u) << info.name;
    EXPECT_GT(info.components, 0u) << info.name;
    EXPECT_EQ(std::strncmp(info.name, "VK_FORMAT_", 10), 0) << info.name;
  }
}

TEST(Format, SizeOfAnExtent) {
  EXPECT_EQ(format_size(VK_FORMAT_R8G8B8A8_UNORM, {16, 8, 1}), 16u * 8u * 4u);
  EXPECT_EQ(format_size(VK_FORMAT_R32_SFLOAT, {4, 4, 4}), 256u);
  // Partial blocks round up: 5x5 texels of BC1 are 2x2 blocks of 8 bytes.
  EXPECT_EQ(format_size(VK_FORMAT_BC1_RGB_UNORM_BLOCK, {5, 5, 1}), 32u);
  EXPECT_EQ(format_size(VK_FORMAT_ASTC_12x12_UNORM_BLOCK, {13, 12, 1}), 32u);
}

TEST(Format, MipChain) {
  EXPECT_EQ(full_mip_count({1, 1, 1}), 1u);
  EXPECT_EQ(full_mip_count({2, 1, 1}), 2u);
  EXPECT_EQ(full_mip_count({1024, 512, 1}), 11u);
  EXPECT_EQ(full_mip_count({1000, 1, 1}), 10u);
  EXPECT_EQ(full_mip_count({4, 4, 64}), 7u);
  EXPECT_EQ(full_mip_count({0, 0, 0}), 1u);
  const VkExtent3D m = mip_extent({1000, 300, 1}, 3);
  EXPECT_EQ(m.width, 125u);
  EXPECT_EQ(m.height, 37u);
  EXPECT_EQ(m.depth, 1u);
  const VkExtent3D last = mip_extent({1000, 300, 1}, 9);
  EXPECT_EQ(last.width, 1u);
  EXPECT_EQ(last.height, 1u);
  EXPECT_EQ(mip_extent({8, 8, 8}, 40).width, 1u);
}

}  // namespace
}  // namespace kiln
