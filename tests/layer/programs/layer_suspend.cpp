// A render pass instance that spans three command buffers of one submission, for the capture layer:
// dynamic rendering suspended at the end of the first (VK_RENDERING_SUSPENDING_BIT), resumed and
// suspended again in the second, resumed and ended in the third. Each command buffer draws once, a
// flat colour from push constants into its own rectangle of a 4x4 RGBA8 attachment cleared when the
// instance began: red on the left half, green on the top half, blue on the bottom-right quarter.
// Frame 2 (the second submission) holds the three draws; KILN_CAPTURE_COMMAND=draw:N picks one, and
// the layer splits the suspended/resumed rendering around it: the part before ends the instance
// (which an earlier command buffer may have begun), the part after begins a new one that suspends
// where the program's did, so later command buffers resume it. The capture's colour attachment must
// show the picture before and after that draw; the program's own picture must not change.
#include <array>
#include <string>

#include "push_colour_frag.h"
#include "subpass_fullscreen_vert.h"
#include "vk_program.h"

using namespace prog;

namespace {

constexpr uint32_t W = 4, H = 4, kDraws = 3;
constexpr Rgba kClear{51, 102, 153, 255};
constexpr Rgba kColour[kDraws] = {{255, 0, 0, 255}, {0, 255, 0, 255}, {0, 0, 255, 255}};
constexpr VkRect2D kRect[kDraws] = {{{0, 0}, {W / 2, H}}, {{0, 0}, {W, H / 2}}, {{int32_t(W / 2), int32_t(H / 2)}, {W / 2, H / 2}}};

// The attachment after the first `draws` draws.
std::vector<Rgba> picture(uint32_t draws) {
  std::vector<Rgba> px(W * H, kClear);
  for (uint32_t d = 0; d < draws; ++d) {
    const VkRect2D& r = kRect[d];
    for (uint32_t y = uint32_t(r.offset.y); y < uint32_t(r.offset.y) + r.extent.height; ++y)
      for (uint32_t x = uint32_t(r.offset.x); x < uint32_t(r.offset.x) + r.extent.width; ++x) px[y * W + x] = kColour[d];
  }
  return px;
}

}  // namespace

