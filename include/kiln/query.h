// kiln/query.h — named GPU time scopes per frame, read back without stalls; GPU ↔ CPU clock calibration.
//
//   kiln::GpuTimers timers(ctx, {.frames_in_flight = 3, .max_scopes = 64});
//   // every frame, first thing in the frame's command buffer:
//   timers.begin_frame(cmd);                 // collects finished frames, resets this frame's queries
//   {
//     auto t = timers.scope(cmd, "shadows");  // timestamp now ...
//     auto u = timers.scope(cmd, "cascade 0"); // nesting is fine (depth 1)
//     ...
//   }                                        // ... and at the end of each scope
//   queue.submit(cmd);
//   for (const kiln::GpuScopeResult& r : timers.results()) ...   // the latest finished frame
//
// A ring of `frames_in_flight` query pools, one per frame. A frame is read once the queue's serial
// shows its submission finished, with vkGetQueryPoolResults without the WAIT bit: a frame not finished
// (or whose queries are not all available yet) is simply not read yet. When the pool a new frame needs
// still holds an unread frame, the new frame goes untimed (its scopes record nothing) instead of
// waiting: GpuTimers never blocks. Scopes beyond `max_scopes` in one frame are dropped and counted
// (stats()). Timestamps are written at the bottom of the pipe (ALL_COMMANDS with synchronization2): a
// scope's begin is when the work recorded before it has finished.
//
// Not here: pipeline statistics or occlusion queries (raw Vulkan), CPU-side profiling, multi-queue
// timelines (one GpuTimers per queue family).
#pragma once

#include <vulkan/vulkan.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kiln/queue.h"

namespace kiln {

class Context;
class CommandBuffer;

struct GpuTimersDesc {
  uint32_t frames_in_flight = 0;  // 0: 3
  uint32_t max_scopes = 0;        // per frame; 0: 256 (two timestamp queries each)
  // The queue family the frames are recorded for: its timestampValidBits applies.
  QueueKind queue = QueueKind::Graphics;
  const char* name = nullptr;     // debug name of the query pools ("<name>[i]")
};

// One finished scope. Times are on the GPU clock in nanoseconds (timestampPeriod applied, ticks
// masked to timestampValidBits); calibrate() places them on the CPU clock.
struct GpuScopeResult {
  std::string name;
  uint32_t depth = 0;         // 0 for outermost scopes
  uint64_t begin_ns = 0;
  uint64_t end_ns = 0;
  uint64_t duration_ns = 0;   // end - begin (wrap-safe)
};

// How often GpuTimers had to give something up instead of waiting or crashing.
struct GpuTimersStats {
  uint64_t frames_begun = 0;
  uint64_t frames_read = 0;        // frames whose results were published
  uint64_t frames_untimed = 0;     // begun while their pool still held an unread frame
  uint64_t scopes_dropped = 0;     // over max_scopes, in untimed frames, or after end_frame()
};

// A simultaneous sample of the GPU timestamp clock and CLOCK_MONOTONIC (vkGetCalibratedTimestampsEXT).
struct ClockCalibration {
  uint64_t gpu_ticks = 0;        // masked like query results
  uint64_t gpu_ns = 0;           // gpu_ticks * timestampPeriod
  uint64_t cpu_ns = 0;           // CLOCK_MONOTONIC
  uint64_t max_deviation_ns = 0; // how far apart the two samples may have been taken
  // A GPU time (as in GpuScopeResult) on CLOCK_MONOTONIC.
  int64_t to_cpu_ns(uint64_t gpu_time_ns) const {
    return int64_t(cpu_ns) + (int64_t(gpu_time_ns) - int64_t(gpu_ns));
  }
};

// Needs Feature::CalibratedTimestamps and a device that calibrates its own clock against
// CLOCK_MONOTONIC; std::nullopt otherwise (why_not, when given, says which). Throws on device errors.
std::optional<ClockCalibration> calibrate_clocks(const Context& ctx, std::string* why_not = nullptr);

class GpuTimers;

// The RAII end of one scope: writes the end timestamp when destroyed (or at end()).
class GpuScope {
 public:
  GpuScope() = default;
  ~GpuScope() { end(); }
  GpuScope(GpuScope&& other) noexcept;
  GpuScope& operator=(GpuScope&& other) noexcept;
  GpuScope(const GpuScope&) = delete;
  GpuScope& operator=(const GpuScope&) = delete;

  void end();
  // False for a dropped scope (over capacity, untimed frame): it records nothing.
  bool recording() const { return timers_ != nullptr; }

