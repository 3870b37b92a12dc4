// Re-recording the command buffer that holds the selected command into a layer-owned one: every
// record replayed in order (secondaries inlined, so render passes begun for secondaries are begun
// INLINE), the open render pass split around the command (dynamic rendering: end, then begin again
// with LOAD; render pass objects: compatible passes differing only in load/store ops and layouts), and
// copies into a host-visible buffer before and/or after it, between barriers that wait for earlier
// writes and hold later commands until the copies have read.
//
// A render pass with several subpasses cannot end in the middle: the part before the command steps
// through the remaining subpasses with no commands (their loads, stores and resolves run on what is
// there, and the part after runs them again on the final contents), and the part after steps from the
// first subpass to the command's, again with no commands, its attachments loading what was stored.
#include <algorithm>
#include <cstring>
#include <deque>
#include <numeric>
#include <set>

#include "hook/copy_barriers.h"
#include "hook/format.h"
#include "hook/hook.h"
#include "hook/replay_state.h"

namespace kiln::layer {

namespace {

void check(VkResult r, const char* what) {
  if (r != VK_SUCCESS) throw HookError(std::string(what) + " failed (VkResult " + std::to_string(r) + ")");
}

uint32_t find_memory(const VkPhysicalDeviceMemoryProperties& mp, uint32_t bits) {
  const VkMemoryPropertyFlags want = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
  uint32_t fallback = UINT32_MAX;
  for (uint32_t i = 0; i < mp.memoryTypeCount; ++i) {
    if (!(bits & (1u << i)) || (mp.memoryTypes[i].propertyFlags & want) != want) continue;
    if (mp.memoryTypes[i].propertyFlags & VK_MEMORY_PROPERTY_HOST_CACHED_BIT) return i;
    if (fallback == UINT32_MAX) fallback = i;
  }
  if (fallback == UINT32_MAX) throw HookError("no host-visible coherent memory for the capture's buffer");
  return fallback;
}

// Whether a stage of `p` declares the DrawIndex built-in (gl_DrawID); true when a stage's SPIR-V is unknown.
bool reads_draw_index(const Pipeline& p) {
  constexpr uint32_t kOpDecorate = 71, kOpMemberDecorate = 72, kBuiltIn = 11, kDrawIndex = 4426;
  for (const Pipeline::Stage& stage : p.stages) {
    if (!stage.words || stage.words->size() < 5) return true;
    const std::vector<uint32_t>& w = *stage.words;
    for (size_t i = 5; i < w.size();) {
      const uint32_t op = w[i] & 0xffff, len = w[i] >> 16;
      if (len == 0 || i + len > w.size()) return true;
      if ((op == kOpDecorate && len >= 4 && w[i + 2] == kBuiltIn && w[i + 3] == kDrawIndex) ||
          (op == kOpMemberDecorate && len >= 5 && w[i + 3] == kBuiltIn && w[i + 4] == kDrawIndex))
        return true;
      i += len;
    }
  }
  return false;
}

class Recorder {
 public:
  Recorder(Device& dev, const Queue& queue, PendingCapture& p, const Target& t, const WriteSet& later)
      : dev_(dev), d_(dev.d), queue_(queue), p_(p), t_(t), later_(later) {}

  void visit(const Cmd& c, uint32_t seq) {
    if (c.op() == Op::ExecuteCommands) return;  // its secondaries' records follow, inlined
    if (seq == t_.seq) {
      selected(c);
    } else if (static_cast<int64_t>(seq) == t_.pass_begin_seq) {
      begin_first(c);
    } else {
      replay_inline(c);
    }
    st_.track(dev_, c);
  }

  void finish() {
    // The staging is written by transfers only.
    VkMemoryBarrier host{VK_STRUCTURE_TYPE_MEMORY_BARRIER, nullptr, VK_ACCESS_TRANSFER_WRITE_BIT, VK_ACCESS_HOST_READ_BIT};
    d_.CmdPipelineBarrier(p_.cb, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &host, 0, nullptr,
                          0, nullptr);
  }

 private:
  void replay_inline(const Cmd& c) {
    switch (c.op()) {
      case Op::BeginRenderPass: {
        const auto& a = static_cast<const BeginRenderPassCmd&>(c).args;
        d_.CmdBeginRenderPass(p_.cb, std::get<0>(a), VK_SUBPASS_CONTENTS_INLINE);
        return;
      }
      case Op::NextSubpass:
        d_.CmdNextSubpass(p_.cb, VK_SUBPASS_CONTENTS_INLINE);
        return;
      case Op::BeginRenderPass2: {
        const auto& a = static_cast<const BeginRenderPass2Cmd&>(c).args;
        VkSubpassBeginInfo sb = *std::get<1>(a);
        sb.contents = VK_SUBPASS_CONTENTS_INLINE;
        d_.CmdBeginRenderPass2(p_.cb, std::get<0>(a), &sb);
        return;
      }
      case Op::NextSubpass2: {
        const auto& a = static_cast<const NextSubpass2Cmd&>(c).args;
        VkSubpassBeginInfo sb = *std::get<0>(a);
        sb.contents = VK_SUBPASS_CONTENTS_INLINE;
        d_.CmdNextSubpass2(p_.cb, &sb, std::get<1>(a));
        return;
      }
      case Op::BeginRendering: {
        VkRenderingInfo info = *std::get<0>(static_cast<const BeginRenderingCmd&>(c).args);
        info.flags &= ~VK_RENDERING_CONTENTS_SECONDARY_COMMAND_BUFFERS_BIT;
        d_.CmdBeginRendering(p_.cb, &info);
        return;
      }
      default:
        c.replay(p_.cb, d_);
    }
  }

  // --- The render pass around the selected command, split.

  void begin_first(const Cmd& c) {
    if (c.op() == Op::BeginRendering) {
      const VkRenderingInfo& orig = *std::get<0>(static_cast<const BeginRenderingCmd&>(c).args);
      rendering_ = orig;
      colors_.assign(orig.pColorAttachments, orig.pColorAttachments + orig.colorAttachmentCount);
      if (orig.pDepthAttachment) depth_ = *orig.pDepthAttachment;
      if (orig.pStencilAttachment) stencil_ = *orig.pStencilAttachment;
      begin_rendering(/*resume=*/false, /*last=*/false);
    } else if (c.op() == Op::BeginRenderPass || c.op() == Op::BeginRenderPass2) {
      const VkRenderPassBeginInfo& b = c.op() == Op::BeginRenderPass
                                           ? *std::get<0>(static_cast<const BeginRenderPassCmd&>(c).args)
                                           : *std::get<0>(static_cast<const BeginRenderPass2Cmd&>(c).args);
      rp_ = dev_.render_passes.get(b.renderPass);
      if (!rp_) throw HookError("the render pass is not known to the layer");
      if (!rp_->splittable) throw HookError("the render pass cannot be split: " + rp_->why_not);
      subpass_ = target_subpass();
      if (subpass_ >= subpass_count()) throw HookError("the command's subpass is past the render pass's last");
      rp_begin_ = b;
      VkRenderPassBeginInfo first = b;
      first.renderPass = make_pass(Split::First);
      begin_pass(first);
    } else {
      throw HookError(std::string("the command is inside a render pass begun by ") + c.name() +
                      ", which is not split yet");
    }
  }

