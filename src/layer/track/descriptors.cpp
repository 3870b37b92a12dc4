// Descriptor set layouts, pools and sets: each set's current content (writes, copies, templates), read
// by the hook at submit time to know what a command can reach.
#include <algorithm>
#include <cstring>

#include "dispatch/hooks.h"
#include "state.h"
#include "track/descriptor_writes.h"

namespace kiln::layer {
namespace hooks {

VKAPI_ATTR VkResult VKAPI_CALL CreateDescriptorSetLayout(VkDevice device, const VkDescriptorSetLayoutCreateInfo* info,
                                                         const VkAllocationCallbacks* alloc,
                                                         VkDescriptorSetLayout* out) {
  Device* dev = device_of(device);
  VkResult r = dev->d.CreateDescriptorSetLayout(device, info, alloc, out);
  if (r == VK_SUCCESS) {
    auto l = std::make_shared<DescriptorSetLayout>();
    l->flags = info->flags;
    for (uint32_t i = 0; i < info->bindingCount; ++i) {
      const VkDescriptorSetLayoutBinding& b = info->pBindings[i];
      l->bindings.push_back({b.binding, b.descriptorType, b.descriptorCount, b.stageFlags});
    }
    std::sort(l->bindings.begin(), l->bindings.end(), [](const auto& a, const auto& b) { return a.binding < b.binding; });
    dev->set_layouts.add(*out, std::move(l));
  }
  return r;
}

VKAPI_ATTR void VKAPI_CALL DestroyDescriptorSetLayout(VkDevice device, VkDescriptorSetLayout layout,
                                                      const VkAllocationCallbacks* alloc) {
  Device* dev = device_of(device);
  if (layout) dev->set_layouts.remove(layout);
  dev->d.DestroyDescriptorSetLayout(device, layout, alloc);
}

VKAPI_ATTR VkResult VKAPI_CALL CreateDescriptorPool(VkDevice device, const VkDescriptorPoolCreateInfo* info,
                                                    const VkAllocationCallbacks* alloc, VkDescriptorPool* out) {
  Device* dev = device_of(device);
  VkResult r = dev->d.CreateDescriptorPool(device, info, alloc, out);
  if (r == VK_SUCCESS) dev->descriptor_pools.add(*out, std::make_shared<DescriptorPool>());
  return r;
}

static void forget_pool_sets(Device* dev, VkDescriptorPool pool) {
  auto p = dev->descriptor_pools.get(pool);
  if (!p) return;
  std::lock_guard lock(p->mutex);
  for (VkDescriptorSet s : p->sets) dev->descriptor_sets.remove(s);
  p->sets.clear();
}

VKAPI_ATTR void VKAPI_CALL DestroyDescriptorPool(VkDevice device, VkDescriptorPool pool,
                                                 const VkAllocationCallbacks* alloc) {
  Device* dev = device_of(device);
  if (pool) {
    forget_pool_sets(dev, pool);
    dev->descriptor_pools.remove(pool);
  }
  dev->d.DestroyDescriptorPool(device, pool, alloc);
}

VKAPI_ATTR VkResult VKAPI_CALL ResetDescriptorPool(VkDevice device, VkDescriptorPool pool,
                                                   VkDescriptorPoolResetFlags flags) {
  Device* dev = device_of(device);
  forget_pool_sets(dev, pool);
  return dev->d.ResetDescriptorPool(device, pool, flags);
}

VKAPI_ATTR VkResult VKAPI_CALL AllocateDescriptorSets(VkDevice device, const VkDescriptorSetAllocateInfo* info,
                                                      VkDescriptorSet* out) {
  Device* dev = device_of(device);
  VkResult r = dev->d.AllocateDescriptorSets(device, info, out);
  if (r != VK_SUCCESS) return r;
  auto pool = dev->descriptor_pools.get(info->descriptorPool);
  for (uint32_t i = 0; i < info->descriptorSetCount; ++i) {
    auto s = make_descriptor_set(dev->set_layouts.get(info->pSetLayouts[i]));
    s->handle = out[i];
    s->pool = info->descriptorPool;
    dev->descriptor_sets.add(out[i], std::move(s));
    if (pool) {
      std::lock_guard lock(pool->mutex);
      pool->sets.push_back(out[i]);
    }
  }
  return r;
}

VKAPI_ATTR VkResult VKAPI_CALL FreeDescriptorSets(VkDevice device, VkDescriptorPool pool, uint32_t count,
                                                  const VkDescriptorSet* sets) {
  Device* dev = device_of(device);
  auto p = dev->descriptor_pools.get(pool);
  for (uint32_t i = 0; i < count; ++i) {
    if (!sets[i]) continue;
    dev->descriptor_sets.remove(sets[i]);
    if (p) {
      std::lock_guard lock(p->mutex);
      auto it = std::find(p->sets.begin(), p->sets.end(), sets[i]);
      if (it != p->sets.end()) {
        *it = p->sets.back();
        p->sets.pop_back();
      }
    }
  }
  return dev->d.FreeDescriptorSets(device, pool, count, sets);
}

// Walks consecutive descriptors from (binding, element), rolling over into the next bindings as the
// spec says writes do. Calls f(Descriptor&) for `count` descriptors.
template <class F>
static void for_descriptors(DescriptorSet& set, uint32_t binding, uint32_t element, uint32_t count, F&& f) {
  if (!set.layout) return;
  int bi = set.layout->index_of(binding);
  if (bi < 0) return;
  size_t b = static_cast<size_t>(bi);
  for (uint32_t i = 0; i < count && b < set.bindings.size();) {
    if (set.layout->bindings[b].type == VK_DESCRIPTOR_TYPE_INLINE_UNIFORM_BLOCK) return;  // bytes, not descriptors
    if (element >= set.bindings[b].size()) {
      ++b;
      element = 0;
      continue;
    }
    f(set.bindings[b][element], i);
    ++element;
    ++i;
  }
}

static void apply_write(Device* dev, const VkWriteDescriptorSet& w) {
  if (auto set = dev->descriptor_sets.get(w.dstSet)) write_descriptors(*set, w);
}

}  // namespace hooks

std::shared_ptr<DescriptorSet> make_descriptor_set(std::shared_ptr<DescriptorSetLayout> layout) {
  auto s = std::make_shared<DescriptorSet>();
  s->layout = std::move(layout);
  if (s->layout) {
    s->bindings.resize(s->layout->bindings.size());
    for (size_t b = 0; b < s->layout->bindings.size(); ++b) {
      const auto& lb = s->layout->bindings[b];
      // Inline uniform blocks count bytes, not descriptors: one placeholder holding them.
      const bool block = lb.type == VK_DESCRIPTOR_TYPE_INLINE_UNIFORM_BLOCK;
      s->bindings[b].resize(block ? 1 : lb.count);
      for (Descriptor& d : s->bindings[b]) d.type = lb.type;
      if (block) s->bindings[b][0].bytes.assign(lb.count, 0);
    }
  }
  return s;
}

std::vector<uint8_t>* inline_block(DescriptorSet& set, uint32_t binding) {
  if (!set.layout) return nullptr;
  const int bi = set.layout->index_of(binding);
  if (bi < 0) return nullptr;
  const size_t b = static_cast<size_t>(bi);
  if (set.layout->bindings[b].type != VK_DESCRIPTOR_TYPE_INLINE_UNIFORM_BLOCK || set.bindings[b].empty()) return nullptr;
  return &set.bindings[b][0].bytes;
}

// Bytes into an inline uniform block at `offset`, clipped to the block (the program's writes are
// valid, but the layer must not trust them with its memory).
static void write_block(DescriptorSet& set, uint32_t binding, uint32_t offset, const void* data, size_t size) {
  std::vector<uint8_t>* block = inline_block(set, binding);
  if (!block || !data || offset >= block->size()) return;
  std::memcpy(block->data() + offset, data, std::min(size, block->size() - offset));
}

void write_descriptors(DescriptorSet& set, const VkWriteDescriptorSet& w) {
  if (w.descriptorType == VK_DESCRIPTOR_TYPE_INLINE_UNIFORM_BLOCK) {
    // dstArrayElement and descriptorCount are a byte offset and a size; the bytes ride in the chain.
    for (auto* e = static_cast<const VkBaseInStructure*>(w.pNext); e; e = e->pNext) {
      if (e->sType != VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET_INLINE_UNIFORM_BLOCK) continue;
      const auto* in = reinterpret_cast<const VkWriteDescriptorSetInlineUniformBlock*>(e);
      write_block(set, w.dstBinding, w.dstArrayElement, in->pData, std::min(in->dataSize, w.descriptorCount));
    }
    return;
  }
  hooks::for_descriptors(set, w.dstBinding, w.dstArrayElement, w.descriptorCount, [&](Descriptor& d, uint32_t i) {
    d = Descriptor{};
    d.type = w.descriptorType;
    switch (w.descriptorType) {
      case VK_DESCRIPTOR_TYPE_SAMPLER:
      case VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER:
      case VK_DESCRIPTOR_TYPE_SAMPLED_IMAGE:
      case VK_DESCRIPTOR_TYPE_STORAGE_IMAGE:
      case VK_DESCRIPTOR_TYPE_INPUT_ATTACHMENT:
        if (w.pImageInfo) {
          d.sampler = w.pImageInfo[i].sampler;
          d.view = w.pImageInfo[i].imageView;
          d.layout = w.pImageInfo[i].imageLayout;
        }
        break;
      case VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER:
      case VK_DESCRIPTOR_TYPE_STORAGE_BUFFER:
      case VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER_DYNAMIC:
      case VK_DESCRIPTOR_TYPE_STORAGE_BUFFER_DYNAMIC:
        if (w.pBufferInfo) {
          d.buffer = w.pBufferInfo[i].buffer;
          d.offset = w.pBufferInfo[i].offset;
          d.range = w.pBufferInfo[i].range;
        }
        break;
      case VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER:
      case VK_DESCRIPTOR_TYPE_STORAGE_TEXEL_BUFFER:
        if (w.pTexelBufferView) d.texel_view = w.pTexelBufferView[i];
        break;
      default:
        break;  // acceleration structures and the like: kept as a typed, empty descriptor
    }
  });
}

void write_template(DescriptorSet& set, const UpdateTemplate& t, const void* data) {
  const auto* bytes = static_cast<const uint8_t*>(data);
  for (const VkDescriptorUpdateTemplateEntry& e : t.entries) {
    if (e.descriptorType == VK_DESCRIPTOR_TYPE_INLINE_UNIFORM_BLOCK) {
      // descriptorCount bytes at `offset` in the data, to byte dstArrayElement of the block.
      write_block(set, e.dstBinding, e.dstArrayElement, bytes + e.offset, e.descriptorCount);
      continue;
    }
    // One write per descriptor, reading each from its stride in the program's data.
    for (uint32_t i = 0; i < e.descriptorCount; ++i) {
      const uint8_t* p = bytes + e.offset + e.stride * i;
      VkWriteDescriptorSet w{VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET};
      w.dstBinding = e.dstBinding;
      w.dstArrayElement = e.dstArrayElement + i;
      w.descriptorCount = 1;
      w.descriptorType = e.descriptorType;
      w.pImageInfo = reinterpret_cast<const VkDescriptorImageInfo*>(p);
      w.pBufferInfo = reinterpret_cast<const VkDescriptorBufferInfo*>(p);
      w.pTexelBufferView = reinterpret_cast<const VkBufferView*>(p);
      write_descriptors(set, w);
    }
  }
}

size_t template_data_size(const UpdateTemplate& t) {
  size_t end = 0;
  for (const VkDescriptorUpdateTemplateEntry& e : t.entries) {
    if (e.descriptorCount == 0) continue;
    if (e.descriptorType == VK_DESCRIPTOR_TYPE_INLINE_UNIFORM_BLOCK) {
      end = std::max(end, size_t(e.offset) + e.descriptorCount);  // bytes, not descriptors
      continue;
    }
    size_t one = 0;
    switch (e.descriptorType) {
      case VK_DESCRIPTOR_TYPE_SAMPLER:
      case VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER:
      case VK_DESCRIPTOR_TYPE_SAMPLED_IMAGE:
      case VK_DESCRIPTOR_TYPE_STORAGE_IMAGE:
      case VK_DESCRIPTOR_TYPE_INPUT_ATTACHMENT: one = sizeof(VkDescriptorImageInfo); break;
      case VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER:
      case VK_DESCRIPTOR_TYPE_STORAGE_BUFFER:
      case VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER_DYNAMIC:
      case VK_DESCRIPTOR_TYPE_STORAGE_BUFFER_DYNAMIC: one = sizeof(VkDescriptorBufferInfo); break;
      case VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER:
      case VK_DESCRIPTOR_TYPE_STORAGE_TEXEL_BUFFER: one = sizeof(VkBufferView); break;
      default: return 0;  // acceleration structures, ...
    }
    end = std::max(end, size_t(e.offset) + size_t(e.stride) * (e.descriptorCount - 1) + one);
  }
  return end;
}

namespace hooks {

VKAPI_ATTR void VKAPI_CALL UpdateDescriptorSets(VkDevice device, uint32_t write_count, const VkWriteDescriptorSet* writes,
                                                uint32_t copy_count, const VkCopyDescriptorSet* copies) {
  Device* dev = device_of(device);
  dev->d.UpdateDescriptorSets(device, write_count, writes, copy_count, copies);
  for (uint32_t i = 0; i < write_count; ++i) apply_write(dev, writes[i]);
  for (uint32_t i = 0; i < copy_count; ++i) {
    const VkCopyDescriptorSet& c = copies[i];
    auto src = dev->descriptor_sets.get(c.srcSet);
    auto dst = dev->descriptor_sets.get(c.dstSet);
    if (!src || !dst) continue;
    if (const std::vector<uint8_t>* from = inline_block(*src, c.srcBinding)) {
      // Inline uniform blocks: descriptorCount bytes from byte srcArrayElement to byte dstArrayElement.
      if (c.srcArrayElement < from->size()) {
        const std::vector<uint8_t> bytes(from->begin() + c.srcArrayElement,
                                         from->begin() + std::min<size_t>(from->size(), size_t(c.srcArrayElement) + c.descriptorCount));
        write_block(*dst, c.dstBinding, c.dstArrayElement, bytes.data(), bytes.size());
      }
      continue;
    }
    std::vector<Descriptor> taken;
    for_descriptors(*src, c.srcBinding, c.srcArrayElement, c.descriptorCount,
                    [&](Descriptor& d, uint32_t) { taken.push_back(d); });
    for_descriptors(*dst, c.dstBinding, c.dstArrayElement, c.descriptorCount, [&](Descriptor& d, uint32_t k) {
      if (k < taken.size()) d = taken[k];
    });
  }
}

VKAPI_ATTR VkResult VKAPI_CALL CreateDescriptorUpdateTemplate(VkDevice device,
                                                              const VkDescriptorUpdateTemplateCreateInfo* info,
                                                              const VkAllocationCallbacks* alloc,
                                                              VkDescriptorUpdateTemplate* out) {
  Device* dev = device_of(device);
  VkResult r = dev->d.CreateDescriptorUpdateTemplate(device, info, alloc, out);
  if (r == VK_SUCCESS) {
    auto t = std::make_shared<UpdateTemplate>();
    t->entries.assign(info->pDescriptorUpdateEntries, info->pDescriptorUpdateEntries + info->descriptorUpdateEntryCount);
    t->type = info->templateType;
    t->bind_point = info->pipelineBindPoint;
    dev->update_templates.add(*out, std::move(t));
  }
  return r;
}

VKAPI_ATTR void VKAPI_CALL DestroyDescriptorUpdateTemplate(VkDevice device, VkDescriptorUpdateTemplate tmpl,
                                                           const VkAllocationCallbacks* alloc) {
  Device* dev = device_of(device);
  if (tmpl) dev->update_templates.remove(tmpl);
  dev->d.DestroyDescriptorUpdateTemplate(device, tmpl, alloc);
}

VKAPI_ATTR void VKAPI_CALL UpdateDescriptorSetWithTemplate(VkDevice device, VkDescriptorSet set,
                                                           VkDescriptorUpdateTemplate tmpl, const void* data) {
  Device* dev = device_of(device);
  dev->d.UpdateDescriptorSetWithTemplate(device, set, tmpl, data);
  if (auto t = dev->update_templates.get(tmpl))
    if (auto s = dev->descriptor_sets.get(set)) write_template(*s, *t, data);
}

}  // namespace hooks
}  // namespace kiln::layer
