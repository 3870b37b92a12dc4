// Depth and stencil in one image, for the capture layer: a 4x4 D32_SFLOAT_S8_UINT attachment cleared
// to depth 1 and stencil 0x11, then two depth-only draws (no fragment shader): the first over the
// left half at depth 0.25, writing stencil 0x5A; the second over the top half at depth 0.5 with the
// test LESS, so only the top-right quarter passes and gets 0xC3 (the depth comes from the viewport's
// depth range: the triangle lies at z = 0). Frame 2 (the second submission) holds both draws;
// KILN_CAPTURE_COMMAND=draw:1 or draw:2 picks one, and the capture's depth and stencil attachments
// must hold the values before and after it exactly. Modes:
//   --dynamic             dynamic rendering, both aspects in DEPTH_STENCIL_ATTACHMENT_OPTIMAL (default)
//   --dynamic-separate    dynamic rendering with separate layouts (separateDepthStencilLayouts): depth
//                         in DEPTH_ATTACHMENT_OPTIMAL, stencil in STENCIL_ATTACHMENT_OPTIMAL
//   --renderpass2         a render pass from vkCreateRenderPass2, one combined layout
//   --renderpass2-separate the same with VkAttachmentDescriptionStencilLayout and
//                         VkAttachmentReferenceStencilLayout: the split passes must carry them
//   --msaa                after any of those: the image has 4 samples, resolved (SAMPLE_ZERO, depth and
//                         stencil) into a single-sample image the program reads back: by the rendering's
//                         resolve, or a render pass 2's VkSubpassDescriptionDepthStencilResolve, which the
//                         split passes must carry. The draws cover whole pixels, so every sample holds the
//                         same, and the layer's capture of the multisampled image (sample 0, resolved by a
//                         render pass of its own) must still be exact.
// The layer copies each aspect from its own layout (one barrier per aspect where they differ).
#include <cstring>
#include <string>

#include "subpass_fullscreen_vert.h"
#include "vk_program.h"

using namespace prog;

