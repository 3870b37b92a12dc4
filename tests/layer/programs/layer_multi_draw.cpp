// Multi-draw (VK_EXT_multi_draw) for the capture layer: one vkCmdDrawMultiEXT of three draws, each
// painting one pixel column of a 4x2 RGBA8 attachment (red, green, blue), then a plain vkCmdDraw painting
// the last column red. Each draw of the multi-draw counts as one draw, so frame 2 has draws 1 to 4, and
// KILN_CAPTURE_COMMAND=draw:N picks one. Modes:
//   --plain     the colour from the column: the layer replays the selected draw alone (the draws before
//               and after it as shorter multi-draws), and the capture's colour attachment must show the
//               columns before and after that draw
//   --indexed   the same by vkCmdDrawMultiIndexedEXT, one quad's indices with a vertex offset per draw
//   --draw-id   the colour from gl_DrawID: replaying one draw alone would renumber it, so the layer
//               captures the whole multi-draw (before its first draw, after its last) and says so
// A spec past the last draw (draw:5) matches nothing: the layer's list of the frame's commands names
// each draw of the multi-draw (ctest checks its report). Without the layer the picture is the same.
#include <array>
#include <cstring>
#include <string>

#include "flat_colour_frag.h"
#include "multi_draw_id_vert.h"
#include "multi_draw_vert.h"
#include "vk_program.h"

using namespace prog;

