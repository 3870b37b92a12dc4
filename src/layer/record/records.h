// One command buffer's record: every vkCmd* as a compact node (which command, its arguments by value,
// arrays copied into the command buffer's arena), in order, back to back in a RecordList. A record replays itself into another
// command buffer (the hook re-records with copies around the selected command) and describes itself
// for the list of a frame's commands. Commands the hook needs to understand (binds, render passes,
// draws with buffers, copies) have their own `Op`; the rest are generic.
#pragma once

#include <vulkan/vulkan.h>

#include <cstdint>
#include <new>
#include <ostream>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

#include "dispatch/dispatch.h"
#include "record/arena.h"
#include "record/record_list.h"

namespace kiln::layer {

// What the selection counts: draws = vkCmdDraw*, dispatches = vkCmdDispatch*, copies = vkCmdCopy*,
// Blit, Resolve, Fill, Update, Clear*.
enum class Kind : uint8_t { Other, Draw, Dispatch, Copy };

enum class Op : uint16_t {
  Generic,
  BindPipeline, BindDescriptorSets, PushDescriptorSet, PushDescriptorSetWithTemplate, PushConstants,
  BindVertexBuffers, BindVertexBuffers2,
  BindIndexBuffer,
  BeginRendering, EndRendering, BeginRenderPass, NextSubpass, EndRenderPass,
  BeginRenderPass2, NextSubpass2, EndRenderPass2,
  ExecuteCommands, BeginLabel, EndLabel,
  Draw, DrawIndexed, DrawIndirect, DrawIndexedIndirect, DrawIndirectCount, DrawIndexedIndirectCount,
  DrawMulti, DrawMultiIndexed,
  Dispatch, DispatchBase, DispatchIndirect,
  CopyBuffer, CopyImage, BlitImage, CopyBufferToImage, CopyImageToBuffer, UpdateBuffer, FillBuffer,
  ClearColorImage, ClearDepthStencilImage, ClearAttachments, ResolveImage,
  CopyBuffer2, CopyImage2, BlitImage2, CopyBufferToImage2, CopyImageToBuffer2, ResolveImage2,
};

struct Cmd;

// What a record is, shared by every record of that command: one static object per command, so that a
// record carries a single pointer to it instead of a name, an op, a kind and a vtable pointer. Records
// are written by the hundred thousand a frame; their bytes are most of what the layer costs a program
// that records (bench_layer: 32 bytes more a record made recording 4% slower on an H100).
struct CmdType {
  const char* name;
  Op op;
  Kind kind;
  uint32_t size;  // of the record: where the next one starts

