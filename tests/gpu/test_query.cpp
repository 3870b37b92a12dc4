// GpuTimers: scopes around real work, nesting, the frame ring without stalls, overflow, calibration.
#include <time.h>

#include <cstring>
#include <string>
#include <vector>

#include "kiln/buffer.h"
#include "kiln/commands.h"
#include "kiln/context.h"
#include "kiln/error.h"
#include "kiln/log.h"
#include "kiln/query.h"
#include "kiln/transfer.h"
#include "support/gpu_test.h"

namespace kiln {
namespace {

// KILN_SYNC2_PARAMS's lambda parameter `info` shadows one of gtest's (-Werror=shadow): same thing here.
std::string sync2_name(const ::testing::TestParamInfo<bool>& p) { return p.param ? "sync2" : "fallback"; }

using test::GpuTestSync2;

uint64_t monotonic_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
}

Buffer work_buffer(Context& ctx, VkDeviceSize size, const char* name) {
  return Buffer(ctx, {.size = size,
                      .usage = VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                      .name = name});
}

uint32_t word_at(Context& ctx, Buffer& b, VkDeviceSize offset) {
  std::vector<uint8_t> bytes = read_back_now(ctx, b, offset, 4);
  uint32_t v = 0;
  std::memcpy(&v, bytes.data(), 4);
  return v;
}

// A timeline semaphore the host signals later: holds submissions back so the "GPU is busy" paths run
// deterministically.
struct HostGate {
  Context& ctx;
  VkSemaphore sem = VK_NULL_HANDLE;
  explicit HostGate(Context& c) : ctx(c) {
    VkSemaphoreTypeCreateInfo type{VK_STRUCTURE_TYPE_SEMAPHORE_TYPE_CREATE_INFO};
    type.semaphoreType = VK_SEMAPHORE_TYPE_TIMELINE;
    VkSemaphoreCreateInfo info{VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO, &type};
    check(vkCreateSemaphore(ctx.device(), &info, nullptr, &sem), "vkCreateSemaphore");
  }
  ~HostGate() { vkDestroySemaphore(ctx.device(), sem, nullptr); }
  void open() {
    VkSemaphoreSignalInfo signal{VK_STRUCTURE_TYPE_SEMAPHORE_SIGNAL_INFO};
    signal.semaphore = sem;
    signal.value = 1;
    check(ctx.fn().signal_semaphore(ctx.device(), &signal), "vkSignalSemaphore");
  }
  uint64_t submit_behind(CommandBuffer& cmd) {
    CommandBuffer* cmds[] = {&cmd};
    const SemaphoreSubmit wait{sem, 1, VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT};
    return ctx.queue().submit({.commands = Slice<CommandBuffer*>(cmds, 1), .waits = wait});
  }
};

class GpuTimersTest : public GpuTestSync2 {};
INSTANTIATE_TEST_SUITE_P(Sync2, GpuTimersTest, ::testing::Values(true, false), sync2_name);

// Without HostQueryReset, pools are reset by commands, and a pool read before that command ran still
// shows the frame before: the stale-frame check is what keeps those values out of the results.
class GpuTimersCommandResetTest : public GpuTestSync2 {
 protected:
  void adjust(ContextDesc& desc) override {
    GpuTestSync2::adjust(desc);
    desc.disabled.push_back(Feature::HostQueryReset);
  }
};
INSTANTIATE_TEST_SUITE_P(Sync2, GpuTimersCommandResetTest, ::testing::Values(true, false), sync2_name);

TEST_P(GpuTimersTest, ScopesAroundRealWorkNestAndOrder) {
  const VkDeviceSize size = VkDeviceSize(32) << 20;
  Buffer a = work_buffer(*ctx, size, "timed.a");
  Buffer b = work_buffer(*ctx, size, "timed.b");
  GpuTimers timers(*ctx, {.name = "test timers"});
  CommandPool pool(*ctx);
  CommandBuffer cmd = pool.begin("timed frame");
  timers.begin_frame(cmd);
  {
    auto frame = timers.scope(cmd, "frame");
    {
      auto fill = cmd.time("fill");  // the timers begin_frame attached to cmd
      cmd.fill_buffer(a, 0x5eed1234u);
    }
    {
      auto copy = cmd.time(timers, "copy");
      auto inner = timers.scope(cmd, "copy.inner");
      cmd.copy_buffer(a, b);
    }
  }
  ctx->queue().wait(ctx->queue().submit(cmd));
  EXPECT_TRUE(timers.results().empty());
  timers.end_frame();
  ASSERT_TRUE(timers.collect());
  EXPECT_EQ(timers.results_frame(), 0u);

  const auto& r = timers.results();
  ASSERT_EQ(r.size(), 4u);
  const char* names[] = {"frame", "fill", "copy", "copy.inner"};
  const uint32_t depths[] = {0, 1, 1, 2};
  for (size_t i = 0; i < r.size(); ++i) {
    EXPECT_EQ(r[i].name, names[i]);
    EXPECT_EQ(r[i].depth, depths[i]) << r[i].name;
    EXPECT_GE(r[i].end_ns, r[i].begin_ns) << r[i].name;
    EXPECT_EQ(r[i].duration_ns, r[i].end_ns - r[i].begin_ns) << r[i].name;
  }
  // Children lie inside their parents; the copy starts after the fill ended (it waits on it).
  EXPECT_LE(r[0].begin_ns, r[1].begin_ns);
  EXPECT_GE(r[0].end_ns, r[2].end_ns);
  EXPECT_LE(r[1].end_ns, r[2].begin_ns);
  EXPECT_LE(r[2].begin_ns, r[3].begin_ns);
  EXPECT_GE(r[2].end_ns, r[3].end_ns);
  // 32 MiB of fill and of copy take time even on a fast GPU.
  EXPECT_GT(r[1].duration_ns, 0u);
  EXPECT_GT(r[2].duration_ns, 0u);

  std::vector<GpuScopeResult> sorted = timers.sorted_by_duration();
  ASSERT_EQ(sorted.size(), 4u);
  for (size_t i = 1; i < sorted.size(); ++i) EXPECT_GE(sorted[i - 1].duration_ns, sorted[i].duration_ns);
  const std::string report = timers.report();
  EXPECT_NE(report.find("frame "), std::string::npos) << report;
  EXPECT_NE(report.find("\n  fill "), std::string::npos) << report;
  EXPECT_NE(report.find("\n    copy.inner "), std::string::npos) << report;

  // The timed work did what it should.
  EXPECT_EQ(word_at(*ctx, b, size - 4), 0x5eed1234u);
}

// Frames run through the ring: each begin_frame publishes the frame before it (submitted and waited).
void run_ring(Context& ctx) {
  Buffer target = work_buffer(ctx, 1 << 20, "ring.target");
  GpuTimers timers(ctx, {.frames_in_flight = 3, .max_scopes = 8});
  CommandPool pool(ctx);
  for (uint32_t frame = 0; frame < 7; ++frame) {
    CommandBuffer cmd = pool.begin("ring frame");
    timers.begin_frame(cmd);
    if (frame > 0) {
      EXPECT_EQ(timers.results_frame(), frame - 1);
      ASSERT_EQ(timers.results().size(), 1u);
      EXPECT_EQ(timers.results()[0].name, str("frame ", frame - 1));
    }
    {
      auto s = timers.scope(cmd, str("frame ", frame));
      EXPECT_TRUE(s.recording());
      cmd.fill_buffer(target, frame);
    }
    ctx.queue().wait(ctx.queue().submit(cmd));
  }
  timers.end_frame();
  EXPECT_TRUE(timers.collect());
  EXPECT_EQ(timers.results_frame(), 6u);
  EXPECT_EQ(timers.stats().frames_read, 7u);
  EXPECT_EQ(timers.stats().frames_untimed, 0u);
  EXPECT_EQ(word_at(ctx, target, 0), 6u);
}

TEST_P(GpuTimersTest, FramesThroughTheRing) { run_ring(*ctx); }

TEST_P(GpuTimersTest, CmdTimeWithoutAttachedTimersSaysWhatToDo) {
  CommandPool pool(*ctx);
  CommandBuffer cmd = pool.begin("untimed");
  try {
    auto t = cmd.time("shadows");
    FAIL() << "no timers were attached";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("call timers.begin_frame(cmd) on it first"), std::string::npos) << e.what();
  }
}
TEST_P(GpuTimersCommandResetTest, FramesThroughTheRing) { run_ring(*ctx); }

