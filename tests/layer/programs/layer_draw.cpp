// A draw program for the capture layer: a full-screen triangle samples a 2x2 texture into a 4x4 colour
// attachment cleared to a known colour, tinted by push constants. The second submission (frame 2 for
// a program that never presents) holds the draw(s). Modes:
//   --dynamic (default)  dynamic rendering
//   --renderpass         a VkRenderPass object (the layer splits it with compatible passes)
//   --renderpass2        the same, made by vkCreateRenderPass2 and begun by vkCmdBeginRenderPass2
//   --secondary          the draw inside a secondary command buffer, in a render pass begun for secondaries
//   --labels             three draws in debug-label regions Frame/Opaque and Frame/Shadows; spec
//                        label:Shadows/draw:2 selects the third
//   --api                dynamic rendering, captured through kilnCaptureInLabel / kilnCaptureNext
//   --expect-none        check that nothing was captured (a spec matching nothing, or none)
//   --push-descriptor    dynamic rendering, the texture bound with vkCmdPushDescriptorSetKHR (the layer
//                        captures it from the pushed writes)
//   --push-template      the same through vkCmdPushDescriptorSetWithTemplateKHR (the layer copies the
//                        bytes the template reads)
//   --color-write        dynamic rendering, colour writes enabled by vkCmdSetColorWriteEnableEXT
//                        (VK_EXT_color_write_enable): a command the layer does not record (its command
//                        buffer passes through, the call arrives intact through the layer's trampoline)
//   --multi-draw         dynamic rendering, the draw made by vkCmdDrawMultiEXT (VK_EXT_multi_draw) with
//                        one draw info 16 bytes apart (the layer records it packed)
//   --multi-draw-indexed the same by vkCmdDrawMultiIndexedEXT: indices {7, 1, 2, 3} in a uint16 index
//                        buffer, firstIndex 1, and a vertex offset of -1 given through pVertexOffset
//                        (the capture lists the index buffer with those bytes)
//   --depth              dynamic rendering with a D32 depth attachment cleared to 1, depth test LESS:
//                        the draw (z = 0) writes 0 everywhere
//   --copy               check the capture of the upload's vkCmdCopyBufferToImage (frame 1, copy:1)
//   --device-group       dynamic rendering with a VkDeviceGroupRenderPassBeginInfo chained to the
//                        VkRenderingInfo: a pNext the layer does not re-record (it passes through)
//   --subpasses          a render pass of two subpasses: subpass 0 draws the texture into the left half
//                        of attachment A (cleared, stored DONT_CARE: only the next subpass reads it),
//                        subpass 1 reads A as an input attachment and writes it, channels rotated, into B
//                        (the program's "target"). Spec draw:1 or draw:2 (read from KILN_CAPTURE_COMMAND)
//                        says which draw's capture to check.
//   --subpasses2         the same, made by vkCreateRenderPass2 and recorded with the *2 commands
//   --chained            with --subpasses: a VkRenderPassInputAttachmentAspectCreateInfo chained to the
//                        create info; with --renderpass2 / --subpasses2: a VkMemoryBarrier2 chained to each
//                        dependency. The layer re-chains them into its split passes.
//   --multiview          with --renderpass: one-view multiview (VkRenderPassMultiviewCreateInfo); with
//                        --renderpass2 or --dynamic: viewMask 1. Beginning such a pass again leaves all bound state
//                        undefined: the layer binds it again in each part of its split.
// The program checks its own picture, then (when the layer is loaded) the capture's bytes.
#include <array>
#include <string>

#include "draw_frag.h"
#include "draw_vert.h"
#include "subpass_fullscreen_vert.h"
#include "subpass_load_frag.h"
#include "vk_program.h"

using namespace prog;

