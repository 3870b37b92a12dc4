// Raw-Vulkan pipelines for the GPU tests and bench_record, until kiln's shader module (Program:
// pipelines, descriptor layouts, binding by name) lands. Not kiln API, and no gtest here: bench_record
// compiles this too. (examples/common/raw_pipelines.h is the examples' own copy: they stay
// self-contained for newcomers.)
//
// The make_* functions return handles that the caller destroys; ComputePipeline and FlatColorPipeline
// own theirs. Every descriptor here is a storage buffer.
#pragma once

#include <vulkan/vulkan.h>

#include <cstddef>
#include <cstdint>
#include <initializer_list>

#include "kiln/commands.h"
#include "kiln/context.h"

namespace kiln::test {

VkShaderModule make_module(VkDevice device, const uint32_t* code, size_t bytes);

// Storage buffers at bindings 0..bindings-1, visible to `stages`.
VkDescriptorSetLayout make_storage_set_layout(VkDevice device, uint32_t bindings, VkShaderStageFlags stages);
// One push-constant range; set 0 is `set_layout` unless that is null (then there are no sets).
VkPipelineLayout make_pipeline_layout(VkDevice device, VkDescriptorSetLayout set_layout, VkPushConstantRange push);
VkDescriptorPool make_storage_pool(VkDevice device, uint32_t max_sets, uint32_t descriptors);
// Binding i gets buffers[i] (whole size); bindings without a buffer stay unwritten.
VkDescriptorSet allocate_storage_set(VkDevice device, VkDescriptorPool pool, VkDescriptorSetLayout set_layout,
                                     std::initializer_list<VkBuffer> buffers = {});
VkPipeline make_compute_pipeline(VkDevice device, VkPipelineLayout layout, const uint32_t* code, size_t bytes);
// A triangle list without vertex input, no culling, one color attachment of `color_format` under
// dynamic rendering, viewport and scissor dynamic: what a full-screen triangle shader needs.
VkPipeline make_flat_color_pipeline(VkDevice device, VkPipelineLayout layout, VkFormat color_format,
                                    const uint32_t* vertex, size_t vertex_bytes, const uint32_t* fragment,
                                    size_t fragment_bytes);

// A compute pipeline over storage buffers (bindings 0..n-1) and push constants at offset 0, with a
// pool for up to 16 sets.
class ComputePipeline {
 public:
  ComputePipeline(Context& ctx, const uint32_t* code, size_t bytes, uint32_t bindings, uint32_t push_bytes);
  ~ComputePipeline();
  ComputePipeline(const ComputePipeline&) = delete;
  ComputePipeline& operator=(const ComputePipeline&) = delete;

  VkDescriptorSet set(std::initializer_list<VkBuffer> buffers) {
    return allocate_storage_set(device_, pool_, set_layout_, buffers);
  }
  VkPipeline pipeline() const { return pipeline_; }
  VkPipelineLayout layout() const { return layout_; }

  template <class Push>
  void run(CommandBuffer& cmd, VkDescriptorSet set, const Push& push, uint32_t groups) {
    cmd.bind_pipeline(VK_PIPELINE_BIND_POINT_COMPUTE, pipeline_);
    cmd.bind_descriptor_sets(VK_PIPELINE_BIND_POINT_COMPUTE, layout_, 0, set);
    cmd.push_constants(layout_, VK_SHADER_STAGE_COMPUTE_BIT, push);
    cmd.dispatch(groups);
  }

 private:
  VkDevice device_;
  VkDescriptorSetLayout set_layout_ = VK_NULL_HANDLE;
  VkPipelineLayout layout_ = VK_NULL_HANDLE;
  VkPipeline pipeline_ = VK_NULL_HANDLE;
  VkDescriptorPool pool_ = VK_NULL_HANDLE;
};

// make_flat_color_pipeline with its own layout: 16 bytes of fragment push constants (a colour), no sets.
class FlatColorPipeline {
 public:
  FlatColorPipeline(Context& ctx, VkFormat format, const uint32_t* vertex, size_t vertex_bytes,
                    const uint32_t* fragment, size_t fragment_bytes);
  ~FlatColorPipeline();
  FlatColorPipeline(const FlatColorPipeline&) = delete;
  FlatColorPipeline& operator=(const FlatColorPipeline&) = delete;

  VkPipeline pipeline() const { return pipeline_; }
  VkPipelineLayout layout() const { return layout_; }

 private:
  VkDevice device_;
  VkPipelineLayout layout_ = VK_NULL_HANDLE;
  VkPipeline pipeline_ = VK_NULL_HANDLE;
};

}  // namespace kiln::test
