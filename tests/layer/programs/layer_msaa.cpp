// A multisampled draw for the capture layer: dynamic rendering into a 4x MSAA RGBA8 colour attachment
// (cleared to a known colour) with a single-sample resolve attachment (AVERAGE) in the same attachment
// info; one flat-coloured triangle covers part of the image, so pixels along its edges are partly
// covered and resolve to a mix. The program reads its resolve attachment back and checks the picture
// itself; with the layer, the draw is captured (through the C API with --api, else by the environment,
// KILN_CAPTURE_COMMAND=draw:1) and the multisampled colour attachment must come back resolved: samples
// 4, before = the clear colour, after = the program's own resolve attachment. capture.json (in the
// folder KILN_CAPTURE_OUT names) must say "samples": 4 for it. --depth adds a 4x multisampled D32
// depth attachment (cleared to 1, the triangle at 0.5), which the layer captures as each pixel's sample
// 0 (resolved by a render pass of its own, SAMPLE_ZERO): before all 1; after 0.5 inside the triangle,
// 1 outside it, one or the other on its edges (where sample 0 lies is the driver's).
#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>
#include <string>

#include "msaa_flat_frag.h"
#include "msaa_triangle_vert.h"
#include "vk_program.h"

using namespace prog;

namespace {

constexpr uint32_t W = 16, H = 16;
constexpr uint8_t kClear[4] = {51, 102, 153, 255};  // 0.2, 0.4, 0.6, 1.0
constexpr uint8_t kTriangle[4] = {255, 0, 0, 255};  // msaa_flat.frag
// msaa_triangle.vert's corners, in NDC.
constexpr float kCorners[3][2] = {{-0.8f, -0.8f}, {0.9f, -0.6f}, {-0.5f, 0.9f}};

enum class Cover { Inside, Outside, Edge };

// Whether pixel (x, y)'s square lies wholly inside the triangle, wholly outside it, or across an edge.
// Whole squares, not sample positions: the answer holds whatever the driver's sample pattern.
Cover cover(uint32_t x, uint32_t y) {
  float v[3][2];
  for (int i = 0; i < 3; ++i) {
    v[i][0] = (kCorners[i][0] + 1) * 0.5f * W;
    v[i][1] = (kCorners[i][1] + 1) * 0.5f * H;
  }
  const float area = (v[1][0] - v[0][0]) * (v[2][1] - v[0][1]) - (v[1][1] - v[0][1]) * (v[2][0] - v[0][0]);
  const float px[4] = {float(x), float(x + 1), float(x), float(x + 1)};
  const float py[4] = {float(y), float(y), float(y + 1), float(y + 1)};
  bool all_in = true;
  for (int e = 0; e < 3; ++e) {
    const float* a = v[e];
    const float* b = v[(e + 1) % 3];
    int in = 0, out = 0;
    for (int k = 0; k < 4; ++k) {
      float s = ((b[0] - a[0]) * (py[k] - a[1]) - (b[1] - a[1]) * (px[k] - a[0])) * (area > 0 ? 1 : -1);
      in += s > 0;
      out += s < 0;
    }
    if (out == 4) return Cover::Outside;
    all_in &= in == 4;
  }
  return all_in ? Cover::Inside : Cover::Edge;
}

bool is(const uint8_t* px, const uint8_t* want) { return std::memcmp(px, want, 4) == 0; }

// The JSON object around `at` in `text` (capture.json: no braces inside its strings there).
std::string enclosing_object(const std::string& text, size_t at) {
  size_t begin = at;
  for (int depth = 0; begin > 0; --begin) {
    if (text[begin] == '}') ++depth;
    if (text[begin] == '{' && depth-- == 0) break;
  }
  size_t end = at;
  for (int depth = 0; end < text.size(); ++end) {
    if (text[end] == '{') ++depth;
    if (text[end] == '}' && depth-- == 0) break;
  }
  return text.substr(begin, end + 1 - begin);
}

// capture.json, as the layer wrote it (nlohmann's dump(2): `"key": value`).
void check_json(const std::string& folder, bool depth) {
  std::ifstream in(folder + "/capture.json");
  EXPECT(bool(in), "no %s/capture.json", folder.c_str());
  if (!in) return;
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  size_t at = text.find("\"role\": \"color_attachment\"");
  EXPECT(at != std::string::npos, "no color_attachment in capture.json");
  if (at != std::string::npos) {
    const std::string color = enclosing_object(text, at);
    std::string flat = color;  // without whitespace: arrays are one number a line
    flat.erase(std::remove_if(flat.begin(), flat.end(), [](char ch) { return std::isspace(uint8_t(ch)); }), flat.end());
    EXPECT(flat.find("\"samples\":4,") != std::string::npos || flat.find("\"samples\":4}") != std::string::npos,
           "colour attachment without \"samples\": 4:\n%s", color.c_str());
    EXPECT(flat.find("\"extent\":[16,16,1]") != std::string::npos, "extent:\n%s", color.c_str());
  }
  EXPECT(text.find("samples: captured resolved") != std::string::npos, "no note that the attachment was resolved");
  at = text.find("\"role\": \"depth_attachment\"");
  EXPECT((at != std::string::npos) == depth, "depth attachment in capture.json: %d", int(at != std::string::npos));
  if (depth && at != std::string::npos) {
    std::string flat = enclosing_object(text, at);
    flat.erase(std::remove_if(flat.begin(), flat.end(), [](char ch) { return std::isspace(uint8_t(ch)); }), flat.end());
    EXPECT(flat.find("\"samples\":4") != std::string::npos, "depth attachment without \"samples\": 4:\n%s", flat.c_str());
    EXPECT(text.find("captured as sample 0") != std::string::npos, "no note that depth holds sample 0");
  }
}

}  // namespace

