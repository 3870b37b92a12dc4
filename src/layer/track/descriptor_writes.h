// Descriptor sets as the layer keeps them (track/objects.h): made for a layout, and written. Shared by
// the vkAllocateDescriptorSets / vkUpdateDescriptorSets hooks and by the replay of push descriptors,
// whose sets exist only in the command buffer's state.
#pragma once

#include <vulkan/vulkan.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "track/objects.h"

namespace kiln::layer {

// Empty descriptors laid out as `layout` says (inline uniform blocks: one placeholder each, holding
// the block's bytes, zero until written).
std::shared_ptr<DescriptorSet> make_descriptor_set(std::shared_ptr<DescriptorSetLayout> layout);

// The bytes of `binding` when it is an inline uniform block, else null.
std::vector<uint8_t>* inline_block(DescriptorSet& set, uint32_t binding);

// One write into `set` (its dstSet is not looked at), rolling over into the next bindings as the spec
// says writes do; an inline uniform block's write puts its bytes (VkWriteDescriptorSetInlineUniformBlock)
// at the byte offset dstArrayElement.
void write_descriptors(DescriptorSet& set, const VkWriteDescriptorSet& w);

// The writes a descriptor update template makes from `data` (vkUpdateDescriptorSetWithTemplate,
// vkCmdPushDescriptorSetWithTemplateKHR), into `set`, inline uniform blocks' bytes included.
void write_template(DescriptorSet& set, const UpdateTemplate& t, const void* data);

// How many bytes of `data` the template reads; 0 when one of its entries has a type whose data the
// layer does not know the size of (it cannot copy it then).
size_t template_data_size(const UpdateTemplate& t);

}  // namespace kiln::layer