// The GPU is held back: begin_frame and collect must neither wait nor publish a frame that did not run.
void run_busy_gpu(Context& ctx) {
  ASSERT_TRUE(ctx.has(Feature::TimelineSemaphore));
  Buffer target = work_buffer(ctx, 1 << 20, "busy.target");
  GpuTimers timers(ctx, {.frames_in_flight = 2, .max_scopes = 4});
  CommandPool pool(ctx);
  HostGate gate(ctx);
  auto record = [&](CommandBuffer& cmd, uint32_t frame) {
    timers.begin_frame(cmd);
    auto s = timers.scope(cmd, str("frame ", frame));
    cmd.fill_buffer(target, frame);
    return s.recording();
  };

  // Frames 0 and 1 run; frame 2 reuses frame 0's pool and is held back.
  for (uint32_t frame = 0; frame < 2; ++frame) {
    CommandBuffer cmd = pool.begin("busy frame");
    EXPECT_TRUE(record(cmd, frame));
    ctx.queue().wait(ctx.queue().submit(cmd));
  }
  CommandBuffer held2 = pool.begin("held frame 2");
  EXPECT_TRUE(record(held2, 2));
  gate.submit_behind(held2);

  // Frame 3 gets frame 1's pool (read just now); frame 2's is not readable yet: the pool may still
  // show frame 0 (command reset not run yet) or nothing (host reset), never frame 2.
  CommandBuffer held3 = pool.begin("held frame 3");
  EXPECT_TRUE(record(held3, 3));
  EXPECT_EQ(timers.results_frame(), 1u);
  EXPECT_EQ(timers.results()[0].name, "frame 1");
  gate.submit_behind(held3);

  // Frame 4 needs frame 2's pool, still unread: frame 4 goes untimed instead of waiting.
  CommandBuffer cmd4 = pool.begin("untimed frame 4");
  const uint64_t t0 = monotonic_ns();
  EXPECT_FALSE(record(cmd4, 4));
  EXPECT_LT(monotonic_ns() - t0, 1000000000ull);
  EXPECT_EQ(timers.results_frame(), 1u);
  EXPECT_EQ(timers.stats().frames_untimed, 1u);
  EXPECT_EQ(timers.stats().scopes_dropped, 1u);
  EXPECT_FALSE(timers.collect());
  EXPECT_EQ(timers.results_frame(), 1u);

  gate.open();
  gate.submit_behind(cmd4);
  ctx.queue().wait_idle();
  EXPECT_TRUE(timers.collect());
  EXPECT_EQ(timers.results_frame(), 3u);
  ASSERT_EQ(timers.results().size(), 1u);
  EXPECT_EQ(timers.results()[0].name, "frame 3");

  // The ring carries on: frame 5 is timed again.
  CommandBuffer cmd5 = pool.begin("frame 5");
  EXPECT_TRUE(record(cmd5, 5));
  ctx.queue().wait(ctx.queue().submit(cmd5));
  timers.end_frame();
  EXPECT_TRUE(timers.collect());
  EXPECT_EQ(timers.results_frame(), 5u);
  EXPECT_EQ(word_at(ctx, target, 0), 5u);
}