int main(int argc, char** argv) {
  bool api = false, depth = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    api |= a == "--api";
    depth |= a == "--depth";
  }
  {
    Gpu gpu;
    const VkFormat kColorFormat = VK_FORMAT_R8G8B8A8_UNORM, kDepthFormat = VK_FORMAT_D32_SFLOAT;
    // No TRANSFER_SRC on the multisampled images: the layer adds what it needs.
    Image color = gpu.multisampled_image(kColorFormat, {W, H}, VK_SAMPLE_COUNT_4_BIT, VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT);
    gpu.name(VK_OBJECT_TYPE_IMAGE, (uint64_t)color.image, "msaa_color");
    Image resolved = gpu.image(kColorFormat, {W, H}, VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT);
    gpu.name(VK_OBJECT_TYPE_IMAGE, (uint64_t)resolved.image, "resolved");
    Image depth_image;
    if (depth) {
      depth_image = gpu.multisampled_image(kDepthFormat, {W, H}, VK_SAMPLE_COUNT_4_BIT,
                                           VK_IMAGE_USAGE_DEPTH_STENCIL_ATTACHMENT_BIT, VK_IMAGE_ASPECT_DEPTH_BIT);
      gpu.name(VK_OBJECT_TYPE_IMAGE, (uint64_t)depth_image.image, "msaa_depth");
    }
    Buffer readback = gpu.buffer(W * H * 4, VK_BUFFER_USAGE_TRANSFER_DST_BIT);

    VkPipelineLayoutCreateInfo pli{VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
    VkPipelineLayout layout;
    VKCHECK(vkCreatePipelineLayout(gpu.device, &pli, nullptr, &layout));
    VkShaderModule vs = gpu.shader(msaa_triangle_vert, sizeof(msaa_triangle_vert));
    VkShaderModule fs = gpu.shader(msaa_flat_frag, sizeof(msaa_flat_frag));
    VkPipelineShaderStageCreateInfo stages[2] = {
        {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO, nullptr, 0, VK_SHADER_STAGE_VERTEX_BIT, vs, "main", nullptr},
        {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO, nullptr, 0, VK_SHADER_STAGE_FRAGMENT_BIT, fs, "main", nullptr}};
    VkPipelineVertexInputStateCreateInfo vertex{VK_STRUCTURE_TYPE_PIPELINE_VERTEX_INPUT_STATE_CREATE_INFO};
    VkPipelineInputAssemblyStateCreateInfo assembly{VK_STRUCTURE_TYPE_PIPELINE_INPUT_ASSEMBLY_STATE_CREATE_INFO};
    assembly.topology = VK_PRIMITIVE_TOPOLOGY_TRIANGLE_LIST;
    VkViewport viewport{0, 0, float(W), float(H), 0, 1};
    VkRect2D scissor{{0, 0}, {W, H}};
    VkPipelineViewportStateCreateInfo vp{VK_STRUCTURE_TYPE_PIPELINE_VIEWPORT_STATE_CREATE_INFO};
    vp.viewportCount = 1;
    vp.pViewports = &viewport;
    vp.scissorCount = 1;
    vp.pScissors = &scissor;
    VkPipelineRasterizationStateCreateInfo raster{VK_STRUCTURE_TYPE_PIPELINE_RASTERIZATION_STATE_CREATE_INFO};
    raster.polygonMode = VK_POLYGON_MODE_FILL;
    raster.cullMode = VK_CULL_MODE_NONE;
    raster.lineWidth = 1;
    VkPipelineMultisampleStateCreateInfo ms{VK_STRUCTURE_TYPE_PIPELINE_MULTISAMPLE_STATE_CREATE_INFO};
    ms.rasterizationSamples = VK_SAMPLE_COUNT_4_BIT;
    VkPipelineDepthStencilStateCreateInfo ds{VK_STRUCTURE_TYPE_PIPELINE_DEPTH_STENCIL_STATE_CREATE_INFO};
    ds.depthTestEnable = depth;
    ds.depthWriteEnable = depth;
    ds.depthCompareOp = VK_COMPARE_OP_LESS;  // the triangle (z 0.5) passes the clear (1.0)
    VkPipelineColorBlendAttachmentState blend{};
    blend.colorWriteMask = VK_COLOR_COMPONENT_R_BIT | VK_COLOR_COMPONENT_G_BIT | VK_COLOR_COMPONENT_B_BIT |
                           VK_COLOR_COMPONENT_A_BIT;
    VkPipelineColorBlendStateCreateInfo cb_state{VK_STRUCTURE_TYPE_PIPELINE_COLOR_BLEND_STATE_CREATE_INFO};
    cb_state.attachmentCount = 1;
    cb_state.pAttachments = &blend;
    VkPipelineRenderingCreateInfo rendering_info{VK_STRUCTURE_TYPE_PIPELINE_RENDERING_CREATE_INFO};
    rendering_info.colorAttachmentCount = 1;
    rendering_info.pColorAttachmentFormats = &kColorFormat;
    if (depth) rendering_info.depthAttachmentFormat = kDepthFormat;
    VkGraphicsPipelineCreateInfo gi{VK_STRUCTURE_TYPE_GRAPHICS_PIPELINE_CREATE_INFO};
    gi.pNext = &rendering_info;
    gi.stageCount = 2;
    gi.pStages = stages;
    gi.pVertexInputState = &vertex;
    gi.pInputAssemblyState = &assembly;
    gi.pViewportState = &vp;
    gi.pRasterizationState = &raster;
    gi.pMultisampleState = &ms;
    gi.pDepthStencilState = &ds;
    gi.pColorBlendState = &cb_state;
    gi.layout = layout;
    VkPipeline pipeline;
    VKCHECK(vkCreateGraphicsPipelines(gpu.device, VK_NULL_HANDLE, 1, &gi, nullptr, &pipeline));
    gpu.name(VK_OBJECT_TYPE_PIPELINE, (uint64_t)pipeline, "msaa_triangle");

    if (api && gpu.has_api) VKCHECK(gpu.api.capture_next(gpu.device, "draw", KILN_CAPTURE_BOTH));

    // One submission (frame 1): the draw, then the program's own read-back of its resolve attachment.
    gpu.run([&](VkCommandBuffer cb) {
      transition(cb, color.image, VK_IMAGE_LAYOUT_UNDEFINED, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL);
      transition(cb, resolved.image, VK_IMAGE_LAYOUT_UNDEFINED, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL);
      if (depth)
        transition(cb, depth_image.image, VK_IMAGE_LAYOUT_UNDEFINED, VK_IMAGE_LAYOUT_DEPTH_ATTACHMENT_OPTIMAL,
                   VK_IMAGE_ASPECT_DEPTH_BIT);
      VkRenderingAttachmentInfo ca{VK_STRUCTURE_TYPE_RENDERING_ATTACHMENT_INFO};
      ca.imageView = color.view;
      ca.imageLayout = VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL;
      ca.resolveMode = VK_RESOLVE_MODE_AVERAGE_BIT;
      ca.resolveImageView = resolved.view;
      ca.resolveImageLayout = VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL;
      ca.loadOp = VK_ATTACHMENT_LOAD_OP_CLEAR;
      ca.storeOp = VK_ATTACHMENT_STORE_OP_STORE;
      ca.clearValue.color = {{0.2f, 0.4f, 0.6f, 1.0f}};
      VkRenderingAttachmentInfo da{VK_STRUCTURE_TYPE_RENDERING_ATTACHMENT_INFO};
      da.imageView = depth_image.view;
      da.imageLayout = VK_IMAGE_LAYOUT_DEPTH_ATTACHMENT_OPTIMAL;
      da.loadOp = VK_ATTACHMENT_LOAD_OP_CLEAR;
      da.storeOp = VK_ATTACHMENT_STORE_OP_DONT_CARE;
      da.clearValue.depthStencil = {1.0f, 0};
      VkRenderingInfo ri{VK_STRUCTURE_TYPE_RENDERING_INFO};
      ri.renderArea = {{0, 0}, {W, H}};
      ri.layerCount = 1;
      ri.colorAttachmentCount = 1;
      ri.pColorAttachments = &ca;
      ri.pDepthAttachment = depth ? &da : nullptr;
      vkCmdBeginRendering(cb, &ri);
      vkCmdBindPipeline(cb, VK_PIPELINE_BIND_POINT_GRAPHICS, pipeline);
      vkCmdDraw(cb, 3, 1, 0, 0);
      vkCmdEndRendering(cb);
      transition(cb, resolved.image, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL);
      VkBufferImageCopy region{};
      region.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
      region.imageExtent = {W, H, 1};
      vkCmdCopyImageToBuffer(cb, resolved.image, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, readback.buffer, 1, &region);
      VkMemoryBarrier host{VK_STRUCTURE_TYPE_MEMORY_BARRIER, nullptr, VK_ACCESS_TRANSFER_WRITE_BIT, VK_ACCESS_HOST_READ_BIT};
      vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &host, 0, nullptr, 0,
                           nullptr);
    });

    // The program's own picture, with or without the layer.
    const uint8_t* own = static_cast<const uint8_t*>(readback.mapped);
    uint32_t inside = 0, outside = 0, mixed = 0;
    for (uint32_t y = 0; y < H; ++y)
      for (uint32_t x = 0; x < W; ++x) {
        const uint8_t* px = own + (y * W + x) * 4;
        switch (cover(x, y)) {
          case Cover::Inside:
            ++inside;
            EXPECT(is(px, kTriangle), "inside pixel (%u,%u) = %u %u %u %u", x, y, px[0], px[1], px[2], px[3]);
            break;
          case Cover::Outside:
            ++outside;
            EXPECT(is(px, kClear), "outside pixel (%u,%u) = %u %u %u %u", x, y, px[0], px[1], px[2], px[3]);
            break;
          case Cover::Edge:
            // A mix: each channel between the clear colour's and the triangle's.
            for (int c = 0; c < 4; ++c)
              EXPECT(px[c] >= std::min(kClear[c], kTriangle[c]) && px[c] <= std::max(kClear[c], kTriangle[c]),
                     "edge pixel (%u,%u) channel %d = %u", x, y, c, px[c]);
            break;
        }
        mixed += !is(px, kClear) && !is(px, kTriangle);
      }
    EXPECT(inside > 10 && outside > 10, "the triangle covers %u pixels wholly, misses %u", inside, outside);
    EXPECT(is(own + ((H - 1) * W + (W - 1)) * 4, kClear), "far corner is not the clear colour");
    EXPECT(mixed > 0, "no partly covered pixel resolved to a mix");

    if (gpu.has_api) {
      const KilnCapture* c = take_capture(gpu);
      if (c) {
        dump(c);
        EXPECT(std::string(c->command).rfind("vkCmdDraw(3, 1, 0, 0)", 0) == 0, "command %s", c->command);
        EXPECT(std::string(c->pipeline_name) == "msaa_triangle", "pipeline %s", c->pipeline_name);
        const KilnCaptureResource* col = find(c, "color_attachment", 0);
        if (col) {
          EXPECT(col->is_image && col->written, "image %u written %u", col->is_image, col->written);
          EXPECT(col->samples == 4, "samples %u", col->samples);
          EXPECT(std::string(col->debug_name) == "msaa_color", "debug name %s", col->debug_name);
          EXPECT(col->format == kColorFormat, "format %d", int(col->format));
          EXPECT(col->extent.width == W && col->extent.height == H && col->extent.depth == 1, "extent %ux%ux%u",
                 col->extent.width, col->extent.height, col->extent.depth);
          // Resolved: one texel per pixel, not per sample (`size` is for buffers only).
          EXPECT(col->before_size == W * H * 4 && col->after_size == W * H * 4, "sizes %llu %llu",
                 (unsigned long long)col->before_size, (unsigned long long)col->after_size);
          const auto* before = static_cast<const uint8_t*>(col->before);
          const auto* after = static_cast<const uint8_t*>(col->after);
          for (uint32_t p = 0; before && col->before_size == W * H * 4 && p < W * H; ++p)
            EXPECT(is(before + p * 4, kClear), "before pixel %u = %u %u %u %u", p, before[p * 4], before[p * 4 + 1],
                   before[p * 4 + 2], before[p * 4 + 3]);
          // The layer resolves with vkCmdResolveImage, the program with the rendering's resolve: both
          // average the same samples, and lavapipe rounds both alike, so byte for byte.
          for (uint32_t b = 0; after && col->after_size == W * H * 4 && b < W * H * 4; ++b)
            EXPECT(after[b] == own[b], "after byte %u (pixel %u,%u channel %u) = %u, the program's resolve %u", b,
                   b / 4 % W, b / 4 / W, b % 4, after[b], own[b]);
          EXPECT(before && after, "before %p after %p", col->before, col->after);
        }
        // The program's resolve attachment: reported, single-sample, and not written by the draw (the
        // resolve runs when the rendering ends, after the command): before == after.
        uint32_t resolves = 0;
        for (uint32_t i = 0; i < c->resource_count; ++i) {
          const KilnCaptureResource& r = c->resources[i];
          if (std::strcmp(r.role, "resolve_attachment") != 0) continue;
          ++resolves;
          EXPECT(r.samples == 1, "resolve attachment samples %u", r.samples);
          EXPECT(!r.written, "the resolve attachment is marked written by the draw");
          EXPECT(r.before && r.after && r.before_size == W * H * 4 && r.after_size == W * H * 4,
                 "resolve attachment sizes %llu %llu", (unsigned long long)r.before_size, (unsigned long long)r.after_size);
          if (r.before && r.after && r.before_size == r.after_size)
            EXPECT(std::memcmp(r.before, r.after, r.before_size) == 0, "the draw changed the resolve attachment");
        }
        EXPECT(resolves == 1, "%u resolve attachments captured, want 1", resolves);
        const KilnCaptureResource* d = nullptr;
        for (uint32_t i = 0; i < c->resource_count; ++i)
          if (std::strcmp(c->resources[i].role, "depth_attachment") == 0) d = &c->resources[i];
        EXPECT((d != nullptr) == depth, "depth attachment captured: %d", int(d != nullptr));
        if (d) {
          EXPECT(d->samples == 4 && d->written && std::string(d->debug_name) == "msaa_depth", "depth description");
          EXPECT(d->before_size == W * H * 4 && d->after_size == W * H * 4, "depth sizes %llu %llu",
                 (unsigned long long)d->before_size, (unsigned long long)d->after_size);
          const auto* before = static_cast<const float*>(d->before);
          const auto* after = static_cast<const float*>(d->after);
          for (uint32_t y = 0; before && after && d->before_size == W * H * 4 && d->after_size == W * H * 4 && y < H; ++y)
            for (uint32_t x = 0; x < W; ++x) {
              const float b = before[y * W + x], a = after[y * W + x];
              EXPECT(b == 1.0f, "depth before (%u,%u) = %f", x, y, double(b));
              const Cover k = cover(x, y);
              EXPECT(k == Cover::Inside ? a == 0.5f : k == Cover::Outside ? a == 1.0f : (a == 0.5f || a == 1.0f),
                     "depth after (%u,%u) = %f", x, y, double(a));
            }
        }
        EXPECT(*c->folder, "the capture was not written (KILN_CAPTURE_OUT unset?)");
        if (*c->folder) check_json(c->folder, depth);
        gpu.api.free_capture(gpu.device, c);
      }
    }

    vkDestroyPipeline(gpu.device, pipeline, nullptr);
    vkDestroyPipelineLayout(gpu.device, layout, nullptr);
    vkDestroyShaderModule(gpu.device, vs, nullptr);
    vkDestroyShaderModule(gpu.device, fs, nullptr);
    gpu.destroy(readback);
    if (depth) gpu.destroy(depth_image);
    gpu.destroy(resolved);
    gpu.destroy(color);
  }
  return result();
}
