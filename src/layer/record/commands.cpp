// Every vkCmd* the layer knows: forwarded unchanged, then appended to the command buffer's record.
// The hot path: a thread-local lookup of the command buffer, a bump allocation, a few copies. Arrays
// are copied into the arena; structs with a pNext chain the layer cannot copy mark the command buffer
// "pass through" (it is still forwarded, never re-recorded).
#include <sstream>

#include "dispatch/hooks.h"
#include "state.h"
#include "track/descriptor_writes.h"

namespace kiln::layer {

std::string Cmd::describe() const {
  std::ostringstream out;
  out << name() << '(';
  if (op() == Op::BeginLabel) out << '"' << std::get<0>(static_cast<const BeginLabelCmd*>(this)->args)->pLabelName << '"';
  else type->print_args(*this, out);
  out << ')';
  return out.str();
}

namespace {

template <auto Member, Op op, Kind kind, CmdName name, class... V>
void rec(CommandBuffer* s, V... v) {
  // Recording goes on after a command buffer is marked pass-through: it is never replayed, but its
  // commands still count for the selection and the frame's list (the one not copied is missing).
  s->add<CmdOf<Member>, op, kind, name>(v...);
}

template <class T>
const T* arr(CommandBuffer* s, const T* p, uint32_t n) {
  return s->arena.copy(p, n);
}

// Structs whose pNext the layer does not copy: fine when null, otherwise the command buffer passes through.
template <class T>
bool plain(CommandBuffer* s, const T* p, uint32_t n, const char* cmd) {
  for (uint32_t i = 0; i < n; ++i)
    if (p[i].pNext) {
      s->fail(std::string(cmd) + " has a pNext chain (sType " +
              std::to_string(static_cast<const VkBaseInStructure*>(p[i].pNext)->sType) + ") the layer does not re-record");
      return false;
    }
  return true;
}

template <class T>
T* one(CommandBuffer* s, const T* p) {
  return p ? const_cast<T*>(s->arena.copy(p, 1)) : nullptr;
}

const VkDependencyInfo* dep(CommandBuffer* s, const VkDependencyInfo* d, const char* cmd) {
  if (!plain(s, d, 1, cmd) || !plain(s, d->pMemoryBarriers, d->memoryBarrierCount, cmd) ||
      !plain(s, d->pBufferMemoryBarriers, d->bufferMemoryBarrierCount, cmd) ||
      !plain(s, d->pImageMemoryBarriers, d->imageMemoryBarrierCount, cmd))
    return nullptr;
  VkDependencyInfo* c = one(s, d);
  c->pMemoryBarriers = arr(s, d->pMemoryBarriers, d->memoryBarrierCount);
  c->pBufferMemoryBarriers = arr(s, d->pBufferMemoryBarriers, d->bufferMemoryBarrierCount);
  c->pImageMemoryBarriers = arr(s, d->pImageMemoryBarriers, d->imageMemoryBarrierCount);
  return c;
}

template <class Info, class Region>
const Info* info2(CommandBuffer* s, const Info* info, const Region* regions, uint32_t n, const char* cmd) {
  if (!plain(s, info, 1, cmd) || !plain(s, regions, n, cmd)) return nullptr;
  Info* c = one(s, info);
  c->pRegions = arr(s, regions, n);
  return c;
}

const VkRenderPassBeginInfo* rp_begin(CommandBuffer* s, const VkRenderPassBeginInfo* b, const char* cmd) {
  VkRenderPassBeginInfo* c = one(s, b);
  c->pClearValues = arr(s, b->pClearValues, b->clearValueCount);
  c->pNext = nullptr;
  for (auto* e = static_cast<const VkBaseInStructure*>(b->pNext); e; e = e->pNext) {
    if (e->sType == VK_STRUCTURE_TYPE_RENDER_PASS_ATTACHMENT_BEGIN_INFO && !c->pNext) {
      auto* a = one(s, reinterpret_cast<const VkRenderPassAttachmentBeginInfo*>(e));
      a->pNext = nullptr;
      a->pAttachments = arr(s, a->pAttachments, a->attachmentCount);
      c->pNext = a;
    } else {
      s->fail(std::string(cmd) + " has a pNext struct (sType " + std::to_string(e->sType) + ") the layer does not re-record");
      return nullptr;
    }
  }
  return c;
}

}  // namespace

namespace hooks {

#define KILN_CB                                 \
  CommandBuffer* s = command_buffer(cb);        \
  const DeviceDispatch& d = s->device->d
#define KILN_REC(Name, op, kind, ...) rec<&DeviceDispatch::Name, op, kind, "vk" #Name>(s __VA_OPT__(, ) __VA_ARGS__)

// Scalars only.
#define KILN_SIMPLE(Name, kind, PARAMS, ARGS)                         \
  VKAPI_ATTR void VKAPI_CALL Name(VkCommandBuffer cb PARAMS) {        \
    KILN_CB;                                                          \
    d.Name(cb ARGS);                                                  \
    if (!s->recording) return;                                        \
    KILN_REC(Name, Op::Generic, kind ARGS);                           \
  }
#define P(...) , __VA_ARGS__

KILN_SIMPLE(CmdSetLineWidth, Kind::Other, P(float a), P(a))
KILN_SIMPLE(CmdSetDepthBias, Kind::Other, P(float a, float b, float c), P(a, b, c))
KILN_SIMPLE(CmdSetDepthBounds, Kind::Other, P(float a, float b), P(a, b))
KILN_SIMPLE(CmdSetStencilCompareMask, Kind::Other, P(VkStencilFaceFlags a, uint32_t b), P(a, b))
KILN_SIMPLE(CmdSetStencilWriteMask, Kind::Other, P(VkStencilFaceFlags a, uint32_t b), P(a, b))
KILN_SIMPLE(CmdSetStencilReference, Kind::Other, P(VkStencilFaceFlags a, uint32_t b), P(a, b))
KILN_SIMPLE(CmdSetEvent, Kind::Other, P(VkEvent a, VkPipelineStageFlags b), P(a, b))
KILN_SIMPLE(CmdResetEvent, Kind::Other, P(VkEvent a, VkPipelineStageFlags b), P(a, b))
KILN_SIMPLE(CmdResetEvent2, Kind::Other, P(VkEvent a, VkPipelineStageFlags2 b), P(a, b))
KILN_SIMPLE(CmdBeginQuery, Kind::Other, P(VkQueryPool a, uint32_t b, VkQueryControlFlags c), P(a, b, c))
KILN_SIMPLE(CmdEndQuery, Kind::Other, P(VkQueryPool a, uint32_t b), P(a, b))
KILN_SIMPLE(CmdResetQueryPool, Kind::Other, P(VkQueryPool a, uint32_t b, uint32_t c), P(a, b, c))
KILN_SIMPLE(CmdWriteTimestamp, Kind::Other, P(VkPipelineStageFlagBits a, VkQueryPool b, uint32_t c), P(a, b, c))
KILN_SIMPLE(CmdWriteTimestamp2, Kind::Other, P(VkPipelineStageFlags2 a, VkQueryPool b, uint32_t c), P(a, b, c))
KILN_SIMPLE(CmdCopyQueryPoolResults, Kind::Other,
            P(VkQueryPool a, uint32_t b, uint32_t c, VkBuffer e, VkDeviceSize f, VkDeviceSize g, VkQueryResultFlags h),
            P(a, b, c, e, f, g, h))
KILN_SIMPLE(CmdSetDeviceMask, Kind::Other, P(uint32_t a), P(a))
KILN_SIMPLE(CmdSetCullMode, Kind::Other, P(VkCullModeFlags a), P(a))
KILN_SIMPLE(CmdSetFrontFace, Kind::Other, P(VkFrontFace a), P(a))
KILN_SIMPLE(CmdSetPrimitiveTopology, Kind::Other, P(VkPrimitiveTopology a), P(a))
KILN_SIMPLE(CmdSetDepthTestEnable, Kind::Other, P(VkBool32 a), P(a))
KILN_SIMPLE(CmdSetDepthWriteEnable, Kind::Other, P(VkBool32 a), P(a))
KILN_SIMPLE(CmdSetDepthCompareOp, Kind::Other, P(VkCompareOp a), P(a))
KILN_SIMPLE(CmdSetDepthBoundsTestEnable, Kind::Other, P(VkBool32 a), P(a))
KILN_SIMPLE(CmdSetStencilTestEnable, Kind::Other, P(VkBool32 a), P(a))
KILN_SIMPLE(CmdSetStencilOp, Kind::Other,
            P(VkStencilFaceFlags a, VkStencilOp b, VkStencilOp c, VkStencilOp e, VkCompareOp f), P(a, b, c, e, f))
KILN_SIMPLE(CmdSetRasterizerDiscardEnable, Kind::Other, P(VkBool32 a), P(a))
KILN_SIMPLE(CmdSetDepthBiasEnable, Kind::Other, P(VkBool32 a), P(a))
KILN_SIMPLE(CmdSetPrimitiveRestartEnable, Kind::Other, P(VkBool32 a), P(a))
KILN_SIMPLE(CmdFillBuffer, Kind::Copy, P(VkBuffer a, VkDeviceSize b, VkDeviceSize c, uint32_t e), P(a, b, c, e))

// Scalars, with an Op the hook reads.
#define KILN_OP(Name, op, kind, PARAMS, ARGS)                         \
  VKAPI_ATTR void VKAPI_CALL Name(VkCommandBuffer cb PARAMS) {        \
    KILN_CB;                                                          \
    d.Name(cb ARGS);                                                  \
    if (!s->recording) return;                                        \
    KILN_REC(Name, op, kind ARGS);                                    \
  }

KILN_OP(CmdBindPipeline, Op::BindPipeline, Kind::Other, P(VkPipelineBindPoint a, VkPipeline b), P(a, b))
KILN_OP(CmdBindIndexBuffer, Op::BindIndexBuffer, Kind::Other, P(VkBuffer a, VkDeviceSize b, VkIndexType c), P(a, b, c))
KILN_OP(CmdDraw, Op::Draw, Kind::Draw, P(uint32_t a, uint32_t b, uint32_t c, uint32_t e), P(a, b, c, e))
KILN_OP(CmdDrawIndexed, Op::DrawIndexed, Kind::Draw, P(uint32_t a, uint32_t b, uint32_t c, int32_t e, uint32_t f),
        P(a, b, c, e, f))
KILN_OP(CmdDrawIndirect, Op::DrawIndirect, Kind::Draw, P(VkBuffer a, VkDeviceSize b, uint32_t c, uint32_t e), P(a, b, c, e))
KILN_OP(CmdDrawIndexedIndirect, Op::DrawIndexedIndirect, Kind::Draw, P(VkBuffer a, VkDeviceSize b, uint32_t c, uint32_t e),
        P(a, b, c, e))
KILN_OP(CmdDrawIndirectCount, Op::DrawIndirectCount, Kind::Draw,
        P(VkBuffer a, VkDeviceSize b, VkBuffer c, VkDeviceSize e, uint32_t f, uint32_t g), P(a, b, c, e, f, g))
KILN_OP(CmdDrawIndexedIndirectCount, Op::DrawIndexedIndirectCount, Kind::Draw,
        P(VkBuffer a, VkDeviceSize b, VkBuffer c, VkDeviceSize e, uint32_t f, uint32_t g), P(a, b, c, e, f, g))
KILN_OP(CmdDispatch, Op::Dispatch, Kind::Dispatch, P(uint32_t a, uint32_t b, uint32_t c), P(a, b, c))
KILN_OP(CmdDispatchBase, Op::DispatchBase, Kind::Dispatch,
        P(uint32_t a, uint32_t b, uint32_t c, uint32_t e, uint32_t f, uint32_t g), P(a, b, c, e, f, g))
KILN_OP(CmdDispatchIndirect, Op::DispatchIndirect, Kind::Dispatch, P(VkBuffer a, VkDeviceSize b), P(a, b))
KILN_OP(CmdNextSubpass, Op::NextSubpass, Kind::Other, P(VkSubpassContents a), P(a))

VKAPI_ATTR void VKAPI_CALL CmdEndRenderPass(VkCommandBuffer cb) {
  KILN_CB;
  d.CmdEndRenderPass(cb);
  if (!s->recording) return;
  s->add<CmdOf<&DeviceDispatch::CmdEndRenderPass>, Op::EndRenderPass, Kind::Other, "vkCmdEndRenderPass">();
}
VKAPI_ATTR void VKAPI_CALL CmdEndRendering(VkCommandBuffer cb) {
  KILN_CB;
  d.CmdEndRendering(cb);
  if (!s->recording) return;
  s->add<CmdOf<&DeviceDispatch::CmdEndRendering>, Op::EndRendering, Kind::Other, "vkCmdEndRendering">();
}
VKAPI_ATTR void VKAPI_CALL CmdEndDebugUtilsLabelEXT(VkCommandBuffer cb) {
  KILN_CB;
  d.CmdEndDebugUtilsLabelEXT(cb);
  if (!s->recording) return;
  s->add<CmdOf<&DeviceDispatch::CmdEndDebugUtilsLabelEXT>, Op::EndLabel, Kind::Other, "vkCmdEndDebugUtilsLabelEXT">();
}

// Arrays of plain data.
VKAPI_ATTR void VKAPI_CALL CmdSetViewport(VkCommandBuffer cb, uint32_t first, uint32_t n, const VkViewport* v) {
  KILN_CB;
  d.CmdSetViewport(cb, first, n, v);
  if (!s->recording) return;
  KILN_REC(CmdSetViewport, Op::Generic, Kind::Other, first, n, arr(s, v, n));
}
VKAPI_ATTR void VKAPI_CALL CmdSetScissor(VkCommandBuffer cb, uint32_t first, uint32_t n, const VkRect2D* r) {
  KILN_CB;
  d.CmdSetScissor(cb, first, n, r);
  if (!s->recording) return;
  KILN_REC(CmdSetScissor, Op::Generic, Kind::Other, first, n, arr(s, r, n));
}
VKAPI_ATTR void VKAPI_CALL CmdSetViewportWithCount(VkCommandBuffer cb, uint32_t n, const VkViewport* v) {
  KILN_CB;
  d.CmdSetViewportWithCount(cb, n, v);
  if (!s->recording) return;
  KILN_REC(CmdSetViewportWithCount, Op::Generic, Kind::Other, n, arr(s, v, n));
}
VKAPI_ATTR void VKAPI_CALL CmdSetScissorWithCount(VkCommandBuffer cb, uint32_t n, const VkRect2D* r) {
  KILN_CB;
  d.CmdSetScissorWithCount(cb, n, r);
  if (!s->recording) return;
  KILN_REC(CmdSetScissorWithCount, Op::Generic, Kind::Other, n, arr(s, r, n));
}
VKAPI_ATTR void VKAPI_CALL CmdSetBlendConstants(VkCommandBuffer cb, const float c[4]) {
  KILN_CB;
  d.CmdSetBlendConstants(cb, c);
  if (!s->recording) return;
  KILN_REC(CmdSetBlendConstants, Op::Generic, Kind::Other, arr(s, c, 4));
}
VKAPI_ATTR void VKAPI_CALL CmdBindDescriptorSets(VkCommandBuffer cb, VkPipelineBindPoint bp, VkPipelineLayout layout,
                                                 uint32_t first, uint32_t n, const VkDescriptorSet* sets,
                                                 uint32_t ndyn, const uint32_t* dyn) {
  KILN_CB;
  d.CmdBindDescriptorSets(cb, bp, layout, first, n, sets, ndyn, dyn);
  if (!s->recording) return;
  KILN_REC(CmdBindDescriptorSets, Op::BindDescriptorSets, Kind::Other, bp, layout, first, n, arr(s, sets, n), ndyn,
           arr(s, dyn, ndyn));
}
VKAPI_ATTR void VKAPI_CALL CmdBindVertexBuffers(VkCommandBuffer cb, uint32_t first, uint32_t n, const VkBuffer* b,
                                                const VkDeviceSize* o) {
  KILN_CB;
  d.CmdBindVertexBuffers(cb, first, n, b, o);
  if (!s->recording) return;
  KILN_REC(CmdBindVertexBuffers, Op::BindVertexBuffers, Kind::Other, first, n, arr(s, b, n), arr(s, o, n));
}
VKAPI_ATTR void VKAPI_CALL CmdBindVertexBuffers2(VkCommandBuffer cb, uint32_t first, uint32_t n, const VkBuffer* b,
                                                 const VkDeviceSize* o, const VkDeviceSize* sz, const VkDeviceSize* st) {
  KILN_CB;
  d.CmdBindVertexBuffers2(cb, first, n, b, o, sz, st);
  if (!s->recording) return;
  KILN_REC(CmdBindVertexBuffers2, Op::BindVertexBuffers2, Kind::Other, first, n, arr(s, b, n), arr(s, o, n),
           arr(s, sz, n), arr(s, st, n));
}
// Multi-draw (VK_EXT_multi_draw): the draw infos are `stride` apart; copied packed, replayed with
// their own size as the stride. One record, one draw for the selection (the call is one command).
VKAPI_ATTR void VKAPI_CALL CmdDrawMultiEXT(VkCommandBuffer cb, uint32_t n, const VkMultiDrawInfoEXT* info,
                                           uint32_t instances, uint32_t first_instance, uint32_t stride) {
  KILN_CB;
  d.CmdDrawMultiEXT(cb, n, info, instances, first_instance, stride);
  if (!s->recording) return;
  auto* packed = static_cast<VkMultiDrawInfoEXT*>(s->arena.alloc(sizeof(VkMultiDrawInfoEXT) * std::max(n, 1u), alignof(VkMultiDrawInfoEXT)));
  for (uint32_t i = 0; i < n; ++i)
    packed[i] = *reinterpret_cast<const VkMultiDrawInfoEXT*>(reinterpret_cast<const uint8_t*>(info) + size_t(i) * stride);
  KILN_REC(CmdDrawMultiEXT, Op::DrawMulti, Kind::Draw, n, static_cast<const VkMultiDrawInfoEXT*>(packed), instances,
           first_instance, uint32_t(sizeof(VkMultiDrawInfoEXT)));
}
VKAPI_ATTR void VKAPI_CALL CmdDrawMultiIndexedEXT(VkCommandBuffer cb, uint32_t n, const VkMultiDrawIndexedInfoEXT* info,
                                                  uint32_t instances, uint32_t first_instance, uint32_t stride,
                                                  const int32_t* vertex_offset) {
  KILN_CB;
  d.CmdDrawMultiIndexedEXT(cb, n, info, instances, first_instance, stride, vertex_offset);
  if (!s->recording) return;
  auto* packed = static_cast<VkMultiDrawIndexedInfoEXT*>(
      s->arena.alloc(sizeof(VkMultiDrawIndexedInfoEXT) * std::max(n, 1u), alignof(VkMultiDrawIndexedInfoEXT)));
  for (uint32_t i = 0; i < n; ++i)
    packed[i] = *reinterpret_cast<const VkMultiDrawIndexedInfoEXT*>(reinterpret_cast<const uint8_t*>(info) + size_t(i) * stride);
  KILN_REC(CmdDrawMultiIndexedEXT, Op::DrawMultiIndexed, Kind::Draw, n,
           static_cast<const VkMultiDrawIndexedInfoEXT*>(packed), instances, first_instance,
           uint32_t(sizeof(VkMultiDrawIndexedInfoEXT)), arr(s, vertex_offset, vertex_offset ? 1u : 0u));
}

// Push descriptors: the writes with the one array each descriptor type reads (the others may point
// anywhere the program likes, or nowhere).
VKAPI_ATTR void VKAPI_CALL CmdPushDescriptorSetKHR(VkCommandBuffer cb, VkPipelineBindPoint bp, VkPipelineLayout layout,
                                                   uint32_t set, uint32_t n, const VkWriteDescriptorSet* writes) {
  KILN_CB;
  d.CmdPushDescriptorSetKHR(cb, bp, layout, set, n, writes);
  if (!s->recording) return;
  if (!plain(s, writes, n, "vkCmdPushDescriptorSetKHR")) return;  // inline uniform blocks, acceleration structures
  VkWriteDescriptorSet* c = const_cast<VkWriteDescriptorSet*>(arr(s, writes, n));
  for (uint32_t i = 0; i < n; ++i) {
    VkWriteDescriptorSet& w = c[i];
    const VkDescriptorImageInfo* images = w.pImageInfo;
    const VkDescriptorBufferInfo* buffers = w.pBufferInfo;
    const VkBufferView* views = w.pTexelBufferView;
    w.pImageInfo = nullptr;
    w.pBufferInfo = nullptr;
    w.pTexelBufferView = nullptr;
    switch (w.descriptorType) {
      case VK_DESCRIPTOR_TYPE_SAMPLER:
      case VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER:
      case VK_DESCRIPTOR_TYPE_SAMPLED_IMAGE:
      case VK_DESCRIPTOR_TYPE_STORAGE_IMAGE:
      case VK_DESCRIPTOR_TYPE_INPUT_ATTACHMENT: w.pImageInfo = arr(s, images, w.descriptorCount); break;
      case VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER:
      case VK_DESCRIPTOR_TYPE_STORAGE_BUFFER:
      case VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER_DYNAMIC:
      case VK_DESCRIPTOR_TYPE_STORAGE_BUFFER_DYNAMIC: w.pBufferInfo = arr(s, buffers, w.descriptorCount); break;
      case VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER:
      case VK_DESCRIPTOR_TYPE_STORAGE_TEXEL_BUFFER: w.pTexelBufferView = arr(s, views, w.descriptorCount); break;
      default:
        s->fail("vkCmdPushDescriptorSetKHR pushes a descriptor of type " + std::to_string(w.descriptorType) +
                " the layer does not re-record");
        return;
    }
  }
  KILN_REC(CmdPushDescriptorSetKHR, Op::PushDescriptorSet, Kind::Other, bp, layout, set, n,
           static_cast<const VkWriteDescriptorSet*>(c));
}
// Push descriptors through a template: the bytes the template reads from `data`, copied (their size
// from the template's entries, which the layer tracks).
VKAPI_ATTR void VKAPI_CALL CmdPushDescriptorSetWithTemplateKHR(VkCommandBuffer cb, VkDescriptorUpdateTemplate tmpl,
                                                               VkPipelineLayout layout, uint32_t set, const void* data) {
  KILN_CB;
  d.CmdPushDescriptorSetWithTemplateKHR(cb, tmpl, layout, set, data);
  if (!s->recording) return;
  auto t = s->device->update_templates.get(tmpl);
  const size_t size = t ? template_data_size(*t) : 0;
  if (size == 0) {
    s->fail(t ? "vkCmdPushDescriptorSetWithTemplateKHR's template holds a descriptor type the layer does not re-record"
              : "vkCmdPushDescriptorSetWithTemplateKHR's template is unknown to the layer");
    return;
  }
  // Aligned for the structs the template reads out of it.
  void* copy = s->arena.alloc(size, alignof(VkDescriptorBufferInfo));
  std::memcpy(copy, data, size);
  KILN_REC(CmdPushDescriptorSetWithTemplateKHR, Op::PushDescriptorSetWithTemplate, Kind::Other, tmpl, layout, set,
           static_cast<const void*>(copy));
}
VKAPI_ATTR void VKAPI_CALL CmdPushConstants(VkCommandBuffer cb, VkPipelineLayout layout, VkShaderStageFlags stages,
                                            uint32_t offset, uint32_t size, const void* values) {
  KILN_CB;
  d.CmdPushConstants(cb, layout, stages, offset, size, values);
  if (!s->recording) return;
  KILN_REC(CmdPushConstants, Op::PushConstants, Kind::Other, layout, stages, offset, size,
           static_cast<const void*>(arr(s, static_cast<const uint8_t*>(values), size)));
}
VKAPI_ATTR void VKAPI_CALL CmdCopyBuffer(VkCommandBuffer cb, VkBuffer src, VkBuffer dst, uint32_t n, const VkBufferCopy* r) {
  KILN_CB;
  d.CmdCopyBuffer(cb, src, dst, n, r);
  if (!s->recording) return;
  KILN_REC(CmdCopyBuffer, Op::CopyBuffer, Kind::Copy, src, dst, n, arr(s, r, n));
}
VKAPI_ATTR void VKAPI_CALL CmdCopyImage(VkCommandBuffer cb, VkImage src, VkImageLayout sl, VkImage dst, VkImageLayout dl,
                                        uint32_t n, const VkImageCopy* r) {
  KILN_CB;
  d.CmdCopyImage(cb, src, sl, dst, dl, n, r);
  if (!s->recording) return;
  KILN_REC(CmdCopyImage, Op::CopyImage, Kind::Copy, src, sl, dst, dl, n, arr(s, r, n));
}
VKAPI_ATTR void VKAPI_CALL CmdBlitImage(VkCommandBuffer cb, VkImage src, VkImageLayout sl, VkImage dst, VkImageLayout dl,
                                        uint32_t n, const VkImageBlit* r, VkFilter f) {
  KILN_CB;
  d.CmdBlitImage(cb, src, sl, dst, dl, n, r, f);
  if (!s->recording) return;
  KILN_REC(CmdBlitImage, Op::BlitImage, Kind::Copy, src, sl, dst, dl, n, arr(s, r, n), f);
}
VKAPI_ATTR void VKAPI_CALL CmdCopyBufferToImage(VkCommandBuffer cb, VkBuffer src, VkImage dst, VkImageLayout dl,
                                                uint32_t n, const VkBufferImageCopy* r) {
  KILN_CB;
  d.CmdCopyBufferToImage(cb, src, dst, dl, n, r);
  if (!s->recording) return;
  KILN_REC(CmdCopyBufferToImage, Op::CopyBufferToImage, Kind::Copy, src, dst, dl, n, arr(s, r, n));
}
VKAPI_ATTR void VKAPI_CALL CmdCopyImageToBuffer(VkCommandBuffer cb, VkImage src, VkImageLayout sl, VkBuffer dst,
                                                uint32_t n, const VkBufferImageCopy* r) {
  KILN_CB;
  d.CmdCopyImageToBuffer(cb, src, sl, dst, n, r);
  if (!s->recording) return;
  KILN_REC(CmdCopyImageToBuffer, Op::CopyImageToBuffer, Kind::Copy, src, sl, dst, n, arr(s, r, n));
}
VKAPI_ATTR void VKAPI_CALL CmdUpdateBuffer(VkCommandBuffer cb, VkBuffer dst, VkDeviceSize off, VkDeviceSize size,
                                           const void* data) {
  KILN_CB;
  d.CmdUpdateBuffer(cb, dst, off, size, data);
  if (!s->recording) return;
  KILN_REC(CmdUpdateBuffer, Op::UpdateBuffer, Kind::Copy, dst, off, size,
           static_cast<const void*>(arr(s, static_cast<const uint8_t*>(data), static_cast<uint32_t>(size))));
}
VKAPI_ATTR void VKAPI_CALL CmdClearColorImage(VkCommandBuffer cb, VkImage img, VkImageLayout l, const VkClearColorValue* c,
                                              uint32_t n, const VkImageSubresourceRange* r) {
  KILN_CB;
  d.CmdClearColorImage(cb, img, l, c, n, r);
  if (!s->recording) return;
  KILN_REC(CmdClearColorImage, Op::ClearColorImage, Kind::Copy, img, l, arr(s, c, 1), n, arr(s, r, n));
}
VKAPI_ATTR void VKAPI_CALL CmdClearDepthStencilImage(VkCommandBuffer cb, VkImage img, VkImageLayout l,
                                                     const VkClearDepthStencilValue* c, uint32_t n,
                                                     const VkImageSubresourceRange* r) {
  KILN_CB;
  d.CmdClearDepthStencilImage(cb, img, l, c, n, r);
  if (!s->recording) return;
  KILN_REC(CmdClearDepthStencilImage, Op::ClearDepthStencilImage, Kind::Copy, img, l, arr(s, c, 1), n, arr(s, r, n));
}
VKAPI_ATTR void VKAPI_CALL CmdClearAttachments(VkCommandBuffer cb, uint32_t n, const VkClearAttachment* a, uint32_t nr,
                                               const VkClearRect* r) {
  KILN_CB;
  d.CmdClearAttachments(cb, n, a, nr, r);
  if (!s->recording) return;
  KILN_REC(CmdClearAttachments, Op::ClearAttachments, Kind::Copy, n, arr(s, a, n), nr, arr(s, r, nr));
}
VKAPI_ATTR void VKAPI_CALL CmdResolveImage(VkCommandBuffer cb, VkImage src, VkImageLayout sl, VkImage dst,
                                           VkImageLayout dl, uint32_t n, const VkImageResolve* r) {
  KILN_CB;
  d.CmdResolveImage(cb, src, sl, dst, dl, n, r);
  if (!s->recording) return;
  KILN_REC(CmdResolveImage, Op::ResolveImage, Kind::Copy, src, sl, dst, dl, n, arr(s, r, n));
}
VKAPI_ATTR void VKAPI_CALL CmdExecuteCommands(VkCommandBuffer cb, uint32_t n, const VkCommandBuffer* cbs) {
  KILN_CB;
  d.CmdExecuteCommands(cb, n, cbs);
  if (!s->recording) return;
  KILN_REC(CmdExecuteCommands, Op::ExecuteCommands, Kind::Other, n, arr(s, cbs, n));
}

// Barriers: their structs carry pNext.
VKAPI_ATTR void VKAPI_CALL CmdPipelineBarrier(VkCommandBuffer cb, VkPipelineStageFlags src, VkPipelineStageFlags dst,
                                              VkDependencyFlags dep_flags, uint32_t nm, const VkMemoryBarrier* m,
                                              uint32_t nb, const VkBufferMemoryBarrier* b, uint32_t ni,
                                              const VkImageMemoryBarrier* i) {
  KILN_CB;
  d.CmdPipelineBarrier(cb, src, dst, dep_flags, nm, m, nb, b, ni, i);
  if (!s->recording) return;
  if (plain(s, m, nm, "vkCmdPipelineBarrier") && plain(s, b, nb, "vkCmdPipelineBarrier") &&
      plain(s, i, ni, "vkCmdPipelineBarrier"))
    KILN_REC(CmdPipelineBarrier, Op::Generic, Kind::Other, src, dst, dep_flags, nm, arr(s, m, nm), nb, arr(s, b, nb), ni,
             arr(s, i, ni));
}
VKAPI_ATTR void VKAPI_CALL CmdWaitEvents(VkCommandBuffer cb, uint32_t ne, const VkEvent* e, VkPipelineStageFlags src,
                                         VkPipelineStageFlags dst, uint32_t nm, const VkMemoryBarrier* m, uint32_t nb,
                                         const VkBufferMemoryBarrier* b, uint32_t ni, const VkImageMemoryBarrier* i) {
  KILN_CB;
  d.CmdWaitEvents(cb, ne, e, src, dst, nm, m, nb, b, ni, i);
  if (!s->recording) return;
  if (plain(s, m, nm, "vkCmdWaitEvents") && plain(s, b, nb, "vkCmdWaitEvents") && plain(s, i, ni, "vkCmdWaitEvents"))
    KILN_REC(CmdWaitEvents, Op::Generic, Kind::Other, ne, arr(s, e, ne), src, dst, nm, arr(s, m, nm), nb, arr(s, b, nb),
             ni, arr(s, i, ni));
}
VKAPI_ATTR void VKAPI_CALL CmdPipelineBarrier2(VkCommandBuffer cb, const VkDependencyInfo* info) {
  KILN_CB;
  d.CmdPipelineBarrier2(cb, info);
  if (!s->recording) return;
  if (const VkDependencyInfo* c = dep(s, info, "vkCmdPipelineBarrier2")) KILN_REC(CmdPipelineBarrier2, Op::Generic, Kind::Other, c);
}
VKAPI_ATTR void VKAPI_CALL CmdSetEvent2(VkCommandBuffer cb, VkEvent e, const VkDependencyInfo* info) {
  KILN_CB;
  d.CmdSetEvent2(cb, e, info);
  if (!s->recording) return;
  if (const VkDependencyInfo* c = dep(s, info, "vkCmdSetEvent2")) KILN_REC(CmdSetEvent2, Op::Generic, Kind::Other, e, c);
}
VKAPI_ATTR void VKAPI_CALL CmdWaitEvents2(VkCommandBuffer cb, uint32_t n, const VkEvent* e, const VkDependencyInfo* infos) {
  KILN_CB;
  d.CmdWaitEvents2(cb, n, e, infos);
  if (!s->recording) return;
  auto* c = static_cast<VkDependencyInfo*>(s->arena.alloc(sizeof(VkDependencyInfo) * (n ? n : 1), alignof(VkDependencyInfo)));
  for (uint32_t k = 0; k < n; ++k) {
    const VkDependencyInfo* one_dep = dep(s, &infos[k], "vkCmdWaitEvents2");
    if (!one_dep) return;
    c[k] = *one_dep;
  }
  KILN_REC(CmdWaitEvents2, Op::Generic, Kind::Other, n, arr(s, e, n), static_cast<const VkDependencyInfo*>(c));
}

// Copies with info structs (1.3 / VK_KHR_copy_commands2).
#define KILN_COPY2(Name, op, Info)                                                     \
  VKAPI_ATTR void VKAPI_CALL Name(VkCommandBuffer cb, const Info* info) {              \
    KILN_CB;                                                                           \
    d.Name(cb, info);                                                                  \
    if (!s->recording) return;                                                         \
    if (const Info* c = info2(s, info, info->pRegions, info->regionCount, "vk" #Name)) \
      KILN_REC(Name, op, Kind::Copy, c);                                               \
  }
KILN_COPY2(CmdCopyBuffer2, Op::CopyBuffer2, VkCopyBufferInfo2)
KILN_COPY2(CmdCopyImage2, Op::CopyImage2, VkCopyImageInfo2)
KILN_COPY2(CmdBlitImage2, Op::BlitImage2, VkBlitImageInfo2)
KILN_COPY2(CmdCopyBufferToImage2, Op::CopyBufferToImage2, VkCopyBufferToImageInfo2)
KILN_COPY2(CmdCopyImageToBuffer2, Op::CopyImageToBuffer2, VkCopyImageToBufferInfo2)
KILN_COPY2(CmdResolveImage2, Op::ResolveImage2, VkResolveImageInfo2)

// Render passes and dynamic rendering.
VKAPI_ATTR void VKAPI_CALL CmdBeginRenderPass(VkCommandBuffer cb, const VkRenderPassBeginInfo* b, VkSubpassContents c) {
  KILN_CB;
  d.CmdBeginRenderPass(cb, b, c);
  if (!s->recording) return;
  if (auto* copy = rp_begin(s, b, "vkCmdBeginRenderPass")) KILN_REC(CmdBeginRenderPass, Op::BeginRenderPass, Kind::Other, copy, c);
}
VKAPI_ATTR void VKAPI_CALL CmdBeginRenderPass2(VkCommandBuffer cb, const VkRenderPassBeginInfo* b,
                                               const VkSubpassBeginInfo* sb) {
  KILN_CB;
  d.CmdBeginRenderPass2(cb, b, sb);
  if (!s->recording) return;
  if (!plain(s, sb, 1, "vkCmdBeginRenderPass2")) return;
  if (auto* copy = rp_begin(s, b, "vkCmdBeginRenderPass2"))
    KILN_REC(CmdBeginRenderPass2, Op::BeginRenderPass2, Kind::Other, copy, static_cast<const VkSubpassBeginInfo*>(one(s, sb)));
}
VKAPI_ATTR void VKAPI_CALL CmdNextSubpass2(VkCommandBuffer cb, const VkSubpassBeginInfo* sb, const VkSubpassEndInfo* se) {
  KILN_CB;
  d.CmdNextSubpass2(cb, sb, se);
  if (!s->recording) return;
  if (plain(s, sb, 1, "vkCmdNextSubpass2") && plain(s, se, 1, "vkCmdNextSubpass2"))
    KILN_REC(CmdNextSubpass2, Op::NextSubpass2, Kind::Other, static_cast<const VkSubpassBeginInfo*>(one(s, sb)),
             static_cast<const VkSubpassEndInfo*>(one(s, se)));
}
VKAPI_ATTR void VKAPI_CALL CmdEndRenderPass2(VkCommandBuffer cb, const VkSubpassEndInfo* se) {
  KILN_CB;
  d.CmdEndRenderPass2(cb, se);
  if (!s->recording) return;
  if (plain(s, se, 1, "vkCmdEndRenderPass2"))
    KILN_REC(CmdEndRenderPass2, Op::EndRenderPass2, Kind::Other, static_cast<const VkSubpassEndInfo*>(one(s, se)));
}
VKAPI_ATTR void VKAPI_CALL CmdBeginRendering(VkCommandBuffer cb, const VkRenderingInfo* info) {
  KILN_CB;
  d.CmdBeginRendering(cb, info);
  if (!s->recording) return;
  if (!plain(s, info, 1, "vkCmdBeginRendering") ||
      !plain(s, info->pColorAttachments, info->colorAttachmentCount, "vkCmdBeginRendering") ||
      (info->pDepthAttachment && !plain(s, info->pDepthAttachment, 1, "vkCmdBeginRendering")) ||
      (info->pStencilAttachment && !plain(s, info->pStencilAttachment, 1, "vkCmdBeginRendering")))
    return;
  VkRenderingInfo* c = one(s, info);
  c->pColorAttachments = arr(s, info->pColorAttachments, info->colorAttachmentCount);
  c->pDepthAttachment = one(s, info->pDepthAttachment);
  c->pStencilAttachment = one(s, info->pStencilAttachment);
  KILN_REC(CmdBeginRendering, Op::BeginRendering, Kind::Other, static_cast<const VkRenderingInfo*>(c));
}

// Debug labels: the sections of the record.
VKAPI_ATTR void VKAPI_CALL CmdBeginDebugUtilsLabelEXT(VkCommandBuffer cb, const VkDebugUtilsLabelEXT* label) {
  KILN_CB;
  d.CmdBeginDebugUtilsLabelEXT(cb, label);
  if (!s->recording) return;
  VkDebugUtilsLabelEXT* c = one(s, label);
  c->pNext = nullptr;
  c->pLabelName = s->arena.copy_string(label->pLabelName ? label->pLabelName : "");
  KILN_REC(CmdBeginDebugUtilsLabelEXT, Op::BeginLabel, Kind::Other, static_cast<const VkDebugUtilsLabelEXT*>(c));
}
VKAPI_ATTR void VKAPI_CALL CmdInsertDebugUtilsLabelEXT(VkCommandBuffer cb, const VkDebugUtilsLabelEXT* label) {
  KILN_CB;
  d.CmdInsertDebugUtilsLabelEXT(cb, label);
  if (!s->recording) return;
  VkDebugUtilsLabelEXT* c = one(s, label);
  c->pNext = nullptr;
  c->pLabelName = s->arena.copy_string(label->pLabelName ? label->pLabelName : "");
  KILN_REC(CmdInsertDebugUtilsLabelEXT, Op::Generic, Kind::Other, static_cast<const VkDebugUtilsLabelEXT*>(c));
}

}  // namespace hooks
}  // namespace kiln::layer
