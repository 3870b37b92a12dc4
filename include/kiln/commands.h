// kiln/commands.h — recording command buffers: pools, barriers by use, rendering, dispatch, copies.
//
//   kiln::CommandPool pool(ctx);                     // one per thread: pools are not thread-safe
//   kiln::CommandBuffer cmd = pool.begin("frame");   // recording; recycled once its work finished
//   cmd.copy_buffer(staging, vertices);              // does its own use(): no barrier to write
//   cmd.use(texture, kiln::Use::SampledInFragment);  // queues the one barrier this needs
//   cmd.begin_rendering({.colors = {{.image = &target, .load = VK_ATTACHMENT_LOAD_OP_CLEAR}}});
//   cmd.bind_pipeline(VK_PIPELINE_BIND_POINT_GRAPHICS, pipeline);
//   cmd.draw(3);
//   cmd.end_rendering();
//   ctx.queue().submit(cmd);
//
// `use` compares a resource's ResourceState (sync.h) with the new use and queues the barrier needed;
// queued barriers wait in fixed arrays inside the CommandBuffer and go out as one vkCmdPipelineBarrier2
// right before the next recorded command (or the translation to vkCmdPipelineBarrier, barrier.h).
// Barriers are not allowed inside a rendering pass: call `use` for what a pass reads before
// begin_rendering. The recording wrappers are thin inline calls of vkCmd* (the per-draw ones through the
// device's own entry points, DeviceFunctions, which skip the loader's trampoline); everything kiln does not
// wrap is one `cmd.handle()` away.
//
// Not here: submission (queue.h), timestamps and queries (query.h), secondary command buffers.
#pragma once

#include <vulkan/vulkan.h>

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kiln/device_functions.h"
#include "kiln/query.h"
#include "kiln/queue.h"
#include "kiln/slice.h"
#include "kiln/sync.h"

namespace kiln {

class Buffer;
class Context;
class Image;
class CommandPool;

// One color attachment of a rendering pass. With `image`, kiln tracks it (use(ColorAttachment),
// discarding the old contents when `load` is CLEAR or DONT_CARE); a bare `view` is not tracked and
// must already be in COLOR_ATTACHMENT_OPTIMAL.
struct ColorAttachment {
  Image* image = nullptr;
  VkImageView view = VK_NULL_HANDLE;  // default: image->view()
  VkAttachmentLoadOp load = VK_ATTACHMENT_LOAD_OP_LOAD;
  VkAttachmentStoreOp store = VK_ATTACHMENT_STORE_OP_STORE;
  VkClearColorValue clear{};
  // Multisample resolve target (tracked like `image`); mode NONE means AVERAGE when one is given.
  Image* resolve = nullptr;
  VkImageView resolve_view = VK_NULL_HANDLE;
  VkResolveModeFlagBits resolve_mode = VK_RESOLVE_MODE_NONE;
};

// The depth (and stencil, when the format has one) attachment; none when image and view are null.
struct DepthAttachment {
  Image* image = nullptr;
  VkImageView view = VK_NULL_HANDLE;
  VkAttachmentLoadOp load = VK_ATTACHMENT_LOAD_OP_LOAD;
  VkAttachmentStoreOp store = VK_ATTACHMENT_STORE_OP_STORE;
  VkClearDepthStencilValue clear{1.0f, 0};
  bool read_only = false;  // depth test without writes: use(DepthRead) instead of DepthAttachment
};

struct RenderingDesc {
  Slice<ColorAttachment> colors;  // at most 8
  DepthAttachment depth;
  VkRect2D area{};                // zero extent: the first attachment's full extent
  uint32_t layers = 1;
  uint32_t view_mask = 0;
  VkRenderingFlags flags = 0;
};

namespace detail {
// A pool's record of one VkCommandBuffer: who holds it and which submission it waits for.
struct CommandSlot {
  VkCommandBuffer cmd = VK_NULL_HANDLE;
  Queue* queue = nullptr;  // set by on_submitted; null: never submitted since last begin
  uint64_t serial = 0;
  bool held = false;       // a CommandBuffer object refers to it
  std::vector<std::string> labels;
};
}  // namespace detail

class CommandBuffer {
 public:
  // Queued barriers before a flush is forced; more are fine, they just go out in several calls.
  static constexpr uint32_t kMaxPendingBarriers = 16;

