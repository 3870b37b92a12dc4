// examples/common/raw_pipelines.h — the raw Vulkan the examples need until kiln's shader module
// (Program: pipelines, descriptor layouts, binding by name) lands. Compact on purpose; not kiln API.
//
// A Pipeline owns a pipeline, its layout and one descriptor set for set 0 (binding i has type
// bindings[i]). Destruction goes through Context::defer, like kiln's own resources.
#pragma once

#include <vulkan/vulkan.h>

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "kiln/context.h"
#include "kiln/error.h"
#include "kiln/slice.h"

namespace example {

// SPIR-V words from kiln_embed_shader: `example::Spirv(my_shader_comp)`.
struct Spirv {
  const uint32_t* words = nullptr;
  size_t bytes = 0;
  Spirv() = default;
  template <size_t N>
  Spirv(const uint32_t (&array)[N]) : words(array), bytes(sizeof(array)) {}
};

class Pipeline {
 public:
  VkPipeline pipeline = VK_NULL_HANDLE;
  VkPipelineLayout layout = VK_NULL_HANDLE;
  VkDescriptorSet set = VK_NULL_HANDLE;  // set 0; null when the pipeline has no bindings

  Pipeline(kiln::Context& ctx, kiln::Slice<VkDescriptorType> bindings, VkShaderStageFlags stages) : ctx_(&ctx) {
    VkDevice device = ctx.device();
    std::vector<VkDescriptorSetLayoutBinding> layout_bindings;
    std::vector<VkDescriptorPoolSize> sizes;
    for (uint32_t i = 0; i < bindings.size(); ++i) {
      layout_bindings.push_back({i, bindings[i], 1, stages, nullptr});
      sizes.push_back({bindings[i], 1});
    }
    VkDescriptorSetLayoutCreateInfo set_info{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO};
    set_info.bindingCount = uint32_t(layout_bindings.size());
    set_info.pBindings = layout_bindings.data();
    kiln::check(vkCreateDescriptorSetLayout(device, &set_info, nullptr, &set_layout_), "vkCreateDescriptorSetLayout");
    VkPipelineLayoutCreateInfo layout_info{VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
    layout_info.setLayoutCount = 1;
    layout_info.pSetLayouts = &set_layout_;
    kiln::check(vkCreatePipelineLayout(device, &layout_info, nullptr, &layout), "vkCreatePipelineLayout");
    if (bindings.empty()) return;
    VkDescriptorPoolCreateInfo pool_info{VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO};
    pool_info.maxSets = 1;
    pool_info.poolSizeCount = uint32_t(sizes.size());
    pool_info.pPoolSizes = sizes.data();
    kiln::check(vkCreateDescriptorPool(device, &pool_info, nullptr, &pool_), "vkCreateDescriptorPool");
    VkDescriptorSetAllocateInfo alloc{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO};
    alloc.descriptorPool = pool_;
    alloc.descriptorSetCount = 1;
    alloc.pSetLayouts = &set_layout_;
    kiln::check(vkAllocateDescriptorSets(device, &alloc, &set), "vkAllocateDescriptorSets");
  }

  ~Pipeline() {
    VkDevice device = ctx_->device();
    ctx_->defer([device, p = pipeline, l = layout, s = set_layout_, d = pool_] {
      vkDestroyPipeline(device, p, nullptr);
      vkDestroyPipelineLayout(device, l, nullptr);
      vkDestroyDescriptorSetLayout(device, s, nullptr);
      vkDestroyDescriptorPool(device, d, nullptr);
    });
  }
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  // Points `binding` of set 0 at an image view in GENERAL layout (storage images).
  void write_storage_image(uint32_t binding, VkImageView view) {
    VkDescriptorImageInfo image{VK_NULL_HANDLE, view, VK_IMAGE_LAYOUT_GENERAL};
    VkWriteDescriptorSet write{VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET};
    write.dstSet = set;
    write.dstBinding = binding;
    write.descriptorCount = 1;
    write.descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_IMAGE;
    write.pImageInfo = &image;
    vkUpdateDescriptorSets(ctx_->device(), 1, &write, 0, nullptr);
  }

 protected:
  // A shader module that lives only until the pipeline is made.
  struct Module {
    VkDevice device;
    VkShaderModule module = VK_NULL_HANDLE;
    Module(VkDevice d, Spirv spirv) : device(d) {
      VkShaderModuleCreateInfo info{VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO};
      info.codeSize = spirv.bytes;
      info.pCode = spirv.words;
      kiln::check(vkCreateShaderModule(device, &info, nullptr, &module), "vkCreateShaderModule");
    }
    ~Module() { vkDestroyShaderModule(device, module, nullptr); }
  };

  kiln::Context* ctx_;
  VkDescriptorSetLayout set_layout_ = VK_NULL_HANDLE;
  VkDescriptorPool pool_ = VK_NULL_HANDLE;
};

class ComputePipeline : public Pipeline {
 public:
  ComputePipeline(kiln::Context& ctx, Spirv shader, kiln::Slice<VkDescriptorType> bindings, const char* name)
      : Pipeline(ctx, bindings, VK_SHADER_STAGE_COMPUTE_BIT) {
    Module module(ctx.device(), shader);
    VkComputePipelineCreateInfo info{VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO};
    info.stage = {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO, nullptr, 0, VK_SHADER_STAGE_COMPUTE_BIT,
                  module.module, "main", nullptr};
    info.layout = layout;
    kiln::check(vkCreateComputePipelines(ctx.device(), VK_NULL_HANDLE, 1, &info, nullptr, &pipeline),
                "vkCreateComputePipelines");
    ctx.set_name(pipeline, name);
  }
};

struct GraphicsDesc {
  Spirv vertex;
  Spirv fragment;
  uint32_t vertex_stride = 0;                                      // one vertex buffer, binding 0
  kiln::Slice<VkVertexInputAttributeDescription> attributes;
  VkFormat color_format = VK_FORMAT_R8G8B8A8_UNORM;                // one attachment, dynamic rendering
  const char* name = nullptr;
};

// Triangle lists, no culling, no depth, no blending; viewport and scissor are dynamic.
class GraphicsPipeline : public Pipeline {
 public:
  GraphicsPipeline(kiln::Context& ctx, const GraphicsDesc& desc) : Pipeline(ctx, {}, 0) {
    Module vs(ctx.device(), desc.vertex), fs(ctx.device(), desc.fragment);
    const VkPipelineShaderStageCreateInfo stages[] = {
        {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO, nullptr, 0, VK_SHADER_STAGE_VERTEX_BIT, vs.module,
         "main", nullptr},
        {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO, nullptr, 0, VK_SHADER_STAGE_FRAGMENT_BIT, fs.module,
         "main", nullptr}};
    const VkVertexInputBindingDescription binding{0, desc.vertex_stride, VK_VERTEX_INPUT_RATE_VERTEX};
    VkPipelineVertexInputStateCreateInfo vertex_input{VK_STRUCTURE_TYPE_PIPELINE_VERTEX_INPUT_STATE_CREATE_INFO};
    vertex_input.vertexBindingDescriptionCount = 1;
    vertex_input.pVertexBindingDescriptions = &binding;
    vertex_input.vertexAttributeDescriptionCount = uint32_t(desc.attributes.size());
    vertex_input.pVertexAttributeDescriptions = desc.attributes.data();
    VkPipelineInputAssemblyStateCreateInfo assembly{VK_STRUCTURE_TYPE_PIPELINE_INPUT_ASSEMBLY_STATE_CREATE_INFO};
    assembly.topology = VK_PRIMITIVE_TOPOLOGY_TRIANGLE_LIST;
    VkPipelineViewportStateCreateInfo viewport{VK_STRUCTURE_TYPE_PIPELINE_VIEWPORT_STATE_CREATE_INFO};
    viewport.viewportCount = 1;
    viewport.scissorCount = 1;
    VkPipelineRasterizationStateCreateInfo raster{VK_STRUCTURE_TYPE_PIPELINE_RASTERIZATION_STATE_CREATE_INFO};
    raster.polygonMode = VK_POLYGON_MODE_FILL;
    raster.cullMode = VK_CULL_MODE_NONE;
    raster.lineWidth = 1.0f;
    VkPipelineMultisampleStateCreateInfo multisample{VK_STRUCTURE_TYPE_PIPELINE_MULTISAMPLE_STATE_CREATE_INFO};
    multisample.rasterizationSamples = VK_SAMPLE_COUNT_1_BIT;
    VkPipelineColorBlendAttachmentState blend{};
    blend.colorWriteMask = VK_COLOR_COMPONENT_R_BIT | VK_COLOR_COMPONENT_G_BIT | VK_COLOR_COMPONENT_B_BIT |
                           VK_COLOR_COMPONENT_A_BIT;
    VkPipelineColorBlendStateCreateInfo color_blend{VK_STRUCTURE_TYPE_PIPELINE_COLOR_BLEND_STATE_CREATE_INFO};
    color_blend.attachmentCount = 1;
    color_blend.pAttachments = &blend;
    const VkDynamicState dynamic_states[] = {VK_DYNAMIC_STATE_VIEWPORT, VK_DYNAMIC_STATE_SCISSOR};
    VkPipelineDynamicStateCreateInfo dynamic{VK_STRUCTURE_TYPE_PIPELINE_DYNAMIC_STATE_CREATE_INFO};
    dynamic.dynamicStateCount = 2;
    dynamic.pDynamicStates = dynamic_states;
    VkPipelineRenderingCreateInfo rendering{VK_STRUCTURE_TYPE_PIPELINE_RENDERING_CREATE_INFO};
    rendering.colorAttachmentCount = 1;
    rendering.pColorAttachmentFormats = &desc.color_format;

    VkGraphicsPipelineCreateInfo info{VK_STRUCTURE_TYPE_GRAPHICS_PIPELINE_CREATE_INFO};
    info.pNext = &rendering;
    info.stageCount = 2;
    info.pStages = stages;
    info.pVertexInputState = &vertex_input;
    info.pInputAssemblyState = &assembly;
    info.pViewportState = &viewport;
    info.pRasterizationState = &raster;
    info.pMultisampleState = &multisample;
    info.pColorBlendState = &color_blend;
    info.pDynamicState = &dynamic;
    info.layout = layout;
    kiln::check(vkCreateGraphicsPipelines(ctx.device(), VK_NULL_HANDLE, 1, &info, nullptr, &pipeline),
                "vkCreateGraphicsPipelines");
    ctx.set_name(pipeline, desc.name ? desc.name : "pipeline");
  }
};

}  // namespace example