  void (*replay)(const Cmd&, VkCommandBuffer, const DeviceDispatch&);
  void (*print_args)(const Cmd&, std::ostream&);
};

struct Cmd {
  const CmdType* type = nullptr;
  const char* name() const { return type->name; }
  Op op() const { return type->op; }
  Kind kind() const { return type->kind; }
  void replay(VkCommandBuffer cb, const DeviceDispatch& d) const { type->replay(*this, cb, d); }
  std::string describe() const;  // "vkCmdDraw(3, 1, 0, 0)"
};

// A command's name as a template argument ("vkCmdDraw"), for its CmdType.
template <size_t N>
struct CmdName {
  char text[N];
  constexpr CmdName(const char (&s)[N]) {
    for (size_t i = 0; i < N; ++i) text[i] = s[i];
  }
};

template <class T>
void print_arg(std::ostream& out, const T& v) {
  if constexpr (std::is_pointer_v<T>) {
    if constexpr (std::is_const_v<std::remove_pointer_t<T>>) {
      out << (v ? "[...]" : "null");  // an array (copied) or a struct
    } else {
      out << "0x" << std::hex << reinterpret_cast<uintptr_t>(v) << std::dec;  // a handle
    }
  } else if constexpr (std::is_enum_v<T>) {
    out << static_cast<int64_t>(v);
  } else {
    out << v;
  }
}

// A command whose arguments are scalars, handles and arrays already copied into the arena: the
// tuple is exactly the driver call's arguments after the command buffer.
template <auto Member, class... A>
struct GenericCmd final : Cmd {
  std::tuple<A...> args;
  static void replay_args(const Cmd& c, VkCommandBuffer cb, const DeviceDispatch& d) {
    std::apply([&](const A&... a) { (d.*Member)(cb, a...); }, static_cast<const GenericCmd&>(c).args);
  }
  static void print(const Cmd& c, std::ostream& out) {
    bool first = true;
    std::apply([&](const A&... a) { ((out << (first ? "" : ", "), print_arg(out, a), first = false), ...); },
               static_cast<const GenericCmd&>(c).args);
  }
};

// The CmdType of records of type T (a GenericCmd) made as command `name`.
template <class T, Op op, Kind kind, CmdName name>
inline constexpr CmdType kCmdType{name.text, op, kind, uint32_t(sizeof(T)), &T::replay_args, &T::print};

// Calls f(const Cmd&) for each record of `list`, in order.
template <class F>
void for_each_cmd(const RecordList& list, F&& f) {
  list.for_each([&](const std::byte* p) { f(*std::launder(reinterpret_cast<const Cmd*>(p))); },
                [](const std::byte* p) { return std::launder(reinterpret_cast<const Cmd*>(p))->type->size; });
}

// The record type of a command: its arguments are exactly the driver call's (after the command buffer).
template <class F>
struct FnArgs;
template <class R, class... A>
struct FnArgs<R(VKAPI_PTR*)(VkCommandBuffer, A...)> {
  template <auto M>
  using Cmd = GenericCmd<M, A...>;
};
template <auto Member>
using CmdOf = typename FnArgs<std::remove_cvref_t<decltype(std::declval<DeviceDispatch>().*Member)>>::template Cmd<Member>;

// Commands the hook reads the arguments of: their concrete types, by Op.
using BindPipelineCmd = CmdOf<&DeviceDispatch::CmdBindPipeline>;
using BindDescriptorSetsCmd = CmdOf<&DeviceDispatch::CmdBindDescriptorSets>;
using PushDescriptorSetCmd = CmdOf<&DeviceDispatch::CmdPushDescriptorSetKHR>;
using PushDescriptorSetWithTemplateCmd = CmdOf<&DeviceDispatch::CmdPushDescriptorSetWithTemplateKHR>;
using PushConstantsCmd = CmdOf<&DeviceDispatch::CmdPushConstants>;
using BindVertexBuffersCmd = CmdOf<&DeviceDispatch::CmdBindVertexBuffers>;
using BindVertexBuffers2Cmd = CmdOf<&DeviceDispatch::CmdBindVertexBuffers2>;
using BindIndexBufferCmd = CmdOf<&DeviceDispatch::CmdBindIndexBuffer>;
using ExecuteCommandsCmd = CmdOf<&DeviceDispatch::CmdExecuteCommands>;
using BeginRenderingCmd = CmdOf<&DeviceDispatch::CmdBeginRendering>;
using BeginRenderPassCmd = CmdOf<&DeviceDispatch::CmdBeginRenderPass>;
using NextSubpassCmd = CmdOf<&DeviceDispatch::CmdNextSubpass>;
using BeginRenderPass2Cmd = CmdOf<&DeviceDispatch::CmdBeginRenderPass2>;
using NextSubpass2Cmd = CmdOf<&DeviceDispatch::CmdNextSubpass2>;
using BeginLabelCmd = CmdOf<&DeviceDispatch::CmdBeginDebugUtilsLabelEXT>;
using DrawCmd = CmdOf<&DeviceDispatch::CmdDraw>;
using DrawIndexedCmd = CmdOf<&DeviceDispatch::CmdDrawIndexed>;
using DrawIndirectCmd = CmdOf<&DeviceDispatch::CmdDrawIndirect>;
using DrawIndexedIndirectCmd = CmdOf<&DeviceDispatch::CmdDrawIndexedIndirect>;
using DrawIndirectCountCmd = CmdOf<&DeviceDispatch::CmdDrawIndirectCount>;
using DrawIndexedIndirectCountCmd = CmdOf<&DeviceDispatch::CmdDrawIndexedIndirectCount>;
using DrawMultiCmd = CmdOf<&DeviceDispatch::CmdDrawMultiEXT>;
using DrawMultiIndexedCmd = CmdOf<&DeviceDispatch::CmdDrawMultiIndexedEXT>;
using DispatchIndirectCmd = CmdOf<&DeviceDispatch::CmdDispatchIndirect>;
using CopyBufferCmd = CmdOf<&DeviceDispatch::CmdCopyBuffer>;
using CopyImageCmd = CmdOf<&DeviceDispatch::CmdCopyImage>;
using BlitImageCmd = CmdOf<&DeviceDispatch::CmdBlitImage>;
using CopyBufferToImageCmd = CmdOf<&DeviceDispatch::CmdCopyBufferToImage>;
using CopyImageToBufferCmd = CmdOf<&DeviceDispatch::CmdCopyImageToBuffer>;
using UpdateBufferCmd = CmdOf<&DeviceDispatch::CmdUpdateBuffer>;
using FillBufferCmd = CmdOf<&DeviceDispatch::CmdFillBuffer>;
using ClearColorImageCmd = CmdOf<&DeviceDispatch::CmdClearColorImage>;
using ClearDepthStencilImageCmd = CmdOf<&DeviceDispatch::CmdClearDepthStencilImage>;
using ResolveImageCmd = CmdOf<&DeviceDispatch::CmdResolveImage>;
using CopyBuffer2Cmd = CmdOf<&DeviceDispatch::CmdCopyBuffer2>;
using CopyImage2Cmd = CmdOf<&DeviceDispatch::CmdCopyImage2>;
using BlitImage2Cmd = CmdOf<&DeviceDispatch::CmdBlitImage2>;
using CopyBufferToImage2Cmd = CmdOf<&DeviceDispatch::CmdCopyBufferToImage2>;
using CopyImageToBuffer2Cmd = CmdOf<&DeviceDispatch::CmdCopyImageToBuffer2>;
using ResolveImage2Cmd = CmdOf<&DeviceDispatch::CmdResolveImage2>;

// The draws a vkCmdDrawMulti*EXT record holds (each counts as one draw for the selection); 0 for any
// other command.
inline uint32_t multi_draw_count(const Cmd& c) {
  if (c.op() == Op::DrawMulti) return std::get<0>(static_cast<const DrawMultiCmd&>(c).args);
  if (c.op() == Op::DrawMultiIndexed) return std::get<0>(static_cast<const DrawMultiIndexedCmd&>(c).args);
  return 0;
}

template <class T>
const T& as(const Cmd& c) { return static_cast<const T&>(c); }
template <size_t I, class T>
const auto& arg(const Cmd& c) { return std::get<I>(static_cast<const T&>(c).args); }

}  // namespace kiln::layer