  CommandBuffer() = default;
  // Dropping a command buffer that was never submitted resets it and gives it back to its pool.
  ~CommandBuffer();
  CommandBuffer(CommandBuffer&& other) noexcept;
  CommandBuffer& operator=(CommandBuffer&& other) noexcept;
  CommandBuffer(const CommandBuffer&) = delete;
  CommandBuffer& operator=(const CommandBuffer&) = delete;

  VkCommandBuffer handle() const { return cmd_; }
  operator VkCommandBuffer() const { return cmd_; }
  explicit operator bool() const { return cmd_ != VK_NULL_HANDLE; }
  bool recording() const { return recording_; }
  QueueKind kind() const { return kind_; }
  uint32_t family() const { return family_; }
  Context& context() const { return *ctx_; }

  // Records the pending barriers and ends recording. Queue::submit calls it when needed.
  void end();
  // The debug labels begun during this recording, for device-lost reports.
  const std::vector<std::string>& labels() const;
  // Called by Queue::submit: the pool reuses this command buffer once `queue.finished(serial)`.
  void on_submitted(Queue& queue, uint64_t serial);

  // ---- Synchronization by use (sync.h) ----
  void use(Buffer& buffer, Use use);
  // discard: the old contents do not matter (the transition starts from UNDEFINED).
  void use(Image& image, Use use, bool discard = false);
  // The release half of a queue-family ownership transfer to a queue of kind `to`, for resources
  // with exclusive sharing. Records the release here (images move to `next`'s layout); the next
  // `use` on a command buffer of the destination family records the acquire. Submit the two in
  // order with a semaphore between them. Nothing is recorded when no transfer is needed (same
  // family, or the resource has no owner yet).
  void release(Buffer& buffer, QueueKind to, Use next);
  void release(Image& image, QueueKind to, Use next);

  // Raw synchronization2 barriers (barrier.h), recorded after the pending ones.
  void barrier(Slice<VkBufferMemoryBarrier2> buffers, Slice<VkImageMemoryBarrier2> images = {},
               Slice<VkMemoryBarrier2> memory = {});
  void barrier(const VkDependencyInfo& dep);

  // Records the queued barriers now. Every recording method calls it first.
  void flush_barriers() {
    if (pending_) [[unlikely]] record_pending_barriers();
  }

  // ---- Binding and drawing: thin wrappers of vkCmd* ----
  void bind_pipeline(VkPipelineBindPoint bind_point, VkPipeline pipeline) {
    flush_barriers();
    fn_->cmd_bind_pipeline(cmd_, bind_point, pipeline);
  }
  void bind_descriptor_sets(VkPipelineBindPoint bind_point, VkPipelineLayout layout, uint32_t first_set,
                            Slice<VkDescriptorSet> sets, Slice<uint32_t> dynamic_offsets = {}) {
    flush_barriers();
    fn_->cmd_bind_descriptor_sets(cmd_, bind_point, layout, first_set, uint32_t(sets.size()), sets.data(),
                            uint32_t(dynamic_offsets.size()), dynamic_offsets.data());
  }
  void push_constants(VkPipelineLayout layout, VkShaderStageFlags stages, uint32_t offset, uint32_t size,
                      const void* data) {
    flush_barriers();
    fn_->cmd_push_constants(cmd_, layout, stages, offset, size, data);
  }
  template <class T>
  void push_constants(VkPipelineLayout layout, VkShaderStageFlags stages, const T& data, uint32_t offset = 0) {
    push_constants(layout, stages, offset, uint32_t(sizeof(T)), &data);
  }
  void bind_vertex_buffers(uint32_t first_binding, Slice<VkBuffer> buffers, Slice<VkDeviceSize> offsets) {
    flush_barriers();
    fn_->cmd_bind_vertex_buffers(cmd_, first_binding, uint32_t(buffers.size()), buffers.data(), offsets.data());
  }
  void bind_index_buffer(VkBuffer buffer, VkDeviceSize offset = 0, VkIndexType type = VK_INDEX_TYPE_UINT32) {
    flush_barriers();
    fn_->cmd_bind_index_buffer(cmd_, buffer, offset, type);
  }
  void draw(uint32_t vertex_count, uint32_t instance_count = 1, uint32_t first_vertex = 0,
            uint32_t first_instance = 0) {
    flush_barriers();
    fn_->cmd_draw(cmd_, vertex_count, instance_count, first_vertex, first_instance);
  }
  void draw_indexed(uint32_t index_count, uint32_t instance_count = 1, uint32_t first_index = 0,
                    int32_t vertex_offset = 0, uint32_t first_instance = 0) {
    flush_barriers();
    fn_->cmd_draw_indexed(cmd_, index_count, instance_count, first_index, vertex_offset, first_instance);
  }
  void draw_indirect(VkBuffer buffer, VkDeviceSize offset, uint32_t draw_count,
                     uint32_t stride = sizeof(VkDrawIndirectCommand)) {
    flush_barriers();
    vkCmdDrawIndirect(cmd_, buffer, offset, draw_count, stride);
  }
  void draw_indexed_indirect(VkBuffer buffer, VkDeviceSize offset, uint32_t draw_count,
                             uint32_t stride = sizeof(VkDrawIndexedIndirectCommand)) {
    flush_barriers();
    vkCmdDrawIndexedIndirect(cmd_, buffer, offset, draw_count, stride);
  }
  void dispatch(uint32_t x, uint32_t y = 1, uint32_t z = 1) {
    flush_barriers();
    fn_->cmd_dispatch(cmd_, x, y, z);
  }
  void dispatch_indirect(VkBuffer buffer, VkDeviceSize offset = 0) {
    flush_barriers();
    vkCmdDispatchIndirect(cmd_, buffer, offset);
  }
  void set_viewport(const VkViewport& viewport) {
    flush_barriers();
    vkCmdSetViewport(cmd_, 0, 1, &viewport);
  }
  void set_scissor(const VkRect2D& scissor) {
    flush_barriers();
    vkCmdSetScissor(cmd_, 0, 1, &scissor);
  }
  // Viewport (depth 0..1) and scissor covering `extent`.
  void set_viewport_scissor(VkExtent2D extent) {
    set_viewport({0.0f, 0.0f, float(extent.width), float(extent.height), 0.0f, 1.0f});
    set_scissor({{0, 0}, extent});
  }

