// use() barriers, raw barriers and queue-family ownership transfers on lavapipe, with and without
// synchronization2. Synchronization validation is on: a missing or wrong barrier fails the test,
// and the data read back shows the GPU did what was recorded.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "cmd_double_comp.h"
#include "cmd_fill_comp.h"
#include "kiln/barrier.h"
#include "kiln/buffer.h"
#include "kiln/commands.h"
#include "kiln/context.h"
#include "kiln/image.h"
#include "support/gpu_test.h"
#include "support/raw_pipelines.h"

namespace kiln {
namespace {

using test::GpuTestSync2;
using test::ComputePipeline;

Buffer readback_buffer(Context& ctx, VkDeviceSize size) {
  return Buffer(ctx, {.size = size, .usage = VK_BUFFER_USAGE_TRANSFER_DST_BIT, .memory = MemoryIntent::Readback,
                      .name = "readback"});
}

std::vector<uint32_t> read_words(const Buffer& b) {
  b.invalidate();
  std::vector<uint32_t> out(b.size() / 4);
  std::memcpy(out.data(), b.mapped(), out.size() * 4);
  return out;
}

struct FillPush {
  uint32_t count, mul, add;
};
struct DoublePush {
  uint32_t count;
};

constexpr VkBufferUsageFlags kStorage =
    VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT;

class Sync : public GpuTestSync2 {};
// As KILN_SYNC2_PARAMS(Sync), whose lambda parameter `info` shadows one of gtest's (-Werror=shadow).
std::string sync2_name(const ::testing::TestParamInfo<bool>& p) { return p.param ? "sync2" : "fallback"; }
INSTANTIATE_TEST_SUITE_P(Sync2, Sync, ::testing::Values(true, false), sync2_name);

TEST_P(Sync, ComputeChainsThroughUse) {
  constexpr uint32_t kCount = 256;
  ComputePipeline fill(*ctx, cmd_fill_comp, sizeof(cmd_fill_comp), 1, sizeof(FillPush));
  ComputePipeline twice(*ctx, cmd_double_comp, sizeof(cmd_double_comp), 2, sizeof(DoublePush));
  Buffer a(*ctx, {.size = kCount * 4, .usage = kStorage, .name = "a"});
  Buffer b(*ctx, {.size = kCount * 4, .usage = kStorage, .name = "b"});
  Buffer out_b = readback_buffer(*ctx, kCount * 4);
  Buffer out_a = readback_buffer(*ctx, kCount * 4);
  VkDescriptorSet fill_a = fill.set({a.handle()});
  VkDescriptorSet a_to_b = twice.set({a.handle(), b.handle()});
  const uint32_t groups = kCount / 64;

  run_now(*ctx, QueueKind::Graphics, [&](CommandBuffer& cmd) {
    cmd.use(a, Use::StorageWriteInCompute);
    fill.run(cmd, fill_a, FillPush{kCount, 1, 0}, groups);  // a = i
    cmd.use(a, Use::StorageReadInCompute);                  // RAW: compute -> compute
    cmd.use(b, Use::StorageWriteInCompute);
    twice.run(cmd, a_to_b, DoublePush{kCount}, groups);     // b = 2i + 1
    cmd.use(a, Use::StorageWriteInCompute);                 // WAR on a
    fill.run(cmd, fill_a, FillPush{kCount, 5, 2}, groups);  // a = 5i + 2
    cmd.copy_buffer(b, out_b);
    cmd.copy_buffer(a, out_a);
    cmd.use(out_a, Use::HostRead);
    cmd.use(out_b, Use::HostRead);
  });
  const std::vector<uint32_t> va = read_words(out_a), vb = read_words(out_b);
  for (uint32_t i = 0; i < kCount; ++i) {
    ASSERT_EQ(vb[i], 2 * i + 1) << i;
    ASSERT_EQ(va[i], 5 * i + 2) << i;
  }
}

TEST_P(Sync, IndirectDispatchArgumentsWrittenByTransfer) {
  // Transfer write -> DRAW_INDIRECT read: a stage outside transfer and shaders.
  constexpr uint32_t kCount = 192;
  ComputePipeline fill(*ctx, cmd_fill_comp, sizeof(cmd_fill_comp), 1, sizeof(FillPush));
  Buffer args(*ctx, {.size = sizeof(VkDispatchIndirectCommand),
                     .usage = VK_BUFFER_USAGE_INDIRECT_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                     .name = "args"});
  Buffer values(*ctx, {.size = kCount * 4, .usage = kStorage, .name = "values"});
  Buffer out = readback_buffer(*ctx, kCount * 4);
  VkDescriptorSet set = fill.set({values.handle()});
  run_now(*ctx, QueueKind::Graphics, [&](CommandBuffer& cmd) {
    cmd.fill_buffer(values, 0xFFFFFFFFu);
    cmd.update_buffer(args, VkDispatchIndirectCommand{kCount / 64 - 1, 1, 1});  // all groups but the last
    cmd.use(args, Use::IndirectBuffer);
    cmd.use(values, Use::StorageWriteInCompute);
    cmd.bind_pipeline(VK_PIPELINE_BIND_POINT_COMPUTE, fill.pipeline());
    cmd.bind_descriptor_sets(VK_PIPELINE_BIND_POINT_COMPUTE, fill.layout(), 0, set);
    cmd.push_constants(fill.layout(), VK_SHADER_STAGE_COMPUTE_BIT, FillPush{kCount, 2, 1});
    cmd.dispatch_indirect(args.handle());
    cmd.copy_buffer(values, out);
    cmd.use(out, Use::HostRead);
  });
  const std::vector<uint32_t> v = read_words(out);
  for (uint32_t i = 0; i < kCount; ++i) ASSERT_EQ(v[i], i < kCount - 64 ? 2 * i + 1 : 0xFFFFFFFFu) << i;
}

TEST_P(Sync, StateCarriesAcrossCommandBuffers) {
  // A write in one submission, the read in the next: the barrier lands in the second command buffer.
  Buffer a(*ctx, {.size = 1024, .usage = kStorage, .name = "a"});
  Buffer out = readback_buffer(*ctx, 1024);
  CommandPool pool(*ctx);
  {
    CommandBuffer first = pool.begin("first");
    first.fill_buffer(a, 0x12345678u);
    ctx->queue().submit(first);
  }
  CommandBuffer second = pool.begin("second");
  second.copy_buffer(a, out);
  second.use(out, Use::HostRead);
  ctx->queue().wait(ctx->queue().submit(second));
  for (uint32_t w : read_words(out)) ASSERT_EQ(w, 0x12345678u);
}

TEST_P(Sync, ManyBarriersInOneBatchOverflowSafely) {
  // More resources than the pending-barrier arrays hold, each needing a barrier before one command.
  constexpr uint32_t kBuffers = CommandBuffer::kMaxPendingBarriers * 2 + 3;
  std::vector<Buffer> src;
  std::vector<Buffer> dst;
  for (uint32_t i = 0; i < kBuffers; ++i) {
    src.emplace_back(*ctx, BufferDesc{.size = 64, .usage = kStorage, .name = "src"});
    dst.emplace_back(readback_buffer(*ctx, 64));
  }
  run_now(*ctx, QueueKind::Graphics, [&](CommandBuffer& cmd) {
    for (uint32_t i = 0; i < kBuffers; ++i) cmd.fill_buffer(src[i], i * 3 + 1);
    for (uint32_t i = 0; i < kBuffers; ++i) cmd.use(src[i], Use::TransferSrc);  // all queued together
    for (uint32_t i = 0; i < kBuffers; ++i) cmd.copy_buffer(src[i], dst[i]);
    for (uint32_t i = 0; i < kBuffers; ++i) cmd.use(dst[i], Use::HostRead);
  });
  for (uint32_t i = 0; i < kBuffers; ++i) {
    for (uint32_t w : read_words(dst[i])) ASSERT_EQ(w, i * 3 + 1) << i;
  }
}

TEST_P(Sync, ImageLayoutsFollowUses) {
  Image image(*ctx, {.extent = {8, 8, 1},
                     .usage = VK_IMAGE_USAGE_TRANSFER_SRC_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT |
                              VK_IMAGE_USAGE_SAMPLED_BIT | VK_IMAGE_USAGE_STORAGE_BIT,
                     .name = "image"});
  Buffer out = readback_buffer(*ctx, 8 * 8 * 4);
  run_now(*ctx, QueueKind::Graphics, [&](CommandBuffer& cmd) {
    cmd.clear_color_image(image, {{1.0f, 0.0f, 0.0f, 1.0f}});
    EXPECT_EQ(image.state().layout, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL);
    cmd.use(image, Use::SampledInFragment);
    EXPECT_EQ(image.state().layout, VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL);
    cmd.use(image, Use::SampledInCompute);  // same layout, another reader
    cmd.use(image, Use::StorageReadWriteInCompute);
    EXPECT_EQ(image.state().layout, VK_IMAGE_LAYOUT_GENERAL);
    cmd.copy_image_to_buffer(image, out);
    cmd.use(out, Use::HostRead);
  });
  for (uint32_t p : read_words(out)) ASSERT_EQ(p, 0xFF0000FFu);
}

TEST_P(Sync, RawBarrierApi) {
  // Raw vkCmd* with raw barriers only: kiln's barrier API must be enough on its own.
  Buffer a(*ctx, {.size = 512, .usage = kStorage, .name = "a"});
  Buffer out = readback_buffer(*ctx, 512);
  run_now(*ctx, QueueKind::Graphics, [&](CommandBuffer& cmd) {
    vkCmdFillBuffer(cmd, a.handle(), 0, VK_WHOLE_SIZE, 0xCAFEF00Du);
    VkBufferMemoryBarrier2 b{VK_STRUCTURE_TYPE_BUFFER_MEMORY_BARRIER_2};
    // sync2-only stages, which the fallback maps to TRANSFER. vkCmdFillBuffer is a CLEAR in today's
    // spec but a COPY for validation layers of 1.3.239's time: name both.
    b.srcStageMask = VK_PIPELINE_STAGE_2_COPY_BIT | VK_PIPELINE_STAGE_2_CLEAR_BIT;
    b.srcAccessMask = VK_ACCESS_2_TRANSFER_WRITE_BIT;
    b.dstStageMask = VK_PIPELINE_STAGE_2_COPY_BIT;
    b.dstAccessMask = VK_ACCESS_2_TRANSFER_READ_BIT;
    b.srcQueueFamilyIndex = b.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
    b.buffer = a.handle();
    b.size = VK_WHOLE_SIZE;
    cmd.barrier(b);
    VkBufferCopy region{0, 0, 512};
    vkCmdCopyBuffer(cmd, a.handle(), out.handle(), 1, &region);
    VkMemoryBarrier2 host{VK_STRUCTURE_TYPE_MEMORY_BARRIER_2};
    host.srcStageMask = VK_PIPELINE_STAGE_2_COPY_BIT;
    host.srcAccessMask = VK_ACCESS_2_TRANSFER_WRITE_BIT;
    host.dstStageMask = VK_PIPELINE_STAGE_2_HOST_BIT;
    host.dstAccessMask = VK_ACCESS_2_HOST_READ_BIT;
    VkDependencyInfo dep{VK_STRUCTURE_TYPE_DEPENDENCY_INFO};
    dep.memoryBarrierCount = 1;
    dep.pMemoryBarriers = &host;
    barrier(cmd, dep);
  });
  for (uint32_t w : read_words(out)) ASSERT_EQ(w, 0xCAFEF00Du);
}

TEST_P(Sync, RawImageBarriersMixWithTrackedUses) {
  Image image(*ctx, {.extent = {4, 4, 1}, .usage = VK_IMAGE_USAGE_TRANSFER_SRC_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT,
                     .name = "image"});
  Buffer out = readback_buffer(*ctx, 4 * 4 * 4);
  run_now(*ctx, QueueKind::Graphics, [&](CommandBuffer& cmd) {
    VkImageMemoryBarrier2 to_dst{VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER_2};
    to_dst.srcStageMask = VK_PIPELINE_STAGE_2_NONE;  // the fallback makes it TOP_OF_PIPE
    to_dst.dstStageMask = VK_PIPELINE_STAGE_2_CLEAR_BIT;
    to_dst.dstAccessMask = VK_ACCESS_2_TRANSFER_WRITE_BIT;
    to_dst.oldLayout = VK_IMAGE_LAYOUT_UNDEFINED;
    to_dst.newLayout = VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL;
    to_dst.srcQueueFamilyIndex = to_dst.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
    to_dst.image = image.handle();
    to_dst.subresourceRange = image.full_range();
    cmd.barrier({}, to_dst);
    const VkClearColorValue color{{0.0f, 0.0f, 1.0f, 1.0f}};
    const VkImageSubresourceRange range = image.full_range();
    vkCmdClearColorImage(cmd, image.handle(), VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, &color, 1, &range);
    // Tell the tracker what the raw commands did, then let it take over.
    image.state() = ResourceState{.write_stages = VK_PIPELINE_STAGE_2_CLEAR_BIT,
                                  .write_access = VK_ACCESS_2_TRANSFER_WRITE_BIT,
                                  .layout = VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
                                  .queue_family = cmd.family()};
    cmd.copy_image_to_buffer(image, out);
    cmd.use(out, Use::HostRead);
  });
  for (uint32_t p : read_words(out)) ASSERT_EQ(p, 0xFFFF0000u);
}

TEST_P(Sync, QueueFamilyOwnershipTransfer) {
  if (!ctx->has_dedicated(QueueKind::Transfer)) {
    GTEST_SKIP() << "this device has no dedicated transfer queue family (lavapipe has one family); the "
                    "release/acquire decisions are unit-tested in test_sync_state.cpp";
  }
  constexpr uint32_t W = 16, H = 16;
  std::vector<uint32_t> pattern(W * H);
  for (uint32_t i = 0; i < W * H; ++i) pattern[i] = 0xFF000000u | (i * 7919u);
  Buffer up(*ctx, {.size = W * H * 4, .usage = VK_BUFFER_USAGE_TRANSFER_SRC_BIT, .memory = MemoryIntent::Upload,
                   .name = "upload"});
  std::memcpy(up.mapped(), pattern.data(), W * H * 4);
  up.flush();
  Buffer staged(*ctx, {.size = W * H * 4, .usage = kStorage, .name = "staged"});
  Image image(*ctx, {.extent = {W, H, 1},
                     .usage = VK_IMAGE_USAGE_TRANSFER_SRC_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT |
                              VK_IMAGE_USAGE_SAMPLED_BIT,
                     .name = "image"});
  Buffer out = readback_buffer(*ctx, W * H * 4);
  Buffer out2 = readback_buffer(*ctx, W * H * 4);

  CommandPool transfer_pool(*ctx, QueueKind::Transfer, "transfer");
  CommandPool graphics_pool(*ctx, QueueKind::Graphics, "graphics");
  Queue& tq = ctx->queue(QueueKind::Transfer);
  Queue& gq = ctx->queue(QueueKind::Graphics);

  CommandBuffer upload = transfer_pool.begin("upload");
  upload.copy_buffer_to_image(up, image);
  upload.copy_buffer(up, staged);
  upload.release(image, QueueKind::Graphics, Use::SampledInFragment);
  upload.release(staged, QueueKind::Graphics, Use::TransferSrc);
  EXPECT_EQ(image.state().release_to, gq.family());
  const uint64_t uploaded = tq.submit(upload);

  CommandBuffer consume = graphics_pool.begin("consume");
  consume.use(image, Use::SampledInFragment);  // the acquire
  EXPECT_EQ(image.state().queue_family, gq.family());
  consume.copy_image_to_buffer(image, out);
  consume.copy_buffer(staged, out2);
  consume.use(out, Use::HostRead);
  consume.use(out2, Use::HostRead);
  const SemaphoreSubmit wait{.semaphore = tq.timeline(), .value = uploaded,
                             .stages = VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT};
  if (tq.timeline()) {
    gq.wait(gq.submit({.commands = {&consume}, .waits = wait}));
  } else {
    tq.wait(uploaded);  // no timeline semaphores: wait on the host instead
    gq.wait(gq.submit(consume));
  }
  EXPECT_EQ(read_words(out), pattern);
  EXPECT_EQ(read_words(out2), pattern);
}

}  // namespace
}  // namespace kiln
