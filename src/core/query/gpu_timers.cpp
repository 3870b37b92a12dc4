#include <algorithm>
#include <cstring>
#include <utility>

#include "kiln/commands.h"
#include "kiln/context.h"
#include "kiln/error.h"
#include "kiln/log.h"
#include "kiln/query.h"

namespace kiln {

GpuScope::GpuScope(GpuScope&& other) noexcept
    : timers_(std::exchange(other.timers_, nullptr)),
      cmd_(other.cmd_),
      index_(other.index_),
      frame_(other.frame_) {}

GpuScope& GpuScope::operator=(GpuScope&& other) noexcept {
  if (this != &other) {
    end();
    timers_ = std::exchange(other.timers_, nullptr);
    cmd_ = other.cmd_;
    index_ = other.index_;
    frame_ = other.frame_;
  }
  return *this;
}

void GpuScope::end() {
  if (GpuTimers* t = std::exchange(timers_, nullptr)) t->end_scope(cmd_, index_, frame_);
}

GpuTimers::GpuTimers(Context& ctx, const GpuTimersDesc& desc) : ctx_(&ctx) {
  const uint32_t frames = desc.frames_in_flight ? desc.frames_in_flight : 3;
  max_scopes_ = desc.max_scopes ? desc.max_scopes : 256;
  period_ = double(ctx.limits().timestampPeriod);
  queue_ = &ctx.queue(desc.queue);
  const uint32_t family = queue_->family();
  const uint32_t bits = ctx.info().queue_families[family].timestampValidBits;
  enabled_ = bits > 0;
  mask_ = bits >= 64 ? ~uint64_t(0) : (uint64_t(1) << bits) - 1;
  host_reset_ = ctx.has(Feature::HostQueryReset) && ctx.fn().reset_query_pool != nullptr;
  if (!enabled_) {
    log_once(LogLevel::Warn, "gpu-timers-no-timestamps",
             str("GpuTimers: queue family ", family, " has no timestamps; scopes record nothing"));
  }

  const std::string base = desc.name ? desc.name : "gpu timers";
  with_context(str("creating GPU timers '", base, "'"), [&] {
    slots_.resize(frames);
    for (uint32_t i = 0; i < frames; ++i) {
      Slot& slot = slots_[i];
      slot.records.resize(max_scopes_);
      if (!enabled_) continue;
      VkQueryPoolCreateInfo info{VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO};
      info.queryType = VK_QUERY_TYPE_TIMESTAMP;
      info.queryCount = 2 * max_scopes_;
      check(vkCreateQueryPool(ctx.device(), &info, nullptr, &slot.pool), "vkCreateQueryPool");
      ctx.set_name(slot.pool, str(base, "[", i, "]"));
    }
  });
  scratch_.resize(size_t(4) * max_scopes_);
  results_.reserve(max_scopes_);
}

GpuTimers::~GpuTimers() {
  VkDevice device = ctx_->device();
  for (Slot& slot : slots_) {
    if (slot.pool == VK_NULL_HANDLE) continue;
    VkQueryPool pool = slot.pool;
    ctx_->defer([device, pool] { vkDestroyQueryPool(device, pool, nullptr); });
  }
}

uint64_t GpuTimers::ticks_to_ns(uint64_t ticks) const {
  // long double keeps 64 bits of mantissa: no precision lost on large tick counts.
  return uint64_t((long double)(ticks & mask_) * (long double)period_);
}

void GpuTimers::write_timestamp(VkCommandBuffer cmd, VkQueryPool pool, uint32_t query) const {
  // Bottom of the pipe for both ends: a timestamp marks when the work recorded before it finished.
  if (ctx_->has(Feature::Synchronization2) && ctx_->fn().cmd_write_timestamp2) {
    ctx_->fn().cmd_write_timestamp2(cmd, VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT, pool, query);
  } else {
    vkCmdWriteTimestamp(cmd, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, pool, query);
  }
}

void GpuTimers::close_current() {
  if (current_) {
    current_->closed = true;
    // The frame was submitted by now (that is the contract of end_frame and of the next begin_frame):
    // its serial is at most the queue's latest.
    current_->submitted_bound = queue_->last_submitted();
  }
  current_ = nullptr;
  depth_ = 0;
}

void GpuTimers::begin_frame(VkCommandBuffer cmd) {
  close_current();
  collect();
  const uint64_t frame = frames_++;
  ++stats_.frames_begun;
  if (!enabled_) return;

  Slot& slot = slots_[next_slot_];
  if (slot.pending) {
    // Its previous frame is not finished (or not submitted): waiting is what we promise not to do.
    ++stats_.frames_untimed;
    return;
  }
  next_slot_ = (next_slot_ + 1) % uint32_t(slots_.size());
  if (host_reset_) {
    ctx_->fn().reset_query_pool(ctx_->device(), slot.pool, 0, 2 * max_scopes_);
    slot.reset_on_gpu = false;
  } else {
    vkCmdResetQueryPool(cmd, slot.pool, 0, 2 * max_scopes_);
    slot.reset_on_gpu = true;
  }
  slot.used = 0;
  slot.frame = frame;
  slot.pending = true;
  slot.closed = false;
  current_ = &slot;
}

GpuScope GpuTimers::scope(VkCommandBuffer cmd, std::string_view name) {
  if (!current_ || current_->used >= max_scopes_) {
    ++stats_.scopes_dropped;
    return {};
  }
  const uint32_t index = current_->used++;
  Record& r = current_->records[index];
  const size_t n = std::min(name.size(), kNameBytes - 1);
  std::memcpy(r.name, name.data(), n);
  r.name[n] = '\0';
  r.depth = depth_++;
  r.ended = false;
  write_timestamp(cmd, current_->pool, 2 * index);
  return GpuScope(this, cmd, index, current_->frame);
}

void GpuTimers::end_scope(VkCommandBuffer cmd, uint32_t index, uint64_t frame) {
  // A scope outliving its frame (or ended after end_frame) cannot write into a pool that may be reset.
  if (!current_ || current_->frame != frame) {
    ++stats_.scopes_dropped;
    return;
  }
  write_timestamp(cmd, current_->pool, 2 * index + 1);
  current_->records[index].ended = true;
  if (depth_ > 0) --depth_;
}

void GpuTimers::begin_frame(CommandBuffer& cmd) {
  cmd.flush_barriers();
  cmd.attach_timers(this);
  begin_frame(cmd.handle());
}

GpuScope GpuTimers::scope(CommandBuffer& cmd, std::string_view name) {
  // Barriers queued by use() belong before the timestamp: they are part of the work being timed.
  cmd.flush_barriers();
  return scope(cmd.handle(), name);
}

void GpuTimers::end_frame() { close_current(); }

bool GpuTimers::read_slot(Slot& slot) {
  // Asking the driver about unfinished work costs a call, and some drivers (lavapipe) wait in
  // vkGetQueryPoolResults even without the WAIT bit: only ask once the queue got past the frame.
  if (!queue_->finished(slot.submitted_bound)) return false;
  const uint32_t count = 2 * slot.used;
  if (count > 0) {
    // No WAIT bit: VK_NOT_READY still fills the availability word of every query.
    VkResult r = vkGetQueryPoolResults(ctx_->device(), slot.pool, 0, count, count * 2 * sizeof(uint64_t),
                                       scratch_.data(), 2 * sizeof(uint64_t),
                                       VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WITH_AVAILABILITY_BIT);
    if (r != VK_NOT_READY) check(r, "vkGetQueryPoolResults");
    auto value = [&](uint32_t q) { return scratch_[2 * q]; };
    auto available = [&](uint32_t q) { return scratch_[2 * q + 1] != 0; };
    for (uint32_t i = 0; i < slot.used; ++i) {
      if (!available(2 * i)) return false;
      if (slot.records[i].ended && !available(2 * i + 1)) return false;
    }
    // A reset recorded into a command buffer takes effect only when the GPU reaches it; until then the
    // pool still shows the previous frame read from it, as available. Timestamps only grow, so an
    // unchanged first one means the reset has not run yet.
    if (slot.reset_on_gpu && slot.has_last && value(0) == slot.last_first_tick) return false;

    slot.last_first_tick = value(0);
    slot.has_last = true;
    results_.resize(0);
    for (uint32_t i = 0; i < slot.used; ++i) {
      const Record& rec = slot.records[i];
      if (!rec.ended) continue;  // never closed: no end timestamp
      const uint64_t b = value(2 * i) & mask_;
      const uint64_t e = value(2 * i + 1) & mask_;
      GpuScopeResult& out = results_.emplace_back();
      out.name.assign(rec.name);
      out.depth = rec.depth;
      out.begin_ns = ticks_to_ns(b);
      out.end_ns = ticks_to_ns(e);
      out.duration_ns = ticks_to_ns((e - b) & mask_);
    }
  } else {
    results_.resize(0);
  }
  results_frame_ = slot.frame;
  slot.pending = false;
  ++stats_.frames_read;
  return true;
}

bool GpuTimers::collect() {
  if (!enabled_) return false;
  bool any = false;
  // Oldest first, from the next slot to be reused; frames on one queue finish in order, so the first
  // unfinished one ends the scan.
  const uint32_t n = uint32_t(slots_.size());
  for (uint32_t k = 0; k < n; ++k) {
    Slot& slot = slots_[(next_slot_ + k) % n];
    if (!slot.pending) continue;
    if (!slot.closed) break;
    if (!read_slot(slot)) break;
    any = true;
  }
  return any;
}

std::vector<GpuScopeResult> GpuTimers::sorted_by_duration() const {
  std::vector<GpuScopeResult> sorted = results_;
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const GpuScopeResult& a, const GpuScopeResult& b) { return a.duration_ns > b.duration_ns; });
  return sorted;
}

std::string GpuTimers::report() const {
  std::string out;
  for (const GpuScopeResult& r : results_) {
    const uint64_t us = (r.duration_ns + 500) / 1000;  // microseconds, rounded
    out += str(std::string(2 * r.depth, ' '), r.name, " ", us / 1000, ".",
               std::string(us % 1000 < 100 ? (us % 1000 < 10 ? 2 : 1) : 0, '0'), us % 1000, " ms\n");
  }
  return out;
}

std::optional<ClockCalibration> GpuTimers::calibrate(std::string* why_not) const {
  return calibrate_clocks(*ctx_, why_not);
}

}  // namespace kiln