namespace {

constexpr uint32_t W = 4, H = 2, kMultiDraws = 3, kDraws = kMultiDraws + 1;
constexpr Rgba kClear{51, 102, 153, 255};
// Draw d's colour: its column's (multi_draw.vert), or its gl_DrawID's (multi_draw_id.vert; the plain draw has 0).
constexpr Rgba kColour[kDraws] = {{255, 0, 0, 255}, {0, 255, 0, 255}, {0, 0, 255, 255}, {255, 0, 0, 255}};

// The attachment after the first `draws` draws: draw d paints column d.
std::vector<Rgba> picture(uint32_t draws) {
  std::vector<Rgba> px(W * H, kClear);
  for (uint32_t d = 0; d < draws; ++d)
    for (uint32_t y = 0; y < H; ++y) px[y * W + d] = kColour[d];
  return px;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "--plain";
  const bool indexed = mode == "--indexed", draw_id = mode == "--draw-id";
  if (!indexed && !draw_id && mode != "--plain") {
    std::fprintf(stderr, "layer_multi_draw: unknown mode %s (--plain, --indexed or --draw-id)\n", mode.c_str());
    return 2;
  }
  g_device_extensions.push_back(VK_EXT_MULTI_DRAW_EXTENSION_NAME);
  VkPhysicalDeviceMultiDrawFeaturesEXT multi{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MULTI_DRAW_FEATURES_EXT};
  multi.multiDraw = VK_TRUE;
  VkPhysicalDeviceVulkan11Features f11{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES};
  f11.shaderDrawParameters = VK_TRUE;  // gl_DrawID
  f11.pNext = &multi;
  g_device_features = &f11;
  {
    Gpu gpu;
    const VkFormat format = VK_FORMAT_R8G8B8A8_UNORM;
    Image target = gpu.image(format, {W, H}, VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT);
    gpu.name(VK_OBJECT_TYPE_IMAGE, (uint64_t)target.image, "target");
    Buffer readback = gpu.buffer(W * H * 4, VK_BUFFER_USAGE_TRANSFER_DST_BIT);
    const uint16_t quad[6] = {0, 1, 2, 3, 4, 5};
    Buffer indices = gpu.buffer(sizeof quad, VK_BUFFER_USAGE_INDEX_BUFFER_BIT, quad);
    auto draw_multi = reinterpret_cast<PFN_vkCmdDrawMultiEXT>(vkGetDeviceProcAddr(gpu.device, "vkCmdDrawMultiEXT"));
    auto draw_multi_indexed = reinterpret_cast<PFN_vkCmdDrawMultiIndexedEXT>(
        vkGetDeviceProcAddr(gpu.device, "vkCmdDrawMultiIndexedEXT"));

    // Submission 1: the attachment into its layout.
    gpu.run([&](VkCommandBuffer cb) {
      transition(cb, target.image, VK_IMAGE_LAYOUT_UNDEFINED, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL);
    });

    VkShaderModule vs = draw_id ? gpu.shader(multi_draw_id_vert, sizeof(multi_draw_id_vert))
                                : gpu.shader(multi_draw_vert, sizeof(multi_draw_vert));
    VkShaderModule fs = gpu.shader(flat_colour_frag, sizeof(flat_colour_frag));
    VkPushConstantRange push{VK_SHADER_STAGE_VERTEX_BIT, 0, 4};
    VkPipelineLayoutCreateInfo pli{VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
    pli.pushConstantRangeCount = 1;
    pli.pPushConstantRanges = &push;
    VkPipelineLayout layout;
    VKCHECK(vkCreatePipelineLayout(gpu.device, &pli, nullptr, &layout));
    VkPipeline pipeline = gpu.simple_pipeline({.vs = vs, .fs = fs, .layout = layout, .format = format});

    // Submission 2 (frame 2): the multi-draw and the plain draw in one rendering, then the read-back.
    gpu.run([&](VkCommandBuffer cb) {
      VkRenderingAttachmentInfo color{VK_STRUCTURE_TYPE_RENDERING_ATTACHMENT_INFO};
      color.imageView = target.view;
      color.imageLayout = VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL;
      color.loadOp = VK_ATTACHMENT_LOAD_OP_CLEAR;
      color.storeOp = VK_ATTACHMENT_STORE_OP_STORE;
      for (int c = 0; c < 4; ++c) color.clearValue.color.float32[c] = kClear[c] / 255.0f;
      VkRenderingInfo ri{VK_STRUCTURE_TYPE_RENDERING_INFO};
      ri.renderArea = {{0, 0}, {W, H}};
      ri.layerCount = 1;
      ri.colorAttachmentCount = 1;
      ri.pColorAttachments = &color;
      vkCmdBeginRendering(cb, &ri);
      vkCmdBindPipeline(cb, VK_PIPELINE_BIND_POINT_GRAPHICS, pipeline);
      const VkViewport vp{0, 0, float(W), float(H), 0, 1};
      const VkRect2D all{{0, 0}, {W, H}};
      vkCmdSetViewport(cb, 0, 1, &vp);
      vkCmdSetScissor(cb, 0, 1, &all);
      const float columns = float(W);
      vkCmdPushConstants(cb, layout, VK_SHADER_STAGE_VERTEX_BIT, 0, sizeof columns, &columns);
      if (indexed) {
        vkCmdBindIndexBuffer(cb, indices.buffer, 0, VK_INDEX_TYPE_UINT16);
        VkMultiDrawIndexedInfoEXT infos[kMultiDraws];
        for (uint32_t d = 0; d < kMultiDraws; ++d) infos[d] = {0, 6, int32_t(6 * d)};
        draw_multi_indexed(cb, kMultiDraws, infos, 1, 0, sizeof(VkMultiDrawIndexedInfoEXT), nullptr);
      } else {
        VkMultiDrawInfoEXT infos[kMultiDraws];
        for (uint32_t d = 0; d < kMultiDraws; ++d) infos[d] = {6 * d, 6};
        draw_multi(cb, kMultiDraws, infos, 1, 0, sizeof(VkMultiDrawInfoEXT));
      }
      vkCmdDraw(cb, 6, 1, 6 * kMultiDraws, 0);
      vkCmdEndRendering(cb);
      transition(cb, target.image, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL);
      VkBufferImageCopy r{};
      r.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
      r.imageExtent = {W, H, 1};
      vkCmdCopyImageToBuffer(cb, target.image, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, readback.buffer, 1, &r);
      VkMemoryBarrier host{VK_STRUCTURE_TYPE_MEMORY_BARRIER, nullptr, VK_ACCESS_TRANSFER_WRITE_BIT, VK_ACCESS_HOST_READ_BIT};
      vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &host, 0, nullptr, 0,
                           nullptr);
    });

    EXPECT(same(readback.mapped, W * H * 4, picture(kDraws)), "the program's own picture: %s",
           show(readback.mapped, W * H * 4).c_str());

    const char* spec = std::getenv("KILN_CAPTURE_COMMAND");
    const uint32_t n = spec && std::string(spec).rfind("draw:", 0) == 0 ? uint32_t(std::atoi(spec + 5)) : 0;
    if (gpu.has_api && n >= 1 && n <= kDraws) {
      const KilnCapture* c = take_capture(gpu);
      if (c) {
        dump(c);
        const std::string command = c->command;
        const std::string name = indexed ? "vkCmdDrawMultiIndexedEXT(3, " : "vkCmdDrawMultiEXT(3, ";
        // --draw-id: the whole multi-draw, whichever of its draws was asked for.
        const bool whole = draw_id && n <= kMultiDraws;
        const std::string part = whole ? ", all 3 draws" : ", draw " + std::to_string(n) + " of 3";
        if (n <= kMultiDraws)
          EXPECT(command.rfind(name, 0) == 0 && command.size() > part.size() &&
                     command.compare(command.size() - part.size(), part.size(), part) == 0,
                 "command %s (want %s...%s)", c->command, name.c_str(), part.c_str());
        else
          EXPECT(command == "vkCmdDraw(6, 1, 18, 0)", "command %s", c->command);
        EXPECT(c->command_index == (indexed ? 6u : 5u) + n, "command index %u", c->command_index);
        const KilnCaptureResource* colour = find(c, "color_attachment", 0);
        if (colour) {
          EXPECT(colour->is_image && colour->written && std::string(colour->debug_name) == "target",
                 "attachment description");
          EXPECT(same(colour->before, colour->before_size, picture(whole ? 0 : n - 1)), "before draw %u: %s", n,
                 show(colour->before, colour->before_size).c_str());
          EXPECT(same(colour->after, colour->after_size, picture(whole ? kMultiDraws : n)), "after draw %u: %s", n,
                 show(colour->after, colour->after_size).c_str());
        }
        gpu.api.free_capture(gpu.device, c);
      }
    }

    vkDestroyPipeline(gpu.device, pipeline, nullptr);
    vkDestroyPipelineLayout(gpu.device, layout, nullptr);
    vkDestroyShaderModule(gpu.device, vs, nullptr);
    vkDestroyShaderModule(gpu.device, fs, nullptr);
    gpu.destroy(indices);
    gpu.destroy(readback);
    gpu.destroy(target);
  }
  return result();
}