  void begin_rendering(bool resume, bool last) {
    std::vector<VkRenderingAttachmentInfo> colors = colors_;
    auto adjust = [&](VkRenderingAttachmentInfo& a) {
      if (resume) a.loadOp = VK_ATTACHMENT_LOAD_OP_LOAD;
      if (!last && a.imageView) a.storeOp = VK_ATTACHMENT_STORE_OP_STORE;
      if (!last) {  // resolves happen once, when the program's rendering ends
        a.resolveMode = VK_RESOLVE_MODE_NONE;
        a.resolveImageView = VK_NULL_HANDLE;
      }
    };
    for (auto& a : colors) adjust(a);
    VkRenderingAttachmentInfo depth = depth_, stencil = stencil_;
    adjust(depth);
    adjust(stencil);
    VkRenderingInfo info = rendering_;
    info.flags &= ~VK_RENDERING_CONTENTS_SECONDARY_COMMAND_BUFFERS_BIT;
    // A rendering suspended and resumed across command buffers (one render pass instance): the first
    // part resumes what an earlier command buffer suspended, if the program's did, and ends the
    // instance there (the copies cannot run inside a suspended one); later parts begin new instances,
    // and the last suspends where the program's would, for a later command buffer to resume.
    if (resume) info.flags &= ~VK_RENDERING_RESUMING_BIT;
    if (!resume || !last) info.flags &= ~VK_RENDERING_SUSPENDING_BIT;
    info.pColorAttachments = colors.data();
    info.pDepthAttachment = rendering_.pDepthAttachment ? &depth : nullptr;
    info.pStencilAttachment = rendering_.pStencilAttachment ? &stencil : nullptr;
    d_.CmdBeginRendering(p_.cb, &info);
  }

  enum class Split { First, Middle, Last };

  uint32_t subpass_count() const {
    return static_cast<uint32_t>(rp_->v2 ? rp_->subpasses2.size() : rp_->subpasses.size());
  }

  // The subpass the selected command is in: the vkCmdNextSubpass* between the pass's begin and it.
  uint32_t target_subpass() const {
    uint32_t seq = 0, n = 0;
    traverse(
        *t_.cb, seq,
        [&](const Cmd& c, uint32_t s) {
          if (static_cast<int64_t>(s) > t_.pass_begin_seq && s < t_.seq &&
              (c.op() == Op::NextSubpass || c.op() == Op::NextSubpass2))
            ++n;
        },
        [](CommandBuffer*, const std::string&) {});
    return n;
  }

  void next_subpass() {
    if (rp_->v2) {
      VkSubpassBeginInfo sb{VK_STRUCTURE_TYPE_SUBPASS_BEGIN_INFO, nullptr, VK_SUBPASS_CONTENTS_INLINE};
      VkSubpassEndInfo se{VK_STRUCTURE_TYPE_SUBPASS_END_INFO};
      d_.CmdNextSubpass2(p_.cb, &sb, &se);
    } else {
      d_.CmdNextSubpass(p_.cb, VK_SUBPASS_CONTENTS_INLINE);
    }
  }

  // The attachments of one part of a split pass (render pass 1 or 2 types alike): parts after the
  // first load what the part before stored, in the layout the subpass used; parts before the last store.
  // Returns the layouts the subpass holds the attachments in (their final layouts where it uses none).
  template <class Attachment, class Subpass>
  static std::vector<VkImageLayout> split_attachments(std::vector<Attachment>& atts, const Subpass& sp, Split which) {
    std::vector<VkImageLayout> inside(atts.size());
    for (size_t i = 0; i < atts.size(); ++i) inside[i] = atts[i].finalLayout;
    auto mark = [&](const auto& r) {
      if (r.attachment != VK_ATTACHMENT_UNUSED && r.attachment < atts.size()) inside[r.attachment] = r.layout;
    };
    for (const auto& r : sp.colors) mark(r);
    for (const auto& r : sp.inputs) mark(r);
    for (const auto& r : sp.resolves) mark(r);
    if (sp.depth) mark(*sp.depth);
    if constexpr (requires { sp.depth_resolve_ref; }) {
      if (sp.depth_resolve_ref) mark(*sp.depth_resolve_ref);
    }
    for (size_t i = 0; i < atts.size(); ++i) {
      Attachment& a = atts[i];
      if (which != Split::First) {
        a.loadOp = VK_ATTACHMENT_LOAD_OP_LOAD;
        a.stencilLoadOp = VK_ATTACHMENT_LOAD_OP_LOAD;
        a.initialLayout = inside[i];
      }
      if (which != Split::Last) {
        a.storeOp = VK_ATTACHMENT_STORE_OP_STORE;
        a.stencilStoreOp = VK_ATTACHMENT_STORE_OP_STORE;
        a.finalLayout = inside[i];
      }
    }
    return inside;
  }