  // ---- Dynamic rendering ----
  // Throws kiln::Error when the context lacks Feature::DynamicRendering.
  void begin_rendering(const RenderingDesc& desc);
  void end_rendering();

  // ---- Transfers: each does the use() of its resources ----
  // Whole: min of both sizes from offset 0.
  void copy_buffer(Buffer& src, Buffer& dst);
  void copy_buffer(Buffer& src, Buffer& dst, Slice<VkBufferCopy> regions);
  // Tightly packed texels at `offset` to/from a whole mip level (all layers).
  void copy_buffer_to_image(Buffer& src, Image& dst, uint32_t mip = 0, VkDeviceSize offset = 0);
  void copy_buffer_to_image(Buffer& src, Image& dst, Slice<VkBufferImageCopy> regions);
  void copy_image_to_buffer(Image& src, Buffer& dst, uint32_t mip = 0, VkDeviceSize offset = 0);
  void copy_image_to_buffer(Image& src, Buffer& dst, Slice<VkBufferImageCopy> regions);
  // Whole: mip 0, all layers, the smaller extent of both.
  void copy_image(Image& src, Image& dst);
  void copy_image(Image& src, Image& dst, Slice<VkImageCopy> regions);
  // Whole: mip 0 of src scaled onto mip 0 of dst, all layers.
  void blit_image(Image& src, Image& dst, VkFilter filter = VK_FILTER_LINEAR);
  void blit_image(Image& src, Image& dst, Slice<VkImageBlit> regions, VkFilter filter = VK_FILTER_LINEAR);
  void fill_buffer(Buffer& dst, uint32_t value, VkDeviceSize offset = 0, VkDeviceSize size = VK_WHOLE_SIZE);
  // At most 65536 bytes, a multiple of 4 (vkCmdUpdateBuffer's limits).
  void update_buffer(Buffer& dst, VkDeviceSize offset, VkDeviceSize size, const void* data);
  template <class T>
  void update_buffer(Buffer& dst, const T& data, VkDeviceSize offset = 0) {
    update_buffer(dst, offset, sizeof(T), &data);
  }
  // Whole image, every mip and layer (old contents discarded).
  void clear_color_image(Image& image, const VkClearColorValue& color);
  void clear_depth_stencil_image(Image& image, const VkClearDepthStencilValue& value);
  // Fills mips 1.. from mip 0 by successive blits (linear where the format filters, else nearest),
  // then leaves the whole image ready for `final_use`. Throws kiln::Error when the format cannot be
  // blitted. With linear filtering and even sizes, each texel is the average of the 2x2 above it.
  void generate_mips(Image& image, Use final_use);

