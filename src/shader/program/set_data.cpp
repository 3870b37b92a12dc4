// SetData: the descriptors of one set, written into fresh VkDescriptorSets when they change, with
// retired sets and uniform memory recycled once the GPU is done with them.
#include <algorithm>
#include <array>
#include <cstring>
#include <map>

#include "kiln/context.h"
#include "kiln/log.h"
#include "shader/program/program_internal.h"

namespace kiln::detail {

namespace {
bool is_image(VkDescriptorType t) {
  return t == VK_DESCRIPTOR_TYPE_SAMPLER || t == VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER ||
         t == VK_DESCRIPTOR_TYPE_SAMPLED_IMAGE || t == VK_DESCRIPTOR_TYPE_STORAGE_IMAGE ||
         t == VK_DESCRIPTOR_TYPE_INPUT_ATTACHMENT;
}
constexpr VkDeviceSize kChunkSize = 64 * 1024;

// Sets kept by content: many for small sets, fewer as they hold more descriptors (pool memory).
uint32_t cache_capacity(const std::vector<LayoutBinding>& bindings) {
  uint32_t descriptors = 0;
  for (const auto& b : bindings) descriptors += b.count;
  return std::clamp(1024u / std::max(descriptors, 1u), SetCache::kWays, 256u);
}
}  // namespace

SetData::SetData(Context& c, std::string n, std::vector<LayoutBinding> b, VkShaderStageFlags s)
    : ctx(&c), name(std::move(n)), bindings(std::move(b)), stages(s), cache(cache_capacity(bindings)) {
  hash = hash_set_layout(bindings, stages);
  layout = create_set_layout(c, bindings, stages);
  ctx->set_name(layout, name + ".layout");
  uint32_t total = 0;
  size_t buffers = 0, images = 0;
  for (const auto& lb : bindings) {
    first_element.push_back(total);
    total += lb.count;
    (is_image(lb.type) ? images : buffers) += lb.count;
  }
  elements.resize(total);
  key.resize(size_t(total) * kKeyWords);
  writes.reserve(total);
  buffer_infos.reserve(buffers);
  image_infos.reserve(images);
}

SetData::~SetData() {
  VkDevice device = ctx->device();
  VkDescriptorSetLayout l = layout;
  std::vector<VkDescriptorPool> p = std::move(pools);
  // Sets still in command buffers of submitted work: destroy once that finished.
  ctx->defer([device, l, p] {
    for (VkDescriptorPool x : p) vkDestroyDescriptorPool(device, x, nullptr);
    vkDestroyDescriptorSetLayout(device, l, nullptr);
  });
}

int SetData::find_binding(uint32_t binding) const {
  for (size_t i = 0; i < bindings.size(); ++i) {
    if (bindings[i].binding == binding) return int(i);
  }
  return -1;
}

VkDescriptorSet SetData::acquire_set() {
  if (free_sets.empty()) {
    std::lock_guard lock(returned_mutex);
    free_sets.swap(returned_sets);
  }
  if (!free_sets.empty()) {
    VkDescriptorSet s = free_sets.back();
    free_sets.pop_back();
    return s;
  }
  if (used_in_last_pool == kSetsPerPool) {
    std::map<VkDescriptorType, uint32_t> counts;
    for (const auto& b : bindings) counts[b.type] += b.count * kSetsPerPool;
    std::vector<VkDescriptorPoolSize> sizes;
    for (auto [t, n] : counts) sizes.push_back({t, n});
    if (sizes.empty()) sizes.push_back({VK_DESCRIPTOR_TYPE_SAMPLER, 1});  // an empty set's pool
    VkDescriptorPoolCreateInfo info{VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO};
    info.maxSets = kSetsPerPool;
    info.poolSizeCount = uint32_t(sizes.size());
    info.pPoolSizes = sizes.data();
    VkDescriptorPool pool = VK_NULL_HANDLE;
    check(vkCreateDescriptorPool(ctx->device(), &info, nullptr, &pool), "vkCreateDescriptorPool");
    ctx->set_name(pool, str(name, ".pool", pools.size()));
    pools.push_back(pool);
    used_in_last_pool = 0;
  }
  // Sets come in batches (one call for many) and carry no debug name of their own (the pool has
  // one): both are per-draw costs when bindings change every draw.
  constexpr uint32_t kBatch = 16;
  const uint32_t n = std::min(kBatch, kSetsPerPool - used_in_last_pool);
  std::array<VkDescriptorSetLayout, kBatch> layouts;
  layouts.fill(layout);
  std::array<VkDescriptorSet, kBatch> sets{};
  VkDescriptorSetAllocateInfo alloc{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO};
  alloc.descriptorPool = pools.back();
  alloc.descriptorSetCount = n;
  alloc.pSetLayouts = layouts.data();
  check(vkAllocateDescriptorSets(ctx->device(), &alloc, sets.data()), "vkAllocateDescriptorSets");
  used_in_last_pool += n;
  free_sets.insert(free_sets.end(), sets.begin() + 1, sets.begin() + n);
  return sets[0];
}

void SetData::upload_owned(OwnedBlock& block) {
  const VkDeviceSize align = std::max<VkDeviceSize>(ctx->limits().minUniformBufferOffsetAlignment, 16);
  const VkDeviceSize size = std::max<VkDeviceSize>(block.data.size(), 16);
  VkDeviceSize offset = (chunk_used + align - 1) & ~(align - 1);
  if (!chunk || offset + size > chunk->size()) {
    if (chunk) retired_chunks.push_back(std::move(chunk));
    if (free_chunks.empty()) {
      std::lock_guard lock(returned_mutex);
      for (auto& c : returned_chunks) free_chunks.push_back(std::move(c));
      returned_chunks.clear();
    }
    // A free chunk big enough, else a new one.
    auto it = std::find_if(free_chunks.begin(), free_chunks.end(), [&](const auto& c) { return c->size() >= size; });
    if (it != free_chunks.end()) {
      chunk = std::move(*it);
      free_chunks.erase(it);
    } else {
      const std::string chunk_name = name + ".uniforms";
      chunk = std::make_unique<Buffer>(*ctx, BufferDesc{.size = std::max(kChunkSize, size),
                                                         .usage = VK_BUFFER_USAGE_UNIFORM_BUFFER_BIT,
                                                         .memory = MemoryIntent::Upload,
                                                         .name = chunk_name.c_str()});
    }
    offset = 0;
  }
  std::memcpy(static_cast<uint8_t*>(chunk->mapped()) + offset, block.data.data(), block.data.size());
  chunk->flush(offset, size);
  chunk_used = offset + size;
  Element& e = elements[block.element];
  e.id = chunk->id();
  e.vk_buffer = chunk->handle();
  e.offset = offset;
  e.range = block.data.size();
  e.bound = true;
  block.dirty = false;
  dirty = true;
}

void SetData::throw_unbound(const std::vector<std::string>& names, size_t element) const {
  // Elements lie binding after binding: the binding is the last one starting at or before it.
  size_t i = 0;
  while (i + 1 < bindings.size() && first_element[i + 1] <= element) ++i;
  const LayoutBinding& lb = bindings[i];
  throw Error(str("nothing bound to '", i < names.size() ? names[i] : std::string("?"), "'",
                  lb.count > 1 ? str("[", element - first_element[i], "]") : std::string(), " (", name, " binding ",
                  lb.binding, "): bind() it before record()"));
}

void SetData::flush(const std::vector<std::string>& names) {
  if (owned_dirty) {
    // An inactive block (a user buffer stands in for it) waits: set() makes it active and dirty,
    // and owned_dirty, again.
    owned_dirty = false;
    for (OwnedBlock& b : owned) {
      if (b.active && b.dirty) upload_owned(b);
    }
  }
  if (!dirty) return;
  std::array<OneMemo, 2>* memo = nullptr;
  if (elements.size() == 1) {
    const Element& e = elements[0];
    if (!e.bound) [[unlikely]] throw_unbound(names, 0);
    memo = &one_memo[one_memo_bucket(e)];
    for (const OneMemo& m : *memo) {
      if (m.holds(e)) {
        current = m.set;
        dirty = false;
        ++one_memo_hits;
        return;
      }
    }
  }
  // The content, which also finds what is unbound before any set is taken.
  uint64_t* word = key.data();
  for (const Element& e : elements) {
    if (!e.bound) [[unlikely]] throw_unbound(names, size_t(&e - elements.data()));
    // An image's view is its own (bind() takes the default view), so the image's id covers it.
    word[0] = e.id;
    word[1] = e.sampler_id;
    word[2] = e.offset;
    word[3] = e.range;
    word[4] = uint64_t(e.layout);
    word += kKeyWords;
  }
  const uint64_t key_hash = SetCache::hash(key);
  auto remember = [&](VkDescriptorSet set) {  // newest first: the older of the two goes
    if (!memo) return;
    const Element& e = elements[0];
    (*memo)[1] = (*memo)[0];
    (*memo)[0] = OneMemo{.id = e.id, .sampler_id = e.sampler_id, .offset = e.offset, .range = e.range,
                         .layout = e.layout, .set = set};
  };
  if (VkDescriptorSet hit = cache.find(key, key_hash)) {
    current = hit;
    dirty = false;
    remember(hit);
    return;
  }
  writes.clear();
  buffer_infos.clear();
  image_infos.clear();
  VkDescriptorSet set = acquire_set();
  for (size_t i = 0; i < bindings.size(); ++i) {
    const LayoutBinding& lb = bindings[i];
    for (uint32_t k = 0; k < lb.count; ++k) {
      const Element& e = elements[first_element[i] + k];
      VkWriteDescriptorSet w{VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET};
      w.dstSet = set;
      w.dstBinding = lb.binding;
      w.dstArrayElement = k;
      w.descriptorCount = 1;
      w.descriptorType = lb.type;
      if (is_image(lb.type)) {
        image_infos.push_back({e.sampler, e.view, e.layout});
        w.pImageInfo = &image_infos.back();
      } else {
        buffer_infos.push_back({e.vk_buffer, e.offset, e.range});
        w.pBufferInfo = &buffer_infos.back();
      }
      writes.push_back(w);
    }
  }
  vkUpdateDescriptorSets(ctx->device(), uint32_t(writes.size()), writes.data(), 0, nullptr);
  if (VkDescriptorSet displaced = cache.insert(key, key_hash, set)) {
    retired_sets.push_back(displaced);
    for (auto& bucket : one_memo) {
      for (OneMemo& m : bucket) {
        if (m.set == displaced) m = OneMemo{};
      }
    }
  }
  remember(set);
  current = set;
  dirty = false;
}

void SetData::retire_to_gpu(const std::shared_ptr<SetData>& self) {
  if (retired_sets.empty() && retired_chunks.empty()) return;
  std::weak_ptr<SetData> weak = self;
  auto sets = std::make_shared<std::vector<VkDescriptorSet>>(std::move(retired_sets));
  auto chunks = std::make_shared<std::vector<std::unique_ptr<Buffer>>>(std::move(retired_chunks));
  retired_sets.clear();
  retired_chunks.clear();
  ctx->defer([weak, sets, chunks] {
    // When the SetData is gone, its pools go with it (deferred too) and the chunks drop here.
    if (auto sd = weak.lock()) {
      std::lock_guard lock(sd->returned_mutex);
      sd->returned_sets.insert(sd->returned_sets.end(), sets->begin(), sets->end());
      for (auto& c : *chunks) sd->returned_chunks.push_back(std::move(c));
    }
  });
}

}  // namespace kiln::detail