  // For a pass made by vkCreateRenderPass2, where depth/stencil attachments may keep their stencil
  // aspect in a layout of its own: the VkAttachmentDescriptionStencilLayout of each attachment of a
  // split part (nullopt: none needed), which the same rule as split_attachments gives: parts after the
  // first begin, and parts before the last end, with the stencil in the layout the subpass uses.
  static std::vector<std::optional<VkAttachmentDescriptionStencilLayout>> split_stencil_layouts(
      const RenderPass& rp, const RenderPass::Subpass2& sp, const std::vector<VkAttachmentDescription2>& atts,
      const std::vector<VkImageLayout>& inside, Split which) {
    const size_t n = rp.attachments2.size();
    std::vector<VkImageLayout> stencil(n);
    for (size_t i = 0; i < n; ++i) stencil[i] = rp.stencil_layouts2[i] ? rp.stencil_layouts2[i]->stencilFinalLayout : inside[i];
    auto mark = [&](const VkAttachmentReference2& r, VkImageLayout own) {
      if (r.attachment == VK_ATTACHMENT_UNUSED || r.attachment >= n) return;
      stencil[r.attachment] = own != VK_IMAGE_LAYOUT_UNDEFINED ? own : r.layout;
    };
    for (size_t k = 0; k < sp.inputs.size(); ++k) mark(sp.inputs[k], sp.input_stencil_layouts[k]);
    if (sp.depth) mark(*sp.depth, sp.depth_stencil_layout);
    if (sp.depth_resolve_ref) mark(*sp.depth_resolve_ref, sp.depth_resolve_stencil_layout);
    std::vector<std::optional<VkAttachmentDescriptionStencilLayout>> out(n);
    for (size_t i = 0; i < n; ++i) {
      const VkAttachmentDescription2& orig = rp.attachments2[i];
      const auto& own = rp.stencil_layouts2[i];
      VkImageLayout first = own ? own->stencilInitialLayout : orig.initialLayout;
      VkImageLayout last = own ? own->stencilFinalLayout : orig.finalLayout;
      if (which != Split::First) first = stencil[i];
      if (which != Split::Last) last = stencil[i];
      if (!own && first == atts[i].initialLayout && last == atts[i].finalLayout) continue;  // one layout for both
      out[i] = VkAttachmentDescriptionStencilLayout{VK_STRUCTURE_TYPE_ATTACHMENT_DESCRIPTION_STENCIL_LAYOUT, nullptr,
                                                    stencil_only(first), stencil_only(last)};
    }
    return out;
  }

  // The stencil aspect's part of a depth/stencil layout (a stencil layout structure may not name both).
  static VkImageLayout stencil_only(VkImageLayout l) {
    switch (l) {
      case VK_IMAGE_LAYOUT_DEPTH_STENCIL_ATTACHMENT_OPTIMAL:
      case VK_IMAGE_LAYOUT_DEPTH_READ_ONLY_STENCIL_ATTACHMENT_OPTIMAL:
        return VK_IMAGE_LAYOUT_STENCIL_ATTACHMENT_OPTIMAL;
      case VK_IMAGE_LAYOUT_DEPTH_STENCIL_READ_ONLY_OPTIMAL:
      case VK_IMAGE_LAYOUT_DEPTH_ATTACHMENT_STENCIL_READ_ONLY_OPTIMAL:
        return VK_IMAGE_LAYOUT_STENCIL_READ_ONLY_OPTIMAL;
      default:
        return l;
    }
  }

  // A pass compatible with the program's: only load/store ops and attachment layouts differ.
  VkRenderPass make_pass(Split which) {
    if (rp_->v2) return make_pass2(which);
    const RenderPass& rp = *rp_;
    std::vector<VkAttachmentDescription> atts = rp.attachments;
    split_attachments(atts, rp.subpasses[subpass_], which);
    std::vector<VkSubpassDescription> subs;
    for (const RenderPass::Subpass& sp : rp.subpasses) {
      VkSubpassDescription s{};
      s.flags = sp.flags;
      s.pipelineBindPoint = sp.bind_point;
      s.inputAttachmentCount = static_cast<uint32_t>(sp.inputs.size());
      s.pInputAttachments = sp.inputs.data();
      s.colorAttachmentCount = static_cast<uint32_t>(sp.colors.size());
      s.pColorAttachments = sp.colors.data();
      s.pResolveAttachments = sp.resolves.empty() ? nullptr : sp.resolves.data();
      s.pDepthStencilAttachment = sp.depth ? &*sp.depth : nullptr;
      s.preserveAttachmentCount = static_cast<uint32_t>(sp.preserves.size());
      s.pPreserveAttachments = sp.preserves.data();
      subs.push_back(s);
    }
    VkRenderPassCreateInfo ci{VK_STRUCTURE_TYPE_RENDER_PASS_CREATE_INFO};
    ci.flags = rp.flags;
    ci.attachmentCount = static_cast<uint32_t>(atts.size());
    ci.pAttachments = atts.data();
    ci.subpassCount = static_cast<uint32_t>(subs.size());
    ci.pSubpasses = subs.data();
    ci.dependencyCount = static_cast<uint32_t>(rp.dependencies.size());
    ci.pDependencies = rp.dependencies.data();
    VkRenderPassMultiviewCreateInfo multiview{VK_STRUCTURE_TYPE_RENDER_PASS_MULTIVIEW_CREATE_INFO};
    VkRenderPassInputAttachmentAspectCreateInfo aspects{VK_STRUCTURE_TYPE_RENDER_PASS_INPUT_ATTACHMENT_ASPECT_CREATE_INFO};
    const void** next = &ci.pNext;
    if (!rp.view_masks.empty()) {
      multiview.subpassCount = static_cast<uint32_t>(rp.view_masks.size());
      multiview.pViewMasks = rp.view_masks.data();
      multiview.dependencyCount = static_cast<uint32_t>(rp.view_offsets.size());
      multiview.pViewOffsets = rp.view_offsets.empty() ? nullptr : rp.view_offsets.data();
      multiview.correlationMaskCount = static_cast<uint32_t>(rp.correlation_masks.size());
      multiview.pCorrelationMasks = rp.correlation_masks.data();
      *next = &multiview;
      next = &multiview.pNext;
    }
    if (!rp.aspect_references.empty()) {
      aspects.aspectReferenceCount = static_cast<uint32_t>(rp.aspect_references.size());
      aspects.pAspectReferences = rp.aspect_references.data();
      *next = &aspects;
    }
    VkRenderPass out = VK_NULL_HANDLE;
    check(d_.CreateRenderPass(dev_.handle, &ci, nullptr, &out), "vkCreateRenderPass (split)");
    p_.render_passes.push_back(out);
    return out;
  }

  void begin_pass(const VkRenderPassBeginInfo& b) {
    if (rp_->v2) {
      VkSubpassBeginInfo sb{VK_STRUCTURE_TYPE_SUBPASS_BEGIN_INFO, nullptr, VK_SUBPASS_CONTENTS_INLINE};
      d_.CmdBeginRenderPass2(p_.cb, &b, &sb);
    } else {
      d_.CmdBeginRenderPass(p_.cb, &b, VK_SUBPASS_CONTENTS_INLINE);
    }
  }

