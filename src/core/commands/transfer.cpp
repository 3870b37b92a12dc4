// Copies, blits, fills, clears and mip generation; each does the use() of what it touches.
#include <algorithm>

#include "kiln/buffer.h"
#include "kiln/commands.h"
#include "kiln/context.h"
#include "kiln/error.h"
#include "kiln/log.h"
#include "kiln/image.h"

namespace kiln {
namespace {

// The color/depth aspect copies address (copies take one aspect at a time; depth for depth+stencil).
VkImageAspectFlags copy_aspect(const Image& image) {
  VkImageAspectFlags a = image.aspect();
  if (a & VK_IMAGE_ASPECT_DEPTH_BIT) return VK_IMAGE_ASPECT_DEPTH_BIT;
  return a;
}

VkImageSubresourceLayers layers_of(const Image& image, uint32_t mip) {
  return {copy_aspect(image), mip, 0, image.layers()};
}

VkOffset3D as_offset(VkExtent3D e) { return {int32_t(e.width), int32_t(e.height), int32_t(e.depth)}; }

}  // namespace

void CommandBuffer::copy_buffer(Buffer& src, Buffer& dst) {
  const VkBufferCopy region{0, 0, std::min(src.size(), dst.size())};
  copy_buffer(src, dst, Slice<VkBufferCopy>(region));
}

void CommandBuffer::copy_buffer(Buffer& src, Buffer& dst, Slice<VkBufferCopy> regions) {
  use(src, Use::TransferSrc);
  use(dst, Use::TransferDst);
  flush_barriers();
  vkCmdCopyBuffer(cmd_, src.handle(), dst.handle(), uint32_t(regions.size()), regions.data());
}

void CommandBuffer::copy_buffer_to_image(Buffer& src, Image& dst, uint32_t mip, VkDeviceSize offset) {
  const VkBufferImageCopy region{offset, 0, 0, layers_of(dst, mip), {0, 0, 0}, dst.mip_extent(mip)};
  copy_buffer_to_image(src, dst, Slice<VkBufferImageCopy>(region));
}

void CommandBuffer::copy_buffer_to_image(Buffer& src, Image& dst, Slice<VkBufferImageCopy> regions) {
  use(src, Use::TransferSrc);
  use(dst, Use::TransferDst);
  flush_barriers();
  vkCmdCopyBufferToImage(cmd_, src.handle(), dst.handle(), VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
                         uint32_t(regions.size()), regions.data());
}

void CommandBuffer::copy_image_to_buffer(Image& src, Buffer& dst, uint32_t mip, VkDeviceSize offset) {
  const VkBufferImageCopy region{offset, 0, 0, layers_of(src, mip), {0, 0, 0}, src.mip_extent(mip)};
  copy_image_to_buffer(src, dst, Slice<VkBufferImageCopy>(region));
}

void CommandBuffer::copy_image_to_buffer(Image& src, Buffer& dst, Slice<VkBufferImageCopy> regions) {
  use(src, Use::TransferSrc);
  use(dst, Use::TransferDst);
  flush_barriers();
  vkCmdCopyImageToBuffer(cmd_, src.handle(), VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, dst.handle(),
                         uint32_t(regions.size()), regions.data());
}

void CommandBuffer::copy_image(Image& src, Image& dst) {
  const VkExtent3D a = src.extent(), b = dst.extent();
  const VkImageCopy region{layers_of(src, 0), {0, 0, 0}, layers_of(dst, 0), {0, 0, 0},
                           {std::min(a.width, b.width), std::min(a.height, b.height), std::min(a.depth, b.depth)}};
  copy_image(src, dst, Slice<VkImageCopy>(region));
}

void CommandBuffer::copy_image(Image& src, Image& dst, Slice<VkImageCopy> regions) {
  use(src, Use::TransferSrc);
  use(dst, Use::TransferDst);
  flush_barriers();
  vkCmdCopyImage(cmd_, src.handle(), VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, dst.handle(),
                 VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, uint32_t(regions.size()), regions.data());
}

void CommandBuffer::blit_image(Image& src, Image& dst, VkFilter filter) {
  const VkImageBlit region{layers_of(src, 0), {{0, 0, 0}, as_offset(src.extent())}, layers_of(dst, 0),
                           {{0, 0, 0}, as_offset(dst.extent())}};
  blit_image(src, dst, Slice<VkImageBlit>(region), filter);
}

void CommandBuffer::blit_image(Image& src, Image& dst, Slice<VkImageBlit> regions, VkFilter filter) {
  use(src, Use::TransferSrc);
  use(dst, Use::TransferDst);
  flush_barriers();
  vkCmdBlitImage(cmd_, src.handle(), VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, dst.handle(),
                 VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, uint32_t(regions.size()), regions.data(), filter);
}

void CommandBuffer::fill_buffer(Buffer& dst, uint32_t value, VkDeviceSize offset, VkDeviceSize size) {
  use(dst, Use::TransferDst);
  flush_barriers();
  vkCmdFillBuffer(cmd_, dst.handle(), offset, size, value);
}

void CommandBuffer::update_buffer(Buffer& dst, VkDeviceSize offset, VkDeviceSize size, const void* data) {
  use(dst, Use::TransferDst);
  flush_barriers();
  vkCmdUpdateBuffer(cmd_, dst.handle(), offset, size, data);
}

void CommandBuffer::clear_color_image(Image& image, const VkClearColorValue& color) {
  use(image, Use::TransferDst, /*discard=*/true);
  flush_barriers();
  const VkImageSubresourceRange range = image.full_range();
  vkCmdClearColorImage(cmd_, image.handle(), VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, &color, 1, &range);
}

void CommandBuffer::clear_depth_stencil_image(Image& image, const VkClearDepthStencilValue& value) {
  use(image, Use::TransferDst, /*discard=*/true);
  flush_barriers();
  const VkImageSubresourceRange range = image.full_range();
  vkCmdClearDepthStencilImage(cmd_, image.handle(), VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, &value, 1, &range);
}

void CommandBuffer::generate_mips(Image& image, Use final_use) {
  const uint32_t levels = image.mip_levels();
  if (levels <= 1) {
    use(image, final_use);
    return;
  }
  VkFormatProperties props{};
  vkGetPhysicalDeviceFormatProperties(ctx_->physical_device(), image.format(), &props);
  const VkFormatFeatureFlags features = image.tiling() == VK_IMAGE_TILING_LINEAR ? props.linearTilingFeatures
                                                                                 : props.optimalTilingFeatures;
  constexpr VkFormatFeatureFlags kBlit = VK_FORMAT_FEATURE_BLIT_SRC_BIT | VK_FORMAT_FEATURE_BLIT_DST_BIT;
  if ((features & kBlit) != kBlit) {
    throw Error(str("generate_mips: the format of image '", image.name(), "' (VkFormat ", int(image.format()),
                    ") cannot be blitted on this device; fill its mips another way (a compute shader)"));
  }
  // Integer formats cannot be filtered linearly: they get the nearest texel instead.
  const VkFilter filter =
      (features & VK_FORMAT_FEATURE_SAMPLED_IMAGE_FILTER_LINEAR_BIT) ? VK_FILTER_LINEAR : VK_FILTER_NEAREST;
  // Everything to TRANSFER_SRC first (the tracked path: waits for whatever wrote mip 0), then mips
  // 1.. to TRANSFER_DST, discarding them: each is overwritten whole by the blit from the one above.
  use(image, Use::TransferSrc);
  VkImageSubresourceRange rest = image.full_range();
  rest.baseMipLevel = 1;
  rest.levelCount = levels - 1;
  queue_barrier(image.handle(), rest,
                BarrierPlan{.needed = true,
                            .src_stages = VK_PIPELINE_STAGE_2_TRANSFER_BIT,
                            .dst_stages = VK_PIPELINE_STAGE_2_TRANSFER_BIT,
                            .dst_access = VK_ACCESS_2_TRANSFER_WRITE_BIT,
                            .old_layout = VK_IMAGE_LAYOUT_UNDEFINED,
                            .new_layout = VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL});
  for (uint32_t level = 1; level < levels; ++level) {
    flush_barriers();
    const VkImageBlit blit{layers_of(image, level - 1), {{0, 0, 0}, as_offset(image.mip_extent(level - 1))},
                           layers_of(image, level), {{0, 0, 0}, as_offset(image.mip_extent(level))}};
    vkCmdBlitImage(cmd_, image.handle(), VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, image.handle(),
                   VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 1, &blit, filter);
    VkImageSubresourceRange one = image.full_range();
    one.baseMipLevel = level;
    one.levelCount = 1;
    queue_barrier(image.handle(), one,
                  BarrierPlan{.needed = true,
                              .src_stages = VK_PIPELINE_STAGE_2_TRANSFER_BIT,
                              .src_access = VK_ACCESS_2_TRANSFER_WRITE_BIT,
                              .dst_stages = VK_PIPELINE_STAGE_2_TRANSFER_BIT,
                              .dst_access = VK_ACCESS_2_TRANSFER_READ_BIT,
                              .old_layout = VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
                              .new_layout = VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL});
  }
  // Every mip is in TRANSFER_SRC now, its writes visible to transfer reads; the tracked path takes
  // it from there to the final use.
  ResourceState& s = image.state();
  s.write_stages = VK_PIPELINE_STAGE_2_TRANSFER_BIT;
  s.write_access = VK_ACCESS_2_TRANSFER_WRITE_BIT;
  s.read_stages = VK_PIPELINE_STAGE_2_TRANSFER_BIT;
  s.visible_access = VK_ACCESS_2_TRANSFER_READ_BIT;
  s.layout = VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL;
  use(image, final_use);
}

}  // namespace kiln