TEST_P(GpuTimersTest, BusyGpuNeverStallsNorPublishesUnfinishedFrames) { run_busy_gpu(*ctx); }
TEST_P(GpuTimersCommandResetTest, BusyGpuNeverStallsNorPublishesUnfinishedFrames) { run_busy_gpu(*ctx); }

TEST_P(GpuTimersTest, ScopesOverCapacityAreDroppedAndCounted) {
  Buffer target = work_buffer(*ctx, 1 << 16, "overflow.target");
  GpuTimers timers(*ctx, {.frames_in_flight = 2, .max_scopes = 3});
  CommandPool pool(*ctx);
  CommandBuffer cmd = pool.begin("overflow");
  timers.begin_frame(cmd);
  {
    auto outer = timers.scope(cmd, "outer");
    for (uint32_t i = 0; i < 5; ++i) {
      auto s = timers.scope(cmd, str("inner ", i));
      EXPECT_EQ(s.recording(), i < 2);
      cmd.fill_buffer(target, i);
    }
  }
  ctx->queue().wait(ctx->queue().submit(cmd));
  timers.end_frame();
  ASSERT_TRUE(timers.collect());
  EXPECT_EQ(timers.stats().scopes_dropped, 3u);
  ASSERT_EQ(timers.results().size(), 3u);
  EXPECT_EQ(timers.results()[0].name, "outer");
  EXPECT_EQ(timers.results()[2].name, "inner 1");
  EXPECT_EQ(timers.results()[2].depth, 1u);
  EXPECT_EQ(word_at(*ctx, target, 0), 4u);
}