  // The same for a pass made by vkCreateRenderPass2.
  VkRenderPass make_pass2(Split which) {
    const RenderPass& rp = *rp_;
    std::vector<VkAttachmentDescription2> atts = rp.attachments2;
    const std::vector<VkImageLayout> inside = split_attachments(atts, rp.subpasses2[subpass_], which);
    std::vector<std::optional<VkAttachmentDescriptionStencilLayout>> att_stencil =
        split_stencil_layouts(rp, rp.subpasses2[subpass_], atts, inside, which);
    for (size_t i = 0; i < atts.size(); ++i)
      if (att_stencil[i]) atts[i].pNext = &*att_stencil[i];
    std::vector<VkSubpassDescription2> subs;
    // The kept chains, re-pointed at this pass's copies (reserved: the subpasses point into them).
    std::vector<VkSubpassDescriptionDepthStencilResolve> resolves;
    resolves.reserve(rp.subpasses2.size());
    // References whose chain held a stencil layout, copied with it re-chained.
    std::deque<VkAttachmentReferenceStencilLayout> ref_stencil;
    std::deque<std::vector<VkAttachmentReference2>> ref_copies;
    auto chain = [&](VkAttachmentReference2& ref, VkImageLayout layout) {
      if (layout == VK_IMAGE_LAYOUT_UNDEFINED) return;
      ref_stencil.push_back({VK_STRUCTURE_TYPE_ATTACHMENT_REFERENCE_STENCIL_LAYOUT, nullptr, layout});
      ref.pNext = &ref_stencil.back();
    };
    for (const RenderPass::Subpass2& sp : rp.subpasses2) {
      VkSubpassDescription2 s = sp.desc;
      std::vector<VkAttachmentReference2>& refs = ref_copies.emplace_back(sp.inputs);
      if (sp.depth) refs.push_back(*sp.depth);
      if (sp.depth_resolve_ref) refs.push_back(*sp.depth_resolve_ref);
      for (size_t k = 0; k < sp.inputs.size(); ++k) chain(refs[k], sp.input_stencil_layouts[k]);
      VkAttachmentReference2* depth = sp.depth ? &refs[sp.inputs.size()] : nullptr;
      VkAttachmentReference2* depth_resolve = sp.depth_resolve_ref ? &refs.back() : nullptr;
      if (depth) chain(*depth, sp.depth_stencil_layout);
      if (depth_resolve) chain(*depth_resolve, sp.depth_resolve_stencil_layout);
      if (sp.depth_resolve) {
        resolves.push_back(*sp.depth_resolve);
        resolves.back().pDepthStencilResolveAttachment = depth_resolve;
        s.pNext = &resolves.back();
      }
      s.pInputAttachments = refs.data();
      s.pColorAttachments = sp.colors.data();
      s.pResolveAttachments = sp.resolves.empty() ? nullptr : sp.resolves.data();
      s.pDepthStencilAttachment = depth;
      s.pPreserveAttachments = sp.preserves.data();
      subs.push_back(s);
    }
    VkRenderPassCreateInfo2 ci{VK_STRUCTURE_TYPE_RENDER_PASS_CREATE_INFO_2};
    ci.flags = rp.flags;
    ci.attachmentCount = static_cast<uint32_t>(atts.size());
    ci.pAttachments = atts.data();
    ci.subpassCount = static_cast<uint32_t>(subs.size());
    ci.pSubpasses = subs.data();
    std::vector<VkSubpassDependency2> deps = rp.dependencies2;
    for (size_t i = 0; i < deps.size() && i < rp.barriers2.size(); ++i)
      if (rp.barriers2[i]) deps[i].pNext = &*rp.barriers2[i];
    ci.dependencyCount = static_cast<uint32_t>(deps.size());
    ci.pDependencies = deps.data();
    ci.correlatedViewMaskCount = static_cast<uint32_t>(rp.correlated_view_masks.size());
    ci.pCorrelatedViewMasks = rp.correlated_view_masks.data();
    VkRenderPass out = VK_NULL_HANDLE;
    check(d_.CreateRenderPass2(dev_.handle, &ci, nullptr, &out), "vkCreateRenderPass2 (split)");
    p_.render_passes.push_back(out);
    return out;
  }

  void end_pass() {
    if (st_.pass == ReplayState::Pass::Dynamic) {
      d_.CmdEndRendering(p_.cb);
    } else {
      for (uint32_t i = subpass_ + 1; i < subpass_count(); ++i) next_subpass();  // to the last, empty
      if (rp_->v2) {
        VkSubpassEndInfo se{VK_STRUCTURE_TYPE_SUBPASS_END_INFO};
        d_.CmdEndRenderPass2(p_.cb, &se);
      } else {
        d_.CmdEndRenderPass(p_.cb);
      }
    }
  }

  void resume_pass(bool last) {
    if (st_.pass == ReplayState::Pass::Dynamic) {
      begin_rendering(true, last);
      if (rendering_.viewMask) bind_subpass_state_again();
    } else {
      VkRenderPassBeginInfo b = rp_begin_;
      b.renderPass = make_pass(last ? Split::Last : Split::Middle);
      begin_pass(b);
      for (uint32_t i = 0; i < subpass_; ++i) next_subpass();  // back to the command's, empty
      if (rp_->multiview) bind_subpass_state_again();
    }
  }

  // With multiview, each begin of a pass (and each next subpass) leaves all bound state undefined
  // (the spec's multiview section), so the program set what the command uses inside its subpass: the
  // binds, push constants and dynamic state recorded since the subpass (or the dynamic rendering with
  // a view mask) began are recorded again, in their order.
  void bind_subpass_state_again() {
    auto sets_state = [](const Cmd& c) {
      switch (c.op()) {
        case Op::BindPipeline:
        case Op::BindDescriptorSets:
        case Op::PushDescriptorSet:
        case Op::PushDescriptorSetWithTemplate:
        case Op::PushConstants:
        case Op::BindVertexBuffers:
        case Op::BindVertexBuffers2:
        case Op::BindIndexBuffer:
          return true;
        case Op::Generic:  // vkCmdSet* is dynamic state, but for events
          return std::strncmp(c.name(), "vkCmdSet", 8) == 0 && std::strncmp(c.name(), "vkCmdSetEvent", 13) != 0;
        default:
          return false;
      }
    };
    std::vector<const Cmd*> state;
    uint32_t seq = 0;
    traverse(
        *t_.cb, seq,
        [&](const Cmd& c, uint32_t s) {
          if (s >= t_.seq) return;
          if (c.op() == Op::BeginRenderPass || c.op() == Op::BeginRenderPass2 || c.op() == Op::NextSubpass ||
              c.op() == Op::NextSubpass2 || c.op() == Op::BeginRendering)
            state.clear();
          else if (sets_state(c))
            state.push_back(&c);
        },
        [](CommandBuffer*, const std::string&) {});
    for (const Cmd* c : state) c->replay(p_.cb, d_);
  }

  // --- The selected command and its copies.

