// A two-view multiview draw for the capture layer: one draw renders both layers of a 2-layer colour
// attachment (view mask 0b11), each view its own colour (views.frag: view 0 red, view 1 blue), into
// the left half only (the scissor), over layers cleared beforehand to two different colours. The
// second submission (frame 2) holds the draw. Modes:
//   --dynamic (default)  dynamic rendering with VkRenderingInfo::viewMask
//   --renderpass         a VkRenderPass with VkRenderPassMultiviewCreateInfo
//   --renderpass2        a VkRenderPass2 whose subpass has the view mask, begun by vkCmdBeginRenderPass2
//   --expect-all-views   fail where the driver draws view 0 only (lavapipe of Mesa 22.3 does; the GPU
//                        machine's driver must not)
// The layer splits the pass around the draw and begins it again with the same view mask; the capture
// must hold both layers of the attachment, each with its own before (its clear colour) and after (what
// the program reads back: its view's colour on the left half), and write a file per layer. The program
// checks its own picture, then (KILN_CAPTURE_COMMAND=draw:1 KILN_CAPTURE_FRAME=2) the capture's bytes
// and its folder.
#include <array>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "subpass_fullscreen_vert.h"
#include "views_frag.h"
#include "vk_program.h"

using namespace prog;

namespace {

constexpr uint32_t W = 4, H = 4, kViews = 2;
constexpr uint32_t kViewMask = 0b11;
constexpr Rgba kLayerClear[kViews] = {{51, 102, 153, 255}, {10, 20, 30, 40}};
constexpr Rgba kViewColour[kViews] = {{255, 0, 0, 255}, {0, 0, 255, 255}};  // views.frag
constexpr size_t kLayerBytes = W * H * 4;

std::vector<Rgba> before(uint32_t layer) { return std::vector<Rgba>(W * H, kLayerClear[layer]); }

// The left half (the scissor) in the view's colour, the right half as the layer was.
std::vector<Rgba> after(uint32_t layer) {
  std::vector<Rgba> px(W * H);
  for (uint32_t y = 0; y < H; ++y)
    for (uint32_t x = 0; x < W; ++x) px[y * W + x] = x < W / 2 ? kViewColour[layer] : kLayerClear[layer];
  return px;
}

// capture.json and the files beside it: one colour attachment entry and one picture per layer, before
// and after.
void check_folder(const std::string& folder) {
  std::ifstream in(folder + "/capture.json");
  EXPECT(bool(in), "no %s/capture.json", folder.c_str());
  if (!in) return;
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  size_t entries = 0;
  for (size_t at = text.find("\"role\": \"color_attachment\""); at != std::string::npos;
       at = text.find("\"role\": \"color_attachment\"", at + 1))
    ++entries;
  EXPECT(entries == kViews, "%zu colour attachment entries in capture.json, want %u", entries, kViews);
  EXPECT(text.find("\"layer\": 1") != std::string::npos, "no \"layer\": 1 in capture.json");
  for (const char* file : {"before/color0.png", "before/color0_layer1.png", "after/color0.png", "after/color0_layer1.png"})
    EXPECT(std::filesystem::is_regular_file(folder + "/" + file), "no %s in %s", file, folder.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  std::string mode = "--dynamic";
  bool expect_all_views = false;  // the driver must draw every view (on the GPU machine)
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--expect-all-views") expect_all_views = true;
    else mode = argv[i];
  }
  if (mode != "--dynamic" && mode != "--renderpass" && mode != "--renderpass2") {
    std::fprintf(stderr, "layer_multiview: unknown mode '%s'; --dynamic, --renderpass or --renderpass2\n", mode.c_str());
    return 2;
  }
  const bool dynamic = mode == "--dynamic", rp2 = mode == "--renderpass2";
  VkPhysicalDeviceVulkan11Features f11{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES};
  f11.multiview = VK_TRUE;
  g_device_features = &f11;
  {
    Gpu gpu;
    const VkFormat format = VK_FORMAT_R8G8B8A8_UNORM;
    Image target = gpu.layered_image(format, {W, H}, kViews,
                                     VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT |
                                         VK_IMAGE_USAGE_TRANSFER_DST_BIT);
    gpu.name(VK_OBJECT_TYPE_IMAGE, (uint64_t)target.image, "views");
    Buffer readback = gpu.buffer(kViews * kLayerBytes, VK_BUFFER_USAGE_TRANSFER_DST_BIT);

    // Submission 1: each layer cleared to its own colour.
    gpu.run([&](VkCommandBuffer cb) {
      transition(cb, target.image, VK_IMAGE_LAYOUT_UNDEFINED, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
                 VK_IMAGE_ASPECT_COLOR_BIT, kViews);
      for (uint32_t l = 0; l < kViews; ++l) {
        VkClearColorValue c{};
        for (int i = 0; i < 4; ++i) c.float32[i] = kLayerClear[l][i] / 255.0f;
        const VkImageSubresourceRange range{VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, l, 1};
        vkCmdClearColorImage(cb, target.image, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, &c, 1, &range);
      }
      transition(cb, target.image, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL,
                 VK_IMAGE_ASPECT_COLOR_BIT, kViews);
    });

    // A render pass object of one multiview subpass (load and store: the layers' clears show through).
    VkRenderPass rp = VK_NULL_HANDLE;
    VkFramebuffer fb = VK_NULL_HANDLE;
    if (!dynamic) {
      VkSubpassDependency deps[2] = {
          {VK_SUBPASS_EXTERNAL, 0, VK_PIPELINE_STAGE_ALL_COMMANDS_BIT, VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT,
           VK_ACCESS_MEMORY_WRITE_BIT, VK_ACCESS_COLOR_ATTACHMENT_READ_BIT | VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT, 0},
          {0, VK_SUBPASS_EXTERNAL, VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT, VK_PIPELINE_STAGE_ALL_COMMANDS_BIT,
           VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT, VK_ACCESS_MEMORY_READ_BIT | VK_ACCESS_MEMORY_WRITE_BIT, 0}};
      if (rp2) {
        VkAttachmentDescription2 att{VK_STRUCTURE_TYPE_ATTACHMENT_DESCRIPTION_2};
        att.format = format;
        att.samples = VK_SAMPLE_COUNT_1_BIT;
        att.loadOp = VK_ATTACHMENT_LOAD_OP_LOAD;
        att.storeOp = VK_ATTACHMENT_STORE_OP_STORE;
        att.stencilLoadOp = VK_ATTACHMENT_LOAD_OP_DONT_CARE;
        att.stencilStoreOp = VK_ATTACHMENT_STORE_OP_DONT_CARE;
        att.initialLayout = att.finalLayout = VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL;
        VkAttachmentReference2 ref{VK_STRUCTURE_TYPE_ATTACHMENT_REFERENCE_2};
        ref.attachment = 0;
        ref.layout = VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL;
        ref.aspectMask = VK_IMAGE_ASPECT_COLOR_BIT;
        VkSubpassDescription2 sub{VK_STRUCTURE_TYPE_SUBPASS_DESCRIPTION_2};
        sub.pipelineBindPoint = VK_PIPELINE_BIND_POINT_GRAPHICS;
        sub.viewMask = kViewMask;
        sub.colorAttachmentCount = 1;
        sub.pColorAttachments = &ref;
        VkSubpassDependency2 deps2[2];
        for (int i = 0; i < 2; ++i) {
          deps2[i] = {VK_STRUCTURE_TYPE_SUBPASS_DEPENDENCY_2};
          deps2[i].srcSubpass = deps[i].srcSubpass;
          deps2[i].dstSubpass = deps[i].dstSubpass;
          deps2[i].srcStageMask = deps[i].srcStageMask;
          deps2[i].dstStageMask = deps[i].dstStageMask;
          deps2[i].srcAccessMask = deps[i].srcAccessMask;
          deps2[i].dstAccessMask = deps[i].dstAccessMask;
        }
        VkRenderPassCreateInfo2 rci{VK_STRUCTURE_TYPE_RENDER_PASS_CREATE_INFO_2};
        rci.attachmentCount = 1;
        rci.pAttachments = &att;
        rci.subpassCount = 1;
        rci.pSubpasses = &sub;
        rci.dependencyCount = 2;
        rci.pDependencies = deps2;
        VKCHECK(vkCreateRenderPass2(gpu.device, &rci, nullptr, &rp));
      } else {
        VkAttachmentDescription att{};
        att.format = format;
        att.samples = VK_SAMPLE_COUNT_1_BIT;
        att.loadOp = VK_ATTACHMENT_LOAD_OP_LOAD;
        att.storeOp = VK_ATTACHMENT_STORE_OP_STORE;
        att.stencilLoadOp = VK_ATTACHMENT_LOAD_OP_DONT_CARE;
        att.stencilStoreOp = VK_ATTACHMENT_STORE_OP_DONT_CARE;
        att.initialLayout = att.finalLayout = VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL;
        VkAttachmentReference ref{0, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL};
        VkSubpassDescription sub{};
        sub.pipelineBindPoint = VK_PIPELINE_BIND_POINT_GRAPHICS;
        sub.colorAttachmentCount = 1;
        sub.pColorAttachments = &ref;
        VkRenderPassMultiviewCreateInfo multiview{VK_STRUCTURE_TYPE_RENDER_PASS_MULTIVIEW_CREATE_INFO};
        multiview.subpassCount = 1;
        multiview.pViewMasks = &kViewMask;
        VkRenderPassCreateInfo rci{VK_STRUCTURE_TYPE_RENDER_PASS_CREATE_INFO};
        rci.pNext = &multiview;
        rci.attachmentCount = 1;
        rci.pAttachments = &att;
        rci.subpassCount = 1;
        rci.pSubpasses = &sub;
        rci.dependencyCount = 2;
        rci.pDependencies = deps;
        VKCHECK(vkCreateRenderPass(gpu.device, &rci, nullptr, &rp));
      }
      VkFramebufferCreateInfo fci{VK_STRUCTURE_TYPE_FRAMEBUFFER_CREATE_INFO};
      fci.renderPass = rp;
      fci.attachmentCount = 1;
      fci.pAttachments = &target.view;
      fci.width = W;
      fci.height = H;
      fci.layers = 1;  // multiview: the views pick the layers
      VKCHECK(vkCreateFramebuffer(gpu.device, &fci, nullptr, &fb));
    }

    VkShaderModule vs = gpu.shader(subpass_fullscreen_vert, sizeof(subpass_fullscreen_vert));
    VkShaderModule fs = gpu.shader(views_frag, sizeof(views_frag));
    VkPipelineLayoutCreateInfo pli{VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
    VkPipelineLayout layout;
    VKCHECK(vkCreatePipelineLayout(gpu.device, &pli, nullptr, &layout));
    const VkRect2D scissor{{0, 0}, {W / 2, H}};
    VkPipeline pipeline = gpu.simple_pipeline({.vs = vs, .fs = fs, .layout = layout, .format = format,
                                               .render_pass = rp, .view_mask = kViewMask, .extent = {W, H},
                                               .scissor = &scissor});
    gpu.name(VK_OBJECT_TYPE_PIPELINE, (uint64_t)pipeline, "views");

    // Submission 2 (frame 2): the draw into both views, then both layers read back.
    gpu.run([&](VkCommandBuffer cb) {
      if (dynamic) {
        VkRenderingAttachmentInfo color{VK_STRUCTURE_TYPE_RENDERING_ATTACHMENT_INFO};
        color.imageView = target.view;
        color.imageLayout = VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL;
        color.loadOp = VK_ATTACHMENT_LOAD_OP_LOAD;
        color.storeOp = VK_ATTACHMENT_STORE_OP_STORE;
        VkRenderingInfo ri{VK_STRUCTURE_TYPE_RENDERING_INFO};
        ri.renderArea = {{0, 0}, {W, H}};
        ri.layerCount = 1;  // ignored with a view mask
        ri.viewMask = kViewMask;
        ri.colorAttachmentCount = 1;
        ri.pColorAttachments = &color;
        vkCmdBeginRendering(cb, &ri);
      } else {
        VkRenderPassBeginInfo rb{VK_STRUCTURE_TYPE_RENDER_PASS_BEGIN_INFO};
        rb.renderPass = rp;
        rb.framebuffer = fb;
        rb.renderArea = {{0, 0}, {W, H}};
        if (rp2) {
          VkSubpassBeginInfo sb{VK_STRUCTURE_TYPE_SUBPASS_BEGIN_INFO, nullptr, VK_SUBPASS_CONTENTS_INLINE};
          vkCmdBeginRenderPass2(cb, &rb, &sb);
        } else {
          vkCmdBeginRenderPass(cb, &rb, VK_SUBPASS_CONTENTS_INLINE);
        }
      }
      vkCmdBindPipeline(cb, VK_PIPELINE_BIND_POINT_GRAPHICS, pipeline);
      vkCmdDraw(cb, 3, 1, 0, 0);
      if (dynamic) {
        vkCmdEndRendering(cb);
      } else if (rp2) {
        VkSubpassEndInfo se{VK_STRUCTURE_TYPE_SUBPASS_END_INFO};
        vkCmdEndRenderPass2(cb, &se);
      } else {
        vkCmdEndRenderPass(cb);
      }
      transition(cb, target.image, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL,
                 VK_IMAGE_ASPECT_COLOR_BIT, kViews);
      VkBufferImageCopy r{};
      r.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, kViews};  // layer after layer
      r.imageExtent = {W, H, 1};
      vkCmdCopyImageToBuffer(cb, target.image, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, readback.buffer, 1, &r);
      VkMemoryBarrier host{VK_STRUCTURE_TYPE_MEMORY_BARRIER, nullptr, VK_ACCESS_TRANSFER_WRITE_BIT, VK_ACCESS_HOST_READ_BIT};
      vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &host, 0, nullptr, 0,
                           nullptr);
    });

    // The program's own picture. Lavapipe of Mesa 22.3 draws view 0 only (layer 1 keeps its clear,
    // with or without the capture layer): then the capture is held to what the program reads back,
    // which still tells the layers apart; drivers that draw every view are held to the ideal too.
    const auto* pixels = static_cast<const uint8_t*>(readback.mapped);
    const uint8_t* layer_pixels[kViews] = {pixels, pixels + kLayerBytes};
    const bool all_views = same(layer_pixels[1], kLayerBytes, after(1));
    EXPECT(same(layer_pixels[0], kLayerBytes, after(0)), "the program's own layer 0: %s",
           show(layer_pixels[0], kLayerBytes).c_str());
    EXPECT(all_views || !expect_all_views, "--expect-all-views: the driver did not draw view 1");
    if (!all_views) {
      EXPECT(same(layer_pixels[1], kLayerBytes, before(1)), "the program's own layer 1: %s",
             show(layer_pixels[1], kLayerBytes).c_str());
      std::fprintf(stderr, "layer_multiview: the driver drew view 0 only; the capture is checked against the "
                           "program's own read-back\n");
    }

    if (gpu.has_api) {
      const KilnCapture* c = take_capture(gpu);
      if (c) {
        dump(c);
        EXPECT(std::string(c->command) == "vkCmdDraw(3, 1, 0, 0)", "command %s", c->command);
        EXPECT(std::string(c->pipeline_name) == "views", "pipeline %s", c->pipeline_name);
        bool seen[kViews] = {};
        for (uint32_t i = 0; i < c->resource_count; ++i) {
          const KilnCaptureResource& r = c->resources[i];
          if (std::strcmp(r.role, "color_attachment") != 0) continue;
          EXPECT(r.is_image && r.written && r.format == format && r.attachment == 0, "colour attachment description");
          EXPECT(std::string(r.debug_name) == "views", "colour attachment name %s", r.debug_name);
          EXPECT(r.layer < kViews && !seen[r.layer], "layer %u (twice, or out of the view)", r.layer);
          if (r.layer >= kViews) continue;
          seen[r.layer] = true;
          EXPECT(same(r.before, r.before_size, before(r.layer)), "layer %u before: %s", r.layer,
                 show(r.before, r.before_size).c_str());
          EXPECT(r.after && r.after_size == kLayerBytes && std::memcmp(r.after, layer_pixels[r.layer], kLayerBytes) == 0,
                 "layer %u after: %s", r.layer, show(r.after, r.after_size).c_str());
        }
        EXPECT(seen[0] && seen[1], "layers captured: 0 %d, 1 %d", seen[0], seen[1]);
        EXPECT(*c->folder, "the capture was not written (KILN_CAPTURE_OUT unset?)");
        if (*c->folder) check_folder(c->folder);
        gpu.api.free_capture(gpu.device, c);
      }
    }

    vkDestroyPipeline(gpu.device, pipeline, nullptr);
    vkDestroyPipelineLayout(gpu.device, layout, nullptr);
    vkDestroyShaderModule(gpu.device, vs, nullptr);
    vkDestroyShaderModule(gpu.device, fs, nullptr);
    if (fb) vkDestroyFramebuffer(gpu.device, fb, nullptr);
    if (rp) vkDestroyRenderPass(gpu.device, rp, nullptr);
    gpu.destroy(readback);
    gpu.destroy(target);
  }
  return result();
}