namespace {

constexpr uint32_t W = 4, H = 4;
constexpr Rgba kClear{51, 102, 153, 255};
constexpr Rgba kTexels[4] = {{255, 0, 0, 255}, {0, 255, 0, 255}, {0, 0, 255, 255}, {255, 255, 255, 255}};

struct Tint {
  float r, g, b, a;
};

std::vector<Rgba> expected(Tint t) {
  std::vector<Rgba> px(W * H);
  for (uint32_t y = 0; y < H; ++y)
    for (uint32_t x = 0; x < W; ++x) {
      Rgba s = kTexels[(y / 2) * 2 + x / 2];
      px[y * W + x] = {uint8_t(s[0] * t.r), uint8_t(s[1] * t.g), uint8_t(s[2] * t.b), uint8_t(s[3] * t.a)};
    }
  return px;
}

std::vector<Rgba> filled(Rgba c) { return std::vector<Rgba>(W * H, c); }

// --subpasses: B's clear, A after subpass 0 (the texture on the left half, A's clear on the right), B after
// subpass 1 (A with its channels rotated, as subpass_load.frag writes it).
constexpr Rgba kClearB{10, 20, 30, 40};
constexpr uint32_t kSubpass0Width = W / 2;

std::vector<Rgba> subpass0_picture() {
  std::vector<Rgba> px = expected({1, 1, 1, 1});
  for (uint32_t y = 0; y < H; ++y)
    for (uint32_t x = kSubpass0Width; x < W; ++x) px[y * W + x] = kClear;
  return px;
}

std::vector<Rgba> subpass1_picture() {
  std::vector<Rgba> px = subpass0_picture();
  for (Rgba& p : px) p = {p[1], p[2], p[3], p[0]};
  return px;
}

// Attachment 0 (A): colour in subpass 0, input attachment in subpass 1, not stored. Attachment 1 (B):
// colour in subpass 1, stored and left in TRANSFER_SRC for the read-back.
// The dependencies for vkCreateRenderPass2; `chained` (--chained): each as a VkMemoryBarrier2 in its
// pNext, which then replaces the masks (zeroed, as they must be).
void to_dependencies2(const VkSubpassDependency* deps, uint32_t n, bool chained, VkSubpassDependency2* out,
                      VkMemoryBarrier2* barriers) {
  for (uint32_t i = 0; i < n; ++i) {
    out[i] = {VK_STRUCTURE_TYPE_SUBPASS_DEPENDENCY_2, nullptr, deps[i].srcSubpass, deps[i].dstSubpass,
              deps[i].srcStageMask, deps[i].dstStageMask, deps[i].srcAccessMask, deps[i].dstAccessMask,
              deps[i].dependencyFlags, 0};
    barriers[i] = {VK_STRUCTURE_TYPE_MEMORY_BARRIER_2, nullptr, deps[i].srcStageMask, deps[i].srcAccessMask,
                   deps[i].dstStageMask, deps[i].dstAccessMask};
    if (chained) {
      out[i].pNext = &barriers[i];
      out[i].srcStageMask = out[i].dstStageMask = 0;
      out[i].srcAccessMask = out[i].dstAccessMask = 0;
    }
  }
}

VkRenderPass subpass_render_pass(VkDevice device, VkFormat format, bool v2, bool chained) {
  VkAttachmentDescription atts[2] = {
      {0, format, VK_SAMPLE_COUNT_1_BIT, VK_ATTACHMENT_LOAD_OP_CLEAR, VK_ATTACHMENT_STORE_OP_DONT_CARE,
       VK_ATTACHMENT_LOAD_OP_DONT_CARE, VK_ATTACHMENT_STORE_OP_DONT_CARE, VK_IMAGE_LAYOUT_UNDEFINED,
       VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL},
      {0, format, VK_SAMPLE_COUNT_1_BIT, VK_ATTACHMENT_LOAD_OP_CLEAR, VK_ATTACHMENT_STORE_OP_STORE,
       VK_ATTACHMENT_LOAD_OP_DONT_CARE, VK_ATTACHMENT_STORE_OP_DONT_CARE, VK_IMAGE_LAYOUT_UNDEFINED,
       VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL}};
  VkAttachmentReference a_color{0, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL};
  VkAttachmentReference a_input{0, VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL};
  VkAttachmentReference b_color{1, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL};
  VkSubpassDescription subs[2]{};
  subs[0].pipelineBindPoint = subs[1].pipelineBindPoint = VK_PIPELINE_BIND_POINT_GRAPHICS;
  subs[0].colorAttachmentCount = 1;
  subs[0].pColorAttachments = &a_color;
  subs[1].inputAttachmentCount = 1;
  subs[1].pInputAttachments = &a_input;
  subs[1].colorAttachmentCount = 1;
  subs[1].pColorAttachments = &b_color;
  VkSubpassDependency deps[3] = {
      {VK_SUBPASS_EXTERNAL, 0, VK_PIPELINE_STAGE_ALL_COMMANDS_BIT, VK_PIPELINE_STAGE_ALL_GRAPHICS_BIT,
       VK_ACCESS_MEMORY_WRITE_BIT, VK_ACCESS_MEMORY_READ_BIT | VK_ACCESS_MEMORY_WRITE_BIT, 0},
      {0, 1, VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT, VK_PIPELINE_STAGE_FRAGMENT_SHADER_BIT,
       VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT, VK_ACCESS_INPUT_ATTACHMENT_READ_BIT, VK_DEPENDENCY_BY_REGION_BIT},
      {1, VK_SUBPASS_EXTERNAL, VK_PIPELINE_STAGE_ALL_GRAPHICS_BIT, VK_PIPELINE_STAGE_ALL_COMMANDS_BIT,
       VK_ACCESS_MEMORY_WRITE_BIT, VK_ACCESS_MEMORY_READ_BIT | VK_ACCESS_MEMORY_WRITE_BIT, 0}};
  VkRenderPass rp = VK_NULL_HANDLE;
  if (!v2) {
    VkRenderPassCreateInfo rci{VK_STRUCTURE_TYPE_RENDER_PASS_CREATE_INFO};
    rci.attachmentCount = 2;
    rci.pAttachments = atts;
    rci.subpassCount = 2;
    rci.pSubpasses = subs;
    rci.dependencyCount = 3;
    rci.pDependencies = deps;
    // --chained: subpass 1 reads only the colour aspect of its input attachment (as it would anyway).
    const VkInputAttachmentAspectReference aspect{1, 0, VK_IMAGE_ASPECT_COLOR_BIT};
    VkRenderPassInputAttachmentAspectCreateInfo aspects{VK_STRUCTURE_TYPE_RENDER_PASS_INPUT_ATTACHMENT_ASPECT_CREATE_INFO};
    aspects.aspectReferenceCount = 1;
    aspects.pAspectReferences = &aspect;
    if (chained) rci.pNext = &aspects;
    VKCHECK(vkCreateRenderPass(device, &rci, nullptr, &rp));
    return rp;
  }
  VkAttachmentDescription2 atts2[2];
  for (int i = 0; i < 2; ++i)
    atts2[i] = {VK_STRUCTURE_TYPE_ATTACHMENT_DESCRIPTION_2, nullptr, 0, format, VK_SAMPLE_COUNT_1_BIT,
                atts[i].loadOp, atts[i].storeOp, atts[i].stencilLoadOp, atts[i].stencilStoreOp,
                atts[i].initialLayout, atts[i].finalLayout};
  auto ref2 = [](const VkAttachmentReference& r) {
    return VkAttachmentReference2{VK_STRUCTURE_TYPE_ATTACHMENT_REFERENCE_2, nullptr, r.attachment, r.layout,
                                  VK_IMAGE_ASPECT_COLOR_BIT};
  };
  VkAttachmentReference2 a_color2 = ref2(a_color), a_input2 = ref2(a_input), b_color2 = ref2(b_color);
  VkSubpassDescription2 subs2[2] = {{VK_STRUCTURE_TYPE_SUBPASS_DESCRIPTION_2}, {VK_STRUCTURE_TYPE_SUBPASS_DESCRIPTION_2}};
  subs2[0].pipelineBindPoint = subs2[1].pipelineBindPoint = VK_PIPELINE_BIND_POINT_GRAPHICS;
  subs2[0].colorAttachmentCount = 1;
  subs2[0].pColorAttachments = &a_color2;
  subs2[1].inputAttachmentCount = 1;
  subs2[1].pInputAttachments = &a_input2;
  subs2[1].colorAttachmentCount = 1;
  subs2[1].pColorAttachments = &b_color2;
  VkSubpassDependency2 deps2[3];
  VkMemoryBarrier2 barriers2[3];
  to_dependencies2(deps, 3, chained, deps2, barriers2);
  VkRenderPassCreateInfo2 rci2{VK_STRUCTURE_TYPE_RENDER_PASS_CREATE_INFO_2};
  rci2.attachmentCount = 2;
  rci2.pAttachments = atts2;
  rci2.subpassCount = 2;
  rci2.pSubpasses = subs2;
  rci2.dependencyCount = 3;
  rci2.pDependencies = deps2;
  VKCHECK(vkCreateRenderPass2(device, &rci2, nullptr, &rp));
  return rp;
}

// True when the capture lists a resource with this debug name (any role).
bool lists(const KilnCapture* c, const char* debug_name) {
  for (uint32_t i = 0; i < c->resource_count; ++i)
    if (std::strcmp(c->resources[i].debug_name, debug_name) == 0) return true;
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  std::string mode = "--dynamic";
  bool api = false, none = false, device_group = false, push_descriptor = false, copy = false, depth = false;
  bool chained = false, multiview = false, push_template = false, multi_draw = false, color_write = false;
  bool indexed = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--api") api = true;
    else if (a == "--expect-none") none = true;
    else if (a == "--device-group") device_group = mode == "--dynamic";
    else if (a == "--push-descriptor") push_descriptor = true;
    else if (a == "--push-template") push_descriptor = push_template = true;
    else if (a == "--copy") copy = true;
    else if (a == "--depth") depth = true;
    else if (a == "--chained") chained = true;
    else if (a == "--multiview") multiview = true;
    else if (a == "--multi-draw") multi_draw = true;
    else if (a == "--multi-draw-indexed") multi_draw = indexed = true;
    else if (a == "--color-write") color_write = true;
    else mode = a;
  }
  const bool dynamic = mode == "--dynamic" || mode == "--labels";
  const bool secondary = mode == "--secondary";
  const bool labels = mode == "--labels";
  const bool subpasses = mode == "--subpasses" || mode == "--subpasses2";
  const bool rp2 = mode == "--renderpass2" || mode == "--subpasses2";
  if (push_descriptor) g_device_extensions.push_back(VK_KHR_PUSH_DESCRIPTOR_EXTENSION_NAME);
  VkPhysicalDeviceVulkan11Features f11{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES};
  f11.multiview = VK_TRUE;  // --multiview: one-view multiview passes
  if (multiview) g_device_features = &f11;
  VkPhysicalDeviceMultiDrawFeaturesEXT multi_draw_features{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MULTI_DRAW_FEATURES_EXT};
  multi_draw_features.multiDraw = VK_TRUE;
  if (multi_draw) {
    g_device_extensions.push_back(VK_EXT_MULTI_DRAW_EXTENSION_NAME);
    multi_draw_features.pNext = g_device_features;
    g_device_features = &multi_draw_features;
  }
  VkPhysicalDeviceColorWriteEnableFeaturesEXT color_write_features{
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_COLOR_WRITE_ENABLE_FEATURES_EXT};
  color_write_features.colorWriteEnable = VK_TRUE;
  if (color_write) {
    g_device_extensions.push_back(VK_EXT_COLOR_WRITE_ENABLE_EXTENSION_NAME);
    color_write_features.pNext = g_device_features;
    g_device_features = &color_write_features;
  }
  {
    Gpu gpu;
    const VkFormat format = VK_FORMAT_R8G8B8A8_UNORM;
    Image texture = gpu.image(format, {2, 2}, VK_IMAGE_USAGE_SAMPLED_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT);
    Image target = gpu.image(format, {W, H}, VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT);
    gpu.name(VK_OBJECT_TYPE_IMAGE, (uint64_t)target.image, subpasses ? "subpass_b" : "target");
    // --subpasses: attachment A, which only the render pass uses (no transfer usage: the layer must cope).
    Image scene;
    if (subpasses) {
      scene = gpu.image(format, {W, H}, VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | VK_IMAGE_USAGE_INPUT_ATTACHMENT_BIT);
      gpu.name(VK_OBJECT_TYPE_IMAGE, (uint64_t)scene.image, "subpass_a");
    }
    const VkFormat depth_format = VK_FORMAT_D32_SFLOAT;
    Image depth_image;
    if (depth)
      depth_image = gpu.image(depth_format, {W, H}, VK_IMAGE_USAGE_DEPTH_STENCIL_ATTACHMENT_BIT, VK_IMAGE_ASPECT_DEPTH_BIT);
    Buffer upload = gpu.buffer(16, VK_BUFFER_USAGE_TRANSFER_SRC_BIT, kTexels);
    Buffer readback = gpu.buffer(W * H * 4, VK_BUFFER_USAGE_TRANSFER_DST_BIT);
    const float vertices[6] = {-1, -1, 3, -1, -1, 3};
    Buffer vbo = gpu.buffer(sizeof(vertices), VK_BUFFER_USAGE_VERTEX_BUFFER_BIT, vertices);
    const uint16_t indices[4] = {7, 1, 2, 3};  // first index 1, vertex offset -1: vertices 0, 1, 2
    Buffer ibo = gpu.buffer(sizeof(indices), VK_BUFFER_USAGE_INDEX_BUFFER_BIT, indices);
    gpu.name(VK_OBJECT_TYPE_BUFFER, (uint64_t)ibo.buffer, "indices");

    // Submission 1: the texture's upload.
    gpu.run([&](VkCommandBuffer cb) {
      transition(cb, texture.image, VK_IMAGE_LAYOUT_UNDEFINED, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL);
      VkBufferImageCopy r{};
      r.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
      r.imageExtent = {2, 2, 1};
      vkCmdCopyBufferToImage(cb, upload.buffer, texture.image, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 1, &r);
      transition(cb, texture.image, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL);
    });

    VkSamplerCreateInfo si{VK_STRUCTURE_TYPE_SAMPLER_CREATE_INFO};
    si.magFilter = si.minFilter = VK_FILTER_NEAREST;
    si.addressModeU = si.addressModeV = si.addressModeW = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE;
    VkSampler sampler;
    VKCHECK(vkCreateSampler(gpu.device, &si, nullptr, &sampler));
    VkDescriptorSetLayoutBinding binding{0, VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, 1, VK_SHADER_STAGE_FRAGMENT_BIT, nullptr};
    VkDescriptorSetLayoutCreateInfo li{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO};
    li.bindingCount = 1;
    li.pBindings = &binding;
    if (push_descriptor) li.flags = VK_DESCRIPTOR_SET_LAYOUT_CREATE_PUSH_DESCRIPTOR_BIT_KHR;
    VkDescriptorSetLayout set_layout;
    VKCHECK(vkCreateDescriptorSetLayout(gpu.device, &li, nullptr, &set_layout));
    VkPushConstantRange push{VK_SHADER_STAGE_FRAGMENT_BIT, 0, sizeof(Tint)};
    VkPipelineLayoutCreateInfo pli{VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
    pli.setLayoutCount = 1;
    pli.pSetLayouts = &set_layout;
    pli.pushConstantRangeCount = 1;
    pli.pPushConstantRanges = &push;
    VkPipelineLayout layout;
    VKCHECK(vkCreatePipelineLayout(gpu.device, &pli, nullptr, &layout));
    VkDescriptorPoolSize size{VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, 1};
    VkDescriptorPoolCreateInfo dpi{VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO};
    dpi.maxSets = 1;
    dpi.poolSizeCount = 1;
    dpi.pPoolSizes = &size;
    VkDescriptorPool dpool;
    VKCHECK(vkCreateDescriptorPool(gpu.device, &dpi, nullptr, &dpool));
    VkDescriptorSetAllocateInfo ai{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO};
    ai.descriptorPool = dpool;
    ai.descriptorSetCount = 1;
    ai.pSetLayouts = &set_layout;
    VkDescriptorSet set = VK_NULL_HANDLE;
    if (!push_descriptor) VKCHECK(vkAllocateDescriptorSets(gpu.device, &ai, &set));
    VkDescriptorImageInfo ii{sampler, texture.view, VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL};
    VkWriteDescriptorSet w{VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET};
    w.dstSet = set;
    w.descriptorCount = 1;
    w.descriptorType = VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER;
    w.pImageInfo = &ii;
    if (!push_descriptor) vkUpdateDescriptorSets(gpu.device, 1, &w, 0, nullptr);
    auto push_set = reinterpret_cast<PFN_vkCmdPushDescriptorSetKHR>(vkGetDeviceProcAddr(gpu.device, "vkCmdPushDescriptorSetKHR"));
    auto set_color_write = reinterpret_cast<PFN_vkCmdSetColorWriteEnableEXT>(
        vkGetDeviceProcAddr(gpu.device, "vkCmdSetColorWriteEnableEXT"));
    auto draw_multi = reinterpret_cast<PFN_vkCmdDrawMultiEXT>(vkGetDeviceProcAddr(gpu.device, "vkCmdDrawMultiEXT"));
    auto draw_multi_indexed = reinterpret_cast<PFN_vkCmdDrawMultiIndexedEXT>(
        vkGetDeviceProcAddr(gpu.device, "vkCmdDrawMultiIndexedEXT"));
    auto push_with_template = reinterpret_cast<PFN_vkCmdPushDescriptorSetWithTemplateKHR>(
        vkGetDeviceProcAddr(gpu.device, "vkCmdPushDescriptorSetWithTemplateKHR"));
    VkDescriptorUpdateTemplate push_tmpl = VK_NULL_HANDLE;
    if (push_template) {
      const VkDescriptorUpdateTemplateEntry entry{0, 0, 1, VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, 0,
                                                  sizeof(VkDescriptorImageInfo)};
      VkDescriptorUpdateTemplateCreateInfo ti{VK_STRUCTURE_TYPE_DESCRIPTOR_UPDATE_TEMPLATE_CREATE_INFO};
      ti.descriptorUpdateEntryCount = 1;
      ti.pDescriptorUpdateEntries = &entry;
      ti.templateType = VK_DESCRIPTOR_UPDATE_TEMPLATE_TYPE_PUSH_DESCRIPTORS_KHR;
      ti.pipelineBindPoint = VK_PIPELINE_BIND_POINT_GRAPHICS;
      ti.pipelineLayout = layout;
      ti.set = 0;
      VKCHECK(vkCreateDescriptorUpdateTemplate(gpu.device, &ti, nullptr, &push_tmpl));
    }

    // A render pass object for --renderpass / --secondary: cleared, left in TRANSFER_SRC for the read-back.
    VkRenderPass rp = VK_NULL_HANDLE;
    VkFramebuffer fb = VK_NULL_HANDLE;
    if (subpasses) {
      rp = subpass_render_pass(gpu.device, format, rp2, chained);
      VkImageView views[2] = {scene.view, target.view};
      VkFramebufferCreateInfo fci{VK_STRUCTURE_TYPE_FRAMEBUFFER_CREATE_INFO};
      fci.renderPass = rp;
      fci.attachmentCount = 2;
      fci.pAttachments = views;
      fci.width = W;
      fci.height = H;
      fci.layers = 1;
      VKCHECK(vkCreateFramebuffer(gpu.device, &fci, nullptr, &fb));
    } else if (!dynamic) {
      VkAttachmentDescription att{0, format, VK_SAMPLE_COUNT_1_BIT, VK_ATTACHMENT_LOAD_OP_CLEAR,
                                  VK_ATTACHMENT_STORE_OP_STORE, VK_ATTACHMENT_LOAD_OP_DONT_CARE,
                                  VK_ATTACHMENT_STORE_OP_DONT_CARE, VK_IMAGE_LAYOUT_UNDEFINED,
                                  VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL};
      VkAttachmentReference ref{0, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL};
      VkSubpassDescription sub{};
      sub.pipelineBindPoint = VK_PIPELINE_BIND_POINT_GRAPHICS;
      sub.colorAttachmentCount = 1;
      sub.pColorAttachments = &ref;
      VkSubpassDependency deps[2] = {
          {VK_SUBPASS_EXTERNAL, 0, VK_PIPELINE_STAGE_ALL_COMMANDS_BIT, VK_PIPELINE_STAGE_ALL_GRAPHICS_BIT,
           VK_ACCESS_MEMORY_WRITE_BIT, VK_ACCESS_MEMORY_READ_BIT | VK_ACCESS_MEMORY_WRITE_BIT, 0},
          {0, VK_SUBPASS_EXTERNAL, VK_PIPELINE_STAGE_ALL_GRAPHICS_BIT, VK_PIPELINE_STAGE_ALL_COMMANDS_BIT,
           VK_ACCESS_MEMORY_WRITE_BIT, VK_ACCESS_MEMORY_READ_BIT | VK_ACCESS_MEMORY_WRITE_BIT, 0}};
      VkRenderPassCreateInfo rci{VK_STRUCTURE_TYPE_RENDER_PASS_CREATE_INFO};
      rci.attachmentCount = 1;
      rci.pAttachments = &att;
      rci.subpassCount = 1;
      rci.pSubpasses = &sub;
      rci.dependencyCount = 2;
      rci.pDependencies = deps;
      if (rp2) {
        VkAttachmentDescription2 att2{VK_STRUCTURE_TYPE_ATTACHMENT_DESCRIPTION_2, nullptr, 0, format, VK_SAMPLE_COUNT_1_BIT,
                                      att.loadOp, att.storeOp, att.stencilLoadOp, att.stencilStoreOp,
                                      att.initialLayout, att.finalLayout};
        VkAttachmentReference2 ref2{VK_STRUCTURE_TYPE_ATTACHMENT_REFERENCE_2, nullptr, 0,
                                    VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL, VK_IMAGE_ASPECT_COLOR_BIT};
        VkSubpassDescription2 sub2{VK_STRUCTURE_TYPE_SUBPASS_DESCRIPTION_2};
        sub2.pipelineBindPoint = VK_PIPELINE_BIND_POINT_GRAPHICS;
        sub2.colorAttachmentCount = 1;
        sub2.pColorAttachments = &ref2;
        VkSubpassDependency2 deps2[2];
        VkMemoryBarrier2 barriers2[2];
        to_dependencies2(deps, 2, chained, deps2, barriers2);
        if (multiview) sub2.viewMask = 1;
        VkRenderPassCreateInfo2 rci2{VK_STRUCTURE_TYPE_RENDER_PASS_CREATE_INFO_2};
        rci2.attachmentCount = 1;
        rci2.pAttachments = &att2;
        rci2.subpassCount = 1;
        rci2.pSubpasses = &sub2;
        rci2.dependencyCount = 2;
        rci2.pDependencies = deps2;
        VKCHECK(vkCreateRenderPass2(gpu.device, &rci2, nullptr, &rp));
      } else {
        const uint32_t view_mask = 1;
        VkRenderPassMultiviewCreateInfo multiview_info{VK_STRUCTURE_TYPE_RENDER_PASS_MULTIVIEW_CREATE_INFO};
        multiview_info.subpassCount = 1;
        multiview_info.pViewMasks = &view_mask;
        if (multiview) rci.pNext = &multiview_info;
        VKCHECK(vkCreateRenderPass(gpu.device, &rci, nullptr, &rp));
      }
      VkFramebufferCreateInfo fci{VK_STRUCTURE_TYPE_FRAMEBUFFER_CREATE_INFO};
      fci.renderPass = rp;
      fci.attachmentCount = 1;
      fci.pAttachments = &target.view;
      fci.width = W;
      fci.height = H;
      fci.layers = 1;
      VKCHECK(vkCreateFramebuffer(gpu.device, &fci, nullptr, &fb));
    }

    VkShaderModule vs = gpu.shader(draw_vert, sizeof(draw_vert));
    VkShaderModule fs = gpu.shader(draw_frag, sizeof(draw_frag));
    VkPipelineShaderStageCreateInfo stages[2] = {
        {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO, nullptr, 0, VK_SHADER_STAGE_VERTEX_BIT, vs, "main", nullptr},
        {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO, nullptr, 0, VK_SHADER_STAGE_FRAGMENT_BIT, fs, "main", nullptr}};
    VkVertexInputBindingDescription vb{0, 8, VK_VERTEX_INPUT_RATE_VERTEX};
    VkVertexInputAttributeDescription va{0, 0, VK_FORMAT_R32G32_SFLOAT, 0};
    VkPipelineVertexInputStateCreateInfo vi{VK_STRUCTURE_TYPE_PIPELINE_VERTEX_INPUT_STATE_CREATE_INFO};
    vi.vertexBindingDescriptionCount = 1;
    vi.pVertexBindingDescriptions = &vb;
    vi.vertexAttributeDescriptionCount = 1;
    vi.pVertexAttributeDescriptions = &va;
    VkPipelineInputAssemblyStateCreateInfo ia{VK_STRUCTURE_TYPE_PIPELINE_INPUT_ASSEMBLY_STATE_CREATE_INFO};
    ia.topology = VK_PRIMITIVE_TOPOLOGY_TRIANGLE_LIST;
    VkPipelineViewportStateCreateInfo vps{VK_STRUCTURE_TYPE_PIPELINE_VIEWPORT_STATE_CREATE_INFO};
    vps.viewportCount = vps.scissorCount = 1;
    VkPipelineRasterizationStateCreateInfo rs{VK_STRUCTURE_TYPE_PIPELINE_RASTERIZATION_STATE_CREATE_INFO};
    rs.lineWidth = 1;
    VkPipelineMultisampleStateCreateInfo ms{VK_STRUCTURE_TYPE_PIPELINE_MULTISAMPLE_STATE_CREATE_INFO};
    ms.rasterizationSamples = VK_SAMPLE_COUNT_1_BIT;
    VkPipelineColorBlendAttachmentState blend{};
    blend.colorWriteMask = 0xf;
    VkPipelineColorBlendStateCreateInfo cbs{VK_STRUCTURE_TYPE_PIPELINE_COLOR_BLEND_STATE_CREATE_INFO};
    cbs.attachmentCount = 1;
    cbs.pAttachments = &blend;
    VkDynamicState dyn[3] = {VK_DYNAMIC_STATE_VIEWPORT, VK_DYNAMIC_STATE_SCISSOR, VK_DYNAMIC_STATE_COLOR_WRITE_ENABLE_EXT};
    VkPipelineDynamicStateCreateInfo ds{VK_STRUCTURE_TYPE_PIPELINE_DYNAMIC_STATE_CREATE_INFO};
    ds.dynamicStateCount = color_write ? 3 : 2;
    ds.pDynamicStates = dyn;
    VkPipelineRenderingCreateInfo rinfo{VK_STRUCTURE_TYPE_PIPELINE_RENDERING_CREATE_INFO};
    rinfo.colorAttachmentCount = 1;
    rinfo.pColorAttachmentFormats = &format;
    if (depth) rinfo.depthAttachmentFormat = depth_format;
    if (multiview) rinfo.viewMask = 1;
    VkPipelineDepthStencilStateCreateInfo dss{VK_STRUCTURE_TYPE_PIPELINE_DEPTH_STENCIL_STATE_CREATE_INFO};
    dss.depthTestEnable = dss.depthWriteEnable = VK_TRUE;
    dss.depthCompareOp = VK_COMPARE_OP_LESS;
    VkGraphicsPipelineCreateInfo gci{VK_STRUCTURE_TYPE_GRAPHICS_PIPELINE_CREATE_INFO};
    gci.pNext = dynamic ? &rinfo : nullptr;
    gci.stageCount = 2;
    gci.pStages = stages;
    gci.pVertexInputState = &vi;
    gci.pInputAssemblyState = &ia;
    gci.pViewportState = &vps;
    gci.pRasterizationState = &rs;
    gci.pMultisampleState = &ms;
    gci.pColorBlendState = &cbs;
    gci.pDepthStencilState = depth ? &dss : nullptr;
    gci.pDynamicState = &ds;
    gci.layout = layout;
    gci.renderPass = rp;
    VkPipeline pipeline;
    VKCHECK(vkCreateGraphicsPipelines(gpu.device, VK_NULL_HANDLE, 1, &gci, nullptr, &pipeline));
    gpu.name(VK_OBJECT_TYPE_PIPELINE, (uint64_t)pipeline, "textured");

    // --subpasses: subpass 1's pipeline, reading A through an input attachment (set 0 binding 0).
    VkDescriptorSetLayout load_set_layout = VK_NULL_HANDLE;
    VkPipelineLayout load_layout = VK_NULL_HANDLE;
    VkDescriptorPool load_pool = VK_NULL_HANDLE;
    VkDescriptorSet load_set = VK_NULL_HANDLE;
    VkShaderModule load_vs = VK_NULL_HANDLE, load_fs = VK_NULL_HANDLE;
    VkPipeline load_pipeline = VK_NULL_HANDLE;
    if (subpasses) {
      VkDescriptorSetLayoutBinding in{0, VK_DESCRIPTOR_TYPE_INPUT_ATTACHMENT, 1, VK_SHADER_STAGE_FRAGMENT_BIT, nullptr};
      VkDescriptorSetLayoutCreateInfo lci{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO};
      lci.bindingCount = 1;
      lci.pBindings = &in;
      VKCHECK(vkCreateDescriptorSetLayout(gpu.device, &lci, nullptr, &load_set_layout));
      VkPipelineLayoutCreateInfo lpli{VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
      lpli.setLayoutCount = 1;
      lpli.pSetLayouts = &load_set_layout;
      VKCHECK(vkCreatePipelineLayout(gpu.device, &lpli, nullptr, &load_layout));
      VkDescriptorPoolSize in_size{VK_DESCRIPTOR_TYPE_INPUT_ATTACHMENT, 1};
      VkDescriptorPoolCreateInfo lpi{VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO};
      lpi.maxSets = 1;
      lpi.poolSizeCount = 1;
      lpi.pPoolSizes = &in_size;
      VKCHECK(vkCreateDescriptorPool(gpu.device, &lpi, nullptr, &load_pool));
      VkDescriptorSetAllocateInfo lai{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO};
      lai.descriptorPool = load_pool;
      lai.descriptorSetCount = 1;
      lai.pSetLayouts = &load_set_layout;
      VKCHECK(vkAllocateDescriptorSets(gpu.device, &lai, &load_set));
      VkDescriptorImageInfo in_image{VK_NULL_HANDLE, scene.view, VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL};
      VkWriteDescriptorSet in_write{VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET};
      in_write.dstSet = load_set;
      in_write.descriptorCount = 1;
      in_write.descriptorType = VK_DESCRIPTOR_TYPE_INPUT_ATTACHMENT;
      in_write.pImageInfo = &in_image;
      vkUpdateDescriptorSets(gpu.device, 1, &in_write, 0, nullptr);
      load_vs = gpu.shader(subpass_fullscreen_vert, sizeof(subpass_fullscreen_vert));
      load_fs = gpu.shader(subpass_load_frag, sizeof(subpass_load_frag));
      VkPipelineShaderStageCreateInfo load_stages[2] = {
          {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO, nullptr, 0, VK_SHADER_STAGE_VERTEX_BIT, load_vs, "main", nullptr},
          {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO, nullptr, 0, VK_SHADER_STAGE_FRAGMENT_BIT, load_fs, "main", nullptr}};
      VkPipelineVertexInputStateCreateInfo no_vertices{VK_STRUCTURE_TYPE_PIPELINE_VERTEX_INPUT_STATE_CREATE_INFO};
      VkGraphicsPipelineCreateInfo lgci = gci;
      lgci.pStages = load_stages;
      lgci.pVertexInputState = &no_vertices;
      lgci.layout = load_layout;
      lgci.subpass = 1;
      VKCHECK(vkCreateGraphicsPipelines(gpu.device, VK_NULL_HANDLE, 1, &lgci, nullptr, &load_pipeline));
      gpu.name(VK_OBJECT_TYPE_PIPELINE, (uint64_t)load_pipeline, "subpass_load");
    }

    const Tint white{1, 1, 1, 1}, red{1, 0, 0, 1}, green{0, 1, 0, 1};
    auto draw = [&](VkCommandBuffer cb, Tint t) {
      vkCmdBindPipeline(cb, VK_PIPELINE_BIND_POINT_GRAPHICS, pipeline);
      if (push_template) push_with_template(cb, push_tmpl, layout, 0, &ii);
      else if (push_descriptor) push_set(cb, VK_PIPELINE_BIND_POINT_GRAPHICS, layout, 0, 1, &w);
      else vkCmdBindDescriptorSets(cb, VK_PIPELINE_BIND_POINT_GRAPHICS, layout, 0, 1, &set, 0, nullptr);
      VkDeviceSize offset = 0;
      vkCmdBindVertexBuffers(cb, 0, 1, &vbo.buffer, &offset);
      VkViewport vp{0, 0, float(W), float(H), 0, 1};
      VkRect2D sc{{0, 0}, {subpasses ? kSubpass0Width : W, H}};
      vkCmdSetViewport(cb, 0, 1, &vp);
      vkCmdSetScissor(cb, 0, 1, &sc);
      if (color_write) {
        const VkBool32 on = VK_TRUE;
        set_color_write(cb, 1, &on);
      }
      vkCmdPushConstants(cb, layout, VK_SHADER_STAGE_FRAGMENT_BIT, 0, sizeof(Tint), &t);
      if (indexed) {
        vkCmdBindIndexBuffer(cb, ibo.buffer, 0, VK_INDEX_TYPE_UINT16);
        struct Padded {
          VkMultiDrawIndexedInfoEXT info;
          uint32_t pad;
        } infos[1] = {{{1, 3, 0}, 0}};
        const int32_t vertex_offset = -1;  // overrides each info's vertexOffset
        draw_multi_indexed(cb, 1, &infos[0].info, 1, 0, sizeof(Padded), &vertex_offset);
      } else if (multi_draw) {
        // One info in a 16-byte stride: the layer must honour the stride when it copies.
        struct Padded {
          VkMultiDrawInfoEXT info;
          uint64_t pad;
        } infos[1] = {{{0, 3}, 0}};
        draw_multi(cb, 1, &infos[0].info, 1, 0, sizeof(Padded));
      } else {
        vkCmdDraw(cb, 3, 1, 0, 0);
      }
    };

    if (api && gpu.has_api) {
      if (labels) VKCHECK(gpu.api.capture_in_label(gpu.device, "Shadows", "draw:2", KILN_CAPTURE_BOTH));
      else VKCHECK(gpu.api.capture_next(gpu.device, "draw", KILN_CAPTURE_BOTH));
    }

    VkCommandBuffer sec = VK_NULL_HANDLE;
    if (secondary) {
      sec = gpu.command_buffer(VK_COMMAND_BUFFER_LEVEL_SECONDARY);
      VkCommandBufferInheritanceInfo inh{VK_STRUCTURE_TYPE_COMMAND_BUFFER_INHERITANCE_INFO};
      inh.renderPass = rp;
      inh.framebuffer = fb;
      VkCommandBufferBeginInfo bi{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
      bi.flags = VK_COMMAND_BUFFER_USAGE_RENDER_PASS_CONTINUE_BIT;
      bi.pInheritanceInfo = &inh;
      VKCHECK(vkBeginCommandBuffer(sec, &bi));
      draw(sec, white);
      VKCHECK(vkEndCommandBuffer(sec));
    }

    // Submission 2: the frame with the draw(s).
    gpu.run([&](VkCommandBuffer cb) {
      VkClearValue clear{};
      for (int c = 0; c < 4; ++c) clear.color.float32[c] = kClear[c] / 255.0f;
      if (dynamic) {
        transition(cb, target.image, VK_IMAGE_LAYOUT_UNDEFINED, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL);
        VkRenderingAttachmentInfo color{VK_STRUCTURE_TYPE_RENDERING_ATTACHMENT_INFO};
        color.imageView = target.view;
        color.imageLayout = VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL;
        color.loadOp = VK_ATTACHMENT_LOAD_OP_CLEAR;
        color.storeOp = VK_ATTACHMENT_STORE_OP_STORE;
        color.clearValue = clear;
        VkRenderingInfo ri{VK_STRUCTURE_TYPE_RENDERING_INFO};
        ri.renderArea = {{0, 0}, {W, H}};
        ri.layerCount = 1;
        if (multiview) ri.viewMask = 1;
        ri.colorAttachmentCount = 1;
        ri.pColorAttachments = &color;
        VkRenderingAttachmentInfo depth_att{VK_STRUCTURE_TYPE_RENDERING_ATTACHMENT_INFO};
        if (depth) {
          transition(cb, depth_image.image, VK_IMAGE_LAYOUT_UNDEFINED, VK_IMAGE_LAYOUT_DEPTH_ATTACHMENT_OPTIMAL,
                     VK_IMAGE_ASPECT_DEPTH_BIT);
          depth_att.imageView = depth_image.view;
          depth_att.imageLayout = VK_IMAGE_LAYOUT_DEPTH_ATTACHMENT_OPTIMAL;
          depth_att.loadOp = VK_ATTACHMENT_LOAD_OP_CLEAR;
          depth_att.storeOp = VK_ATTACHMENT_STORE_OP_DONT_CARE;  // the layer must keep it for its copies
          depth_att.clearValue.depthStencil = {1.0f, 0};
          ri.pDepthAttachment = &depth_att;
        }
        VkDeviceGroupRenderPassBeginInfo group{VK_STRUCTURE_TYPE_DEVICE_GROUP_RENDER_PASS_BEGIN_INFO};
        group.deviceMask = 1;
        if (device_group) ri.pNext = &group;
        if (labels) gpu.label(cb, "Frame");
        vkCmdBeginRendering(cb, &ri);
        if (labels) {
          gpu.label(cb, "Opaque");
          draw(cb, white);
          gpu.end_label(cb);
          gpu.label(cb, "Shadows");
          draw(cb, red);
          draw(cb, green);
          gpu.end_label(cb);
        } else {
          draw(cb, white);
        }
        vkCmdEndRendering(cb);
        if (labels) gpu.end_label(cb);
        transition(cb, target.image, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL);
      } else {
        VkRenderPassBeginInfo rb{VK_STRUCTURE_TYPE_RENDER_PASS_BEGIN_INFO};
        rb.renderPass = rp;
        rb.framebuffer = fb;
        rb.renderArea = {{0, 0}, {W, H}};
        rb.clearValueCount = 1;
        rb.pClearValues = &clear;
        VkClearValue clears[2] = {clear, {}};
        for (int c = 0; c < 4; ++c) clears[1].color.float32[c] = kClearB[c] / 255.0f;
        if (subpasses) {
          rb.clearValueCount = 2;
          rb.pClearValues = clears;
          VkSubpassBeginInfo sb{VK_STRUCTURE_TYPE_SUBPASS_BEGIN_INFO, nullptr, VK_SUBPASS_CONTENTS_INLINE};
          VkSubpassEndInfo se{VK_STRUCTURE_TYPE_SUBPASS_END_INFO};
          if (rp2) vkCmdBeginRenderPass2(cb, &rb, &sb);
          else vkCmdBeginRenderPass(cb, &rb, VK_SUBPASS_CONTENTS_INLINE);
          draw(cb, white);
          if (rp2) vkCmdNextSubpass2(cb, &sb, &se);
          else vkCmdNextSubpass(cb, VK_SUBPASS_CONTENTS_INLINE);
          vkCmdBindPipeline(cb, VK_PIPELINE_BIND_POINT_GRAPHICS, load_pipeline);
          vkCmdBindDescriptorSets(cb, VK_PIPELINE_BIND_POINT_GRAPHICS, load_layout, 0, 1, &load_set, 0, nullptr);
          VkViewport vp{0, 0, float(W), float(H), 0, 1};
          VkRect2D sc{{0, 0}, {W, H}};
          vkCmdSetViewport(cb, 0, 1, &vp);
          vkCmdSetScissor(cb, 0, 1, &sc);
          vkCmdDraw(cb, 3, 1, 0, 0);
        } else if (secondary) {
          vkCmdBeginRenderPass(cb, &rb, VK_SUBPASS_CONTENTS_SECONDARY_COMMAND_BUFFERS);
          vkCmdExecuteCommands(cb, 1, &sec);
        } else if (rp2) {
          VkSubpassBeginInfo sb{VK_STRUCTURE_TYPE_SUBPASS_BEGIN_INFO, nullptr, VK_SUBPASS_CONTENTS_INLINE};
          vkCmdBeginRenderPass2(cb, &rb, &sb);
          draw(cb, white);
        } else {
          vkCmdBeginRenderPass(cb, &rb, VK_SUBPASS_CONTENTS_INLINE);
          draw(cb, white);
        }
        if (rp2) {
          VkSubpassEndInfo se{VK_STRUCTURE_TYPE_SUBPASS_END_INFO};
          vkCmdEndRenderPass2(cb, &se);
        } else {
          vkCmdEndRenderPass(cb);
        }
        memory_barrier(cb);
      }
      VkBufferImageCopy r{};
      r.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
      r.imageExtent = {W, H, 1};
      vkCmdCopyImageToBuffer(cb, target.image, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, readback.buffer, 1, &r);
      VkMemoryBarrier host{VK_STRUCTURE_TYPE_MEMORY_BARRIER, nullptr, VK_ACCESS_TRANSFER_WRITE_BIT, VK_ACCESS_HOST_READ_BIT};
      vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &host, 0, nullptr, 0, nullptr);
    });

    const Tint last = labels ? green : white;
    EXPECT(same(readback.mapped, W * H * 4, subpasses ? subpass1_picture() : expected(last)),
           "the program's own picture: %s", show(readback.mapped, W * H * 4).c_str());

    if (gpu.has_api && none) {
      const KilnCapture* c = nullptr;
      EXPECT(gpu.api.get_capture(gpu.device, &c) == VK_INCOMPLETE, "a capture nobody asked for");
    } else if (gpu.has_api && copy) {
      // The upload: its source buffer and the texture it wrote, after (and, before, what it held).
      const KilnCapture* c = take_capture(gpu);
      if (c) {
        dump(c);
        EXPECT(std::string(c->command).rfind("vkCmdCopyBufferToImage(", 0) == 0, "command %s", c->command);
        const KilnCaptureResource* src = find(c, "transfer_source");
        const KilnCaptureResource* dst = find(c, "transfer_destination");
        if (src) EXPECT(src->before_size == 16 && std::memcmp(src->before, kTexels, 16) == 0 && !src->written, "source");
        if (dst) {
          EXPECT(dst->is_image && dst->written && dst->extent.width == 2 && dst->extent.height == 2, "destination");
          EXPECT(dst->after_size == 16 && std::memcmp(dst->after, kTexels, 16) == 0, "destination after: %s",
                 show(dst->after, dst->after_size).c_str());
          EXPECT(dst->before_size == 16, "destination before");
        }
        gpu.api.free_capture(gpu.device, c);
      }
    } else if (gpu.has_api && subpasses) {
      // draw:1 is subpass 0's draw (A: clear before, the texture's left half after); draw:2 is subpass 1's
      // (A as an input attachment, unchanged; B: its clear before, A rotated after).
      const char* spec_env = std::getenv("KILN_CAPTURE_COMMAND");
      const std::string spec = spec_env ? spec_env : "";
      const KilnCapture* c = take_capture(gpu);
      if (c) {
        dump(c);
        EXPECT(std::string(c->command) == "vkCmdDraw(3, 1, 0, 0)", "command %s", c->command);
        const std::vector<Rgba> a = subpass0_picture();
        if (spec == "draw:1") {
          EXPECT(std::string(c->pipeline_name) == "textured", "pipeline %s", c->pipeline_name);
          const KilnCaptureResource* color = find(c, "color_attachment", 0);
          if (color) {
            EXPECT(color->is_image && color->written && color->format == format, "A's description");
            EXPECT(std::string(color->debug_name) == "subpass_a", "colour attachment name %s", color->debug_name);
            EXPECT(same(color->before, color->before_size, filled(kClear)), "A before: %s",
                   show(color->before, color->before_size).c_str());
            EXPECT(same(color->after, color->after_size, a), "A after: %s", show(color->after, color->after_size).c_str());
          }
          const KilnCaptureResource* tex = find(c, "descriptor", 0);
          if (tex)
            EXPECT(tex->before_size == 16 && std::memcmp(tex->before, kTexels, 16) == 0, "texture bytes: %s",
                   show(tex->before, tex->before_size).c_str());
          EXPECT(!lists(c, "subpass_b"), "B is not used in subpass 0, yet the capture lists it");
        } else if (spec == "draw:2") {
          EXPECT(std::string(c->pipeline_name) == "subpass_load", "pipeline %s", c->pipeline_name);
          const KilnCaptureResource* in = find(c, "descriptor", 0);
          if (in) {
            EXPECT(std::string(in->descriptor_type) == "input_attachment", "descriptor type %s", in->descriptor_type);
            EXPECT(std::string(in->shader_name) == "scene", "input attachment's name %s", in->shader_name);
            EXPECT(std::string(in->debug_name) == "subpass_a", "input attachment's image %s", in->debug_name);
            EXPECT(in->is_image && !in->written && in->format == format && in->extent.width == W, "A's description");
            EXPECT(same(in->before, in->before_size, a), "A (input) before: %s", show(in->before, in->before_size).c_str());
            EXPECT(same(in->after, in->after_size, a), "A (input) after: %s", show(in->after, in->after_size).c_str());
          }
          const KilnCaptureResource* color = find(c, "color_attachment", 0);
          if (color) {
            EXPECT(color->is_image && color->written && color->format == format, "B's description");
            EXPECT(std::string(color->debug_name) == "subpass_b", "colour attachment name %s", color->debug_name);
            EXPECT(same(color->before, color->before_size, filled(kClearB)), "B before: %s",
                   show(color->before, color->before_size).c_str());
            EXPECT(same(color->after, color->after_size, subpass1_picture()), "B after: %s",
                   show(color->after, color->after_size).c_str());
          }
          uint32_t a_count = 0;
          for (uint32_t i = 0; i < c->resource_count; ++i) a_count += std::strcmp(c->resources[i].debug_name, "subpass_a") == 0;
          EXPECT(a_count == 1, "A listed %u times (it is only the input attachment in subpass 1)", a_count);
        } else {
          EXPECT(false, "--subpasses checks KILN_CAPTURE_COMMAND=draw:1 or draw:2, not '%s'", spec.c_str());
        }
        gpu.api.free_capture(gpu.device, c);
      }
    } else if (gpu.has_api) {
      const KilnCapture* c = take_capture(gpu);
      if (c) {
        dump(c);
        const std::string command = indexed      ? "vkCmdDrawMultiIndexedEXT(1, [...], 1, 0, 12, [...])"
                                    : multi_draw ? "vkCmdDrawMultiEXT(1, [...], 1, 0, 8)"
                                                 : "vkCmdDraw(3, 1, 0, 0)";
        EXPECT(std::string(c->command) == command, "command %s", c->command);
        EXPECT(std::string(c->pipeline_name) == "textured", "pipeline %s", c->pipeline_name);
        if (labels) EXPECT(std::string(c->label_path) == "Frame/Shadows", "label path %s", c->label_path);
        const KilnCaptureResource* color = find(c, "color_attachment", 0);
        if (color) {
          std::vector<Rgba> before = labels ? expected(red) : filled(kClear);
          EXPECT(color->is_image && color->written && color->format == format, "colour attachment description");
          EXPECT(std::string(color->debug_name) == "target", "colour attachment name %s", color->debug_name);
          EXPECT(same(color->before, color->before_size, before), "attachment before: %s",
                 show(color->before, color->before_size).c_str());
          EXPECT(same(color->after, color->after_size, expected(last)), "attachment after: %s",
                 show(color->after, color->after_size).c_str());
        }
        if (depth) {
          const KilnCaptureResource* d = find(c, "depth_attachment");
          if (d) {
            std::vector<float> ones(W * H, 1.0f), zeros(W * H, 0.0f);
            EXPECT(d->is_image && d->written && d->format == depth_format, "depth description");
            EXPECT(d->before_size == W * H * 4 && std::memcmp(d->before, ones.data(), W * H * 4) == 0, "depth before");
            EXPECT(d->after_size == W * H * 4 && std::memcmp(d->after, zeros.data(), W * H * 4) == 0, "depth after");
          }
        }
        const KilnCaptureResource* tex = find(c, "descriptor", 0);
        if (tex) {
          EXPECT(std::string(tex->shader_name) == "tex", "texture name %s", tex->shader_name);
          EXPECT(tex->is_image && !tex->written && tex->extent.width == 2, "texture description");
          EXPECT(tex->before_size == 16 && std::memcmp(tex->before, kTexels, 16) == 0, "texture bytes: %s",
                 show(tex->before, tex->before_size).c_str());
        }
        const KilnCaptureResource* v = find(c, "vertex_buffer", 0);
        if (v) EXPECT(v->before_size == sizeof(vertices) && std::memcmp(v->before, vertices, sizeof(vertices)) == 0, "vertices");
        const KilnCaptureResource* ix = indexed ? find(c, "index_buffer", 0) : nullptr;
        if (ix) {
          EXPECT(std::string(ix->debug_name) == "indices" && !ix->written, "index buffer description");
          EXPECT(ix->before_size == sizeof(indices) && std::memcmp(ix->before, indices, sizeof(indices)) == 0,
                 "index bytes: %s", show(ix->before, ix->before_size).c_str());
        }
        const KilnCaptureResource* p = find(c, "push_constants");
        if (p) EXPECT(p->before_size == sizeof(Tint) && std::memcmp(p->before, &last, sizeof(Tint)) == 0, "push constants");
        gpu.api.free_capture(gpu.device, c);
      }
    }

    if (subpasses) {
      vkDestroyPipeline(gpu.device, load_pipeline, nullptr);
      vkDestroyShaderModule(gpu.device, load_vs, nullptr);
      vkDestroyShaderModule(gpu.device, load_fs, nullptr);
      vkDestroyDescriptorPool(gpu.device, load_pool, nullptr);
      vkDestroyPipelineLayout(gpu.device, load_layout, nullptr);
      vkDestroyDescriptorSetLayout(gpu.device, load_set_layout, nullptr);
      gpu.destroy(scene);
    }
    vkDestroyPipeline(gpu.device, pipeline, nullptr);
    vkDestroyShaderModule(gpu.device, vs, nullptr);
    vkDestroyShaderModule(gpu.device, fs, nullptr);
    if (fb) vkDestroyFramebuffer(gpu.device, fb, nullptr);
    if (rp) vkDestroyRenderPass(gpu.device, rp, nullptr);
    vkDestroyDescriptorPool(gpu.device, dpool, nullptr);
    if (push_tmpl) vkDestroyDescriptorUpdateTemplate(gpu.device, push_tmpl, nullptr);
    vkDestroyPipelineLayout(gpu.device, layout, nullptr);
    vkDestroyDescriptorSetLayout(gpu.device, set_layout, nullptr);
    vkDestroySampler(gpu.device, sampler, nullptr);
    gpu.destroy(texture);
    gpu.destroy(target);
    if (depth) gpu.destroy(depth_image);
    gpu.destroy(upload);
    gpu.destroy(readback);
    gpu.destroy(vbo);
    gpu.destroy(ibo);
  }
  return result();
}