  void selected(const Cmd& c) {
    const bool before = static_cast<uint32_t>(t_.when) & static_cast<uint32_t>(KilnWhen::Before);
    const bool after = static_cast<uint32_t>(t_.when) & static_cast<uint32_t>(KilnWhen::After);
    const bool in_pass = st_.pass != ReplayState::Pass::None;
    if (in_pass && static_cast<int64_t>(t_.pass_begin_seq) < 0) throw HookError("the render pass around the command was not found");
    p_.jobs = collect_jobs(dev_, st_, c, p_.capture);
    allocate_staging(before, after);
    // One draw of a multi-draw is replayed alone (the draws before and after it as shorter calls) unless
    // the pipeline reads gl_DrawID: a shorter call renumbers it, so that multi-draw is captured whole.
    // (Keeping every call whole with the other draws emptied would keep gl_DrawID, but lavapipe drops a
    // whole multi-draw whose first draw is empty.)
    bool one_of_many = false;
    if (t_.sub_draw >= 0) {
      std::shared_ptr<Pipeline> pipeline = dev_.pipelines.get(st_.graphics.pipeline);
      one_of_many = pipeline && !reads_draw_index(*pipeline);
      if (!one_of_many) {
        p_.capture.multi_draw_whole = true;
        p_.capture.notes.push_back(
            "draw " + std::to_string(t_.sub_draw + 1) + " of a multi-draw of " + std::to_string(t_.sub_draws) +
            " was asked for; its pipeline " + (pipeline ? "reads gl_DrawID (DrawIndex)" : "is not known to the layer") +
            ", which replaying that draw alone would change, so the whole multi-draw is captured: before its "
            "first draw and after its last");
      }
    }
    const uint32_t k = one_of_many ? static_cast<uint32_t>(t_.sub_draw) : 0;
    if (one_of_many) replay_draws(c, 0, k);
    if (before) {
      if (in_pass) end_pass();
      copy(true, in_pass);
      if (in_pass) resume_pass(!after);
    }
    if (one_of_many) replay_draws(c, k, k + 1);
    else c.replay(p_.cb, d_);
    if (after) {
      if (in_pass) end_pass();
      copy(false, in_pass);
      if (in_pass) resume_pass(true);
    }
    if (one_of_many) replay_draws(c, k + 1, t_.sub_draws);
  }

  // The draws [from, to) of a multi-draw, as one call of their own.
  void replay_draws(const Cmd& c, uint32_t from, uint32_t to) {
    if (from >= to) return;
    if (c.op() == Op::DrawMulti) {
      const auto& a = static_cast<const DrawMultiCmd&>(c).args;
      d_.CmdDrawMultiEXT(p_.cb, to - from, std::get<1>(a) + from, std::get<2>(a), std::get<3>(a), std::get<4>(a));
    } else {
      const auto& a = static_cast<const DrawMultiIndexedCmd&>(c).args;
      d_.CmdDrawMultiIndexedEXT(p_.cb, to - from, std::get<1>(a) + from, std::get<2>(a), std::get<3>(a),
                                std::get<4>(a), std::get<5>(a));
    }
  }

