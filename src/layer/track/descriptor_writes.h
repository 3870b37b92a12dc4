// Descriptor sets as the layer keeps them (track/objects.h): made for a layout, and written. Shared by
// the vkAllocateDescriptorSets / vkUpdateDescriptorSets hooks and by the replay of push descriptors,
// whose sets exist only in the command buffer's state.
#pragma once

#include <vulkan/vulkan.h>

#include <memory>

#include "track/objects.h"

namespace kiln::layer {

// Empty descriptors laid out as `layout` says (inline uniform blocks: one placeholder each).
std::shared_ptr<DescriptorSet> make_descriptor_set(std::shared_ptr<DescriptorSetLayout> layout);

// One write into `set` (its dstSet is not looked at), rolling over into the next bindings as the spec
// says writes do.
void write_descriptors(DescriptorSet& set, const VkWriteDescriptorSet& w);

// The writes a descriptor update template makes from `data` (vkUpdateDescriptorSetWithTemplate,
// vkCmdPushDescriptorSetWithTemplateKHR), into `set`. Inline uniform blocks are skipped (bytes, not
// descriptors).
void write_template(DescriptorSet& set, const UpdateTemplate& t, const void* data);

// How many bytes of `data` the template reads; 0 when one of its entries has a type whose data the
// layer does not know the size of (it cannot copy it then).
size_t template_data_size(const UpdateTemplate& t);

}  // namespace kiln::layer