namespace {

constexpr uint32_t W = 4, H = 4;
constexpr VkFormat kFormat = VK_FORMAT_D32_SFLOAT_S8_UINT;
constexpr float kClearDepth = 1.0f;
constexpr uint8_t kClearStencil = 0x11;
constexpr float kDepth[2] = {0.25f, 0.5f};
constexpr uint8_t kStencil[2] = {0x5A, 0xC3};
constexpr VkRect2D kRect[2] = {{{0, 0}, {W / 2, H}}, {{0, 0}, {W, H / 2}}};

struct Planes {
  std::vector<float> depth = std::vector<float>(W * H, kClearDepth);
  std::vector<uint8_t> stencil = std::vector<uint8_t>(W * H, kClearStencil);
};

// The attachment after the first `draws` draws (depth test LESS, stencil written where it passes).
Planes planes(uint32_t draws) {
  Planes p;
  for (uint32_t d = 0; d < draws; ++d) {
    const VkRect2D& r = kRect[d];
    for (uint32_t y = uint32_t(r.offset.y); y < uint32_t(r.offset.y) + r.extent.height; ++y)
      for (uint32_t x = uint32_t(r.offset.x); x < uint32_t(r.offset.x) + r.extent.width; ++x)
        if (kDepth[d] < p.depth[y * W + x]) {
          p.depth[y * W + x] = kDepth[d];
          p.stencil[y * W + x] = kStencil[d];
        }
  }
  return p;
}

bool same_depth(const void* bytes, uint64_t size, const std::vector<float>& want) {
  return bytes && size == want.size() * 4 && std::memcmp(bytes, want.data(), size) == 0;
}
bool same_stencil(const void* bytes, uint64_t size, const std::vector<uint8_t>& want) {
  return bytes && size == want.size() && std::memcmp(bytes, want.data(), size) == 0;
}
std::string show_depth(const void* bytes, uint64_t size) {
  std::string s;
  for (uint64_t i = 0; bytes && i + 4 <= size && i < 64; i += 4) {
    float f;
    std::memcpy(&f, static_cast<const uint8_t*>(bytes) + i, 4);
    s += std::to_string(f) + " ";
  }
  return s;
}
std::string show_stencil(const void* bytes, uint64_t size) {
  std::string s;
  for (uint64_t i = 0; bytes && i < size && i < 16; ++i) s += std::to_string(static_cast<const uint8_t*>(bytes)[i]) + " ";
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "--dynamic";
  const bool msaa = argc > 2 && std::string(argv[2]) == "--msaa";
  const VkSampleCountFlagBits samples = msaa ? VK_SAMPLE_COUNT_4_BIT : VK_SAMPLE_COUNT_1_BIT;
  const bool separate = mode == "--dynamic-separate" || mode == "--renderpass2-separate";
  const bool dynamic = mode == "--dynamic" || mode == "--dynamic-separate";
  if (!dynamic && mode != "--renderpass2" && mode != "--renderpass2-separate") {
    std::fprintf(stderr, "layer_stencil: unknown mode %s (--dynamic, --dynamic-separate, --renderpass2, "
                 "--renderpass2-separate; then --msaa or nothing)\n", mode.c_str());
    return 2;
  }
  VkPhysicalDeviceVulkan12Features f12{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES};
  f12.separateDepthStencilLayouts = separate;
  g_device_features = &f12;
  {
    Gpu gpu;
    const VkImageLayout depth_layout = separate ? VK_IMAGE_LAYOUT_DEPTH_ATTACHMENT_OPTIMAL
                                                : VK_IMAGE_LAYOUT_DEPTH_STENCIL_ATTACHMENT_OPTIMAL;
    const VkImageLayout stencil_layout = separate ? VK_IMAGE_LAYOUT_STENCIL_ATTACHMENT_OPTIMAL
                                                  : VK_IMAGE_LAYOUT_DEPTH_STENCIL_ATTACHMENT_OPTIMAL;
    Image ds = gpu.multisampled_image(
        kFormat, {W, H}, samples,
        VK_IMAGE_USAGE_DEPTH_STENCIL_ATTACHMENT_BIT | (msaa ? 0 : VK_IMAGE_USAGE_TRANSFER_SRC_BIT),
        VK_IMAGE_ASPECT_DEPTH_BIT | VK_IMAGE_ASPECT_STENCIL_BIT);
    gpu.name(VK_OBJECT_TYPE_IMAGE, (uint64_t)ds.image, "depth_stencil");
    // --msaa: what the program reads back, the samples resolved.
    Image resolved;
    if (msaa)
      resolved = gpu.image(kFormat, {W, H}, VK_IMAGE_USAGE_DEPTH_STENCIL_ATTACHMENT_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT,
                           VK_IMAGE_ASPECT_DEPTH_BIT | VK_IMAGE_ASPECT_STENCIL_BIT);
    const Image& read = msaa ? resolved : ds;
    Buffer depth_back = gpu.buffer(W * H * 4, VK_BUFFER_USAGE_TRANSFER_DST_BIT);
    Buffer stencil_back = gpu.buffer(W * H, VK_BUFFER_USAGE_TRANSFER_DST_BIT);

    // Submission 1: each aspect into its layout (one barrier when they share it).
    gpu.run([&](VkCommandBuffer cb) {
      for (VkImage image : {ds.image, resolved.image}) {
        if (!image) continue;
        if (separate) {
          transition(cb, image, VK_IMAGE_LAYOUT_UNDEFINED, depth_layout, VK_IMAGE_ASPECT_DEPTH_BIT);
          transition(cb, image, VK_IMAGE_LAYOUT_UNDEFINED, stencil_layout, VK_IMAGE_ASPECT_STENCIL_BIT);
        } else {
          transition(cb, image, VK_IMAGE_LAYOUT_UNDEFINED, depth_layout,
                     VK_IMAGE_ASPECT_DEPTH_BIT | VK_IMAGE_ASPECT_STENCIL_BIT);
        }
      }
    });

    // A render pass 2 for the --renderpass2 modes: cleared, left in TRANSFER_SRC for the read-back.
    VkRenderPass pass = VK_NULL_HANDLE;
    VkFramebuffer framebuffer = VK_NULL_HANDLE;
    if (!dynamic) {
      // Attachment 0 the image drawn into; with --msaa, 1 the single-sample image it resolves into.
      VkAttachmentDescriptionStencilLayout att_stencil[2] = {
          {VK_STRUCTURE_TYPE_ATTACHMENT_DESCRIPTION_STENCIL_LAYOUT}, {VK_STRUCTURE_TYPE_ATTACHMENT_DESCRIPTION_STENCIL_LAYOUT}};
      VkAttachmentDescription2 att[2] = {{VK_STRUCTURE_TYPE_ATTACHMENT_DESCRIPTION_2}, {VK_STRUCTURE_TYPE_ATTACHMENT_DESCRIPTION_2}};
      for (int a = 0; a < 2; ++a) {
        const bool read_back = (a == 1) == msaa;
        att_stencil[a].stencilInitialLayout = a == 0 ? stencil_layout : VK_IMAGE_LAYOUT_UNDEFINED;
        att_stencil[a].stencilFinalLayout = read_back ? VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL : stencil_layout;
        att[a].pNext = separate ? &att_stencil[a] : nullptr;
        att[a].format = kFormat;
        att[a].samples = a == 0 ? samples : VK_SAMPLE_COUNT_1_BIT;
        att[a].loadOp = att[a].stencilLoadOp = a == 0 ? VK_ATTACHMENT_LOAD_OP_CLEAR : VK_ATTACHMENT_LOAD_OP_DONT_CARE;
        att[a].storeOp = att[a].stencilStoreOp = VK_ATTACHMENT_STORE_OP_STORE;
        att[a].initialLayout = a == 0 ? depth_layout : VK_IMAGE_LAYOUT_UNDEFINED;
        att[a].finalLayout = read_back ? VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL : depth_layout;
      }
      VkAttachmentReferenceStencilLayout ref_stencil{VK_STRUCTURE_TYPE_ATTACHMENT_REFERENCE_STENCIL_LAYOUT};
      ref_stencil.stencilLayout = stencil_layout;
      VkAttachmentReference2 ref{VK_STRUCTURE_TYPE_ATTACHMENT_REFERENCE_2};
      ref.pNext = separate ? &ref_stencil : nullptr;
      ref.attachment = 0;
      ref.layout = depth_layout;
      ref.aspectMask = VK_IMAGE_ASPECT_DEPTH_BIT | VK_IMAGE_ASPECT_STENCIL_BIT;
      VkAttachmentReference2 resolve_ref = ref;
      resolve_ref.attachment = 1;
      VkSubpassDescriptionDepthStencilResolve resolve{VK_STRUCTURE_TYPE_SUBPASS_DESCRIPTION_DEPTH_STENCIL_RESOLVE};
      resolve.depthResolveMode = resolve.stencilResolveMode = VK_RESOLVE_MODE_SAMPLE_ZERO_BIT;
      resolve.pDepthStencilResolveAttachment = &resolve_ref;
      VkSubpassDescription2 sub{VK_STRUCTURE_TYPE_SUBPASS_DESCRIPTION_2};
      sub.pNext = msaa ? &resolve : nullptr;
      sub.pipelineBindPoint = VK_PIPELINE_BIND_POINT_GRAPHICS;
      sub.pDepthStencilAttachment = &ref;
      // The attachment's earlier layout transition and clear before the pass; the read-back after it.
      VkSubpassDependency2 deps[2] = {{VK_STRUCTURE_TYPE_SUBPASS_DEPENDENCY_2}, {VK_STRUCTURE_TYPE_SUBPASS_DEPENDENCY_2}};
      deps[0].srcSubpass = VK_SUBPASS_EXTERNAL;
      deps[0].dstSubpass = 0;
      // (Resolves write as colour attachment output does.)
      const VkPipelineStageFlags tests = VK_PIPELINE_STAGE_EARLY_FRAGMENT_TESTS_BIT |
                                         VK_PIPELINE_STAGE_LATE_FRAGMENT_TESTS_BIT |
                                         VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT;
      const VkAccessFlags attachment = VK_ACCESS_DEPTH_STENCIL_ATTACHMENT_READ_BIT |
                                       VK_ACCESS_DEPTH_STENCIL_ATTACHMENT_WRITE_BIT | VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT;
      deps[0].srcStageMask = VK_PIPELINE_STAGE_ALL_COMMANDS_BIT;
      deps[0].dstStageMask = tests;
      deps[0].srcAccessMask = VK_ACCESS_MEMORY_WRITE_BIT;
      deps[0].dstAccessMask = attachment;
      deps[1].srcSubpass = 0;
      deps[1].dstSubpass = VK_SUBPASS_EXTERNAL;
      deps[1].srcStageMask = tests;
      deps[1].dstStageMask = VK_PIPELINE_STAGE_TRANSFER_BIT;
      deps[1].srcAccessMask = VK_ACCESS_DEPTH_STENCIL_ATTACHMENT_WRITE_BIT | VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT;
      deps[1].dstAccessMask = VK_ACCESS_TRANSFER_READ_BIT;
      VkRenderPassCreateInfo2 rci{VK_STRUCTURE_TYPE_RENDER_PASS_CREATE_INFO_2};
      rci.attachmentCount = msaa ? 2 : 1;
      rci.pAttachments = att;
      rci.subpassCount = 1;
      rci.pSubpasses = &sub;
      rci.dependencyCount = 2;
      rci.pDependencies = deps;
      VKCHECK(vkCreateRenderPass2(gpu.device, &rci, nullptr, &pass));
      VkFramebufferCreateInfo fci{VK_STRUCTURE_TYPE_FRAMEBUFFER_CREATE_INFO};
      fci.renderPass = pass;
      const VkImageView views[2] = {ds.view, resolved.view};
      fci.attachmentCount = msaa ? 2 : 1;
      fci.pAttachments = views;
      fci.width = W;
      fci.height = H;
      fci.layers = 1;
      VKCHECK(vkCreateFramebuffer(gpu.device, &fci, nullptr, &framebuffer));
    }

    VkShaderModule vs = gpu.shader(subpass_fullscreen_vert, sizeof(subpass_fullscreen_vert));
    VkPipelineLayoutCreateInfo pli{VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
    VkPipelineLayout layout;
    VKCHECK(vkCreatePipelineLayout(gpu.device, &pli, nullptr, &layout));
    VkPipeline pipelines[2];
    for (int d = 0; d < 2; ++d) {
      VkPipelineDepthStencilStateCreateInfo dss{VK_STRUCTURE_TYPE_PIPELINE_DEPTH_STENCIL_STATE_CREATE_INFO};
      dss.depthTestEnable = dss.depthWriteEnable = VK_TRUE;
      dss.depthCompareOp = VK_COMPARE_OP_LESS;
      dss.stencilTestEnable = VK_TRUE;
      dss.front = {VK_STENCIL_OP_KEEP, VK_STENCIL_OP_REPLACE, VK_STENCIL_OP_KEEP, VK_COMPARE_OP_ALWAYS, 0xff, 0xff, kStencil[d]};
      dss.back = dss.front;
      pipelines[d] = gpu.simple_pipeline({.vs = vs,
                                          .layout = layout,
                                          .render_pass = pass,
                                          .depth_stencil = &dss,
                                          .depth_format = dynamic ? kFormat : VK_FORMAT_UNDEFINED,
                                          .stencil_format = dynamic ? kFormat : VK_FORMAT_UNDEFINED,
                                          .samples = samples});
    }

    // Submission 2 (frame 2): the two draws, then both aspects read back.
    gpu.run([&](VkCommandBuffer cb) {
      if (dynamic) {
        VkRenderingAttachmentInfo depth{VK_STRUCTURE_TYPE_RENDERING_ATTACHMENT_INFO};
        depth.imageView = ds.view;
        depth.imageLayout = depth_layout;
        depth.loadOp = VK_ATTACHMENT_LOAD_OP_CLEAR;
        depth.storeOp = VK_ATTACHMENT_STORE_OP_STORE;
        depth.clearValue.depthStencil = {kClearDepth, kClearStencil};
        if (msaa) {
          depth.resolveMode = VK_RESOLVE_MODE_SAMPLE_ZERO_BIT;
          depth.resolveImageView = resolved.view;
          depth.resolveImageLayout = depth_layout;
        }
        VkRenderingAttachmentInfo stencil = depth;
        stencil.imageLayout = stencil.resolveImageLayout = stencil_layout;
        VkRenderingInfo ri{VK_STRUCTURE_TYPE_RENDERING_INFO};
        ri.renderArea = {{0, 0}, {W, H}};
        ri.layerCount = 1;
        ri.pDepthAttachment = &depth;
        ri.pStencilAttachment = &stencil;
        vkCmdBeginRendering(cb, &ri);
      } else {
        VkClearValue clear{};
        clear.depthStencil = {kClearDepth, kClearStencil};
        VkRenderPassBeginInfo rbi{VK_STRUCTURE_TYPE_RENDER_PASS_BEGIN_INFO};
        rbi.renderPass = pass;
        rbi.framebuffer = framebuffer;
        rbi.renderArea = {{0, 0}, {W, H}};
        rbi.clearValueCount = 1;
        rbi.pClearValues = &clear;
        VkSubpassBeginInfo sbi{VK_STRUCTURE_TYPE_SUBPASS_BEGIN_INFO, nullptr, VK_SUBPASS_CONTENTS_INLINE};
        vkCmdBeginRenderPass2(cb, &rbi, &sbi);
      }
      for (int d = 0; d < 2; ++d) {
        vkCmdBindPipeline(cb, VK_PIPELINE_BIND_POINT_GRAPHICS, pipelines[d]);
        const VkViewport vp{0, 0, float(W), float(H), kDepth[d], kDepth[d]};
        vkCmdSetViewport(cb, 0, 1, &vp);
        vkCmdSetScissor(cb, 0, 1, &kRect[d]);
        vkCmdDraw(cb, 3, 1, 0, 0);
      }
      if (dynamic) {
        vkCmdEndRendering(cb);
        if (separate) {
          transition(cb, read.image, depth_layout, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, VK_IMAGE_ASPECT_DEPTH_BIT);
          transition(cb, read.image, stencil_layout, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, VK_IMAGE_ASPECT_STENCIL_BIT);
        } else {
          transition(cb, read.image, depth_layout, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL,
                     VK_IMAGE_ASPECT_DEPTH_BIT | VK_IMAGE_ASPECT_STENCIL_BIT);
        }
      } else {
        VkSubpassEndInfo sei{VK_STRUCTURE_TYPE_SUBPASS_END_INFO};
        vkCmdEndRenderPass2(cb, &sei);
      }
      VkBufferImageCopy r{};
      r.imageSubresource = {VK_IMAGE_ASPECT_DEPTH_BIT, 0, 0, 1};
      r.imageExtent = {W, H, 1};
      vkCmdCopyImageToBuffer(cb, read.image, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, depth_back.buffer, 1, &r);
      r.imageSubresource.aspectMask = VK_IMAGE_ASPECT_STENCIL_BIT;
      vkCmdCopyImageToBuffer(cb, read.image, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, stencil_back.buffer, 1, &r);
      VkMemoryBarrier host{VK_STRUCTURE_TYPE_MEMORY_BARRIER, nullptr, VK_ACCESS_TRANSFER_WRITE_BIT, VK_ACCESS_HOST_READ_BIT};
      vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &host, 0, nullptr, 0,
                           nullptr);
    });

    const Planes done = planes(2);
    EXPECT(same_depth(depth_back.mapped, W * H * 4, done.depth), "the program's own depth: %s",
           show_depth(depth_back.mapped, W * H * 4).c_str());
    EXPECT(same_stencil(stencil_back.mapped, W * H, done.stencil), "the program's own stencil: %s",
           show_stencil(stencil_back.mapped, W * H).c_str());

    const char* spec = std::getenv("KILN_CAPTURE_COMMAND");
    if (gpu.has_api && spec) {
      const uint32_t n = std::string(spec).rfind("draw:", 0) == 0 ? uint32_t(std::atoi(spec + 5)) : 0;
      EXPECT(n == 1 || n == 2, "KILN_CAPTURE_COMMAND=%s: layer_stencil checks draw:1 or draw:2", spec);
      const KilnCapture* c = n == 1 || n == 2 ? take_capture(gpu) : nullptr;
      if (c) {
        dump(c);
        const Planes before = planes(n - 1), after = planes(n);
        const KilnCaptureResource* depth = find(c, "depth_attachment");
        if (depth) {
          EXPECT(depth->is_image && depth->written && std::string(depth->debug_name) == "depth_stencil" &&
                     depth->samples == uint32_t(samples), "depth description");
          EXPECT(same_depth(depth->before, depth->before_size, before.depth), "depth before draw %u: %s", n,
                 show_depth(depth->before, depth->before_size).c_str());
          EXPECT(same_depth(depth->after, depth->after_size, after.depth), "depth after draw %u: %s", n,
                 show_depth(depth->after, depth->after_size).c_str());
        }
        const KilnCaptureResource* stencil = find(c, "stencil_attachment");
        if (stencil) {
          EXPECT(stencil->is_image && stencil->written && stencil->samples == uint32_t(samples), "stencil description");
          EXPECT(same_stencil(stencil->before, stencil->before_size, before.stencil), "stencil before draw %u: %s", n,
                 show_stencil(stencil->before, stencil->before_size).c_str());
          EXPECT(same_stencil(stencil->after, stencil->after_size, after.stencil), "stencil after draw %u: %s", n,
                 show_stencil(stencil->after, stencil->after_size).c_str());
        }
        gpu.api.free_capture(gpu.device, c);
      }
    }

    for (VkPipeline p : pipelines) vkDestroyPipeline(gpu.device, p, nullptr);
    vkDestroyPipelineLayout(gpu.device, layout, nullptr);
    vkDestroyShaderModule(gpu.device, vs, nullptr);
    if (framebuffer) vkDestroyFramebuffer(gpu.device, framebuffer, nullptr);
    if (pass) vkDestroyRenderPass(gpu.device, pass, nullptr);
    gpu.destroy(depth_back);
    gpu.destroy(stencil_back);
    gpu.destroy(ds);
    if (msaa) gpu.destroy(resolved);
  }
  return result();
}
