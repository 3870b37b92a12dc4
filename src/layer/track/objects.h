// What the layer knows about each object of a device: its create info (deep copies of what the hook
// needs), its memory binding, its debug name. Plain data; maps in state.h own them by shared_ptr so a
// lookup in the submit path stays valid while the program destroys the object on another thread.
#pragma once

#include <vulkan/vulkan.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "kiln/spirv.h"

namespace kiln::layer {

struct Memory {
  VkDeviceMemory handle = VK_NULL_HANDLE;
  VkDeviceSize size = 0;
  uint32_t type_index = 0;
  // Where the program mapped it (the bytes from map_offset on, map_size of them): the hook reads device
  // addresses stored in buffers from here. Null while unmapped.
  const uint8_t* host = nullptr;
  VkDeviceSize map_offset = 0, map_size = 0;
  // Mapped by the program, now: copy-on-write cannot see host writes then.
  bool mapped() const { return host != nullptr; }
  bool device_address = false;  // VK_MEMORY_ALLOCATE_DEVICE_ADDRESS_BIT: written through pointers
};

struct MemoryBinding {  // where a resource lives; copy-on-write resolves aliasing and host writes through it
  VkDeviceMemory memory = VK_NULL_HANDLE;
  VkDeviceSize offset = 0;
};

struct Buffer {
  VkBuffer handle = VK_NULL_HANDLE;
  VkDeviceSize size = 0;
  VkBufferUsageFlags usage = 0;       // as the program asked (the layer adds TRANSFER_SRC)
  bool copyable = true;               // TRANSFER_SRC present on the real object
  MemoryBinding binding;
};

struct Image {
  VkImage handle = VK_NULL_HANDLE;
  VkImageCreateInfo info{};           // pNext dropped, queue families dropped
  bool copyable = false;              // TRANSFER_SRC present on the real object
  bool swapchain = false;
  MemoryBinding binding;
  VkDeviceSize memory_size = 0;       // its memory requirements' size, from the binding on
};

struct ImageView {
  VkImageView handle = VK_NULL_HANDLE;
  std::shared_ptr<Image> image;
  VkFormat format = VK_FORMAT_UNDEFINED;
  VkImageViewType type = VK_IMAGE_VIEW_TYPE_2D;
  VkImageSubresourceRange range{};
};

struct BufferView {
  VkBufferView handle = VK_NULL_HANDLE;
  VkBuffer buffer = VK_NULL_HANDLE;
  VkFormat format = VK_FORMAT_UNDEFINED;
  VkDeviceSize offset = 0, range = 0;
};

struct DescriptorSetLayout {
  struct Binding {
    uint32_t binding = 0;
    VkDescriptorType type = VK_DESCRIPTOR_TYPE_MAX_ENUM;
    uint32_t count = 0;
    VkShaderStageFlags stages = 0;
  };
  std::vector<Binding> bindings;  // sorted by binding number
  VkDescriptorSetLayoutCreateFlags flags = 0;
  const Binding* find(uint32_t binding) const {
    for (const Binding& b : bindings)
      if (b.binding == binding) return &b;
    return nullptr;
  }
  int index_of(uint32_t binding) const {
    for (size_t i = 0; i < bindings.size(); ++i)
      if (bindings[i].binding == binding) return static_cast<int>(i);
    return -1;
  }
  // Where the binding at `index` starts among the set's dynamic offsets (they follow binding order).
  uint32_t first_dynamic_offset(int index) const {
    uint32_t n = 0;
    for (int k = 0; k < index; ++k) {
      const Binding& b = bindings[static_cast<size_t>(k)];
      if (b.type == VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER_DYNAMIC || b.type == VK_DESCRIPTOR_TYPE_STORAGE_BUFFER_DYNAMIC)
        n += b.count;
    }
    return n;
  }
};

struct Descriptor {
  VkDescriptorType type = VK_DESCRIPTOR_TYPE_MAX_ENUM;
  VkBuffer buffer = VK_NULL_HANDLE;
  VkDeviceSize offset = 0, range = 0;
  VkImageView view = VK_NULL_HANDLE;
  VkSampler sampler = VK_NULL_HANDLE;
  VkImageLayout layout = VK_IMAGE_LAYOUT_UNDEFINED;
  VkBufferView texel_view = VK_NULL_HANDLE;
  std::vector<uint8_t> bytes;  // an inline uniform block's content (its binding's one placeholder)
};

struct DescriptorSet {
  VkDescriptorSet handle = VK_NULL_HANDLE;
  VkDescriptorPool pool = VK_NULL_HANDLE;
  std::shared_ptr<DescriptorSetLayout> layout;
  std::vector<std::vector<Descriptor>> bindings;  // by the layout's binding index, then array element
  // Externally synchronized by the program (updates of one set never race), except with the submit
  // path reading it: the program may update another set meanwhile, never this one while it is bound.
};

struct DescriptorPool {
  std::mutex mutex;
  std::vector<VkDescriptorSet> sets;
};

struct UpdateTemplate {
  std::vector<VkDescriptorUpdateTemplateEntry> entries;
  VkDescriptorUpdateTemplateType type = VK_DESCRIPTOR_UPDATE_TEMPLATE_TYPE_DESCRIPTOR_SET;
  VkPipelineBindPoint bind_point = VK_PIPELINE_BIND_POINT_GRAPHICS;  // push-descriptor templates
};

struct ShaderModule {
  std::vector<uint32_t> words;
};

struct PipelineLayout {
  std::vector<std::shared_ptr<DescriptorSetLayout>> sets;
  std::vector<VkPushConstantRange> push_ranges;
};

struct Pipeline {
  VkPipeline handle = VK_NULL_HANDLE;
  VkPipelineBindPoint bind_point = VK_PIPELINE_BIND_POINT_GRAPHICS;
  std::shared_ptr<PipelineLayout> layout;
  struct Stage {
    VkShaderStageFlagBits stage = VK_SHADER_STAGE_VERTEX_BIT;
    std::string entry;
    VkShaderModule module_handle = VK_NULL_HANDLE;
    std::shared_ptr<const std::vector<uint32_t>> words;
  };
  std::vector<Stage> stages;
  std::vector<uint32_t> vertex_bindings;  // vertex input binding numbers (graphics)
  bool dynamic_vertex_input = false;
  // Reflection of every stage, made on first capture (pipelines are created by the thousand; captured rarely).
  std::once_flag reflected;
  std::vector<std::optional<Reflection>> reflections;  // per stage; nullopt when reflection failed
  std::string reflection_error;
  // The (set, binding) pairs its shaders may write (stores, image writes, atomics), made on first need
  // by copy-on-write; every storage binding of the layout when reflection failed.
  std::once_flag written_once;
  std::vector<std::pair<uint32_t, uint32_t>> written;
};

struct RenderPass {
  std::vector<VkAttachmentDescription> attachments;
  struct Subpass {
    VkSubpassDescriptionFlags flags = 0;
    VkPipelineBindPoint bind_point = VK_PIPELINE_BIND_POINT_GRAPHICS;
    std::vector<VkAttachmentReference> inputs, colors, resolves;
    std::optional<VkAttachmentReference> depth;
    // The stencil aspect's layout where a VkAttachmentReferenceStencilLayout gives the depth reference
    // one of its own (render pass 2); UNDEFINED: depth's layout covers both.
    VkImageLayout depth_stencil_layout = VK_IMAGE_LAYOUT_UNDEFINED;
    std::vector<uint32_t> preserves;
  };
  std::vector<Subpass> subpasses;
  std::vector<VkSubpassDependency> dependencies;
  VkRenderPassCreateFlags flags = 0;
  bool splittable = true;    // no pNext chain in its create info but those kept below
  std::string why_not;
  // Multiview (a v1 chain, or a v2 subpass with a view mask): a split binds everything again.
  bool multiview = false;
  // vkCreateRenderPass's chain, re-chained into the split passes: multiview (view_masks non-empty)
  // and input attachment aspects (aspect_references non-empty).
  std::vector<uint32_t> view_masks;
  std::vector<int32_t> view_offsets;
  std::vector<uint32_t> correlation_masks;
  std::vector<VkInputAttachmentAspectReference> aspect_references;
  // Made by vkCreateRenderPass2: the create info kept as such (the v1 fields above hold what the
  // capture reads: formats, colour and depth references). Chains are kept apart and re-chained.
  bool v2 = false;
  std::vector<VkAttachmentDescription2> attachments2;
  // Per attachment, a VkAttachmentDescriptionStencilLayout from its chain (separate stencil layouts).
  std::vector<std::optional<VkAttachmentDescriptionStencilLayout>> stencil_layouts2;
  struct Subpass2 {
    VkSubpassDescription2 desc{};  // pNext: re-chained from depth_resolve
    std::vector<VkAttachmentReference2> inputs, colors, resolves;
    std::optional<VkAttachmentReference2> depth;
    std::vector<uint32_t> preserves;
    // VkSubpassDescriptionDepthStencilResolve from its chain (pDepthStencilResolveAttachment kept in
    // depth_resolve_ref).
    std::optional<VkSubpassDescriptionDepthStencilResolve> depth_resolve;
    std::optional<VkAttachmentReference2> depth_resolve_ref;
    // The stencil layouts of VkAttachmentReferenceStencilLayout structures chained to references:
    // per input reference, the depth one and the depth resolve one; UNDEFINED where none was.
    std::vector<VkImageLayout> input_stencil_layouts;
    VkImageLayout depth_stencil_layout = VK_IMAGE_LAYOUT_UNDEFINED;
    VkImageLayout depth_resolve_stencil_layout = VK_IMAGE_LAYOUT_UNDEFINED;
  };
  std::vector<Subpass2> subpasses2;
  std::vector<VkSubpassDependency2> dependencies2;  // pNext: re-chained from barriers2
  std::vector<std::optional<VkMemoryBarrier2>> barriers2;  // per dependency, from its chain
  std::vector<uint32_t> correlated_view_masks;
};

struct Framebuffer {
  std::vector<VkImageView> attachments;  // empty when imageless
  bool imageless = false;
  uint32_t width = 0, height = 0, layers = 0;
};

struct Swapchain {
  std::vector<VkImage> images;
  VkSwapchainCreateInfoKHR info{};
};

}  // namespace kiln::layer
