// CommandBuffer recording on lavapipe, with and without synchronization2: copies, images, blits,
// clears, mips, compute, dynamic rendering, labels and pool recycling. Every result is read back and
// compared; synchronization validation fails the test on any missing barrier.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "cmd_color_frag.h"
#include "cmd_fill_comp.h"
#include "cmd_fullscreen_vert.h"
#include "kiln/buffer.h"
#include "kiln/commands.h"
#include "kiln/error.h"
#include "kiln/image.h"
#include "support/gpu_test.h"
#include "support/raw_pipelines.h"

namespace kiln {
namespace {

using test::ComputePipeline;
using test::FlatColorPipeline;
using test::GpuTestSync2;

Buffer readback_buffer(Context& ctx, VkDeviceSize size) {
  return Buffer(ctx, {.size = size, .usage = VK_BUFFER_USAGE_TRANSFER_DST_BIT, .memory = MemoryIntent::Readback,
                      .name = "readback"});
}

Buffer upload_buffer(Context& ctx, const void* data, VkDeviceSize size) {
  Buffer b(ctx, {.size = size, .usage = VK_BUFFER_USAGE_TRANSFER_SRC_BIT, .memory = MemoryIntent::Upload,
                 .name = "upload"});
  std::memcpy(b.mapped(), data, size);
  b.flush();
  return b;
}

template <class T>
std::vector<T> read(const Buffer& b) {
  b.invalidate();
  std::vector<T> out(b.size() / sizeof(T));
  std::memcpy(out.data(), b.mapped(), out.size() * sizeof(T));
  return out;
}

constexpr VkImageUsageFlags kTransferUsage = VK_IMAGE_USAGE_TRANSFER_SRC_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT;

class Commands : public GpuTestSync2 {};
// As KILN_SYNC2_PARAMS(Commands), whose lambda parameter `info` shadows one of gtest's (-Werror=shadow).
std::string sync2_name(const ::testing::TestParamInfo<bool>& p) { return p.param ? "sync2" : "fallback"; }
INSTANTIATE_TEST_SUITE_P(Sync2, Commands, ::testing::Values(true, false), sync2_name);

TEST_P(Commands, FillUpdateCopyChain) {
  constexpr VkDeviceSize kSize = 4096;
  const VkBufferUsageFlags usage = VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT;
  Buffer a(*ctx, {.size = kSize, .usage = usage, .name = "a"});
  Buffer b(*ctx, {.size = kSize, .usage = usage, .name = "b"});
  Buffer c(*ctx, {.size = kSize, .usage = usage, .name = "c"});
  Buffer out = readback_buffer(*ctx, kSize);
  const uint32_t head[4] = {1, 2, 3, 4};

  run_now(*ctx, QueueKind::Graphics, [&](CommandBuffer& cmd) {
    cmd.fill_buffer(a, 0xA5A5A5A5u);
    cmd.update_buffer(a, 0, sizeof(head), head);  // write after write
    cmd.copy_buffer(a, b);
    cmd.fill_buffer(a, 0);                                                  // write after read
    cmd.copy_buffer(b, c, Slice<VkBufferCopy>(VkBufferCopy{0, 0, kSize / 2}));  // read after write
    cmd.copy_buffer(a, c, Slice<VkBufferCopy>(VkBufferCopy{kSize / 2, kSize / 2, kSize / 2}));
    cmd.copy_buffer(c, out);
    cmd.use(out, Use::HostRead);
  });

  const std::vector<uint32_t> v = read<uint32_t>(out);
  ASSERT_EQ(v.size(), kSize / 4);
  for (size_t i = 0; i < v.size(); ++i) {
    const uint32_t want = i < 4 ? head[i] : (i < kSize / 8 ? 0xA5A5A5A5u : 0u);
    ASSERT_EQ(v[i], want) << "word " << i;
  }
}

TEST_P(Commands, BufferImageBufferRoundtrip) {
  constexpr uint32_t W = 64, H = 32;
  std::vector<uint8_t> pattern(W * H * 4);
  for (uint32_t y = 0; y < H; ++y) {
    for (uint32_t x = 0; x < W; ++x) {
      uint8_t* p = &pattern[(y * W + x) * 4];
      p[0] = uint8_t(x * 4);
      p[1] = uint8_t(y * 8);
      p[2] = uint8_t(x ^ y);
      p[3] = uint8_t(255 - x);
    }
  }
  Buffer up = upload_buffer(*ctx, pattern.data(), pattern.size());
  Image image(*ctx, {.format = VK_FORMAT_R8G8B8A8_UNORM, .extent = {W, H, 1}, .usage = kTransferUsage,
                     .name = "roundtrip"});
  Buffer out = readback_buffer(*ctx, pattern.size());
  run_now(*ctx, QueueKind::Graphics, [&](CommandBuffer& cmd) {
    cmd.copy_buffer_to_image(up, image);
    cmd.copy_image_to_buffer(image, out);
    cmd.use(out, Use::HostRead);
  });
  EXPECT_EQ(read<uint8_t>(out), pattern);
  EXPECT_EQ(image.state().layout, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL);
}

TEST_P(Commands, CopyImageToImage) {
  constexpr uint32_t W = 16, H = 16;
  std::vector<uint32_t> pattern(W * H);
  for (uint32_t i = 0; i < W * H; ++i) pattern[i] = i * 2654435761u;
  Buffer up = upload_buffer(*ctx, pattern.data(), pattern.size() * 4);
  Image a(*ctx, {.format = VK_FORMAT_R8G8B8A8_UINT, .extent = {W, H, 1}, .usage = kTransferUsage, .name = "a"});
  Image b(*ctx, {.format = VK_FORMAT_R8G8B8A8_UINT, .extent = {W, H, 1}, .usage = kTransferUsage, .name = "b"});
  Buffer out = readback_buffer(*ctx, pattern.size() * 4);
  run_now(*ctx, QueueKind::Graphics, [&](CommandBuffer& cmd) {
    cmd.copy_buffer_to_image(up, a);
    cmd.copy_image(a, b);
    cmd.copy_image_to_buffer(b, out);
    cmd.use(out, Use::HostRead);
  });
  EXPECT_EQ(read<uint32_t>(out), pattern);
}

TEST_P(Commands, BlitScalesUp) {
  // 4x4 source in four 2x2 quadrants of solid colours, blitted (nearest) to 8x8: 4x4 quadrants.
  const uint32_t colors[4] = {0xFF0000FFu, 0xFF00FF00u, 0xFFFF0000u, 0xFFFFFFFFu};
  std::vector<uint32_t> src(16);
  for (uint32_t y = 0; y < 4; ++y)
    for (uint32_t x = 0; x < 4; ++x) src[y * 4 + x] = colors[(y / 2) * 2 + x / 2];
  Buffer up = upload_buffer(*ctx, src.data(), src.size() * 4);
  Image small(*ctx, {.extent = {4, 4, 1}, .usage = kTransferUsage, .name = "small"});
  Image big(*ctx, {.extent = {8, 8, 1}, .usage = kTransferUsage, .name = "big"});
  Buffer out = readback_buffer(*ctx, 8 * 8 * 4);
  run_now(*ctx, QueueKind::Graphics, [&](CommandBuffer& cmd) {
    cmd.copy_buffer_to_image(up, small);
    cmd.blit_image(small, big, VK_FILTER_NEAREST);
    cmd.copy_image_to_buffer(big, out);
    cmd.use(out, Use::HostRead);
  });
  const std::vector<uint32_t> v = read<uint32_t>(out);
  for (uint32_t y : {0u, 3u, 4u, 7u}) {
    for (uint32_t x : {0u, 2u, 5u, 7u}) {
      EXPECT_EQ(v[y * 8 + x], colors[(y / 4) * 2 + x / 4]) << x << "," << y;
    }
  }
}

TEST_P(Commands, ClearColorImage) {
  Image image(*ctx, {.extent = {8, 8, 1}, .mip_levels = 2, .usage = kTransferUsage, .name = "cleared"});
  Buffer out = readback_buffer(*ctx, 8 * 8 * 4 + 4 * 4 * 4);
  run_now(*ctx, QueueKind::Graphics, [&](CommandBuffer& cmd) {
    cmd.clear_color_image(image, VkClearColorValue{{0.25f, 0.5f, 0.75f, 1.0f}});
    cmd.copy_image_to_buffer(image, out, 0, 0);
    cmd.copy_image_to_buffer(image, out, 1, 8 * 8 * 4);
    cmd.use(out, Use::HostRead);
  });
  const std::vector<uint8_t> v = read<uint8_t>(out);
  for (size_t i = 0; i < v.size(); i += 4) {
    ASSERT_NEAR(v[i + 0], 64, 1) << i;
    ASSERT_NEAR(v[i + 1], 128, 1) << i;
    ASSERT_NEAR(v[i + 2], 191, 1) << i;
    ASSERT_EQ(v[i + 3], 255) << i;
  }
}

TEST_P(Commands, ClearDepthImage) {
  Image depth(*ctx, {.format = VK_FORMAT_D32_SFLOAT, .extent = {8, 8, 1}, .usage = kTransferUsage, .name = "depth"});
  Buffer out = readback_buffer(*ctx, 8 * 8 * 4);
  run_now(*ctx, QueueKind::Graphics, [&](CommandBuffer& cmd) {
    cmd.clear_depth_stencil_image(depth, {0.375f, 0});
    cmd.copy_image_to_buffer(depth, out);
    cmd.use(out, Use::HostRead);
  });
  for (float f : read<float>(out)) ASSERT_EQ(f, 0.375f);
}

TEST_P(Commands, GenerateMipsAveragesEachLevel) {
  constexpr uint32_t N = 64;
  constexpr uint32_t kLevels = 7;  // 64 .. 1
  // A checker of 8x8 cells in red, a gradient in green: mips 1-3 keep the checker, 4+ average it.
  std::vector<float> level(N * N * 4);
  std::vector<uint8_t> texels(N * N * 4);
  for (uint32_t y = 0; y < N; ++y) {
    for (uint32_t x = 0; x < N; ++x) {
      uint8_t* p = &texels[(y * N + x) * 4];
      p[0] = ((x / 8 + y / 8) & 1) ? 255 : 0;
      p[1] = uint8_t(x * 4);
      p[2] = 100;
      p[3] = 255;
      for (int c = 0; c < 4; ++c) level[(y * N + x) * 4 + c] = p[c];
    }
  }
  Buffer up = upload_buffer(*ctx, texels.data(), texels.size());
  Image image(*ctx, {.extent = {N, N, 1}, .mip_levels = kLevels,
                     .usage = kTransferUsage | VK_IMAGE_USAGE_SAMPLED_BIT, .name = "mipped"});
  // Each level's texels, packed one after the other.
  std::vector<VkDeviceSize> offsets(kLevels);
  VkDeviceSize total = 0;
  for (uint32_t l = 0; l < kLevels; ++l) {
    offsets[l] = total;
    total += VkDeviceSize(image.mip_extent(l).width) * image.mip_extent(l).height * 4;
  }
  Buffer out = readback_buffer(*ctx, total);
  run_now(*ctx, QueueKind::Graphics, [&](CommandBuffer& cmd) {
    cmd.copy_buffer_to_image(up, image);
    cmd.generate_mips(image, Use::SampledInFragment);
    for (uint32_t l = 0; l < kLevels; ++l) cmd.copy_image_to_buffer(image, out, l, offsets[l]);
    cmd.use(out, Use::HostRead);
  });
  EXPECT_EQ(image.state().layout, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL);

  const std::vector<uint8_t> v = read<uint8_t>(out);
  uint32_t size = N;
  for (uint32_t l = 1; l < kLevels; ++l) {
    // The reference: a 2x2 box filter of the level above, in floats.
    const uint32_t half = size / 2;
    std::vector<float> next(half * half * 4);
    for (uint32_t y = 0; y < half; ++y)
      for (uint32_t x = 0; x < half; ++x)
        for (int c = 0; c < 4; ++c) {
          auto at = [&](uint32_t xx, uint32_t yy) { return level[(yy * size + xx) * 4 + c]; };
          next[(y * half + x) * 4 + c] =
              (at(2 * x, 2 * y) + at(2 * x + 1, 2 * y) + at(2 * x, 2 * y + 1) + at(2 * x + 1, 2 * y + 1)) / 4;
        }
    level = std::move(next);
    size = half;
    const uint8_t* got = &v[offsets[l]];
    for (uint32_t i = 0; i < size * size * 4; ++i) {
      ASSERT_NEAR(float(got[i]), level[i], 2.5f) << "mip " << l << " texel " << i / 4 << " channel " << i % 4;
    }
  }
}

TEST_P(Commands, ComputeDispatchThenCopy) {
  constexpr uint32_t kCount = 1000;
  ComputePipeline fill(*ctx, cmd_fill_comp, sizeof(cmd_fill_comp), 1, 12);
  Buffer storage(*ctx, {.size = kCount * 4,
                        .usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT,
                        .name = "storage"});
  Buffer out = readback_buffer(*ctx, kCount * 4);
  VkDescriptorSet set = fill.set({storage.handle()});
  struct Push {
    uint32_t count, mul, add;
  };
  run_now(*ctx, QueueKind::Graphics, [&](CommandBuffer& cmd) {
    cmd.use(storage, Use::StorageWriteInCompute);
    cmd.bind_pipeline(VK_PIPELINE_BIND_POINT_COMPUTE, fill.pipeline());
    cmd.bind_descriptor_sets(VK_PIPELINE_BIND_POINT_COMPUTE, fill.layout(), 0, set);
    cmd.push_constants(fill.layout(), VK_SHADER_STAGE_COMPUTE_BIT, Push{kCount, 3, 7});
    cmd.dispatch((kCount + 63) / 64);
    cmd.copy_buffer(storage, out);  // compute write -> transfer read: use() inside
    cmd.use(out, Use::HostRead);
  });
  const std::vector<uint32_t> v = read<uint32_t>(out);
  for (uint32_t i = 0; i < kCount; ++i) ASSERT_EQ(v[i], i * 3 + 7) << i;
}

TEST_P(Commands, DynamicRenderingClearAndDraw) {
  if (!ctx->has(Feature::DynamicRendering)) {
    GTEST_SKIP() << "no dynamic rendering on this device";
  }
  constexpr uint32_t W = 32, H = 16;
  FlatColorPipeline flat(*ctx, VK_FORMAT_R8G8B8A8_UNORM, cmd_fullscreen_vert, sizeof(cmd_fullscreen_vert),
                         cmd_color_frag, sizeof(cmd_color_frag));
  Image target(*ctx, {.extent = {W, H, 1},
                      .usage = VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT,
                      .name = "target"});
  Buffer out = readback_buffer(*ctx, W * H * 4);
  const float color[4] = {1.0f, 0.5f, 0.0f, 1.0f};
  run_now(*ctx, QueueKind::Graphics, [&](CommandBuffer& cmd) {
    auto scope = cmd.label("draw");
    cmd.begin_rendering({.colors = {ColorAttachment{.image = &target,
                                                    .load = VK_ATTACHMENT_LOAD_OP_CLEAR,
                                                    .clear = {{0.0f, 0.0f, 1.0f, 1.0f}}}}});
    cmd.bind_pipeline(VK_PIPELINE_BIND_POINT_GRAPHICS, flat.pipeline());
    cmd.set_viewport({0, 0, float(W), float(H), 0, 1});
    cmd.set_scissor({{0, 0}, {W / 2, H}});  // left half drawn, right half keeps the clear colour
    cmd.push_constants(flat.layout(), VK_SHADER_STAGE_FRAGMENT_BIT, 0, sizeof(color), color);
    cmd.draw(3);
    cmd.end_rendering();
    cmd.copy_image_to_buffer(target, out);
    cmd.use(out, Use::HostRead);
  });
  const std::vector<uint32_t> v = read<uint32_t>(out);
  const uint32_t drawn = 0xFF0080FFu;  // RGBA8 little-endian: r=255 g=128 b=0 a=255
  const uint32_t cleared = 0xFFFF0000u;
  for (uint32_t y = 0; y < H; ++y) {
    for (uint32_t x = 0; x < W; ++x) {
      const uint32_t p = v[y * W + x];
      if (x < W / 2) {
        // 0.5 may round to 127 or 128.
        ASSERT_TRUE(p == drawn || p == 0xFF007FFFu) << std::hex << p << " at " << std::dec << x << "," << y;
      } else {
        ASSERT_EQ(p, cleared) << x << "," << y;
      }
    }
  }
}

TEST_P(Commands, RenderingTwiceLoadsWhatTheFirstPassStored) {
  if (!ctx->has(Feature::DynamicRendering)) {
    GTEST_SKIP() << "no dynamic rendering on this device";
  }
  Image target(*ctx, {.extent = {8, 8, 1},
                      .usage = VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT |
                               VK_IMAGE_USAGE_TRANSFER_DST_BIT,
                      .name = "target"});
  Buffer out = readback_buffer(*ctx, 8 * 8 * 4);
  run_now(*ctx, QueueKind::Graphics, [&](CommandBuffer& cmd) {
    cmd.clear_color_image(target, {{0.0f, 1.0f, 0.0f, 1.0f}});
    // LOAD keeps the cleared contents: transfer write -> attachment read/write, no discard.
    cmd.begin_rendering({.colors = {ColorAttachment{.image = &target}}});
    cmd.end_rendering();
    cmd.copy_image_to_buffer(target, out);
    cmd.use(out, Use::HostRead);
  });
  for (uint32_t p : read<uint32_t>(out)) ASSERT_EQ(p, 0xFF00FF00u);
}

TEST_P(Commands, LabelsAreKeptForReports) {
  CommandPool pool(*ctx, QueueKind::Graphics, "labels");
  CommandBuffer cmd = pool.begin("labelled");
  {
    auto frame = cmd.label("frame", {1, 0, 0, 1});
    cmd.insert_label("marker");
    auto inner = cmd.label("shadows");
  }
  ASSERT_EQ(cmd.labels().size(), 2u);
  EXPECT_EQ(cmd.labels()[0], "frame");
  EXPECT_EQ(cmd.labels()[1], "shadows");
  ctx->queue().wait(ctx->queue().submit(cmd));
}

TEST_P(Commands, PoolRecyclesFinishedCommandBuffers) {
  CommandPool pool(*ctx, QueueKind::Graphics, "recycling");
  Buffer b(*ctx, {.size = 256, .usage = VK_BUFFER_USAGE_TRANSFER_DST_BIT, .name = "b"});
  VkCommandBuffer first = VK_NULL_HANDLE;
  uint64_t serial = 0;
  {
    CommandBuffer cmd = pool.begin();
    first = cmd.handle();
    cmd.fill_buffer(b, 1);
    serial = ctx->queue().submit(cmd);
  }
  {
    // Possibly still in flight: a busy one is never handed out again.
    CommandBuffer other = pool.begin();
    if (!ctx->queue().finished(serial)) {  // busy after begin: was busy during it too
      EXPECT_NE(other.handle(), first);
    }
  }
  ctx->queue().wait(serial);
  CommandBuffer again = pool.begin();
  EXPECT_EQ(again.handle(), first);
  EXPECT_LE(pool.allocated(), 2u);
  again.fill_buffer(b, 2);
  ctx->queue().wait(ctx->queue().submit(again));

  // Moving keeps the recording; dropping an unsubmitted one hands it back.
  CommandBuffer moved = pool.begin();
  CommandBuffer target = std::move(moved);
  EXPECT_FALSE(moved);
  EXPECT_TRUE(target.recording());
  const VkCommandBuffer h = target.handle();
  target = CommandBuffer();
  EXPECT_EQ(pool.begin().handle(), h);
}

TEST_P(Commands, BeginRenderingWithoutAttachmentsOrAreaThrows) {
  if (!ctx->has(Feature::DynamicRendering)) {
    GTEST_SKIP() << "no dynamic rendering on this device";
  }
  CommandPool pool(*ctx);
  CommandBuffer cmd = pool.begin();
  EXPECT_THROW(cmd.begin_rendering({}), Error);
}


// Without the feature, begin_rendering says so instead of calling a null function.
class CommandsWithoutDynamicRendering : public test::GpuTest {
 protected:
  void adjust(ContextDesc& desc) override { desc.disabled.push_back(Feature::DynamicRendering); }
};

TEST_F(CommandsWithoutDynamicRendering, BeginRenderingThrows) {
  ASSERT_FALSE(ctx->has(Feature::DynamicRendering));
  Image target(*ctx, {.extent = {4, 4, 1}, .usage = VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT, .name = "target"});
  CommandPool pool(*ctx);
  CommandBuffer cmd = pool.begin();
  try {
    cmd.begin_rendering({.colors = {ColorAttachment{.image = &target}}});
    FAIL() << "begin_rendering did not throw";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("DynamicRendering"), std::string::npos) << e.what();
  }
}

class CommandErrors : public test::GpuTest {};

TEST_F(CommandErrors, GenerateMipsOfAnUnblittableFormatThrows) {
  // Three-channel 32-bit floats can be copied but rarely blitted (lavapipe cannot).
  VkFormatProperties props{};
  vkGetPhysicalDeviceFormatProperties(ctx->physical_device(), VK_FORMAT_R32G32B32_SFLOAT, &props);
  if (props.optimalTilingFeatures & VK_FORMAT_FEATURE_BLIT_DST_BIT) {
    GTEST_SKIP() << "R32G32B32_SFLOAT is blittable here";
  }
  if (!(props.optimalTilingFeatures & VK_FORMAT_FEATURE_TRANSFER_DST_BIT)) {
    GTEST_SKIP() << "R32G32B32_SFLOAT images are not supported here";
  }
  Image image(*ctx, {.format = VK_FORMAT_R32G32B32_SFLOAT, .extent = {4, 4, 1}, .mip_levels = 3,
                     .usage = VK_IMAGE_USAGE_TRANSFER_SRC_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT, .name = "rgb32f"});
  CommandPool pool(*ctx);
  CommandBuffer cmd = pool.begin();
  EXPECT_THROW(cmd.generate_mips(image, Use::SampledInFragment), Error);
}


TEST_F(CommandErrors, RunNowWithTwoContexts) {
  // run_now keeps nothing between calls, so contexts may come and go around it.
  for (int round = 0; round < 2; ++round) {
    Context other(test::test_context_desc());
    for (Context* c : {ctx.get(), &other}) {
      Buffer b(*c, {.size = 64, .usage = VK_BUFFER_USAGE_TRANSFER_DST_BIT, .memory = MemoryIntent::Readback,
                    .name = "b"});
      run_now(*c, [&](CommandBuffer& cmd) {
        cmd.fill_buffer(b, 0x01020304u + round);
        cmd.use(b, Use::HostRead);
      });
      for (uint32_t w : read<uint32_t>(b)) ASSERT_EQ(w, 0x01020304u + round);
    }
  }
}

}  // namespace
}  // namespace kiln