int main() {
  {
    Gpu gpu;
    const VkFormat format = VK_FORMAT_R8G8B8A8_UNORM;
    Image target = gpu.image(format, {W, H}, VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT);
    gpu.name(VK_OBJECT_TYPE_IMAGE, (uint64_t)target.image, "target");
    Buffer readback = gpu.buffer(W * H * 4, VK_BUFFER_USAGE_TRANSFER_DST_BIT);

    // Submission 1: the attachment into its layout.
    gpu.run([&](VkCommandBuffer cb) {
      transition(cb, target.image, VK_IMAGE_LAYOUT_UNDEFINED, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL);
    });

    VkShaderModule vs = gpu.shader(subpass_fullscreen_vert, sizeof(subpass_fullscreen_vert));
    VkShaderModule fs = gpu.shader(push_colour_frag, sizeof(push_colour_frag));
    VkPushConstantRange push{VK_SHADER_STAGE_FRAGMENT_BIT, 0, 16};
    VkPipelineLayoutCreateInfo pli{VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
    pli.pushConstantRangeCount = 1;
    pli.pPushConstantRanges = &push;
    VkPipelineLayout layout;
    VKCHECK(vkCreatePipelineLayout(gpu.device, &pli, nullptr, &layout));
    VkPipeline pipeline = gpu.simple_pipeline({.vs = vs, .fs = fs, .layout = layout, .format = format});
    gpu.name(VK_OBJECT_TYPE_PIPELINE, (uint64_t)pipeline, "push_colour");

    // Submission 2 (frame 2): three command buffers, one render pass instance.
    VkCommandBuffer cbs3[kDraws];
    for (uint32_t i = 0; i < kDraws; ++i) {
      VkCommandBuffer cb = cbs3[i] = gpu.command_buffer();
      VkCommandBufferBeginInfo bi{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
      bi.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
      VKCHECK(vkBeginCommandBuffer(cb, &bi));
      VkRenderingAttachmentInfo color{VK_STRUCTURE_TYPE_RENDERING_ATTACHMENT_INFO};
      color.imageView = target.view;
      color.imageLayout = VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL;
      color.loadOp = VK_ATTACHMENT_LOAD_OP_CLEAR;
      color.storeOp = VK_ATTACHMENT_STORE_OP_STORE;
      for (int c = 0; c < 4; ++c) color.clearValue.color.float32[c] = kClear[c] / 255.0f;
      VkRenderingInfo ri{VK_STRUCTURE_TYPE_RENDERING_INFO};
      ri.flags = (i > 0 ? VK_RENDERING_RESUMING_BIT : 0) | (i + 1 < kDraws ? VK_RENDERING_SUSPENDING_BIT : 0);
      ri.renderArea = {{0, 0}, {W, H}};
      ri.layerCount = 1;
      ri.colorAttachmentCount = 1;
      ri.pColorAttachments = &color;
      vkCmdBeginRendering(cb, &ri);
      vkCmdBindPipeline(cb, VK_PIPELINE_BIND_POINT_GRAPHICS, pipeline);
      const VkViewport vp{0, 0, float(W), float(H), 0, 1};
      vkCmdSetViewport(cb, 0, 1, &vp);
      vkCmdSetScissor(cb, 0, 1, &kRect[i]);
      float rgba[4];
      for (int c = 0; c < 4; ++c) rgba[c] = kColour[i][c] / 255.0f;
      vkCmdPushConstants(cb, layout, VK_SHADER_STAGE_FRAGMENT_BIT, 0, sizeof rgba, rgba);
      vkCmdDraw(cb, 3, 1, 0, 0);
      vkCmdEndRendering(cb);
      if (i + 1 == kDraws) {
        transition(cb, target.image, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL);
        VkBufferImageCopy r{};
        r.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
        r.imageExtent = {W, H, 1};
        vkCmdCopyImageToBuffer(cb, target.image, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, readback.buffer, 1, &r);
        VkMemoryBarrier host{VK_STRUCTURE_TYPE_MEMORY_BARRIER, nullptr, VK_ACCESS_TRANSFER_WRITE_BIT, VK_ACCESS_HOST_READ_BIT};
        vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &host, 0, nullptr, 0,
                             nullptr);
      }
      VKCHECK(vkEndCommandBuffer(cb));
    }
    VkFence fence;
    VkFenceCreateInfo fi{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
    VKCHECK(vkCreateFence(gpu.device, &fi, nullptr, &fence));
    VkSubmitInfo si{VK_STRUCTURE_TYPE_SUBMIT_INFO};
    si.commandBufferCount = kDraws;
    si.pCommandBuffers = cbs3;
    VKCHECK(vkQueueSubmit(gpu.queue, 1, &si, fence));
    VKCHECK(vkWaitForFences(gpu.device, 1, &fence, VK_TRUE, UINT64_MAX));
    vkDestroyFence(gpu.device, fence, nullptr);
    vkFreeCommandBuffers(gpu.device, gpu.pool, kDraws, cbs3);

    EXPECT(same(readback.mapped, W * H * 4, picture(kDraws)), "the program's own picture: %s",
           show(readback.mapped, W * H * 4).c_str());

    const char* spec = std::getenv("KILN_CAPTURE_COMMAND");
    if (gpu.has_api && spec) {
      const uint32_t n = std::string(spec).rfind("draw:", 0) == 0 ? uint32_t(std::atoi(spec + 5)) : 0;
      EXPECT(n >= 1 && n <= kDraws, "KILN_CAPTURE_COMMAND=%s: layer_suspend checks draw:1 to draw:%u", spec, kDraws);
      const KilnCapture* c = n >= 1 && n <= kDraws ? take_capture(gpu) : nullptr;
      if (c) {
        dump(c);
        EXPECT(std::string(c->command) == "vkCmdDraw(3, 1, 0, 0)", "command %s", c->command);
        const KilnCaptureResource* color = find(c, "color_attachment", 0);
        if (color) {
          EXPECT(color->is_image && color->written && std::string(color->debug_name) == "target", "attachment description");
          EXPECT(same(color->before, color->before_size, picture(n - 1)), "before draw %u: %s", n,
                 show(color->before, color->before_size).c_str());
          EXPECT(same(color->after, color->after_size, picture(n)), "after draw %u: %s", n,
                 show(color->after, color->after_size).c_str());
        }
        const KilnCaptureResource* p = find(c, "push_constants");
        if (p) {
          float rgba[4];
          for (int i = 0; i < 4; ++i) rgba[i] = kColour[n - 1][i] / 255.0f;
          EXPECT(p->before_size == 16 && std::memcmp(p->before, rgba, 16) == 0, "push constants of draw %u", n);
        }
        gpu.api.free_capture(gpu.device, c);
      }
    }

    vkDestroyPipeline(gpu.device, pipeline, nullptr);
    vkDestroyPipelineLayout(gpu.device, layout, nullptr);
    vkDestroyShaderModule(gpu.device, vs, nullptr);
    vkDestroyShaderModule(gpu.device, fs, nullptr);
    gpu.destroy(readback);
    gpu.destroy(target);
  }
  return result();
}
