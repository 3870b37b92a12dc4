// What a submitted command buffer may write, for copy-on-write: at draws and dispatches, the storage
// descriptors the bound pipeline's shaders may write (the SPIR-V analysis the capture's "written"
// uses, kept per pipeline); copy destinations and clears (collect_jobs); every attachment of each
// render pass begun (loads and stores write even without draws); image barriers that change a layout.
// A command buffer the layer did not record is "everything". This runs on every submission while cows
// are attached, so draws and dispatches take the lean path: no strings, only the written bindings.
#include <string_view>

#include "cow/cow.h"
#include "hook/hook.h"
#include "hook/replay_state.h"
#include "state.h"

namespace kiln::layer {

namespace {

void add_buffer(Device& dev, WriteSet& out, VkBuffer handle, uint64_t offset, uint64_t size, KilnCowCause cause) {
  auto b = dev.buffers.get(handle);
  Write w;
  w.handle = handle_key(handle);
  w.cause = cause;
  if (b && b->binding.memory) {
    if (size == VK_WHOLE_SIZE || offset + size > b->size) size = offset < b->size ? b->size - offset : 0;
    w.memory = b->binding.memory;
    w.offset = b->binding.offset + offset;
    w.size = size;
  }
  out.writes.push_back(w);
}

void add_image(Device& dev, WriteSet& out, VkImage handle, KilnCowCause cause) {
  auto img = dev.images.get(handle);
  Write w;
  w.handle = handle_key(handle);
  w.cause = cause;
  if (img && img->binding.memory) {
    w.memory = img->binding.memory;
    w.offset = img->binding.offset;
    w.size = img->memory_size;
  }
  out.writes.push_back(w);
}

void add_view(Device& dev, WriteSet& out, VkImageView view, KilnCowCause cause) {
  if (!view) return;
  if (auto v = dev.image_views.get(view); v && v->image) add_image(dev, out, v->image->handle, cause);
}

// The storage descriptors the pipeline bound at a draw or dispatch may write.
void shader_writes(Device& dev, WriteSet& out, const ReplayState& st, VkPipelineBindPoint bp) {
  const BindState& bs = bp == VK_PIPELINE_BIND_POINT_COMPUTE ? st.compute : st.graphics;
  auto pipeline = dev.pipelines.get(bs.pipeline);
  if (!pipeline) {
    out.everything = true;
    return;
  }
  for (auto [set, binding] : written_bindings(*pipeline)) {
    if (set >= bs.sets.size() || (!bs.sets[set].set && !bs.sets[set].pushed)) continue;
    auto ds = bound_descriptors(dev, bs, set);
    if (!ds || !ds->layout) {
      out.everything = true;
      return;
    }
    int bi = ds->layout->index_of(binding);
    if (bi < 0) continue;
    const auto& lb = ds->layout->bindings[static_cast<size_t>(bi)];
    const uint32_t dyn_index = ds->layout->first_dynamic_offset(bi);
    const auto& elements = ds->bindings[static_cast<size_t>(bi)];
    for (size_t e = 0; e < elements.size(); ++e) {
      const Descriptor& d = elements[e];
      switch (lb.type) {
        case VK_DESCRIPTOR_TYPE_STORAGE_BUFFER:
          add_buffer(dev, out, d.buffer, d.offset, d.range, KILN_COW_STORAGE);
          break;
        case VK_DESCRIPTOR_TYPE_STORAGE_BUFFER_DYNAMIC: {
          const auto& dyn = bs.sets[set].dynamic_offsets;
          uint64_t offset = d.offset + (dyn_index + e < dyn.size() ? dyn[dyn_index + e] : 0);
          add_buffer(dev, out, d.buffer, offset, d.range, KILN_COW_STORAGE);
          break;
        }
        case VK_DESCRIPTOR_TYPE_STORAGE_TEXEL_BUFFER:
          if (auto v = dev.buffer_views.get(d.texel_view)) add_buffer(dev, out, v->buffer, v->offset, v->range, KILN_COW_STORAGE);
          break;
        case VK_DESCRIPTOR_TYPE_STORAGE_IMAGE:
          add_view(dev, out, d.view, KILN_COW_STORAGE);
          break;
        default: break;  // uniform, sampled: read only whatever the shader says
      }
    }
  }
}

KilnCowCause cause_of(const Cmd& c, const CapturedResource& r) {
  switch (r.role) {
    case ResourceRole::Descriptor: return KILN_COW_STORAGE;
    case ResourceRole::ColorAttachment:
    case ResourceRole::DepthAttachment:
    case ResourceRole::StencilAttachment:
    case ResourceRole::ResolveAttachment:
      return c.op() == Op::ClearAttachments ? KILN_COW_CLEAR : KILN_COW_ATTACHMENT;
    default:
      return c.op() == Op::ClearColorImage || c.op() == Op::ClearDepthStencilImage ? KILN_COW_CLEAR : KILN_COW_TRANSFER;
  }
}

void render_pass_attachments(Device& dev, WriteSet& out, const Cmd& c) {
  if (c.op() == Op::BeginRendering) {
    const VkRenderingInfo& r = *std::get<0>(static_cast<const BeginRenderingCmd&>(c).args);
    for (uint32_t i = 0; i < r.colorAttachmentCount; ++i) {
      add_view(dev, out, r.pColorAttachments[i].imageView, KILN_COW_ATTACHMENT);
      add_view(dev, out, r.pColorAttachments[i].resolveImageView, KILN_COW_ATTACHMENT);
    }
    if (r.pDepthAttachment) add_view(dev, out, r.pDepthAttachment->imageView, KILN_COW_ATTACHMENT);
    if (r.pStencilAttachment) add_view(dev, out, r.pStencilAttachment->imageView, KILN_COW_ATTACHMENT);
    return;
  }
  const VkRenderPassBeginInfo& b = c.op() == Op::BeginRenderPass ? *std::get<0>(static_cast<const BeginRenderPassCmd&>(c).args)
                                                                 : *std::get<0>(static_cast<const BeginRenderPass2Cmd&>(c).args);
  auto fb = dev.framebuffers.get(b.framebuffer);
  if (!fb || fb->imageless) {
    // Imageless framebuffers name their views at begin (VkRenderPassAttachmentBeginInfo, not recorded):
    // the layer cannot tell which images, so it takes everything.
    out.everything = true;
    return;
  }
  for (VkImageView v : fb->attachments) add_view(dev, out, v, KILN_COW_ATTACHMENT);
}

void layout_changes(Device& dev, WriteSet& out, const Cmd& c) {
  std::string_view name = c.name();
  auto image_barrier = [&](VkImage image, VkImageLayout from, VkImageLayout to) {
    if (from != to) add_image(dev, out, image, KILN_COW_LAYOUT);
  };
  if (name == "vkCmdPipelineBarrier") {
    const auto& a = static_cast<const CmdOf<&DeviceDispatch::CmdPipelineBarrier>&>(c).args;
    for (uint32_t i = 0; i < std::get<7>(a); ++i) image_barrier(std::get<8>(a)[i].image, std::get<8>(a)[i].oldLayout, std::get<8>(a)[i].newLayout);
  } else if (name == "vkCmdWaitEvents") {
    const auto& a = static_cast<const CmdOf<&DeviceDispatch::CmdWaitEvents>&>(c).args;
    for (uint32_t i = 0; i < std::get<8>(a); ++i) image_barrier(std::get<9>(a)[i].image, std::get<9>(a)[i].oldLayout, std::get<9>(a)[i].newLayout);
  } else if (name == "vkCmdPipelineBarrier2" || name == "vkCmdSetEvent2" || name == "vkCmdWaitEvents2") {
    auto deps = [&](const VkDependencyInfo* d, uint32_t n) {
      for (uint32_t k = 0; k < n; ++k)
        for (uint32_t i = 0; i < d[k].imageMemoryBarrierCount; ++i)
          image_barrier(d[k].pImageMemoryBarriers[i].image, d[k].pImageMemoryBarriers[i].oldLayout,
                        d[k].pImageMemoryBarriers[i].newLayout);
    };
    if (name == "vkCmdPipelineBarrier2") deps(std::get<0>(static_cast<const CmdOf<&DeviceDispatch::CmdPipelineBarrier2>&>(c).args), 1);
    else if (name == "vkCmdSetEvent2") deps(std::get<1>(static_cast<const CmdOf<&DeviceDispatch::CmdSetEvent2>&>(c).args), 1);
    else {
      const auto& a = static_cast<const CmdOf<&DeviceDispatch::CmdWaitEvents2>&>(c).args;
      deps(std::get<2>(a), std::get<0>(a));
    }
  } else if (name == "vkCmdCopyQueryPoolResults") {
    const auto& a = static_cast<const CmdOf<&DeviceDispatch::CmdCopyQueryPoolResults>&>(c).args;
    add_buffer(dev, out, std::get<3>(a), std::get<4>(a), VK_WHOLE_SIZE, KILN_COW_TRANSFER);
  }
}

}  // namespace

void open_pass_attachments(Device& dev, const ReplayState& st, WriteSet& out) {
  if (st.pass == ReplayState::Pass::Dynamic && st.rendering) {
    BeginRenderingCmd c;
    c.type = &kCmdType<BeginRenderingCmd, Op::BeginRendering, Kind::Other, "vkCmdBeginRendering">;
    std::get<0>(c.args) = st.rendering;
    render_pass_attachments(dev, out, c);
  } else if (st.pass == ReplayState::Pass::RenderPass && st.render_pass) {
    BeginRenderPassCmd c;
    c.type = &kCmdType<BeginRenderPassCmd, Op::BeginRenderPass, Kind::Other, "vkCmdBeginRenderPass">;
    std::get<0>(c.args) = st.render_pass;
    render_pass_attachments(dev, out, c);
  }
}

void scan_writes(Device& dev, VkCommandBuffer handle, WriteSet& out, uint32_t from_seq) {
  CommandBuffer* cb = command_buffer(handle);
  if (!cb || !cb->recording || !cb->passthrough.empty()) {
    out.everything = true;
    return;
  }
  ReplayState st;
  Capture scratch;
  uint32_t seq = 0;
  traverse(
      *cb, seq,
      [&](const Cmd& c, uint32_t s) {
        if (s >= from_seq) {
          if (c.kind() == Kind::Draw) {
            shader_writes(dev, out, st, VK_PIPELINE_BIND_POINT_GRAPHICS);
          } else if (c.kind() == Kind::Dispatch) {
            shader_writes(dev, out, st, VK_PIPELINE_BIND_POINT_COMPUTE);
          } else if (c.kind() == Kind::Copy) {
            for (const CopyJob& j : collect_jobs(dev, st, c, scratch)) {
              if (!j.meta.written) continue;
              if (j.buffer) add_buffer(dev, out, j.buffer, j.meta.offset, j.meta.size, cause_of(c, j.meta));
              else if (j.image) add_image(dev, out, j.image, cause_of(c, j.meta));
            }
            scratch.notes.clear();
          } else if (c.op() == Op::BeginRendering || c.op() == Op::BeginRenderPass || c.op() == Op::BeginRenderPass2) {
            render_pass_attachments(dev, out, c);
          } else if (c.op() == Op::Generic) {
            layout_changes(dev, out, c);
          }
        }
        st.track(dev, c);
      },
      [&](CommandBuffer*, const std::string&) { out.everything = true; });
}

bool WriteSet::hits(const Cow& c, KilnCowCause* cause) const {
  if (everything) {
    *cause = KILN_COW_UNSEEN;
    return true;
  }
  for (const Write& w : writes) {
    if (w.handle == c.handle) {
      // Buffers: only when the written range meets the cow's (in memory, where both are known).
      if (c.buffer && w.memory && c.memory &&
          (w.offset >= c.memory_offset + c.memory_size || c.memory_offset >= w.offset + w.size))
        continue;
      *cause = w.cause;
      return true;
    }
    if (w.memory && w.memory == c.memory && w.offset < c.memory_offset + c.memory_size &&
        c.memory_offset < w.offset + w.size) {
      *cause = KILN_COW_ALIASING;
      return true;
    }
  }
  return false;
}

}  // namespace kiln::layer
