// Shader modules (their SPIR-V kept), pipeline layouts, pipelines, render passes and framebuffers.
#include "dispatch/hooks.h"
#include "state.h"

namespace kiln::layer {
namespace hooks {

VKAPI_ATTR VkResult VKAPI_CALL CreateShaderModule(VkDevice device, const VkShaderModuleCreateInfo* info,
                                                  const VkAllocationCallbacks* alloc, VkShaderModule* out) {
  Device* dev = device_of(device);
  VkResult r = dev->d.CreateShaderModule(device, info, alloc, out);
  if (r == VK_SUCCESS) {
    auto m = std::make_shared<ShaderModule>();
    m->words.assign(info->pCode, info->pCode + info->codeSize / 4);
    dev->shader_modules.add(*out, std::move(m));
  }
  return r;
}

VKAPI_ATTR void VKAPI_CALL DestroyShaderModule(VkDevice device, VkShaderModule module, const VkAllocationCallbacks* alloc) {
  Device* dev = device_of(device);
  if (module) dev->shader_modules.remove(module);
  dev->d.DestroyShaderModule(device, module, alloc);
}

VKAPI_ATTR VkResult VKAPI_CALL CreatePipelineLayout(VkDevice device, const VkPipelineLayoutCreateInfo* info,
                                                    const VkAllocationCallbacks* alloc, VkPipelineLayout* out) {
  Device* dev = device_of(device);
  VkResult r = dev->d.CreatePipelineLayout(device, info, alloc, out);
  if (r == VK_SUCCESS) {
    auto l = std::make_shared<PipelineLayout>();
    for (uint32_t i = 0; i < info->setLayoutCount; ++i) l->sets.push_back(dev->set_layouts.get(info->pSetLayouts[i]));
    l->push_ranges.assign(info->pPushConstantRanges, info->pPushConstantRanges + info->pushConstantRangeCount);
    dev->pipeline_layouts.add(*out, std::move(l));
  }
  return r;
}

VKAPI_ATTR void VKAPI_CALL DestroyPipelineLayout(VkDevice device, VkPipelineLayout layout,
                                                 const VkAllocationCallbacks* alloc) {
  Device* dev = device_of(device);
  if (layout) dev->pipeline_layouts.remove(layout);
  dev->d.DestroyPipelineLayout(device, layout, alloc);
}

static void add_stages(Device* dev, Pipeline& p, const VkPipelineShaderStageCreateInfo* stages, uint32_t n) {
  for (uint32_t i = 0; i < n; ++i) {
    Pipeline::Stage s;
    s.stage = stages[i].stage;
    s.entry = stages[i].pName ? stages[i].pName : "main";
    s.module_handle = stages[i].module;
    if (stages[i].module) {
      if (auto m = dev->shader_modules.get(stages[i].module))
        s.words = std::shared_ptr<const std::vector<uint32_t>>(m, &m->words);
    } else {
      // maintenance5 / graphics pipeline libraries: the module's create info chained to the stage.
      for (auto* e = static_cast<const VkBaseInStructure*>(stages[i].pNext); e; e = e->pNext) {
        if (e->sType == VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO) {
          auto* mi = reinterpret_cast<const VkShaderModuleCreateInfo*>(e);
          s.words = std::make_shared<const std::vector<uint32_t>>(mi->pCode, mi->pCode + mi->codeSize / 4);
        }
      }
    }
    p.stages.push_back(std::move(s));
  }
}

VKAPI_ATTR VkResult VKAPI_CALL CreateGraphicsPipelines(VkDevice device, VkPipelineCache cache, uint32_t count,
                                                       const VkGraphicsPipelineCreateInfo* infos,
                                                       const VkAllocationCallbacks* alloc, VkPipeline* out) {
  Device* dev = device_of(device);
  VkResult r = dev->d.CreateGraphicsPipelines(device, cache, count, infos, alloc, out);
  for (uint32_t i = 0; i < count; ++i) {
    if (!out[i]) continue;
    auto p = std::make_shared<Pipeline>();
    p->handle = out[i];
    p->bind_point = VK_PIPELINE_BIND_POINT_GRAPHICS;
    p->layout = dev->pipeline_layouts.get(infos[i].layout);
    add_stages(dev, *p, infos[i].pStages, infos[i].stageCount);
    if (const VkPipelineVertexInputStateCreateInfo* vi = infos[i].pVertexInputState)
      for (uint32_t b = 0; b < vi->vertexBindingDescriptionCount; ++b)
        p->vertex_bindings.push_back(vi->pVertexBindingDescriptions[b].binding);
    if (const VkPipelineDynamicStateCreateInfo* ds = infos[i].pDynamicState)
      for (uint32_t k = 0; k < ds->dynamicStateCount; ++k)
        if (ds->pDynamicStates[k] == VK_DYNAMIC_STATE_VERTEX_INPUT_EXT) p->dynamic_vertex_input = true;
    dev->pipelines.add(out[i], std::move(p));
  }
  return r;
}

VKAPI_ATTR VkResult VKAPI_CALL CreateComputePipelines(VkDevice device, VkPipelineCache cache, uint32_t count,
                                                      const VkComputePipelineCreateInfo* infos,
                                                      const VkAllocationCallbacks* alloc, VkPipeline* out) {
  Device* dev = device_of(device);
  VkResult r = dev->d.CreateComputePipelines(device, cache, count, infos, alloc, out);
  for (uint32_t i = 0; i < count; ++i) {
    if (!out[i]) continue;
    auto p = std::make_shared<Pipeline>();
    p->handle = out[i];
    p->bind_point = VK_PIPELINE_BIND_POINT_COMPUTE;
    p->layout = dev->pipeline_layouts.get(infos[i].layout);
    add_stages(dev, *p, &infos[i].stage, 1);
    dev->pipelines.add(out[i], std::move(p));
  }
  return r;
}

VKAPI_ATTR void VKAPI_CALL DestroyPipeline(VkDevice device, VkPipeline pipeline, const VkAllocationCallbacks* alloc) {
  Device* dev = device_of(device);
  if (pipeline) dev->pipelines.remove(pipeline);
  dev->d.DestroyPipeline(device, pipeline, alloc);
}

VKAPI_ATTR VkResult VKAPI_CALL CreateRenderPass(VkDevice device, const VkRenderPassCreateInfo* info,
                                                const VkAllocationCallbacks* alloc, VkRenderPass* out) {
  Device* dev = device_of(device);
  VkResult r = dev->d.CreateRenderPass(device, info, alloc, out);
  if (r != VK_SUCCESS) return r;
  auto rp = std::make_shared<RenderPass>();
  rp->flags = info->flags;
  rp->attachments.assign(info->pAttachments, info->pAttachments + info->attachmentCount);
  for (uint32_t i = 0; i < info->subpassCount; ++i) {
    const VkSubpassDescription& s = info->pSubpasses[i];
    RenderPass::Subpass sp;
    sp.flags = s.flags;
    sp.bind_point = s.pipelineBindPoint;
    sp.inputs.assign(s.pInputAttachments, s.pInputAttachments + s.inputAttachmentCount);
    sp.colors.assign(s.pColorAttachments, s.pColorAttachments + s.colorAttachmentCount);
    if (s.pResolveAttachments) sp.resolves.assign(s.pResolveAttachments, s.pResolveAttachments + s.colorAttachmentCount);
    if (s.pDepthStencilAttachment) sp.depth = *s.pDepthStencilAttachment;
    sp.preserves.assign(s.pPreserveAttachments, s.pPreserveAttachments + s.preserveAttachmentCount);
    rp->subpasses.push_back(std::move(sp));
  }
  rp->dependencies.assign(info->pDependencies, info->pDependencies + info->dependencyCount);
  for (auto* e = static_cast<const VkBaseInStructure*>(info->pNext); e; e = e->pNext) {
    if (e->sType == VK_STRUCTURE_TYPE_RENDER_PASS_MULTIVIEW_CREATE_INFO) {
      const auto& m = *reinterpret_cast<const VkRenderPassMultiviewCreateInfo*>(e);
      rp->view_masks.assign(m.pViewMasks, m.pViewMasks + m.subpassCount);
      rp->view_offsets.assign(m.pViewOffsets, m.pViewOffsets + (m.pViewOffsets ? m.dependencyCount : 0));
      rp->correlation_masks.assign(m.pCorrelationMasks, m.pCorrelationMasks + m.correlationMaskCount);
      for (uint32_t mask : rp->view_masks) rp->multiview |= mask != 0;
    } else if (e->sType == VK_STRUCTURE_TYPE_RENDER_PASS_INPUT_ATTACHMENT_ASPECT_CREATE_INFO) {
      const auto& a = *reinterpret_cast<const VkRenderPassInputAttachmentAspectCreateInfo*>(e);
      rp->aspect_references.assign(a.pAspectReferences, a.pAspectReferences + a.aspectReferenceCount);
    } else if (rp->splittable) {
      rp->splittable = false;
      rp->why_not = "its vkCreateRenderPass chains a structure (sType " + std::to_string(int(e->sType)) +
                    ") the layer does not re-create";
    }
  }
  dev->render_passes.add(*out, std::move(rp));
  return r;
}

VKAPI_ATTR VkResult VKAPI_CALL CreateRenderPass2(VkDevice device, const VkRenderPassCreateInfo2* info,
                                                 const VkAllocationCallbacks* alloc, VkRenderPass* out) {
  Device* dev = device_of(device);
  VkResult r = dev->d.CreateRenderPass2(device, info, alloc, out);
  if (r != VK_SUCCESS) return r;
  auto rp = std::make_shared<RenderPass>();
  rp->v2 = true;
  rp->flags = info->flags;
  // Structures in the chains the layer keeps and re-chains into split passes: per attachment and
  // per reference a separate stencil layout, per subpass a depth / stencil resolve, per dependency a
  // VkMemoryBarrier2. Any other makes the pass unsplittable.
  int32_t unknown = -1;  // the first sType it does not keep
  auto keep_none = [&](const void* next) {
    if (next && unknown < 0) unknown = int32_t(static_cast<const VkBaseInStructure*>(next)->sType);
  };
  // A reference kept without its chain; its stencil layout, if the chain held one.
  auto take_ref = [&](VkAttachmentReference2& ref) {
    VkImageLayout stencil = VK_IMAGE_LAYOUT_UNDEFINED;
    for (auto* e = static_cast<const VkBaseInStructure*>(ref.pNext); e; e = e->pNext) {
      if (e->sType == VK_STRUCTURE_TYPE_ATTACHMENT_REFERENCE_STENCIL_LAYOUT)
        stencil = reinterpret_cast<const VkAttachmentReferenceStencilLayout*>(e)->stencilLayout;
      else keep_none(e);
    }
    ref.pNext = nullptr;
    return stencil;
  };
  keep_none(info->pNext);
  for (uint32_t i = 0; i < info->attachmentCount; ++i) {
    const VkAttachmentDescription2& a = info->pAttachments[i];
    rp->stencil_layouts2.emplace_back();
    for (auto* e = static_cast<const VkBaseInStructure*>(a.pNext); e; e = e->pNext) {
      if (e->sType == VK_STRUCTURE_TYPE_ATTACHMENT_DESCRIPTION_STENCIL_LAYOUT) {
        rp->stencil_layouts2.back() = *reinterpret_cast<const VkAttachmentDescriptionStencilLayout*>(e);
        rp->stencil_layouts2.back()->pNext = nullptr;
      } else {
        keep_none(e);
      }
    }
    rp->attachments2.push_back(a);
    rp->attachments2.back().pNext = nullptr;
    rp->attachments.push_back({a.flags, a.format, a.samples, a.loadOp, a.storeOp, a.stencilLoadOp, a.stencilStoreOp,
                               a.initialLayout, a.finalLayout});
  }
  auto refs = [&](const VkAttachmentReference2* p, uint32_t n, std::vector<VkImageLayout>* stencil = nullptr) {
    std::vector<VkAttachmentReference2> v(p, p + (p ? n : 0));
    for (auto& x : v) {
      // A colour reference's stencil layout means nothing (the pass ignores it): not re-chained.
      VkImageLayout s = take_ref(x);
      if (stencil) stencil->push_back(s);
    }
    return v;
  };
  for (uint32_t i = 0; i < info->subpassCount; ++i) {
    const VkSubpassDescription2& s = info->pSubpasses[i];
    RenderPass::Subpass2 sp2;
    sp2.desc = s;
    sp2.desc.pNext = nullptr;
    for (auto* e = static_cast<const VkBaseInStructure*>(s.pNext); e; e = e->pNext) {
      if (e->sType == VK_STRUCTURE_TYPE_SUBPASS_DESCRIPTION_DEPTH_STENCIL_RESOLVE) {
        sp2.depth_resolve = *reinterpret_cast<const VkSubpassDescriptionDepthStencilResolve*>(e);
        sp2.depth_resolve->pNext = nullptr;
        if (const VkAttachmentReference2* ref = sp2.depth_resolve->pDepthStencilResolveAttachment) {
          sp2.depth_resolve_ref = *ref;
          sp2.depth_resolve_stencil_layout = take_ref(*sp2.depth_resolve_ref);
        }
      } else {
        keep_none(e);
      }
    }
    sp2.inputs = refs(s.pInputAttachments, s.inputAttachmentCount, &sp2.input_stencil_layouts);
    sp2.colors = refs(s.pColorAttachments, s.colorAttachmentCount);
    sp2.resolves = refs(s.pResolveAttachments, s.colorAttachmentCount);
    if (s.pDepthStencilAttachment) {
      sp2.depth = *s.pDepthStencilAttachment;
      sp2.depth_stencil_layout = take_ref(*sp2.depth);
    }
    sp2.preserves.assign(s.pPreserveAttachments, s.pPreserveAttachments + s.preserveAttachmentCount);
    RenderPass::Subpass sp;
    sp.flags = s.flags;
    sp.bind_point = s.pipelineBindPoint;
    for (const auto& c : sp2.colors) sp.colors.push_back({c.attachment, c.layout});
    for (const auto& c : sp2.inputs) sp.inputs.push_back({c.attachment, c.layout});
    for (const auto& c : sp2.resolves) sp.resolves.push_back({c.attachment, c.layout});
    if (sp2.depth) sp.depth = VkAttachmentReference{sp2.depth->attachment, sp2.depth->layout};
    sp.depth_stencil_layout = sp2.depth_stencil_layout;
    rp->subpasses.push_back(std::move(sp));
    rp->subpasses2.push_back(std::move(sp2));
  }
  for (uint32_t i = 0; i < info->dependencyCount; ++i) {
    rp->dependencies2.push_back(info->pDependencies[i]);
    rp->dependencies2.back().pNext = nullptr;
    rp->barriers2.emplace_back();
    for (auto* e = static_cast<const VkBaseInStructure*>(info->pDependencies[i].pNext); e; e = e->pNext) {
      if (e->sType == VK_STRUCTURE_TYPE_MEMORY_BARRIER_2) {
        rp->barriers2.back() = *reinterpret_cast<const VkMemoryBarrier2*>(e);
        rp->barriers2.back()->pNext = nullptr;
      } else {
        keep_none(e);
      }
    }
  }
  rp->correlated_view_masks.assign(info->pCorrelatedViewMasks,
                                   info->pCorrelatedViewMasks + info->correlatedViewMaskCount);
  if (unknown >= 0) {
    rp->splittable = false;
    rp->why_not = "its vkCreateRenderPass2 chains a structure (sType " + std::to_string(unknown) +
                  ") the layer does not re-create";
  }
  for (const RenderPass::Subpass2& sp : rp->subpasses2) rp->multiview |= sp.desc.viewMask != 0;
  dev->render_passes.add(*out, std::move(rp));
  return r;
}

VKAPI_ATTR void VKAPI_CALL DestroyRenderPass(VkDevice device, VkRenderPass pass, const VkAllocationCallbacks* alloc) {
  Device* dev = device_of(device);
  if (pass) dev->render_passes.remove(pass);
  dev->d.DestroyRenderPass(device, pass, alloc);
}

VKAPI_ATTR VkResult VKAPI_CALL CreateFramebuffer(VkDevice device, const VkFramebufferCreateInfo* info,
                                                 const VkAllocationCallbacks* alloc, VkFramebuffer* out) {
  Device* dev = device_of(device);
  VkResult r = dev->d.CreateFramebuffer(device, info, alloc, out);
  if (r == VK_SUCCESS) {
    auto fb = std::make_shared<Framebuffer>();
    fb->imageless = (info->flags & VK_FRAMEBUFFER_CREATE_IMAGELESS_BIT) != 0;
    if (!fb->imageless && info->pAttachments)
      fb->attachments.assign(info->pAttachments, info->pAttachments + info->attachmentCount);
    fb->width = info->width;
    fb->height = info->height;
    fb->layers = info->layers;
    dev->framebuffers.add(*out, std::move(fb));
  }
  return r;
}

VKAPI_ATTR void VKAPI_CALL DestroyFramebuffer(VkDevice device, VkFramebuffer fb, const VkAllocationCallbacks* alloc) {
  Device* dev = device_of(device);
  if (fb) dev->framebuffers.remove(fb);
  dev->d.DestroyFramebuffer(device, fb, alloc);
}

}  // namespace hooks
}  // namespace kiln::layer
