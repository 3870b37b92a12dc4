// Dynamic rendering: attachments described by kiln images or raw views, their uses done here.
#include <array>

#include "kiln/commands.h"
#include "kiln/context.h"
#include "kiln/error.h"
#include "kiln/image.h"
#include "kiln/log.h"

namespace kiln {
namespace {

constexpr uint32_t kMaxColors = 8;

bool discards(VkAttachmentLoadOp load) {
  return load == VK_ATTACHMENT_LOAD_OP_CLEAR || load == VK_ATTACHMENT_LOAD_OP_DONT_CARE;
}

VkExtent2D extent_of(const Image* image) {
  if (!image) return {0, 0};
  return {image->extent().width, image->extent().height};
}

}  // namespace

void CommandBuffer::begin_rendering(const RenderingDesc& desc) {
  const DeviceFunctions& fn = ctx_->fn();
  if (!fn.cmd_begin_rendering || !ctx_->has(Feature::DynamicRendering)) {
    throw Error("begin_rendering needs Feature::DynamicRendering, which this context does not have");
  }
  if (desc.colors.size() > kMaxColors) {
    throw Error(str("begin_rendering: ", desc.colors.size(), " color attachments, kiln handles up to ", kMaxColors));
  }

  std::array<VkRenderingAttachmentInfo, kMaxColors> colors{};
  VkExtent2D first_extent{0, 0};
  for (size_t i = 0; i < desc.colors.size(); ++i) {
    const ColorAttachment& c = desc.colors[i];
    if (c.image) use(*c.image, Use::ColorAttachment, discards(c.load));
    VkRenderingAttachmentInfo& a = colors[i];
    a.sType = VK_STRUCTURE_TYPE_RENDERING_ATTACHMENT_INFO;
    a.imageView = c.view ? c.view : (c.image ? c.image->view() : VK_NULL_HANDLE);
    a.imageLayout = VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL;
    a.loadOp = c.load;
    a.storeOp = c.store;
    a.clearValue.color = c.clear;
    if (c.resolve || c.resolve_view) {
      // The resolve target is written whole: its old contents never matter.
      if (c.resolve) use(*c.resolve, Use::ColorAttachment, /*discard=*/true);
      a.resolveMode = c.resolve_mode == VK_RESOLVE_MODE_NONE ? VK_RESOLVE_MODE_AVERAGE_BIT : c.resolve_mode;
      a.resolveImageView = c.resolve_view ? c.resolve_view : c.resolve->view();
      a.resolveImageLayout = VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL;
    }
    if (first_extent.width == 0) first_extent = extent_of(c.image);
  }

  VkRenderingAttachmentInfo depth{VK_STRUCTURE_TYPE_RENDERING_ATTACHMENT_INFO};
  const DepthAttachment& d = desc.depth;
  const bool has_depth = d.image || d.view;
  bool has_stencil = false;
  if (has_depth) {
    VkImageLayout layout = d.read_only ? VK_IMAGE_LAYOUT_DEPTH_STENCIL_READ_ONLY_OPTIMAL
                                       : VK_IMAGE_LAYOUT_DEPTH_STENCIL_ATTACHMENT_OPTIMAL;
    if (d.image) {
      use(*d.image, d.read_only ? Use::DepthRead : Use::DepthAttachment, !d.read_only && discards(d.load));
      has_stencil = (d.image->aspect() & VK_IMAGE_ASPECT_STENCIL_BIT) != 0;
      if (first_extent.width == 0) first_extent = extent_of(d.image);
    }
    depth.imageView = d.view ? d.view : d.image->view();
    depth.imageLayout = layout;
    depth.loadOp = d.load;
    depth.storeOp = d.store;
    depth.clearValue.depthStencil = d.clear;
  }

  VkRenderingInfo info{VK_STRUCTURE_TYPE_RENDERING_INFO};
  info.flags = desc.flags;
  info.renderArea = desc.area;
  if (info.renderArea.extent.width == 0 || info.renderArea.extent.height == 0) {
    if (first_extent.width == 0) {
      throw Error("begin_rendering: no render area given and no kiln Image among the attachments to take it from");
    }
    info.renderArea = {{0, 0}, first_extent};
  }
  info.layerCount = desc.layers == 0 ? 1 : desc.layers;
  info.viewMask = desc.view_mask;
  info.colorAttachmentCount = uint32_t(desc.colors.size());
  info.pColorAttachments = colors.data();
  info.pDepthAttachment = has_depth ? &depth : nullptr;
  info.pStencilAttachment = has_stencil ? &depth : nullptr;

  flush_barriers();
  fn.cmd_begin_rendering(cmd_, &info);
}

void CommandBuffer::end_rendering() {
  flush_barriers();
  ctx_->fn().cmd_end_rendering(cmd_);
}

}  // namespace kiln
