// The layout barriers around the layer's copies, on their own (no Vulkan device): one per subresource
// when its aspects share a layout that names both, one per aspect when they do not.
#include <gtest/gtest.h>

#include "hook/copy_barriers.h"

using namespace kiln::layer;

namespace {

const VkImage kImage = reinterpret_cast<VkImage>(uintptr_t(0x1000));
constexpr VkImageAspectFlags kBoth = VK_IMAGE_ASPECT_DEPTH_BIT | VK_IMAGE_ASPECT_STENCIL_BIT;

CopiedSubresource sub(VkImageLayout layout, VkImageAspectFlags aspect, uint32_t layer = 0) {
  return {kImage, 0, layer, layout, kBoth, aspect};
}

}  // namespace

TEST(CopyBarriers, SharedDepthStencilLayoutMovesBothAspectsOnce) {
  std::vector<VkImageMemoryBarrier> to, back;
  copy_layout_barriers({sub(VK_IMAGE_LAYOUT_DEPTH_STENCIL_ATTACHMENT_OPTIMAL, VK_IMAGE_ASPECT_DEPTH_BIT),
                        sub(VK_IMAGE_LAYOUT_DEPTH_STENCIL_ATTACHMENT_OPTIMAL, VK_IMAGE_ASPECT_STENCIL_BIT)},
                       to, back);
  ASSERT_EQ(to.size(), 1u);
  EXPECT_EQ(to[0].subresourceRange.aspectMask, kBoth);
  EXPECT_EQ(to[0].oldLayout, VK_IMAGE_LAYOUT_DEPTH_STENCIL_ATTACHMENT_OPTIMAL);
  EXPECT_EQ(to[0].newLayout, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL);
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].newLayout, VK_IMAGE_LAYOUT_DEPTH_STENCIL_ATTACHMENT_OPTIMAL);
}

TEST(CopyBarriers, OneAspectInACombinedLayoutStillMovesBoth) {
  // Without separateDepthStencilLayouts a barrier must name both aspects; the combined layout says
  // the other aspect is there too.
  std::vector<VkImageMemoryBarrier> to, back;
  copy_layout_barriers({sub(VK_IMAGE_LAYOUT_DEPTH_STENCIL_READ_ONLY_OPTIMAL, VK_IMAGE_ASPECT_DEPTH_BIT)}, to, back);
  ASSERT_EQ(to.size(), 1u);
  EXPECT_EQ(to[0].subresourceRange.aspectMask, kBoth);
}

TEST(CopyBarriers, SeparateLayoutsMoveEachAspectFromItsOwn) {
  std::vector<VkImageMemoryBarrier> to, back;
  copy_layout_barriers({sub(VK_IMAGE_LAYOUT_STENCIL_ATTACHMENT_OPTIMAL, VK_IMAGE_ASPECT_STENCIL_BIT),
                        sub(VK_IMAGE_LAYOUT_DEPTH_ATTACHMENT_OPTIMAL, VK_IMAGE_ASPECT_DEPTH_BIT)},
                       to, back);
  ASSERT_EQ(to.size(), 2u);
  for (const VkImageMemoryBarrier& b : to) {
    const bool depth = b.subresourceRange.aspectMask == VK_IMAGE_ASPECT_DEPTH_BIT;
    EXPECT_TRUE(depth || b.subresourceRange.aspectMask == VK_IMAGE_ASPECT_STENCIL_BIT);
    EXPECT_EQ(b.oldLayout, depth ? VK_IMAGE_LAYOUT_DEPTH_ATTACHMENT_OPTIMAL : VK_IMAGE_LAYOUT_STENCIL_ATTACHMENT_OPTIMAL);
  }
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[0].newLayout, to[0].oldLayout);
}

TEST(CopyBarriers, OneAspectInItsOwnLayoutMovesOnlyThatAspect) {
  std::vector<VkImageMemoryBarrier> to, back;
  copy_layout_barriers({sub(VK_IMAGE_LAYOUT_DEPTH_READ_ONLY_OPTIMAL, VK_IMAGE_ASPECT_DEPTH_BIT)}, to, back);
  ASSERT_EQ(to.size(), 1u);
  EXPECT_EQ(to[0].subresourceRange.aspectMask, VK_IMAGE_ASPECT_DEPTH_BIT);
}

TEST(CopyBarriers, CombinedLayoutsThatDifferMoveEachAspect) {
  std::vector<VkImageMemoryBarrier> to, back;
  copy_layout_barriers({sub(VK_IMAGE_LAYOUT_DEPTH_STENCIL_ATTACHMENT_OPTIMAL, VK_IMAGE_ASPECT_DEPTH_BIT),
                        sub(VK_IMAGE_LAYOUT_DEPTH_STENCIL_READ_ONLY_OPTIMAL, VK_IMAGE_ASPECT_STENCIL_BIT)},
                       to, back);
  EXPECT_EQ(to.size(), 2u);
}

TEST(CopyBarriers, DuplicatesAndTransferLayoutsNeedNoMore) {
  std::vector<VkImageMemoryBarrier> to, back;
  const CopiedSubresource colour{kImage, 0, 1, VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL, VK_IMAGE_ASPECT_COLOR_BIT,
                                 VK_IMAGE_ASPECT_COLOR_BIT};
  CopiedSubresource ready = colour;
  ready.layer = 2;
  ready.layout = VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL;
  copy_layout_barriers({colour, colour, ready}, to, back);
  ASSERT_EQ(to.size(), 1u);  // the duplicate once; the layer already in TRANSFER_SRC not at all
  EXPECT_EQ(to[0].subresourceRange.baseArrayLayer, 1u);
  EXPECT_EQ(to[0].subresourceRange.aspectMask, VkImageAspectFlags(VK_IMAGE_ASPECT_COLOR_BIT));
}