TEST_P(GpuTimersTest, ScopesOutsideAFrameAndLongNamesAreSafe) {
  GpuTimers timers(*ctx, {.max_scopes = 2});
  CommandPool pool(*ctx);
  CommandBuffer cmd = pool.begin("outside");
  {
    auto s = timers.scope(cmd, "before any frame");
    EXPECT_FALSE(s.recording());
  }
  timers.begin_frame(cmd);
  const std::string long_name(200, 'x');
  { auto s = timers.scope(cmd, long_name); }
  ctx->queue().wait(ctx->queue().submit(cmd));
  timers.end_frame();
  ASSERT_TRUE(timers.collect());
  ASSERT_EQ(timers.results().size(), 1u);
  EXPECT_EQ(timers.results()[0].name, std::string(63, 'x'));
  EXPECT_EQ(timers.stats().scopes_dropped, 1u);
}

TEST_P(GpuTimersTest, CalibratedTimestampsPlaceGpuTimesOnTheCpuClock) {
  std::string why;
  std::optional<ClockCalibration> first = calibrate_clocks(*ctx, &why);
  if (!first) GTEST_SKIP() << "no calibrated timestamps: " << why;
  EXPECT_TRUE(ctx->has(Feature::CalibratedTimestamps));
  const uint64_t now = monotonic_ns();
  EXPECT_LE(first->cpu_ns, now);
  EXPECT_GT(first->cpu_ns + 1000000000ull, now);

  Buffer target = work_buffer(*ctx, VkDeviceSize(8) << 20, "calibrated.target");
  GpuTimers timers(*ctx);
  CommandPool pool(*ctx);
  CommandBuffer cmd = pool.begin("calibrated");
  timers.begin_frame(cmd);
  {
    auto s = timers.scope(cmd, "fill");
    cmd.fill_buffer(target, 7);
  }
  const uint64_t before = monotonic_ns();
  ctx->queue().wait(ctx->queue().submit(cmd));
  const uint64_t after = monotonic_ns();
  timers.end_frame();
  ASSERT_TRUE(timers.collect());

  std::optional<ClockCalibration> c = timers.calibrate();
  ASSERT_TRUE(c);
  EXPECT_GE(c->gpu_ticks, first->gpu_ticks);
  EXPECT_GE(c->cpu_ns, first->cpu_ns);
  // The scope ran between submit and the end of the wait; on the CPU clock it must lie there too.
  const GpuScopeResult& r = timers.results().at(0);
  const int64_t slack = int64_t(c->max_deviation_ns) + 100000;  // + 0.1 ms for clock rates and rounding
  EXPECT_GE(c->to_cpu_ns(r.begin_ns), int64_t(before) - slack);
  EXPECT_LE(c->to_cpu_ns(r.end_ns), int64_t(after) + slack);
}

struct NoCalibrationTest : test::GpuTest {
  void adjust(ContextDesc& desc) override { desc.disabled.push_back(Feature::CalibratedTimestamps); }
};
TEST_F(NoCalibrationTest, CalibrationAbsentSaysWhy) {
  std::string why;
  EXPECT_FALSE(calibrate_clocks(*ctx, &why));
  EXPECT_NE(why.find("calibrated_timestamps"), std::string::npos) << why;
}

}  // namespace
}  // namespace kiln
