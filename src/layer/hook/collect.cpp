// What the selected command can read or write: its descriptors (per the pipeline layout and the
// shaders' reflection), attachments, vertex/index/indirect buffers, push constants, copy operands.
#include <algorithm>
#include <cstring>
#include <map>
#include <set>
#include <sstream>

#include "hook/format.h"
#include "hook/replay_state.h"
#include "kiln/spirv.h"
#include "state.h"
#include "track/descriptor_writes.h"

namespace kiln::layer {

namespace {

constexpr uint32_t kMaxArrayElements = 16;
constexpr uint32_t kMaxSubresources = 64;  // of one view: mips × layers

std::string hex(uint64_t v) {
  std::ostringstream o;
  o << "0x" << std::hex << v;
  return o.str();
}

BindState& bind_state(ReplayState& st, VkPipelineBindPoint bp) {
  return bp == VK_PIPELINE_BIND_POINT_COMPUTE ? st.compute : st.graphics;
}

struct Collector {
  Device& dev;
  Capture& cap;
  std::vector<CopyJob> jobs;

  void note(std::string s) { cap.notes.push_back(std::move(s)); }

  // Bytes the host knows (push constants, inline uniform blocks): no copy, the same on both sides.
  void host_bytes(CapturedResource meta, std::vector<uint8_t> bytes) {
    CopyJob j;
    j.meta = std::move(meta);
    j.inline_bytes = std::move(bytes);
    jobs.push_back(std::move(j));
  }

  void buffer(CapturedResource meta, VkBuffer handle, VkDeviceSize offset, VkDeviceSize size) {
    auto b = dev.buffers.get(handle);
    if (!b) {
      if (handle) note("buffer " + hex(handle_key(handle)) + " is not known to the layer: skipped");
      return;
    }
    if (offset >= b->size) return;
    if (size == VK_WHOLE_SIZE || offset + size > b->size) size = b->size - offset;
    if (!b->copyable) {
      note("buffer " + hex(handle_key(handle)) + " cannot be a transfer source: skipped");
      return;
    }
    meta.handle = handle_key(handle);
    meta.debug_name = dev.name_of(meta.handle);
    meta.offset = offset;
    meta.size = size;
    CopyJob j;
    j.meta = std::move(meta);
    j.buffer = handle;
    j.bytes = size;
    jobs.push_back(std::move(j));
  }

  void image(CapturedResource meta, const std::shared_ptr<Image>& img, uint32_t mip, uint32_t layer,
             VkImageAspectFlags aspect, VkImageLayout layout) {
    if (!img) return;
    const VkImageCreateInfo& ci = img->info;
    meta.handle = handle_key(img->handle);
    meta.debug_name = dev.name_of(meta.handle);
    if (!img->copyable) {
      note("image " + hex(meta.handle) + " cannot be a transfer source: skipped");
      return;
    }
    VkImageAspectFlags all = format_aspects(ci.format);
    if (ci.samples != VK_SAMPLE_COUNT_1_BIT) {
      // Colour: resolved (vkCmdResolveImage: the samples' average) into an image of the layer's, then
      // copied. Depth and stencil cannot be resolved outside a render pass: a render pass of the
      // layer's resolves them (sample 0, the one mode every device has) as it ends.
      meta.samples = static_cast<uint32_t>(ci.samples);
      if (all != VK_IMAGE_ASPECT_COLOR_BIT) {
        if (!dev.depth_stencil_resolve || !(ci.usage & VK_IMAGE_USAGE_DEPTH_STENCIL_ATTACHMENT_BIT)) {
          note("image " + hex(meta.handle) + " is a multisampled depth/stencil image: skipped (" +
               (dev.depth_stencil_resolve ? "not a depth/stencil attachment"
                                          : "resolving it needs Vulkan 1.2 or VK_KHR_depth_stencil_resolve") +
               ")");
          return;
        }
        note("image " + hex(meta.handle) + " has " + std::to_string(meta.samples) +
             " samples: its depth/stencil captured as sample 0 of each pixel");
      } else {
        note("image " + hex(meta.handle) + " has " + std::to_string(meta.samples) +
             " samples: captured resolved (their average; integer formats: as the driver resolves them)");
      }
    }
    if (aspect & VK_IMAGE_ASPECT_DEPTH_BIT) aspect = VK_IMAGE_ASPECT_DEPTH_BIT;
    else if (aspect & VK_IMAGE_ASPECT_STENCIL_BIT) aspect = VK_IMAGE_ASPECT_STENCIL_BIT;
    else aspect = VK_IMAGE_ASPECT_COLOR_BIT;
    uint32_t texel = copy_texel_bytes(ci.format, aspect);
    if (texel == 0) {
      note("image " + hex(meta.handle) + ": format " + std::to_string(ci.format) + " is not copied yet: skipped");
      return;
    }
    meta.is_image = true;
    meta.format = ci.format;
    meta.mip = mip;
    meta.layer = layer;
    meta.aspect = aspect;
    meta.layout = layout;
    meta.extent = {std::max(1u, ci.extent.width >> mip), std::max(1u, ci.extent.height >> mip),
                   std::max(1u, ci.extent.depth >> mip)};
    CopyJob j;
    j.meta = std::move(meta);
    j.image = img->handle;
    j.layout = layout;
    j.all_aspects = all;
    j.bytes = copy_bytes(ci.format, aspect, j.meta.extent);  // whole blocks for compressed formats
    jobs.push_back(std::move(j));
  }