  // Where each copy lands. A resource the command only reads (and that no other binding of the
  // command writes: aliasing) is copied once; its "after" is its "before". Or not at all, now: a cow
  // (copy-on-write) when nothing the layer cannot see may write it.
  void allocate_staging(bool before, bool after) {
    std::set<uint64_t> written;
    WriteSet later = later_;
    open_pass_attachments(dev_, st_, later);
    for (const CopyJob& j : p_.jobs)
      if (j.meta.written) {
        written.insert(j.meta.handle);
        later.writes.push_back({j.meta.handle, VK_NULL_HANDLE, 0, 0, KILN_COW_STORAGE});
      }
    uint64_t at = 0;
    for (CopyJob& j : p_.jobs) {
      if (!j.inline_bytes.empty() || j.bytes == 0) continue;
      if (!written.count(j.meta.handle) && (j.cow = make_cow(dev_, queue_, j, later))) {
        j.cow->hook = j.cow->hook ? j.cow->hook : &p_;
        j.after_is_before = before && after;
        continue;
      }
      uint64_t align = 16;
      if (j.image) align = std::lcm<uint64_t>(16, copy_texel_bytes(j.meta.format, j.meta.aspect));
      if (before) {
        at = (at + align - 1) / align * align;
        j.before_at = at;
        at += j.bytes;
      }
      if (after && before && !written.count(j.meta.handle)) {
        j.after_is_before = true;
      } else if (after) {
        at = (at + align - 1) / align * align;
        j.after_at = at;
        at += j.bytes;
      }
    }
    p_.staging_size = std::max<uint64_t>(at, 16);
    VkBufferCreateInfo bi{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
    bi.size = p_.staging_size;
    bi.usage = VK_BUFFER_USAGE_TRANSFER_DST_BIT;
    check(d_.CreateBuffer(dev_.handle, &bi, nullptr, &p_.staging), "vkCreateBuffer (capture staging)");
    VkMemoryRequirements req{};
    d_.GetBufferMemoryRequirements(dev_.handle, p_.staging, &req);
    VkMemoryAllocateInfo ai{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
    ai.allocationSize = req.size;
    ai.memoryTypeIndex = find_memory(dev_.memory_properties, req.memoryTypeBits);
    check(d_.AllocateMemory(dev_.handle, &ai, nullptr, &p_.memory), "vkAllocateMemory (capture staging)");
    check(d_.BindBufferMemory(dev_.handle, p_.staging, p_.memory, 0), "vkBindBufferMemory (capture staging)");
    for (size_t i = 0; i < p_.jobs.size(); ++i)
      if (p_.jobs[i].meta.samples > 1 && (p_.jobs[i].before_at != UINT64_MAX || p_.jobs[i].after_at != UINT64_MAX))
        make_resolve_target(i);
  }

  // A single-sample image of the job's format and extent that the multisampled subresource is resolved
  // into before the copy (one per subresource, used for before and after alike).
  void make_resolve_target(size_t job) {
    const CopyJob& j = p_.jobs[job];
    for (PendingCapture::Resolved& r : p_.resolved) {
      const CopyJob& other = p_.jobs[r.jobs[0]];
      if (r.pass && other.image == j.image && other.meta.mip == j.meta.mip && other.meta.layer == j.meta.layer) {
        r.jobs.push_back(job);  // the other aspect of a depth/stencil subresource already resolved
        return;
      }
    }
    auto img = dev_.images.get(j.image);
    if (!img) throw HookError("a multisampled image the layer no longer knows");
    VkImageCreateInfo ci{VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO};
    ci.imageType = img->info.imageType;
    ci.format = img->info.format;
    ci.extent = j.meta.extent;
    ci.mipLevels = 1;
    ci.arrayLayers = 1;
    ci.samples = VK_SAMPLE_COUNT_1_BIT;
    ci.tiling = VK_IMAGE_TILING_OPTIMAL;
    const bool depth_stencil = j.all_aspects != VK_IMAGE_ASPECT_COLOR_BIT;
    ci.usage = VK_IMAGE_USAGE_TRANSFER_SRC_BIT |
               (depth_stencil ? VK_IMAGE_USAGE_DEPTH_STENCIL_ATTACHMENT_BIT : VK_IMAGE_USAGE_TRANSFER_DST_BIT);
    PendingCapture::Resolved r;
    r.jobs = {job};
    check(d_.CreateImage(dev_.handle, &ci, nullptr, &r.image), "vkCreateImage (resolve target)");
    p_.resolved.push_back(r);
    VkMemoryRequirements req{};
    d_.GetImageMemoryRequirements(dev_.handle, r.image, &req);
    uint32_t type = UINT32_MAX;
    const VkPhysicalDeviceMemoryProperties& mp = dev_.memory_properties;
    for (uint32_t i = 0; i < mp.memoryTypeCount && type == UINT32_MAX; ++i)
      if ((req.memoryTypeBits & (1u << i)) && (mp.memoryTypes[i].propertyFlags & VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT)) type = i;
    for (uint32_t i = 0; i < mp.memoryTypeCount && type == UINT32_MAX; ++i)
      if (req.memoryTypeBits & (1u << i)) type = i;
    VkMemoryAllocateInfo ai{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
    ai.allocationSize = req.size;
    ai.memoryTypeIndex = type;
    check(d_.AllocateMemory(dev_.handle, &ai, nullptr, &p_.resolved.back().memory), "vkAllocateMemory (resolve target)");
    check(d_.BindImageMemory(dev_.handle, r.image, p_.resolved.back().memory, 0), "vkBindImageMemory (resolve target)");
    if (depth_stencil) make_depth_stencil_resolve(p_.resolved.back(), *img);
  }

  // The render pass that resolves a multisampled depth/stencil subresource into its target: it loads
  // the source (read-only, in the transfer layout the copies put it in, and back), resolves both
  // aspects to sample 0 as it ends, and leaves the target ready to be copied.
  void make_depth_stencil_resolve(PendingCapture::Resolved& r, const Image& source) {
    const CopyJob& j = p_.jobs[r.jobs[0]];
    const VkFormat format = source.info.format;
    VkImageViewCreateInfo vi{VK_STRUCTURE_TYPE_IMAGE_VIEW_CREATE_INFO};
    vi.viewType = VK_IMAGE_VIEW_TYPE_2D;
    vi.format = format;
    vi.image = j.image;
    vi.subresourceRange = {j.all_aspects, j.meta.mip, 1, j.meta.layer, 1};
    check(d_.CreateImageView(dev_.handle, &vi, nullptr, &r.views[0]), "vkCreateImageView (depth/stencil resolve)");
    vi.image = r.image;
    vi.subresourceRange = {j.all_aspects, 0, 1, 0, 1};
    check(d_.CreateImageView(dev_.handle, &vi, nullptr, &r.views[1]), "vkCreateImageView (depth/stencil resolve)");

    const bool stencil = (j.all_aspects & VK_IMAGE_ASPECT_STENCIL_BIT) != 0;
    VkAttachmentDescription2 atts[2] = {{VK_STRUCTURE_TYPE_ATTACHMENT_DESCRIPTION_2},
                                        {VK_STRUCTURE_TYPE_ATTACHMENT_DESCRIPTION_2}};
    atts[0].format = atts[1].format = format;
    atts[0].samples = source.info.samples;
    atts[1].samples = VK_SAMPLE_COUNT_1_BIT;
    atts[0].loadOp = VK_ATTACHMENT_LOAD_OP_LOAD;
    atts[0].stencilLoadOp = stencil ? VK_ATTACHMENT_LOAD_OP_LOAD : VK_ATTACHMENT_LOAD_OP_DONT_CARE;
    atts[0].storeOp = VK_ATTACHMENT_STORE_OP_STORE;  // the source is only read: STORE keeps it as it was
    atts[0].stencilStoreOp = stencil ? VK_ATTACHMENT_STORE_OP_STORE : VK_ATTACHMENT_STORE_OP_DONT_CARE;
    atts[0].initialLayout = atts[0].finalLayout = VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL;
    atts[1].loadOp = atts[1].stencilLoadOp = VK_ATTACHMENT_LOAD_OP_DONT_CARE;
    atts[1].storeOp = atts[1].stencilStoreOp = VK_ATTACHMENT_STORE_OP_STORE;
    atts[1].initialLayout = VK_IMAGE_LAYOUT_UNDEFINED;
    atts[1].finalLayout = VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL;
    VkAttachmentReference2 source_ref{VK_STRUCTURE_TYPE_ATTACHMENT_REFERENCE_2};
    source_ref.attachment = 0;
    source_ref.layout = VK_IMAGE_LAYOUT_DEPTH_STENCIL_READ_ONLY_OPTIMAL;
    source_ref.aspectMask = j.all_aspects;
    VkAttachmentReference2 target_ref = source_ref;
    target_ref.attachment = 1;
    target_ref.layout = VK_IMAGE_LAYOUT_DEPTH_STENCIL_ATTACHMENT_OPTIMAL;
    VkSubpassDescriptionDepthStencilResolve resolve{VK_STRUCTURE_TYPE_SUBPASS_DESCRIPTION_DEPTH_STENCIL_RESOLVE};
    resolve.depthResolveMode = (j.all_aspects & VK_IMAGE_ASPECT_DEPTH_BIT) ? VK_RESOLVE_MODE_SAMPLE_ZERO_BIT
                                                                            : VK_RESOLVE_MODE_NONE;
    resolve.stencilResolveMode = stencil ? VK_RESOLVE_MODE_SAMPLE_ZERO_BIT : VK_RESOLVE_MODE_NONE;
    resolve.pDepthStencilResolveAttachment = &target_ref;
    VkSubpassDescription2 sub{VK_STRUCTURE_TYPE_SUBPASS_DESCRIPTION_2};
    sub.pNext = &resolve;
    sub.pipelineBindPoint = VK_PIPELINE_BIND_POINT_GRAPHICS;
    sub.pDepthStencilAttachment = &source_ref;
    // After the copies' barrier (transfer) and before the copies out of the target; the resolve
    // writes as a colour attachment output would, the loads and stores as depth tests do.
    const VkPipelineStageFlags tests =
        VK_PIPELINE_STAGE_EARLY_FRAGMENT_TESTS_BIT | VK_PIPELINE_STAGE_LATE_FRAGMENT_TESTS_BIT;
    VkSubpassDependency2 deps[2] = {{VK_STRUCTURE_TYPE_SUBPASS_DEPENDENCY_2}, {VK_STRUCTURE_TYPE_SUBPASS_DEPENDENCY_2}};
    deps[0].srcSubpass = VK_SUBPASS_EXTERNAL;
    deps[0].dstSubpass = 0;
    deps[0].srcStageMask = VK_PIPELINE_STAGE_TRANSFER_BIT;
    deps[0].dstStageMask = tests | VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT;
    deps[0].srcAccessMask = 0;
    deps[0].dstAccessMask = VK_ACCESS_DEPTH_STENCIL_ATTACHMENT_READ_BIT | VK_ACCESS_DEPTH_STENCIL_ATTACHMENT_WRITE_BIT |
                            VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT;
    deps[1].srcSubpass = 0;
    deps[1].dstSubpass = VK_SUBPASS_EXTERNAL;
    deps[1].srcStageMask = tests | VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT;
    deps[1].dstStageMask = VK_PIPELINE_STAGE_TRANSFER_BIT;
    deps[1].srcAccessMask = VK_ACCESS_DEPTH_STENCIL_ATTACHMENT_WRITE_BIT | VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT;
    deps[1].dstAccessMask = VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_TRANSFER_WRITE_BIT;
    VkRenderPassCreateInfo2 rci{VK_STRUCTURE_TYPE_RENDER_PASS_CREATE_INFO_2};
    rci.attachmentCount = 2;
    rci.pAttachments = atts;
    rci.subpassCount = 1;
    rci.pSubpasses = &sub;
    rci.dependencyCount = 2;
    rci.pDependencies = deps;
    check(d_.CreateRenderPass2(dev_.handle, &rci, nullptr, &r.pass), "vkCreateRenderPass2 (depth/stencil resolve)");
    VkFramebufferCreateInfo fci{VK_STRUCTURE_TYPE_FRAMEBUFFER_CREATE_INFO};
    fci.renderPass = r.pass;
    fci.attachmentCount = 2;
    fci.pAttachments = r.views;
    fci.width = j.meta.extent.width;
    fci.height = j.meta.extent.height;
    fci.layers = 1;
    check(d_.CreateFramebuffer(dev_.handle, &fci, nullptr, &r.framebuffer), "vkCreateFramebuffer (depth/stencil resolve)");
  }

  // Runs a depth/stencil resolve pass (the source already in the transfer layout).
  void resolve_depth_stencil(const PendingCapture::Resolved& r) {
    const CopyJob& j = p_.jobs[r.jobs[0]];
    VkRenderPassBeginInfo b{VK_STRUCTURE_TYPE_RENDER_PASS_BEGIN_INFO};
    b.renderPass = r.pass;
    b.framebuffer = r.framebuffer;
    b.renderArea = {{0, 0}, {j.meta.extent.width, j.meta.extent.height}};
    VkSubpassBeginInfo sb{VK_STRUCTURE_TYPE_SUBPASS_BEGIN_INFO, nullptr, VK_SUBPASS_CONTENTS_INLINE};
    d_.CmdBeginRenderPass2(p_.cb, &b, &sb);
    VkSubpassEndInfo se{VK_STRUCTURE_TYPE_SUBPASS_END_INFO};
    d_.CmdEndRenderPass2(p_.cb, &se);
  }

  const PendingCapture::Resolved* resolved_of(size_t job) const {
    for (const PendingCapture::Resolved& r : p_.resolved)
      if (std::find(r.jobs.begin(), r.jobs.end(), job) != r.jobs.end()) return &r;
    return nullptr;
  }
  VkImage resolve_target(size_t job) const {
    const PendingCapture::Resolved* r = resolved_of(job);
    return r ? r->image : VK_NULL_HANDLE;
  }


  // Barriers around the copies: whatever the program wrote before is visible to them, whatever it does
  // after waits for them. Each image subresource goes to a transfer layout and back to the one the
  // command sees.
  void copy(bool before, bool in_pass) {
    // Nothing to copy here (every resource got a cow, or none was asked for this moment): no barriers,
    // unless the pass is split here (its two halves need the barrier between them).
    bool any = false;
    for (const CopyJob& j : p_.jobs) any |= (before ? j.before_at : j.after_at) != UINT64_MAX;
    if (!any && !in_pass) return;
    std::vector<CopiedSubresource> subs;
    for (const CopyJob& j : p_.jobs)
      if (j.image && (before ? j.before_at : j.after_at) != UINT64_MAX)
        subs.push_back({j.image, j.meta.mip, j.meta.layer, j.layout, j.all_aspects, j.meta.aspect});
    std::vector<VkImageMemoryBarrier> to, back;
    copy_layout_barriers(std::move(subs), to, back);
    // Multisampled subresources: resolved into their single-sample images first.
    std::vector<VkImageMemoryBarrier> resolved;
    bool depth_stencil_resolves = false;
    for (size_t i = 0; i < p_.jobs.size(); ++i) {
      const CopyJob& j = p_.jobs[i];
      const PendingCapture::Resolved* rs = resolved_of(i);
      if (!rs || (before ? j.before_at : j.after_at) == UINT64_MAX) continue;
      VkImage target = rs->image;
      if (rs->pass) {  // resolved by its render pass, which lays the target out itself
        depth_stencil_resolves = true;
        continue;
      }
      VkImageMemoryBarrier b{VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER};
      b.srcAccessMask = 0;
      b.dstAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
      b.oldLayout = VK_IMAGE_LAYOUT_UNDEFINED;
      b.newLayout = VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL;
      b.srcQueueFamilyIndex = b.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
      b.image = target;
      b.subresourceRange = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1};
      to.push_back(b);
      b.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
      b.dstAccessMask = VK_ACCESS_TRANSFER_READ_BIT;
      b.oldLayout = VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL;
      b.newLayout = VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL;
      resolved.push_back(b);
    }
    // Barriers as narrow as the copies allow: whatever wrote before, for the copies' reads; then the
    // copies (reads of the program's resources, writes of the layer's staging) before whatever comes
    // next, an execution dependency only (the staging is made visible to the host at the end). Full
    // ALL_COMMANDS memory barriers on both sides cost 17-18 µs a capture on an H100 against 9 µs.
    VkMemoryBarrier written{VK_STRUCTURE_TYPE_MEMORY_BARRIER, nullptr, VK_ACCESS_MEMORY_WRITE_BIT,
                            VK_ACCESS_TRANSFER_READ_BIT};
    d_.CmdPipelineBarrier(p_.cb, VK_PIPELINE_STAGE_ALL_COMMANDS_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT, 0, 1, &written, 0,
                          nullptr, static_cast<uint32_t>(to.size()), to.data());
    if (depth_stencil_resolves) {
      for (const PendingCapture::Resolved& r : p_.resolved) {
        const bool now = std::any_of(r.jobs.begin(), r.jobs.end(), [&](size_t i) {
          return (before ? p_.jobs[i].before_at : p_.jobs[i].after_at) != UINT64_MAX;
        });
        if (r.pass && now) resolve_depth_stencil(r);
      }
    }
    if (!resolved.empty()) {
      for (size_t i = 0; i < p_.jobs.size(); ++i) {
        const CopyJob& j = p_.jobs[i];
        const PendingCapture::Resolved* rs = resolved_of(i);
        if (!rs || rs->pass || (before ? j.before_at : j.after_at) == UINT64_MAX) continue;
        VkImage target = rs->image;
        VkImageResolve r{};
        r.srcSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, j.meta.mip, j.meta.layer, 1};
        r.dstSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
        r.extent = j.meta.extent;
        d_.CmdResolveImage(p_.cb, j.image, copy_layout(j.layout), target, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 1, &r);
      }
      d_.CmdPipelineBarrier(p_.cb, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT, 0, 0, nullptr, 0,
                            nullptr, static_cast<uint32_t>(resolved.size()), resolved.data());
    }
    for (size_t i = 0; i < p_.jobs.size(); ++i) {
      const CopyJob& j = p_.jobs[i];
      uint64_t at = before ? j.before_at : j.after_at;
      if (at == UINT64_MAX) continue;
      if (VkImage target = resolve_target(i)) {
        VkBufferImageCopy r{};
        r.bufferOffset = at;
        r.imageSubresource = {j.meta.aspect, 0, 0, 1};
        r.imageExtent = j.meta.extent;
        d_.CmdCopyImageToBuffer(p_.cb, target, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, p_.staging, 1, &r);
      } else if (j.buffer) {
        VkBufferCopy r{j.meta.offset, at, j.bytes};
        d_.CmdCopyBuffer(p_.cb, j.buffer, p_.staging, 1, &r);
      } else if (j.image) {
        VkBufferImageCopy r{};
        r.bufferOffset = at;
        r.imageSubresource = {j.meta.aspect, j.meta.mip, j.meta.layer, 1};
        r.imageExtent = j.meta.extent;
        d_.CmdCopyImageToBuffer(p_.cb, j.image, copy_layout(j.layout), p_.staging, 1, &r);
      }
    }
    d_.CmdPipelineBarrier(p_.cb, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_ALL_COMMANDS_BIT, 0, 0, nullptr, 0,
                          nullptr, static_cast<uint32_t>(back.size()), back.data());
  }

  Device& dev_;
  const DeviceDispatch& d_;
  const Queue& queue_;
  PendingCapture& p_;
  const Target& t_;
  const WriteSet& later_;
  ReplayState st_;
  // The pass being split.
  VkRenderingInfo rendering_{};
  std::vector<VkRenderingAttachmentInfo> colors_;
  VkRenderingAttachmentInfo depth_{VK_STRUCTURE_TYPE_RENDERING_ATTACHMENT_INFO};
  VkRenderingAttachmentInfo stencil_{VK_STRUCTURE_TYPE_RENDERING_ATTACHMENT_INFO};
  std::shared_ptr<RenderPass> rp_;
  VkRenderPassBeginInfo rp_begin_{};
  uint32_t subpass_ = 0;  // the selected command's subpass
};

}  // namespace

std::unique_ptr<PendingCapture> build_hook(Device& dev, const Queue& queue, const Target& t, const WriteSet& later) {
  if (!dev.unrecorded_commands.empty()) {
    std::string names;
    for (const std::string& n : dev.unrecorded_commands) names += (names.empty() ? "" : ", ") + n;
    throw HookError("the device has commands the layer does not record (" + names +
                    "): a re-recorded command buffer could miss them");
  }
  uint32_t seq = 0;
  std::string bad;
  traverse(*t.cb, seq, [](const Cmd&, uint32_t) {}, [&](CommandBuffer*, const std::string& why) {
    if (bad.empty()) bad = why;
  });
  if (!bad.empty()) throw HookError("its command buffer executes " + bad);

  auto p = std::make_unique<PendingCapture>();
  const DeviceDispatch& d = dev.d;
  try {
    Capture& cap = p->capture;
    cap.spec = t.spec_text;
    cap.frame = t.frame;
    cap.command_index = t.command_index;
    cap.command = t.cmd->describe();
    if (t.sub_draw >= 0) {
      cap.multi_draw_index = static_cast<uint32_t>(t.sub_draw) + 1;
      cap.multi_draw_count = t.sub_draws;
    }
    cap.label_path = t.label_path;
    cap.when = when_name(t.when);

    VkCommandPool& pool = dev.own_pools[queue.family];
    if (!pool) {
      VkCommandPoolCreateInfo pi{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
      pi.queueFamilyIndex = queue.family;
      pi.flags = VK_COMMAND_POOL_CREATE_TRANSIENT_BIT;
      check(d.CreateCommandPool(dev.handle, &pi, nullptr, &pool), "vkCreateCommandPool");
    }
    p->pool = pool;
    VkCommandBufferAllocateInfo ai{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
    ai.commandPool = pool;
    ai.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
    ai.commandBufferCount = 1;
    check(d.AllocateCommandBuffers(dev.handle, &ai, &p->cb), "vkAllocateCommandBuffers");
    if (dev.set_loader_data) check(dev.set_loader_data(dev.handle, p->cb), "vkSetDeviceLoaderData");
    else *reinterpret_cast<void**>(p->cb) = *reinterpret_cast<void**>(dev.handle);
    VkFenceCreateInfo fi{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
    check(d.CreateFence(dev.handle, &fi, nullptr, &p->fence), "vkCreateFence");
    VkCommandBufferBeginInfo bi{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
    bi.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
    check(d.BeginCommandBuffer(p->cb, &bi), "vkBeginCommandBuffer");
    Recorder rec(dev, queue, *p, t, later);
    seq = 0;
    traverse(*t.cb, seq, [&](const Cmd& c, uint32_t s) { rec.visit(c, s); }, [](CommandBuffer*, const std::string&) {});
    rec.finish();
    if (cap.multi_draw_count)
      cap.command += cap.multi_draw_whole ? ", all " + std::to_string(cap.multi_draw_count) + " draws"
                                          : ", draw " + std::to_string(cap.multi_draw_index) + " of " +
                                                std::to_string(cap.multi_draw_count);
    check(d.EndCommandBuffer(p->cb), "vkEndCommandBuffer");
  } catch (...) {
    destroy_pending(dev, *p);
    throw;
  }
  return p;
}

}  // namespace kiln::layer