 private:
  friend class GpuTimers;
  GpuScope(GpuTimers* timers, VkCommandBuffer cmd, uint32_t index, uint64_t frame)
      : timers_(timers), cmd_(cmd), index_(index), frame_(frame) {}
  GpuTimers* timers_ = nullptr;
  VkCommandBuffer cmd_ = VK_NULL_HANDLE;
  uint32_t index_ = 0;
  uint64_t frame_ = 0;
};

class GpuTimers {
 public:
  GpuTimers(Context& ctx, const GpuTimersDesc& desc = {});
  ~GpuTimers();  // the pools are destroyed deferred (context.h), so frames in flight are fine
  GpuTimers(const GpuTimers&) = delete;
  GpuTimers& operator=(const GpuTimers&) = delete;

  // First thing in a frame's command buffer (outside a render pass). Reads every finished frame (no
  // waiting), then resets the next pool: on the host with Feature::HostQueryReset, else recorded
  // into `cmd`. Closes the previous frame: its commands must be submitted before they can be read.
  void begin_frame(CommandBuffer& cmd);
  void begin_frame(VkCommandBuffer cmd);

  // Writes the begin timestamp now; the returned scope writes the end one. Does not allocate: the
  // name is copied (truncated to 63 bytes). Scopes must end in reverse order of beginning (RAII does
  // that) and within the frame's command buffers.
  [[nodiscard]] GpuScope scope(CommandBuffer& cmd, std::string_view name);
  [[nodiscard]] GpuScope scope(VkCommandBuffer cmd, std::string_view name);

  // Optional, after submitting the frame's last command buffer: no more scopes this frame, and
  // collect() may read it as soon as that submission finished, without waiting for the next
  // begin_frame. (begin_frame assumes the same of the frame before it.)
  void end_frame();
  // Reads every closed frame whose queries are all available; never waits. True when new results
  // were published. begin_frame calls it.
  bool collect();

  // The scopes of the latest frame read, in the order they began. Empty before the first one.
  const std::vector<GpuScopeResult>& results() const { return results_; }
  // Which frame results() holds (0 for the first begin_frame), or UINT64_MAX when none yet.
  uint64_t results_frame() const { return results_frame_; }
  // results(), longest first: for printing.
  std::vector<GpuScopeResult> sorted_by_duration() const;
  // "shadows 1.234 ms\n  cascade 0 0.500 ms\n": results() as an indented tree.
  std::string report() const;

  const GpuTimersStats& stats() const { return stats_; }
  // Same as calibrate_clocks(ctx).
  std::optional<ClockCalibration> calibrate(std::string* why_not = nullptr) const;

  uint32_t frames_in_flight() const { return uint32_t(slots_.size()); }
  uint32_t max_scopes() const { return max_scopes_; }
  // Nanoseconds per tick and the valid-bit mask applied to raw ticks.
  double period_ns() const { return period_; }
  uint64_t tick_mask() const { return mask_; }
  // A masked raw tick count in nanoseconds.
  uint64_t ticks_to_ns(uint64_t ticks) const;
  VkQueryPool pool(uint32_t slot) const { return slots_[slot].pool; }

 private:
  friend class GpuScope;
  static constexpr size_t kNameBytes = 64;
  struct Record {
    char name[kNameBytes];
    uint32_t depth;
    bool ended;
  };
  struct Slot {
    VkQueryPool pool = VK_NULL_HANDLE;
    std::vector<Record> records;  // max_scopes, preallocated
    uint32_t used = 0;            // scopes begun
    uint64_t frame = 0;
    bool pending = false;         // holds a begun frame not read yet
    bool closed = false;          // no more scopes will be recorded into it
    bool reset_on_gpu = false;    // its last reset was recorded into a command buffer
    uint64_t submitted_bound = 0; // queue serial the frame's submission is at or before
    uint64_t last_first_tick = 0; // query 0 of the last frame read from it (see collect())
    bool has_last = false;
  };

  void write_timestamp(VkCommandBuffer cmd, VkQueryPool pool, uint32_t query) const;
  void end_scope(VkCommandBuffer cmd, uint32_t index, uint64_t frame);
  void close_current();
  bool read_slot(Slot& slot);

  Context* ctx_;
  Queue* queue_ = nullptr;
  std::vector<Slot> slots_;
  uint32_t max_scopes_ = 0;
  double period_ = 1.0;
  uint64_t mask_ = ~uint64_t(0);
  bool enabled_ = true;  // false when the queue family has no timestamps
  bool host_reset_ = false;
  uint32_t next_slot_ = 0;
  Slot* current_ = nullptr;  // null: no frame begun, or an untimed one
  uint32_t depth_ = 0;
  uint64_t frames_ = 0;
  std::vector<uint64_t> scratch_;  // raw values + availability, 2 words per query
  std::vector<GpuScopeResult> results_;
  uint64_t results_frame_ = UINT64_MAX;
  GpuTimersStats stats_;
};

}  // namespace kiln