  void view(CapturedResource meta, VkImageView handle, VkImageLayout layout, VkImageAspectFlags only = 0) {
    auto v = dev.image_views.get(handle);
    if (!v) {
      if (handle) note("image view " + hex(handle_key(handle)) + " is not known to the layer: skipped");
      return;
    }
    VkImageAspectFlags aspect = only ? only : v->range.aspectMask;
    if (!v->image) return;
    // Every subresource of the view's range (mips × layers), each its own resource and file.
    const VkImageCreateInfo& ci = v->image->info;
    const VkImageSubresourceRange& r = v->range;
    const uint32_t mips = r.levelCount == VK_REMAINING_MIP_LEVELS ? ci.mipLevels - r.baseMipLevel : r.levelCount;
    const uint32_t layers = r.layerCount == VK_REMAINING_ARRAY_LAYERS ? ci.arrayLayers - r.baseArrayLayer : r.layerCount;
    uint32_t n = 0;
    for (uint32_t m = 0; m < mips; ++m)
      for (uint32_t l = 0; l < layers; ++l) {
        if (++n > kMaxSubresources) {
          note("image " + hex(handle_key(v->image->handle)) + ": only the first " + std::to_string(kMaxSubresources) +
               " of its view's " + std::to_string(mips * layers) + " subresources captured");
          return;
        }
        image(meta, v->image, r.baseMipLevel + m, r.baseArrayLayer + l, aspect, layout);
      }
  }
};

struct BindingUse {
  std::string name;
  bool written = false;
  std::optional<BlockLayout> block;
};

void add_members(CapturedResource& r, const std::optional<BlockLayout>& block) {
  if (!block) return;
  for (const BlockMember& m : block->members) {
    std::string type = m.type;
    if (m.array_size == UINT32_MAX) type += "[]";
    else if (m.array_size) type += "[" + std::to_string(m.array_size) + "]";
    uint32_t size = m.array_size && m.array_size != UINT32_MAX ? m.array_stride * m.array_size : m.size;
    r.members.push_back({m.name, m.offset, size, type});
  }
}

void reflect(Pipeline& p) {
  std::call_once(p.reflected, [&] {
    p.reflections.resize(p.stages.size());
    for (size_t i = 0; i < p.stages.size(); ++i) {
      if (!p.stages[i].words) continue;
      try {
        p.reflections[i] = reflect_spirv(*p.stages[i].words, p.stages[i].entry);
      } catch (const std::exception& e) {
        p.reflection_error = e.what();
      }
    }
  });
}

bool is_storage(VkDescriptorType t) {
  return t == VK_DESCRIPTOR_TYPE_STORAGE_BUFFER || t == VK_DESCRIPTOR_TYPE_STORAGE_BUFFER_DYNAMIC ||
         t == VK_DESCRIPTOR_TYPE_STORAGE_IMAGE || t == VK_DESCRIPTOR_TYPE_STORAGE_TEXEL_BUFFER;
}

}  // namespace

const std::vector<std::pair<uint32_t, uint32_t>>& written_bindings(Pipeline& p) {
  std::call_once(p.written_once, [&] {
    reflect(p);
    std::set<std::pair<uint32_t, uint32_t>> w;
    bool all = true;
    for (const auto& r : p.reflections) {
      if (!r) {
        all = false;
        continue;
      }
      for (const DescriptorBinding& b : r->bindings)
        if (b.written) w.insert({b.set, b.binding});
    }
    if (!all && p.layout)
      for (uint32_t set = 0; set < p.layout->sets.size(); ++set)
        if (const auto& l = p.layout->sets[set])
          for (const auto& b : l->bindings)
            if (is_storage(b.type)) w.insert({set, b.binding});
    p.written.assign(w.begin(), w.end());
  });
  return p.written;
}

namespace {

// Buffers reached through device addresses the push constants hold (bindless programs pass pointers
// there): every 8-byte value at a 4-byte offset that falls inside a buffer whose address the program
// asked for. The buffer is captured from that address to its end, marked written (what a shader does
// through a pointer is not analysed). Addresses inside buffers, or in memory the command reads, are
// not followed.
void device_addresses(Collector& col, const uint8_t* push, uint32_t lo, uint32_t hi) {
  std::set<std::pair<uint64_t, VkDeviceSize>> seen;
  for (uint32_t at = lo; at + 8 <= hi; at += 4) {
    VkDeviceAddress value;
    std::memcpy(&value, push + at, 8);
    if (value == 0) continue;
    auto [buffer, offset] = col.dev.buffer_at(value);
    if (!buffer || !seen.emplace(handle_key(buffer), offset).second) continue;
    CapturedResource meta;
    meta.role = ResourceRole::DeviceAddress;
    meta.attachment = at;
    meta.written = true;
    col.buffer(std::move(meta), buffer, offset, VK_WHOLE_SIZE);  // to the buffer's end
  }
}

// The program's bytes of buffer range [offset, offset + size), where it keeps the memory mapped; null otherwise.
const uint8_t* mapped_bytes(Device& dev, VkBuffer handle, VkDeviceSize offset, VkDeviceSize size) {
  auto b = dev.buffers.get(handle);
  if (!b || !b->binding.memory) return nullptr;
  auto m = dev.memories.get(b->binding.memory);
  if (!m || !m->host) return nullptr;
  const VkDeviceSize at = b->binding.offset + offset;
  if (at < m->map_offset || at + size > m->map_offset + m->map_size) return nullptr;
  return m->host + (at - m->map_offset);
}

// Buffers reached through addresses stored in the buffers captured so far (pointer tables, chains of
// them, a few levels deep), read where the program keeps their memory mapped: the bytes the host wrote
// before the submission (a GPU write earlier in the same submission is not seen). Like the push
// constants' addresses, every 8-byte value that falls inside a buffer with an address counts.
void addresses_in_buffers(Collector& col) {
  constexpr VkDeviceSize kScanBytes = VkDeviceSize(1) << 20;  // per buffer
  constexpr uint32_t kDepth = 4;
  constexpr size_t kMaxFound = 256;
  {
    std::lock_guard lock(col.dev.addresses_mutex);
    if (col.dev.addresses.empty()) return;
  }
  std::set<std::pair<uint64_t, VkDeviceSize>> seen;
  for (const CopyJob& j : col.jobs)
    if (j.buffer) seen.emplace(j.meta.handle, j.meta.offset);
  std::vector<uint32_t> depth(col.jobs.size(), 0);
  size_t found = 0, unmapped = 0;
  for (size_t i = 0; i < col.jobs.size(); ++i) {  // grows as buffers are found: breadth first
    const ResourceRole role = col.jobs[i].meta.role;
    if (!col.jobs[i].buffer || depth[i] >= kDepth ||
        (role != ResourceRole::Descriptor && role != ResourceRole::DeviceAddress && role != ResourceRole::BufferAddress))
      continue;
    const VkDeviceSize offset = col.jobs[i].meta.offset, bytes = col.jobs[i].bytes;
    const uint8_t* host = mapped_bytes(col.dev, col.jobs[i].buffer, offset, bytes);
    if (!host) {
      ++unmapped;
      continue;
    }
    if (bytes > kScanBytes)
      col.note("buffer " + hex(col.jobs[i].meta.handle) + ": addresses looked for in its first " +
               std::to_string(kScanBytes) + " bytes only");
    const VkDeviceSize end = std::min(bytes, kScanBytes);
    for (VkDeviceSize at = (8 - offset % 8) % 8; at + 8 <= end; at += 8) {
      VkDeviceAddress value;
      std::memcpy(&value, host + at, 8);
      if (value == 0) continue;
      auto [buffer, in] = col.dev.buffer_at(value);
      if (!buffer || !seen.emplace(handle_key(buffer), in).second) continue;
      CapturedResource meta;
      meta.role = ResourceRole::BufferAddress;
      meta.binding = static_cast<uint32_t>(i);
      meta.attachment = static_cast<uint32_t>(at);
      meta.written = true;
      const size_t had = col.jobs.size();
      col.buffer(std::move(meta), buffer, in, VK_WHOLE_SIZE);
      if (col.jobs.size() > had) depth.push_back(depth[i] + 1);
      if (++found == kMaxFound) {
        col.note("addresses stored in buffers: the first " + std::to_string(kMaxFound) + " buffers found are captured, no more");
        return;
      }
    }
  }
  if (unmapped)
    col.note("addresses stored in buffers are followed only where the program keeps the memory mapped: " +
             std::to_string(unmapped) + " captured buffer(s) not read for them");
}

void descriptors(Collector& col, const ReplayState& st, VkPipelineBindPoint bp) {
  const BindState& bs = bp == VK_PIPELINE_BIND_POINT_COMPUTE ? st.compute : st.graphics;
  auto pipeline = col.dev.pipelines.get(bs.pipeline);
  Capture& cap = col.cap;
  if (!pipeline) {
    col.note("no pipeline bound (or unknown to the layer): descriptors not captured");
    return;
  }
  std::string name = col.dev.name_of(handle_key(pipeline->handle));
  cap.pipeline_name = name.empty() ? "pipeline " + hex(handle_key(pipeline->handle)) : name;
  cap.bind_point = bp;
  reflect(*pipeline);
  std::map<std::pair<uint32_t, uint32_t>, BindingUse> uses;
  bool reflected_all = true;
  for (size_t i = 0; i < pipeline->stages.size(); ++i) {
    const Pipeline::Stage& s = pipeline->stages[i];
    std::string module = col.dev.name_of(handle_key(s.module_handle));
    cap.stages.push_back({s.stage, s.entry, module});
    if (!pipeline->reflections[i]) {
      reflected_all = false;
      continue;
    }
    for (const DescriptorBinding& b : pipeline->reflections[i]->bindings) {
      BindingUse& u = uses[{b.set, b.binding}];
      if (u.name.empty()) u.name = b.name;
      u.written |= b.written;
      if (!u.block) u.block = b.block;
    }
  }
  if (!reflected_all) {
    col.note("shader reflection failed (" + pipeline->reflection_error +
             "): every binding of the pipeline layout is captured, storage ones marked written");
    if (pipeline->layout)
      for (uint32_t set = 0; set < pipeline->layout->sets.size(); ++set)
        if (const auto& l = pipeline->layout->sets[set])
          for (const auto& b : l->bindings) uses[{set, b.binding}].written |= is_storage(b.type);
  }
  for (const auto& [key, use] : uses) {
    auto [set, binding] = key;
    if (set >= bs.sets.size() || (!bs.sets[set].set && !bs.sets[set].pushed)) {
      col.note("set " + std::to_string(set) + " is not bound");
      continue;
    }
    auto ds = bound_descriptors(col.dev, bs, set);
    if (!ds || !ds->layout) continue;
    int bi = ds->layout->index_of(binding);
    if (bi < 0) continue;
    const auto& lb = ds->layout->bindings[static_cast<size_t>(bi)];
    const uint32_t dyn_index = ds->layout->first_dynamic_offset(bi);
    const auto& elements = ds->bindings[static_cast<size_t>(bi)];
    uint32_t n = static_cast<uint32_t>(std::min<size_t>(elements.size(), kMaxArrayElements));
    if (elements.size() > kMaxArrayElements)
      col.note("set " + std::to_string(set) + " binding " + std::to_string(binding) + ": only the first " +
               std::to_string(kMaxArrayElements) + " array elements captured");
    for (uint32_t e = 0; e < n; ++e) {
      const Descriptor& d = elements[e];
      CapturedResource meta;
      meta.role = ResourceRole::Descriptor;
      meta.set = set;
      meta.binding = binding;
      meta.array_element = e;
      meta.shader_name = use.name;
      meta.descriptor_type = descriptor_type_name(lb.type);
      meta.written = use.written && is_storage(lb.type);
      switch (lb.type) {
        case VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER:
        case VK_DESCRIPTOR_TYPE_STORAGE_BUFFER:
        case VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER_DYNAMIC:
        case VK_DESCRIPTOR_TYPE_STORAGE_BUFFER_DYNAMIC: {
          VkDeviceSize offset = d.offset;
          if (lb.type == VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER_DYNAMIC || lb.type == VK_DESCRIPTOR_TYPE_STORAGE_BUFFER_DYNAMIC) {
            const auto& dyn = bs.sets[set].dynamic_offsets;
            if (dyn_index + e < dyn.size()) offset += dyn[dyn_index + e];
          }
          add_members(meta, use.block);
          col.buffer(std::move(meta), d.buffer, offset, d.range);
          break;
        }
        case VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER:
        case VK_DESCRIPTOR_TYPE_STORAGE_TEXEL_BUFFER:
          if (auto v = col.dev.buffer_views.get(d.texel_view)) col.buffer(std::move(meta), v->buffer, v->offset, v->range);
          break;
        case VK_DESCRIPTOR_TYPE_SAMPLED_IMAGE:
        case VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER:
        case VK_DESCRIPTOR_TYPE_STORAGE_IMAGE:
        case VK_DESCRIPTOR_TYPE_INPUT_ATTACHMENT:
          col.view(std::move(meta), d.view, d.layout);
          break;
        case VK_DESCRIPTOR_TYPE_SAMPLER: break;
        case VK_DESCRIPTOR_TYPE_INLINE_UNIFORM_BLOCK:  // the bytes live in the set; no shader writes them
          add_members(meta, use.block);
          meta.written = false;
          meta.size = d.bytes.size();
          col.host_bytes(std::move(meta), d.bytes);
          break;
        default:
          col.note("set " + std::to_string(set) + " binding " + std::to_string(binding) + ": descriptor type " +
                   meta.descriptor_type + " not captured");
          break;
      }
    }
  }
  // Push constants: the bytes the records set, over the layout's ranges.
  if (pipeline->layout && !pipeline->layout->push_ranges.empty()) {
    uint32_t lo = UINT32_MAX, hi = 0;
    for (const VkPushConstantRange& r : pipeline->layout->push_ranges) {
      lo = std::min(lo, r.offset);
      hi = std::max(hi, r.offset + r.size);
    }
    hi = std::min<uint32_t>(hi, static_cast<uint32_t>(st.push.size()));
    if (lo < hi) {
      CapturedResource meta;
      meta.role = ResourceRole::PushConstants;
      meta.offset = lo;
      meta.size = hi - lo;
      for (const auto& r : pipeline->reflections)
        if (r && r->push_constants) {
          add_members(meta, r->push_constants);
          break;
        }
      col.host_bytes(std::move(meta), std::vector<uint8_t>(st.push.begin() + lo, st.push.begin() + hi));
      device_addresses(col, st.push.data(), lo, hi);
    }
  }
  // Vertex buffers the pipeline reads.
  if (bp == VK_PIPELINE_BIND_POINT_GRAPHICS)
    for (uint32_t b : pipeline->vertex_bindings) {
      if (b >= st.vertex.size() || !st.vertex[b].buffer) continue;
      CapturedResource meta;
      meta.role = ResourceRole::VertexBuffer;
      meta.attachment = b;
      col.buffer(std::move(meta), st.vertex[b].buffer, st.vertex[b].offset, st.vertex[b].size);
    }
}

void attachments(Collector& col, const ReplayState& st) {
  if (st.pass == ReplayState::Pass::Dynamic && st.rendering) {
    const VkRenderingInfo& r = *st.rendering;
    for (uint32_t i = 0; i < r.colorAttachmentCount; ++i) {
      CapturedResource meta;
      meta.role = ResourceRole::ColorAttachment;
      meta.attachment = i;
      meta.written = true;
      col.view(std::move(meta), r.pColorAttachments[i].imageView, r.pColorAttachments[i].imageLayout);
    }
    // Resolve targets: written when the rendering ends, not by the command (the split resolves only at
    // the very end), so before and after show what they held when the rendering began.
    for (uint32_t i = 0; i < r.colorAttachmentCount; ++i) {
      const VkRenderingAttachmentInfo& a = r.pColorAttachments[i];
      if (!a.resolveImageView || a.resolveMode == VK_RESOLVE_MODE_NONE) continue;
      CapturedResource meta;
      meta.role = ResourceRole::ResolveAttachment;
      meta.attachment = i;
      col.view(std::move(meta), a.resolveImageView, a.resolveImageLayout);
    }
    if (r.pDepthAttachment && r.pDepthAttachment->imageView) {
      CapturedResource meta;
      meta.role = ResourceRole::DepthAttachment;
      meta.written = true;
      col.view(std::move(meta), r.pDepthAttachment->imageView, r.pDepthAttachment->imageLayout, VK_IMAGE_ASPECT_DEPTH_BIT);
    }
    if (r.pStencilAttachment && r.pStencilAttachment->imageView) {
      CapturedResource meta;
      meta.role = ResourceRole::StencilAttachment;
      meta.written = true;
      col.view(std::move(meta), r.pStencilAttachment->imageView, r.pStencilAttachment->imageLayout,
               VK_IMAGE_ASPECT_STENCIL_BIT);
    }
  } else if (st.pass == ReplayState::Pass::RenderPass && st.render_pass) {
    auto rp = col.dev.render_passes.get(st.render_pass->renderPass);
    auto fb = col.dev.framebuffers.get(st.render_pass->framebuffer);
    if (!rp || !fb || st.subpass >= rp->subpasses.size()) return;
    std::vector<VkImageView> views = fb->attachments;
    for (auto* e = static_cast<const VkBaseInStructure*>(st.render_pass->pNext); e; e = e->pNext)
      if (e->sType == VK_STRUCTURE_TYPE_RENDER_PASS_ATTACHMENT_BEGIN_INFO) {
        auto* a = reinterpret_cast<const VkRenderPassAttachmentBeginInfo*>(e);
        views.assign(a->pAttachments, a->pAttachments + a->attachmentCount);
      }
    const RenderPass::Subpass& sp = rp->subpasses[st.subpass];
    for (uint32_t i = 0; i < sp.colors.size(); ++i) {
      uint32_t a = sp.colors[i].attachment;
      if (a == VK_ATTACHMENT_UNUSED || a >= views.size()) continue;
      CapturedResource meta;
      meta.role = ResourceRole::ColorAttachment;
      meta.attachment = i;
      meta.written = true;
      col.view(std::move(meta), views[a], sp.colors[i].layout);
    }
    if (sp.depth && sp.depth->attachment != VK_ATTACHMENT_UNUSED && sp.depth->attachment < views.size()) {
      VkImageView v = views[sp.depth->attachment];
      VkImageAspectFlags aspects = format_aspects(rp->attachments[sp.depth->attachment].format);
      if (aspects & VK_IMAGE_ASPECT_DEPTH_BIT) {
        CapturedResource meta;
        meta.role = ResourceRole::DepthAttachment;
        meta.written = true;
        col.view(std::move(meta), v, sp.depth->layout, VK_IMAGE_ASPECT_DEPTH_BIT);
      }
      if (aspects & VK_IMAGE_ASPECT_STENCIL_BIT) {
        CapturedResource meta;
        meta.role = ResourceRole::StencilAttachment;
        meta.written = true;
        const VkImageLayout own = sp.depth_stencil_layout;
        col.view(std::move(meta), v, own != VK_IMAGE_LAYOUT_UNDEFINED ? own : sp.depth->layout, VK_IMAGE_ASPECT_STENCIL_BIT);
      }
    }
  }
}

void indirect(Collector& col, VkBuffer b, VkDeviceSize offset, VkDeviceSize size) {
  CapturedResource meta;
  meta.role = ResourceRole::IndirectBuffer;
  col.buffer(std::move(meta), b, offset, size);
}

void transfer_buffer(Collector& col, bool dst, VkBuffer b, VkDeviceSize lo, VkDeviceSize hi) {
  CapturedResource meta;
  meta.role = dst ? ResourceRole::TransferDestination : ResourceRole::TransferSource;
  meta.written = dst;
  col.buffer(std::move(meta), b, lo, hi == VK_WHOLE_SIZE ? VK_WHOLE_SIZE : hi - lo);
}

void transfer_image(Collector& col, bool dst, VkImage image, VkImageLayout layout, const VkImageSubresourceLayers& sub) {
  CapturedResource meta;
  meta.role = dst ? ResourceRole::TransferDestination : ResourceRole::TransferSource;
  meta.written = dst;
  col.image(std::move(meta), col.dev.images.get(image), sub.mipLevel, sub.baseArrayLayer, sub.aspectMask, layout);
}

void transfer_image(Collector& col, bool dst, VkImage image, VkImageLayout layout, const VkImageSubresourceRange& r) {
  transfer_image(col, dst, image, layout, VkImageSubresourceLayers{r.aspectMask, r.baseMipLevel, r.baseArrayLayer, 1});
}

template <class Region>
std::pair<VkDeviceSize, VkDeviceSize> span(const Region* r, uint32_t n, VkDeviceSize Region::*off) {
  VkDeviceSize lo = ~VkDeviceSize(0), hi = 0;
  for (uint32_t i = 0; i < n; ++i) {
    lo = std::min(lo, r[i].*off);
    hi = std::max(hi, r[i].*off + r[i].size);
  }
  return {lo, hi};
}

template <class Region>
std::pair<VkDeviceSize, VkDeviceSize> buffer_image_span(const Region* r, uint32_t n) {
  // Where a buffer<->image copy touches the buffer: from the first region's offset to the end
  // (the exact extent needs row lengths and texel sizes; the rest of the buffer is harmless extra).
  VkDeviceSize lo = ~VkDeviceSize(0);
  for (uint32_t i = 0; i < n; ++i) lo = std::min(lo, r[i].bufferOffset);
  return {lo, VK_WHOLE_SIZE};
}

void copies(Collector& col, const Cmd& c) {
  switch (c.op()) {
    case Op::CopyBuffer: {
      const auto& a = static_cast<const CopyBufferCmd&>(c).args;
      auto [slo, shi] = span(std::get<3>(a), std::get<2>(a), &VkBufferCopy::srcOffset);
      auto [dlo, dhi] = span(std::get<3>(a), std::get<2>(a), &VkBufferCopy::dstOffset);
      transfer_buffer(col, false, std::get<0>(a), slo, shi);
      transfer_buffer(col, true, std::get<1>(a), dlo, dhi);
      break;
    }
    case Op::CopyBuffer2: {
      const VkCopyBufferInfo2* i = std::get<0>(static_cast<const CopyBuffer2Cmd&>(c).args);
      auto [slo, shi] = span(i->pRegions, i->regionCount, &VkBufferCopy2::srcOffset);
      auto [dlo, dhi] = span(i->pRegions, i->regionCount, &VkBufferCopy2::dstOffset);
      transfer_buffer(col, false, i->srcBuffer, slo, shi);
      transfer_buffer(col, true, i->dstBuffer, dlo, dhi);
      break;
    }
    case Op::CopyImage: {
      const auto& a = static_cast<const CopyImageCmd&>(c).args;
      transfer_image(col, false, std::get<0>(a), std::get<1>(a), std::get<5>(a)[0].srcSubresource);
      transfer_image(col, true, std::get<2>(a), std::get<3>(a), std::get<5>(a)[0].dstSubresource);
      break;
    }
    case Op::CopyImage2: {
      const VkCopyImageInfo2* i = std::get<0>(static_cast<const CopyImage2Cmd&>(c).args);
      transfer_image(col, false, i->srcImage, i->srcImageLayout, i->pRegions[0].srcSubresource);
      transfer_image(col, true, i->dstImage, i->dstImageLayout, i->pRegions[0].dstSubresource);
      break;
    }
    case Op::BlitImage: {
      const auto& a = static_cast<const BlitImageCmd&>(c).args;
      transfer_image(col, false, std::get<0>(a), std::get<1>(a), std::get<5>(a)[0].srcSubresource);
      transfer_image(col, true, std::get<2>(a), std::get<3>(a), std::get<5>(a)[0].dstSubresource);
      break;
    }
    case Op::BlitImage2: {
      const VkBlitImageInfo2* i = std::get<0>(static_cast<const BlitImage2Cmd&>(c).args);
      transfer_image(col, false, i->srcImage, i->srcImageLayout, i->pRegions[0].srcSubresource);
      transfer_image(col, true, i->dstImage, i->dstImageLayout, i->pRegions[0].dstSubresource);
      break;
    }
    case Op::ResolveImage: {
      const auto& a = static_cast<const ResolveImageCmd&>(c).args;
      transfer_image(col, false, std::get<0>(a), std::get<1>(a), std::get<5>(a)[0].srcSubresource);
      transfer_image(col, true, std::get<2>(a), std::get<3>(a), std::get<5>(a)[0].dstSubresource);
      break;
    }
    case Op::ResolveImage2: {
      const VkResolveImageInfo2* i = std::get<0>(static_cast<const ResolveImage2Cmd&>(c).args);
      transfer_image(col, false, i->srcImage, i->srcImageLayout, i->pRegions[0].srcSubresource);
      transfer_image(col, true, i->dstImage, i->dstImageLayout, i->pRegions[0].dstSubresource);
      break;
    }
    case Op::CopyBufferToImage: {
      const auto& a = static_cast<const CopyBufferToImageCmd&>(c).args;
      auto [lo, hi] = buffer_image_span(std::get<4>(a), std::get<3>(a));
      transfer_buffer(col, false, std::get<0>(a), lo, hi);
      transfer_image(col, true, std::get<1>(a), std::get<2>(a), std::get<4>(a)[0].imageSubresource);
      break;
    }
    case Op::CopyBufferToImage2: {
      const VkCopyBufferToImageInfo2* i = std::get<0>(static_cast<const CopyBufferToImage2Cmd&>(c).args);
      auto [lo, hi] = buffer_image_span(i->pRegions, i->regionCount);
      transfer_buffer(col, false, i->srcBuffer, lo, hi);
      transfer_image(col, true, i->dstImage, i->dstImageLayout, i->pRegions[0].imageSubresource);
      break;
    }
    case Op::CopyImageToBuffer: {
      const auto& a = static_cast<const CopyImageToBufferCmd&>(c).args;
      auto [lo, hi] = buffer_image_span(std::get<4>(a), std::get<3>(a));
      transfer_image(col, false, std::get<0>(a), std::get<1>(a), std::get<4>(a)[0].imageSubresource);
      transfer_buffer(col, true, std::get<2>(a), lo, hi);
      break;
    }
    case Op::CopyImageToBuffer2: {
      const VkCopyImageToBufferInfo2* i = std::get<0>(static_cast<const CopyImageToBuffer2Cmd&>(c).args);
      auto [lo, hi] = buffer_image_span(i->pRegions, i->regionCount);
      transfer_image(col, false, i->srcImage, i->srcImageLayout, i->pRegions[0].imageSubresource);
      transfer_buffer(col, true, i->dstBuffer, lo, hi);
      break;
    }
    case Op::UpdateBuffer: {
      const auto& a = static_cast<const UpdateBufferCmd&>(c).args;
      transfer_buffer(col, true, std::get<0>(a), std::get<1>(a), std::get<1>(a) + std::get<2>(a));
      break;
    }
    case Op::FillBuffer: break;  // generic record: handled below by name
    case Op::ClearColorImage: {
      const auto& a = static_cast<const ClearColorImageCmd&>(c).args;
      transfer_image(col, true, std::get<0>(a), std::get<1>(a), std::get<4>(a)[0]);
      break;
    }
    case Op::ClearDepthStencilImage: {
      const auto& a = static_cast<const ClearDepthStencilImageCmd&>(c).args;
      transfer_image(col, true, std::get<0>(a), std::get<1>(a), std::get<4>(a)[0]);
      break;
    }
    default: break;
  }
}

}  // namespace

// The set a push into set number `set` of `layout` writes: the pushes so far when they have the same
// set layout (a copy when another state shares them), else a fresh one; null when the layout is
// unknown (the set then counts as not bound).
static DescriptorSet* push_target(Device& dev, BindState& bs, VkPipelineLayout layout_handle, uint32_t set) {
  auto layout = dev.pipeline_layouts.get(layout_handle);
  if (bs.sets.size() <= set) bs.sets.resize(set + 1);
  BoundSet& b = bs.sets[set];
  b.set = VK_NULL_HANDLE;
  b.dynamic_offsets.clear();
  std::shared_ptr<DescriptorSetLayout> set_layout = layout && set < layout->sets.size() ? layout->sets[set] : nullptr;
  if (!set_layout) {
    b.pushed.reset();
    return nullptr;
  }
  if (!b.pushed || b.pushed->layout != set_layout) b.pushed = make_descriptor_set(set_layout);
  else if (b.pushed.use_count() > 1) b.pushed = std::make_shared<DescriptorSet>(*b.pushed);
  return b.pushed.get();
}

std::shared_ptr<DescriptorSet> bound_descriptors(Device& dev, const BindState& bs, uint32_t set) {
  if (set >= bs.sets.size()) return nullptr;
  if (bs.sets[set].pushed) return bs.sets[set].pushed;
  return bs.sets[set].set ? dev.descriptor_sets.get(bs.sets[set].set) : nullptr;
}

void ReplayState::track(Device& dev, const Cmd& c) {
  switch (c.op()) {
    case Op::BindPipeline: {
      const auto& a = static_cast<const BindPipelineCmd&>(c).args;
      bind_state(*this, std::get<0>(a)).pipeline = std::get<1>(a);
      break;
    }
    case Op::BindDescriptorSets: {
      const auto& a = static_cast<const BindDescriptorSetsCmd&>(c).args;
      BindState& bs = bind_state(*this, std::get<0>(a));
      auto layout = dev.pipeline_layouts.get(std::get<1>(a));
      uint32_t first = std::get<2>(a), n = std::get<3>(a), used = 0;
      if (bs.sets.size() < first + n) bs.sets.resize(first + n);
      for (uint32_t i = 0; i < n; ++i) {
        BoundSet& b = bs.sets[first + i];
        b.set = std::get<4>(a)[i];
        b.pushed.reset();
        b.dynamic_offsets.clear();
        if (!layout || first + i >= layout->sets.size() || !layout->sets[first + i]) continue;
        for (const auto& lb : layout->sets[first + i]->bindings)
          if (lb.type == VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER_DYNAMIC || lb.type == VK_DESCRIPTOR_TYPE_STORAGE_BUFFER_DYNAMIC)
            for (uint32_t k = 0; k < lb.count && used < std::get<5>(a); ++k) b.dynamic_offsets.push_back(std::get<6>(a)[used++]);
      }
      break;
    }
    case Op::PushDescriptorSet: {
      const auto& a = static_cast<const PushDescriptorSetCmd&>(c).args;
      if (DescriptorSet* pushed = push_target(dev, bind_state(*this, std::get<0>(a)), std::get<1>(a), std::get<2>(a)))
        for (uint32_t i = 0; i < std::get<3>(a); ++i) write_descriptors(*pushed, std::get<4>(a)[i]);
      break;
    }
    case Op::PushDescriptorSetWithTemplate: {
      const auto& a = static_cast<const PushDescriptorSetWithTemplateCmd&>(c).args;
      auto t = dev.update_templates.get(std::get<0>(a));
      // The template names its bind point; one destroyed since leaves the set unknown (not bound).
      const VkPipelineBindPoint bp = t ? t->bind_point : VK_PIPELINE_BIND_POINT_GRAPHICS;
      DescriptorSet* pushed = push_target(dev, bind_state(*this, bp), std::get<1>(a), std::get<2>(a));
      if (pushed && t) write_template(*pushed, *t, std::get<3>(a));
      else if (pushed) bind_state(*this, bp).sets[std::get<2>(a)].pushed.reset();
      break;
    }
    case Op::PushConstants: {
      const auto& a = static_cast<const PushConstantsCmd&>(c).args;
      uint32_t off = std::get<2>(a), size = std::get<3>(a);
      if (off < push.size()) std::memcpy(push.data() + off, std::get<4>(a), std::min<size_t>(size, push.size() - off));
      break;
    }
    case Op::BindVertexBuffers: {
      const auto& a = static_cast<const BindVertexBuffersCmd&>(c).args;
      for (uint32_t i = 0; i < std::get<1>(a) && std::get<0>(a) + i < vertex.size(); ++i)
        vertex[std::get<0>(a) + i] = {std::get<2>(a)[i], std::get<3>(a)[i], VK_WHOLE_SIZE};
      break;
    }
    case Op::BindVertexBuffers2: {
      const auto& a = static_cast<const BindVertexBuffers2Cmd&>(c).args;
      for (uint32_t i = 0; i < std::get<1>(a) && std::get<0>(a) + i < vertex.size(); ++i)
        vertex[std::get<0>(a) + i] = {std::get<2>(a)[i], std::get<3>(a)[i], std::get<4>(a) ? std::get<4>(a)[i] : VK_WHOLE_SIZE};
      break;
    }
    case Op::BindIndexBuffer: {
      const auto& a = static_cast<const BindIndexBufferCmd&>(c).args;
      index_buffer = std::get<0>(a);
      index_offset = std::get<1>(a);
      break;
    }
    case Op::BeginRendering:
      pass = Pass::Dynamic;
      rendering = std::get<0>(static_cast<const BeginRenderingCmd&>(c).args);
      break;
    case Op::BeginRenderPass:
      pass = Pass::RenderPass;
      render_pass = std::get<0>(static_cast<const BeginRenderPassCmd&>(c).args);
      subpass = 0;
      break;
    case Op::BeginRenderPass2:
      pass = Pass::RenderPass;
      render_pass = std::get<0>(static_cast<const BeginRenderPass2Cmd&>(c).args);
      subpass = 0;
      break;
    case Op::NextSubpass:
    case Op::NextSubpass2: ++subpass; break;
    case Op::EndRendering:
    case Op::EndRenderPass:
    case Op::EndRenderPass2:
      pass = Pass::None;
      rendering = nullptr;
      render_pass = nullptr;
      break;
    default: break;
  }
}

std::vector<CopyJob> collect_jobs(Device& dev, const ReplayState& st, const Cmd& c, Capture& cap) {
  Collector col{dev, cap, {}};
  if (c.kind() == Kind::Draw) {
    descriptors(col, st, VK_PIPELINE_BIND_POINT_GRAPHICS);
    attachments(col, st);
    if (c.op() == Op::DrawIndexed || c.op() == Op::DrawIndexedIndirect || c.op() == Op::DrawIndexedIndirectCount ||
        c.op() == Op::DrawMultiIndexed) {
      CapturedResource meta;
      meta.role = ResourceRole::IndexBuffer;
      col.buffer(std::move(meta), st.index_buffer, st.index_offset, VK_WHOLE_SIZE);
    }
    if (c.op() == Op::DrawIndirect || c.op() == Op::DrawIndexedIndirect) {
      const auto& a = static_cast<const DrawIndirectCmd&>(c).args;  // same layout for both
      uint32_t count = std::get<2>(a), stride = std::get<3>(a);
      VkDeviceSize one = c.op() == Op::DrawIndirect ? sizeof(VkDrawIndirectCommand) : sizeof(VkDrawIndexedIndirectCommand);
      indirect(col, std::get<0>(a), std::get<1>(a), count ? VkDeviceSize(count - 1) * stride + one : one);
    }
    if (c.op() == Op::DrawIndirectCount || c.op() == Op::DrawIndexedIndirectCount) {
      const auto& a = static_cast<const DrawIndirectCountCmd&>(c).args;
      uint32_t max = std::get<4>(a), stride = std::get<5>(a);
      VkDeviceSize one = c.op() == Op::DrawIndirectCount ? sizeof(VkDrawIndirectCommand) : sizeof(VkDrawIndexedIndirectCommand);
      indirect(col, std::get<0>(a), std::get<1>(a), max ? VkDeviceSize(max - 1) * stride + one : one);
      indirect(col, std::get<2>(a), std::get<3>(a), 4);
    }
    addresses_in_buffers(col);
  } else if (c.kind() == Kind::Dispatch) {
    descriptors(col, st, VK_PIPELINE_BIND_POINT_COMPUTE);
    if (c.op() == Op::DispatchIndirect) {
      const auto& a = static_cast<const DispatchIndirectCmd&>(c).args;
      indirect(col, std::get<0>(a), std::get<1>(a), sizeof(VkDispatchIndirectCommand));
    }
    addresses_in_buffers(col);
  } else if (c.kind() == Kind::Copy) {
    if (c.op() == Op::ClearAttachments) attachments(col, st);
    else if (c.op() == Op::Generic && std::string_view(c.name()) == "vkCmdFillBuffer") {
      const auto& a = static_cast<const CmdOf<&DeviceDispatch::CmdFillBuffer>&>(c).args;
      transfer_buffer(col, true, std::get<0>(a), std::get<1>(a),
                      std::get<2>(a) == VK_WHOLE_SIZE ? VK_WHOLE_SIZE : std::get<1>(a) + std::get<2>(a));
    } else {
      copies(col, c);
    }
  }
  return std::move(col.jobs);
}

}  // namespace kiln::layer