  // ---- Debug labels (VK_EXT_debug_utils when present; the text is kept for device-lost reports) ----
  void begin_label(const char* name, std::array<float, 4> color = {});
  void end_label();
  void insert_label(const char* name, std::array<float, 4> color = {});

  class LabelScope {
   public:
    explicit LabelScope(CommandBuffer* cmd) : cmd_(cmd) {}
    LabelScope(LabelScope&& other) noexcept : cmd_(other.cmd_) { other.cmd_ = nullptr; }
    LabelScope(const LabelScope&) = delete;
    LabelScope& operator=(const LabelScope&) = delete;
    LabelScope& operator=(LabelScope&&) = delete;
    ~LabelScope() {
      if (cmd_) cmd_->end_label();
    }

   private:
    CommandBuffer* cmd_;
  };
  // ---- Timing (query.h): `auto t = cmd.time("shadows");` writes a begin timestamp now and an end one
  // when `t` goes, into the GpuTimers that timers.begin_frame(cmd) attached to this command buffer.
  [[nodiscard]] GpuScope time(std::string_view name);
  [[nodiscard]] GpuScope time(GpuTimers& timers, std::string_view name);
  void attach_timers(GpuTimers* timers) { timers_ = timers; }

  // begin_label now, end_label when the scope ends: `auto scope = cmd.label("shadows");`
  [[nodiscard]] LabelScope label(const char* name, std::array<float, 4> color = {}) {
    begin_label(name, color);
    return LabelScope(this);
  }

 private:
  friend class CommandPool;
  CommandBuffer(Context& ctx, detail::CommandSlot& slot, QueueKind kind, uint32_t family);

  void record_pending_barriers();
  void queue_barrier(VkBuffer buffer, const BarrierPlan& plan);
  void queue_barrier(VkImage image, VkImageSubresourceRange range, const BarrierPlan& plan);
  void use_image(Image& image, const UseInfo& info, bool discard);
  void release_slot();

  Context* ctx_ = nullptr;
  detail::CommandSlot* slot_ = nullptr;
  VkCommandBuffer cmd_ = VK_NULL_HANDLE;
  const DeviceFunctions* fn_ = nullptr;             // the context's: per-draw commands
  PFN_vkCmdPipelineBarrier2 barrier2_ = nullptr;  // null: translate (barrier.h)
  QueueKind kind_ = QueueKind::Graphics;
  uint32_t family_ = VK_QUEUE_FAMILY_IGNORED;
  bool recording_ = false;
  bool pending_ = false;
  uint32_t buffer_barrier_count_ = 0;
  uint32_t image_barrier_count_ = 0;
  GpuTimers* timers_ = nullptr;
  std::array<VkBufferMemoryBarrier2, kMaxPendingBarriers> buffer_barriers_;
  std::array<VkImageMemoryBarrier2, kMaxPendingBarriers> image_barriers_;
};

// Command buffers of one queue kind. Not thread-safe: give each recording thread its own pool.
// The pool must outlive the command buffers it hands out. Dropping it while its work is in flight is
// fine: the VkCommandPool is destroyed once that work finished (Context::defer).
class CommandPool {
 public:
  CommandPool(Context& ctx, QueueKind kind = QueueKind::Graphics, const char* name = nullptr);
  ~CommandPool();
  CommandPool(const CommandPool&) = delete;
  CommandPool& operator=(const CommandPool&) = delete;

  // A primary command buffer in the recording state (ONE_TIME_SUBMIT), reusing one whose last
  // submission finished when there is one. `name` becomes its debug name.
  CommandBuffer begin(const char* name = nullptr);

  VkCommandPool handle() const { return pool_; }
  QueueKind kind() const { return kind_; }
  uint32_t family() const { return family_; }
  Context& context() const { return *ctx_; }
  // VkCommandBuffers allocated so far (in use, in flight and free).
  size_t allocated() const { return slots_.size(); }

 private:
  Context* ctx_;
  QueueKind kind_;
  uint32_t family_;
  VkCommandPool pool_ = VK_NULL_HANDLE;
  std::string name_;
  std::vector<std::unique_ptr<detail::CommandSlot>> slots_;
};

// Records `record` into a fresh command buffer of the `kind` queue, submits it and waits for it.
// Blocking by name: for tools, tests and one-time setup, not for frames.
void run_now(Context& ctx, QueueKind kind, const std::function<void(CommandBuffer&)>& record);
inline void run_now(Context& ctx, const std::function<void(CommandBuffer&)>& record) {
  run_now(ctx, QueueKind::Graphics, record);
}

}  // namespace kiln
