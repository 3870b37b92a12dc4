// CommandBuffer lifetime, use()-driven barriers, raw barriers and debug labels.
#include <utility>

#include "kiln/barrier.h"
#include "kiln/buffer.h"
#include "kiln/commands.h"
#include "kiln/context.h"
#include "kiln/error.h"
#include "kiln/log.h"
#include "kiln/image.h"

namespace kiln {

CommandBuffer::CommandBuffer(Context& ctx, detail::CommandSlot& slot, QueueKind kind, uint32_t family)
    : ctx_(&ctx),
      slot_(&slot),
      cmd_(slot.cmd),
      fn_(&ctx.fn()),
      barrier2_(ctx.fn().cmd_pipeline_barrier2),
      kind_(kind),
      family_(family),
      recording_(true) {}

CommandBuffer::~CommandBuffer() { release_slot(); }

CommandBuffer::CommandBuffer(CommandBuffer&& other) noexcept
    : ctx_(other.ctx_),
      slot_(std::exchange(other.slot_, nullptr)),
      cmd_(std::exchange(other.cmd_, VK_NULL_HANDLE)),
      fn_(other.fn_),
      barrier2_(other.barrier2_),
      kind_(other.kind_),
      family_(other.family_),
      recording_(std::exchange(other.recording_, false)),
      pending_(std::exchange(other.pending_, false)),
      buffer_barrier_count_(std::exchange(other.buffer_barrier_count_, 0)),
      image_barrier_count_(std::exchange(other.image_barrier_count_, 0)),
      timers_(std::exchange(other.timers_, nullptr)) {
  std::copy_n(other.buffer_barriers_.begin(), buffer_barrier_count_, buffer_barriers_.begin());
  std::copy_n(other.image_barriers_.begin(), image_barrier_count_, image_barriers_.begin());
}

CommandBuffer& CommandBuffer::operator=(CommandBuffer&& other) noexcept {
  if (this != &other) {
    release_slot();
    ctx_ = other.ctx_;
    slot_ = std::exchange(other.slot_, nullptr);
    cmd_ = std::exchange(other.cmd_, VK_NULL_HANDLE);
    fn_ = other.fn_;
    barrier2_ = other.barrier2_;
    kind_ = other.kind_;
    family_ = other.family_;
    recording_ = std::exchange(other.recording_, false);
    pending_ = std::exchange(other.pending_, false);
    buffer_barrier_count_ = std::exchange(other.buffer_barrier_count_, 0);
    image_barrier_count_ = std::exchange(other.image_barrier_count_, 0);
    timers_ = std::exchange(other.timers_, nullptr);
    std::copy_n(other.buffer_barriers_.begin(), buffer_barrier_count_, buffer_barriers_.begin());
    std::copy_n(other.image_barriers_.begin(), image_barrier_count_, image_barriers_.begin());
  }
  return *this;
}

GpuScope CommandBuffer::time(std::string_view name) {
  if (!timers_) {
    throw Error(str("cmd.time(\"", name, "\"): no GpuTimers attached to this command buffer; call "
                    "timers.begin_frame(cmd) on it first, or use cmd.time(timers, name)"));
  }
  return timers_->scope(*this, name);
}

GpuScope CommandBuffer::time(GpuTimers& timers, std::string_view name) { return timers.scope(*this, name); }

void CommandBuffer::release_slot() {
  if (!slot_) return;
  // Never submitted: the pool may hand it out again at once, so it must not stay in recording state.
  if (slot_->queue == nullptr && cmd_ != VK_NULL_HANDLE) vkResetCommandBuffer(cmd_, 0);
  slot_->held = false;
  slot_ = nullptr;
  cmd_ = VK_NULL_HANDLE;
  recording_ = false;
  pending_ = false;
  buffer_barrier_count_ = image_barrier_count_ = 0;
}

void CommandBuffer::end() {
  if (!recording_) return;
  flush_barriers();
  recording_ = false;
  check(vkEndCommandBuffer(cmd_), "vkEndCommandBuffer");
}

const std::vector<std::string>& CommandBuffer::labels() const {
  static const std::vector<std::string> kNone;
  return slot_ ? slot_->labels : kNone;
}

void CommandBuffer::on_submitted(Queue& queue, uint64_t serial) {
  recording_ = false;
  if (!slot_) return;
  slot_->queue = &queue;
  slot_->serial = serial;
}

// ---- barriers ----

void CommandBuffer::record_pending_barriers() {
  VkDependencyInfo dep{VK_STRUCTURE_TYPE_DEPENDENCY_INFO};
  dep.bufferMemoryBarrierCount = buffer_barrier_count_;
  dep.pBufferMemoryBarriers = buffer_barriers_.data();
  dep.imageMemoryBarrierCount = image_barrier_count_;
  dep.pImageMemoryBarriers = image_barriers_.data();
  if (barrier2_) {
    barrier2_(cmd_, &dep);
  } else {
    pipeline_barrier_fallback(cmd_, dep);
  }
  buffer_barrier_count_ = image_barrier_count_ = 0;
  pending_ = false;
}

void CommandBuffer::queue_barrier(VkBuffer buffer, const BarrierPlan& p) {
  // Barriers of one batch are unordered among themselves: a second one for the same resource must
  // come after the first, in a batch of its own.
  bool flush = buffer_barrier_count_ == kMaxPendingBarriers;
  for (uint32_t i = 0; i < buffer_barrier_count_ && !flush; ++i) flush = buffer_barriers_[i].buffer == buffer;
  if (flush) record_pending_barriers();
  buffer_barriers_[buffer_barrier_count_++] = {VK_STRUCTURE_TYPE_BUFFER_MEMORY_BARRIER_2,
                                               nullptr,
                                               p.src_stages,
                                               p.src_access,
                                               p.dst_stages,
                                               p.dst_access,
                                               p.src_family,
                                               p.dst_family,
                                               buffer,
                                               0,
                                               VK_WHOLE_SIZE};
  pending_ = true;
}

void CommandBuffer::queue_barrier(VkImage image, VkImageSubresourceRange range, const BarrierPlan& p) {
  bool flush = image_barrier_count_ == kMaxPendingBarriers;
  for (uint32_t i = 0; i < image_barrier_count_ && !flush; ++i) flush = image_barriers_[i].image == image;
  if (flush) record_pending_barriers();
  image_barriers_[image_barrier_count_++] = {VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER_2,
                                             nullptr,
                                             p.src_stages,
                                             p.src_access,
                                             p.dst_stages,
                                             p.dst_access,
                                             p.old_layout,
                                             p.new_layout,
                                             p.src_family,
                                             p.dst_family,
                                             image,
                                             range};
  pending_ = true;
}

void CommandBuffer::use(Buffer& buffer, Use use) {
  const UsePlan plan = plan_use(buffer.state(), use_info(use), /*image=*/false, /*discard=*/false, family_);
  if (plan.acquire.needed) {
    queue_barrier(buffer.handle(), plan.acquire);
    if (plan.barrier.needed) record_pending_barriers();
  }
  if (plan.barrier.needed) queue_barrier(buffer.handle(), plan.barrier);
}

static bool is_depth_format(VkImageAspectFlags aspect) {
  return (aspect & (VK_IMAGE_ASPECT_DEPTH_BIT | VK_IMAGE_ASPECT_STENCIL_BIT)) != 0;
}

void CommandBuffer::use_image(Image& image, const UseInfo& info, bool discard) {
  const UsePlan plan = plan_use(image.state(), info, /*image=*/true, discard, family_);
  if (plan.acquire.needed) {
    queue_barrier(image.handle(), image.full_range(), plan.acquire);
    if (plan.barrier.needed) record_pending_barriers();
  }
  if (plan.barrier.needed) queue_barrier(image.handle(), image.full_range(), plan.barrier);
}

void CommandBuffer::use(Image& image, Use use, bool discard) {
  use_image(image, use_info(use, is_depth_format(image.aspect())), discard);
}

void CommandBuffer::release(Buffer& buffer, QueueKind to, Use next) {
  const uint32_t to_family = ctx_->queue(to).family();
  const BarrierPlan plan = plan_release(buffer.state(), use_info(next), false, family_, to_family);
  if (plan.needed) queue_barrier(buffer.handle(), plan);
}

void CommandBuffer::release(Image& image, QueueKind to, Use next) {
  const uint32_t to_family = ctx_->queue(to).family();
  const UseInfo info = use_info(next, is_depth_format(image.aspect()));
  const BarrierPlan plan = plan_release(image.state(), info, true, family_, to_family);
  if (plan.needed) queue_barrier(image.handle(), image.full_range(), plan);
}

void CommandBuffer::barrier(Slice<VkBufferMemoryBarrier2> buffers, Slice<VkImageMemoryBarrier2> images,
                            Slice<VkMemoryBarrier2> memory) {
  VkDependencyInfo dep{VK_STRUCTURE_TYPE_DEPENDENCY_INFO};
  dep.memoryBarrierCount = uint32_t(memory.size());
  dep.pMemoryBarriers = memory.data();
  dep.bufferMemoryBarrierCount = uint32_t(buffers.size());
  dep.pBufferMemoryBarriers = buffers.data();
  dep.imageMemoryBarrierCount = uint32_t(images.size());
  dep.pImageMemoryBarriers = images.data();
  barrier(dep);
}

void CommandBuffer::barrier(const VkDependencyInfo& dep) {
  flush_barriers();
  if (barrier2_) {
    barrier2_(cmd_, &dep);
  } else {
    pipeline_barrier_fallback(cmd_, dep);
  }
}

// ---- labels ----

void CommandBuffer::begin_label(const char* name, std::array<float, 4> color) {
  flush_barriers();
  if (slot_) slot_->labels.emplace_back(name);
  if (auto f = ctx_->fn().cmd_begin_debug_utils_label) {
    VkDebugUtilsLabelEXT label{VK_STRUCTURE_TYPE_DEBUG_UTILS_LABEL_EXT};
    label.pLabelName = name;
    for (int i = 0; i < 4; ++i) label.color[i] = color[i];
    f(cmd_, &label);
  }
}

void CommandBuffer::end_label() {
  flush_barriers();
  if (auto f = ctx_->fn().cmd_end_debug_utils_label) f(cmd_);
}

void CommandBuffer::insert_label(const char* name, std::array<float, 4> color) {
  flush_barriers();
  if (auto f = ctx_->fn().cmd_insert_debug_utils_label) {
    VkDebugUtilsLabelEXT label{VK_STRUCTURE_TYPE_DEBUG_UTILS_LABEL_EXT};
    label.pLabelName = name;
    for (int i = 0; i < 4; ++i) label.color[i] = color[i];
    f(cmd_, &label);
  }
}

}  // namespace kiln
