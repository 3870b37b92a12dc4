// Buffers, images, views and samplers: creation of every kind, contents through mapped memory and
// GPU copies, debug names, the error messages of bad descriptions, and deferred destruction of a
// buffer dropped while a submission that uses it is still pending.
#include <gtest/gtest.h>

#include <cstring>
#include <numeric>
#include <string>
#include <vector>

#include "kiln/buffer.h"
#include "kiln/context.h"
#include "kiln/error.h"
#include "kiln/format.h"
#include "kiln/image.h"
#include "kiln/sampler.h"
#include "core/resources/common.h"
#include "support/gpu_test.h"

namespace kiln {
namespace {

// A suite of its own, so that test names cannot clash with other files' GpuTest tests.
class Resources : public test::GpuTest {};

// A raw command buffer on a pool of its own: these tests need nothing of kiln's commands layer.
class RawCommands {
 public:
  explicit RawCommands(Context& ctx) : ctx_(ctx) {
    VkCommandPoolCreateInfo pool{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
    pool.queueFamilyIndex = ctx.queue().family();
    check(vkCreateCommandPool(ctx.device(), &pool, nullptr, &pool_), "vkCreateCommandPool");
    VkCommandBufferAllocateInfo alloc{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
    alloc.commandPool = pool_;
    alloc.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
    alloc.commandBufferCount = 1;
    check(vkAllocateCommandBuffers(ctx.device(), &alloc, &cmd_), "vkAllocateCommandBuffers");
    VkCommandBufferBeginInfo begin{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
    begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
    check(vkBeginCommandBuffer(cmd_, &begin), "vkBeginCommandBuffer");
  }
  ~RawCommands() { vkDestroyCommandPool(ctx_.device(), pool_, nullptr); }  // after the work finished
  RawCommands(const RawCommands&) = delete;
  RawCommands& operator=(const RawCommands&) = delete;

  VkCommandBuffer cmd() const { return cmd_; }

  // Ends, submits and returns the serial; the caller waits.
  uint64_t submit(Slice<SemaphoreSubmit> waits = {}) {
    check(vkEndCommandBuffer(cmd_), "vkEndCommandBuffer");
    return ctx_.queue().submit({.raw_commands = {cmd_}, .waits = waits});
  }
  void submit_and_wait() { ctx_.queue().wait(submit()); }

  void barrier(VkPipelineStageFlags src, VkAccessFlags src_access, VkPipelineStageFlags dst,
               VkAccessFlags dst_access) {
    VkMemoryBarrier b{VK_STRUCTURE_TYPE_MEMORY_BARRIER, nullptr, src_access, dst_access};
    vkCmdPipelineBarrier(cmd_, src, dst, 0, 1, &b, 0, nullptr, 0, nullptr);
  }
  void transition(const Image& image, VkImageLayout from, VkImageLayout to, VkPipelineStageFlags src,
                  VkAccessFlags src_access, VkPipelineStageFlags dst, VkAccessFlags dst_access) {
    VkImageMemoryBarrier b{VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER};
    b.srcAccessMask = src_access;
    b.dstAccessMask = dst_access;
    b.oldLayout = from;
    b.newLayout = to;
    b.srcQueueFamilyIndex = b.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
    b.image = image.handle();
    b.subresourceRange = image.full_range();
    vkCmdPipelineBarrier(cmd_, src, dst, 0, 0, nullptr, 0, nullptr, 1, &b);
  }

 private:
  Context& ctx_;
  VkCommandPool pool_ = VK_NULL_HANDLE;
  VkCommandBuffer cmd_ = VK_NULL_HANDLE;
};

uint32_t live_allocations(Context& ctx) {
  uint32_t n = 0;
  for (const HeapStats& h : ctx.allocator().stats().heaps) n += h.allocations;
  return n;
}

// Runs `f`, expecting a kiln::Error whose what() contains every one of `parts`.
template <class F>
void expect_error(F&& f, std::initializer_list<const char*> parts) {
  try {
    f();
    ADD_FAILURE() << "no kiln::Error thrown";
  } catch (const Error& e) {
    const std::string what = e.what();
    for (const char* p : parts) EXPECT_NE(what.find(p), std::string::npos) << "'" << p << "' not in: " << what;
  }
}

constexpr VkBufferUsageFlags kTransfer = VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT;

// ---------------------------------------------------------------------------------------------
// Buffers

TEST_F(Resources, BuffersOfEveryIntent) {
  const MemoryIntent intents[] = {MemoryIntent::DeviceOnly, MemoryIntent::Upload, MemoryIntent::Readback,
                                  MemoryIntent::DeviceWithHostWrites};
  for (MemoryIntent intent : intents) {
    SCOPED_TRACE(memory_intent_name(intent));
    Buffer b(*ctx, {.size = 4096, .usage = kTransfer | VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, .memory = intent,
                    .name = "intent.test"});
    ASSERT_TRUE(b);
    EXPECT_NE(b.handle(), VK_NULL_HANDLE);
    EXPECT_EQ(b.size(), 4096u);
    EXPECT_EQ(b.usage() & (kTransfer | VK_BUFFER_USAGE_STORAGE_BUFFER_BIT),
              kTransfer | VK_BUFFER_USAGE_STORAGE_BUFFER_BIT);
    EXPECT_EQ(b.name(), "intent.test");
    EXPECT_EQ(b.context(), ctx.get());
    EXPECT_GE(b.allocation().size, 4096u);
    EXPECT_EQ(b.state().layout, VK_IMAGE_LAYOUT_UNDEFINED);
    EXPECT_EQ(b.state().queue_family, VK_QUEUE_FAMILY_IGNORED);
    EXPECT_EQ(b.state().write_stages, 0u);
    if (intent == MemoryIntent::DeviceOnly) {
      EXPECT_EQ(b.mapped(), nullptr);
      continue;
    }
    ASSERT_NE(b.mapped(), nullptr);
    uint32_t* words = b.data<uint32_t>();
    for (uint32_t i = 0; i < 1024; ++i) words[i] = i * 2654435761u;
    b.flush();
    b.invalidate();
    for (uint32_t i = 0; i < 1024; ++i) ASSERT_EQ(b.data<const uint32_t>()[i], i * 2654435761u) << i;
  }
}

// Upload -> DeviceOnly -> Readback through the GPU: the mapped pointers see the real memory.
TEST_F(Resources, BufferContentsRoundTripThroughTheGpu) {
  constexpr VkDeviceSize kSize = 64 * 1024;
  Buffer upload(*ctx, {.size = kSize, .usage = VK_BUFFER_USAGE_TRANSFER_SRC_BIT, .memory = MemoryIntent::Upload,
                       .name = "roundtrip.upload"});
  Buffer device(*ctx, {.size = kSize, .usage = kTransfer, .name = "roundtrip.device"});
  Buffer readback(*ctx, {.size = kSize, .usage = VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                         .memory = MemoryIntent::Readback, .name = "roundtrip.readback"});
  uint8_t* src = upload.data<uint8_t>();
  for (VkDeviceSize i = 0; i < kSize; ++i) src[i] = uint8_t((i * 7 + 3) & 0xff);
  upload.flush();

  RawCommands rc(*ctx);
  VkBufferCopy whole{0, 0, kSize};
  vkCmdCopyBuffer(rc.cmd(), upload.handle(), device.handle(), 1, &whole);
  rc.barrier(VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT,
             VK_ACCESS_TRANSFER_READ_BIT);
  // A part: bytes 1000..2999 land at 100.
  VkBufferCopy part{1000, 100, 2000};
  vkCmdCopyBuffer(rc.cmd(), device.handle(), readback.handle(), 1, &part);
  rc.barrier(VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT, VK_PIPELINE_STAGE_HOST_BIT,
             VK_ACCESS_HOST_READ_BIT);
  rc.submit_and_wait();

  readback.invalidate();
  const uint8_t* out = readback.data<const uint8_t>();
  for (VkDeviceSize i = 0; i < 2000; ++i) ASSERT_EQ(out[100 + i], uint8_t(((1000 + i) * 7 + 3) & 0xff)) << i;
}

TEST_F(Resources, BufferDeviceAddress) {
  if (!ctx->has(Feature::BufferDeviceAddress)) GTEST_SKIP() << "no buffer device address";
  Buffer a(*ctx, {.size = 256, .usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, .name = "bda.a"});
  Buffer b(*ctx, {.size = 256, .usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, .name = "bda.b"});
  EXPECT_TRUE(a.usage() & VK_BUFFER_USAGE_SHADER_DEVICE_ADDRESS_BIT);
  EXPECT_NE(a.address(), 0u);
  EXPECT_NE(b.address(), 0u);
  EXPECT_NE(a.address(), b.address());
}

TEST_F(Resources, ConcurrentSharing) {
  Buffer b(*ctx, {.size = 64, .usage = kTransfer, .memory = MemoryIntent::Upload, .name = "shared.buffer",
                  .concurrent = true});
  Image i(*ctx, {.extent = {8, 8, 1}, .usage = VK_IMAGE_USAGE_SAMPLED_BIT, .name = "shared.image",
                 .concurrent = true});
  EXPECT_TRUE(b);
  EXPECT_TRUE(i);
  // CONCURRENT only where kiln's queues span several families (lavapipe has one).
  const bool several = ctx->has_dedicated(QueueKind::Transfer) || ctx->has_dedicated(QueueKind::Compute);
  EXPECT_EQ(b.concurrent(), several);
  Buffer exclusive(*ctx, {.size = 64, .usage = kTransfer, .name = "exclusive.buffer"});
  EXPECT_FALSE(exclusive.concurrent());
  Buffer moved(std::move(b));
  EXPECT_EQ(moved.concurrent(), several);
}

TEST_F(Resources, MoveAndReset) {
  const uint32_t before = live_allocations(*ctx);
  Buffer a(*ctx, {.size = 128, .usage = kTransfer, .memory = MemoryIntent::Upload, .name = "move.a"});
  const VkBuffer handle = a.handle();
  Buffer b(std::move(a));
  EXPECT_FALSE(a);  // NOLINT(bugprone-use-after-move): moved-from is empty by contract
  EXPECT_EQ(a.mapped(), nullptr);
  EXPECT_EQ(b.handle(), handle);
  EXPECT_EQ(b.name(), "move.a");

  Buffer c;
  EXPECT_FALSE(c);
  c = std::move(b);
  EXPECT_EQ(c.handle(), handle);
  c = Buffer(*ctx, {.size = 64, .usage = kTransfer, .name = "move.c"});  // the old one is dropped
  EXPECT_NE(c.handle(), VK_NULL_HANDLE);
  EXPECT_EQ(c.name(), "move.c");
  c.reset();
  EXPECT_FALSE(c);
  c = {};
  ctx->collect();  // nothing was submitted: drops happen at once or on collect
  EXPECT_EQ(live_allocations(*ctx), before);

  Image img(*ctx, {.extent = {4, 4, 1}, .usage = VK_IMAGE_USAGE_SAMPLED_BIT, .name = "move.image"});
  const VkImage ih = img.handle();
  Image img2 = std::move(img);
  EXPECT_FALSE(img);  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(img2.handle(), ih);
  EXPECT_NE(img2.view(), VK_NULL_HANDLE);
  img2 = {};
  EXPECT_FALSE(img2);
  Sampler s(*ctx, {});
  Sampler s2 = std::move(s);
  EXPECT_FALSE(s);  // NOLINT(bugprone-use-after-move)
  EXPECT_TRUE(s2);
  s2.reset();
  ctx->collect();
  EXPECT_EQ(live_allocations(*ctx), before);
}

// ---------------------------------------------------------------------------------------------
// Images

TEST_F(Resources, ZeroFilledImageDescMeansSensibleDefaults) {
  ImageDesc desc;
  std::memset(static_cast<void*>(&desc), 0, sizeof(desc));  // what a C caller or a binding may hand over
  desc.extent = {16, 8, 0};
  desc.usage = VK_IMAGE_USAGE_SAMPLED_BIT;
  Image img(*ctx, desc);
  EXPECT_EQ(img.type(), VK_IMAGE_TYPE_2D);
  EXPECT_EQ(img.format(), VK_FORMAT_R8G8B8A8_UNORM);
  EXPECT_EQ(img.extent().depth, 1u);
  EXPECT_EQ(img.mip_levels(), 1u);
  EXPECT_EQ(img.layers(), 1u);
  EXPECT_EQ(img.samples(), VK_SAMPLE_COUNT_1_BIT);
  EXPECT_EQ(img.view_type(), VK_IMAGE_VIEW_TYPE_2D);
  EXPECT_EQ(img.aspect(), VkImageAspectFlags(VK_IMAGE_ASPECT_COLOR_BIT));
  EXPECT_EQ(img.state().layout, VK_IMAGE_LAYOUT_UNDEFINED);
  EXPECT_EQ(img.state().queue_family, VK_QUEUE_FAMILY_IGNORED);
  EXPECT_TRUE(img.name().empty());

  BufferDesc bdesc;
  std::memset(static_cast<void*>(&bdesc), 0, sizeof(bdesc));
  bdesc.size = 16;
  bdesc.usage = VK_BUFFER_USAGE_TRANSFER_DST_BIT;
  Buffer b(*ctx, bdesc);
  EXPECT_EQ(b.mapped(), nullptr);  // DeviceOnly

  SamplerDesc sdesc;
  std::memset(static_cast<void*>(&sdesc), 0, sizeof(sdesc));  // NEAREST, REPEAT, no compare, only mip 0
  Sampler s(*ctx, sdesc);
  EXPECT_TRUE(s);
}

struct ImageCase {
  const char* name;
  ImageDesc desc;
  VkImageViewType view_type;
  uint32_t layers;
  uint32_t mips;
};

TEST_F(Resources, ImagesOfEveryShape) {
  constexpr VkImageUsageFlags kSampled = VK_IMAGE_USAGE_SAMPLED_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT;
  const ImageCase cases[] = {
      {"1d", {.type = VK_IMAGE_TYPE_1D, .extent = {64, 1, 1}, .usage = kSampled, .name = "shape.1d"},
       VK_IMAGE_VIEW_TYPE_1D, 1, 1},
      {"1d-array", {.type = VK_IMAGE_TYPE_1D, .extent = {64, 1, 1}, .layers = 3, .usage = kSampled,
                    .name = "shape.1d_array"},
       VK_IMAGE_VIEW_TYPE_1D_ARRAY, 3, 1},
      {"2d", {.extent = {32, 16, 1}, .usage = kSampled, .name = "shape.2d"}, VK_IMAGE_VIEW_TYPE_2D, 1, 1},
      {"2d-array", {.extent = {32, 16, 1}, .layers = 4, .usage = kSampled, .name = "shape.2d_array"},
       VK_IMAGE_VIEW_TYPE_2D_ARRAY, 4, 1},
      {"3d", {.type = VK_IMAGE_TYPE_3D, .format = VK_FORMAT_R16G16B16A16_SFLOAT, .extent = {16, 8, 4},
              .usage = kSampled | VK_IMAGE_USAGE_STORAGE_BIT, .name = "shape.3d"},
       VK_IMAGE_VIEW_TYPE_3D, 1, 1},
      {"cube", {.extent = {16, 16, 1}, .cube = true, .usage = kSampled, .name = "shape.cube"},
       VK_IMAGE_VIEW_TYPE_CUBE, 6, 1},
      {"cube-mipped", {.format = VK_FORMAT_R16G16B16A16_SFLOAT, .extent = {16, 16, 1}, .mip_levels = 5,
                       .layers = 6, .cube = true, .usage = kSampled, .name = "shape.cube_mipped"},
       VK_IMAGE_VIEW_TYPE_CUBE, 6, 5},
      {"mipped", {.extent = {100, 40, 1}, .mip_levels = full_mip_count({100, 40, 1}), .usage = kSampled,
                  .name = "shape.mipped"},
       VK_IMAGE_VIEW_TYPE_2D, 1, 7},
      {"mipped-array", {.format = VK_FORMAT_R32_SFLOAT, .extent = {64, 64, 1}, .mip_levels = 3, .layers = 2,
                        .usage = kSampled, .name = "shape.mipped_array"},
       VK_IMAGE_VIEW_TYPE_2D_ARRAY, 2, 3},
      {"msaa", {.extent = {32, 32, 1}, .samples = VK_SAMPLE_COUNT_4_BIT,
                .usage = VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | VK_IMAGE_USAGE_TRANSIENT_ATTACHMENT_BIT,
                .name = "shape.msaa"},
       VK_IMAGE_VIEW_TYPE_2D, 1, 1},
      {"depth", {.format = VK_FORMAT_D32_SFLOAT, .extent = {32, 32, 1},
                 .usage = VK_IMAGE_USAGE_DEPTH_STENCIL_ATTACHMENT_BIT | VK_IMAGE_USAGE_SAMPLED_BIT,
                 .name = "shape.depth"},
       VK_IMAGE_VIEW_TYPE_2D, 1, 1},
  };
  for (const ImageCase& c : cases) {
    SCOPED_TRACE(c.name);
    Image img(*ctx, c.desc);
    ASSERT_TRUE(img);
    EXPECT_NE(img.view(), VK_NULL_HANDLE);
    EXPECT_EQ(img.view_type(), c.view_type);
    EXPECT_EQ(img.layers(), c.layers);
    EXPECT_EQ(img.mip_levels(), c.mips);
    EXPECT_EQ(img.name(), c.desc.name);
    const VkImageSubresourceRange r = img.full_range();
    EXPECT_EQ(r.aspectMask, img.aspect());
    EXPECT_EQ(r.levelCount, c.mips);
    EXPECT_EQ(r.layerCount, c.layers);
    EXPECT_EQ(img.samples(), c.desc.samples);
  }
}

TEST_F(Resources, MipExtents) {
  Image img(*ctx, {.extent = {100, 40, 1}, .mip_levels = 7, .usage = VK_IMAGE_USAGE_SAMPLED_BIT});
  EXPECT_EQ(img.mip_extent(0).width, 100u);
  EXPECT_EQ(img.mip_extent(2).width, 25u);
  EXPECT_EQ(img.mip_extent(2).height, 10u);
  EXPECT_EQ(img.mip_extent(6).width, 1u);
  EXPECT_EQ(img.mip_extent(6).height, 1u);
}

// CUBE_ARRAY views need the imageCubeArray feature; where the context has not enabled it, the
// default view of a cube array is a 2D_ARRAY and asking for CUBE_ARRAY is a clear error.
TEST_F(Resources, CubeArrayImage) {
  Image img(*ctx, {.extent = {8, 8, 1}, .layers = 12, .cube = true, .usage = VK_IMAGE_USAGE_SAMPLED_BIT,
                   .name = "cube_array"});
  EXPECT_EQ(img.layers(), 12u);
  ImageView second(*ctx, img, {.base_layer = 6, .layer_count = 6, .name = "cube_array.second"});
  EXPECT_EQ(second.type(), VK_IMAGE_VIEW_TYPE_CUBE);
  if (detail::image_cube_array_enabled(*ctx)) {
    EXPECT_EQ(img.view_type(), VK_IMAGE_VIEW_TYPE_CUBE_ARRAY);
  } else {
    EXPECT_EQ(img.view_type(), VK_IMAGE_VIEW_TYPE_2D_ARRAY);
    expect_error([&] { ImageView v(*ctx, img, {.type = VK_IMAGE_VIEW_TYPE_CUBE_ARRAY}); },
                 {"CUBE_ARRAY view needs the imageCubeArray device feature"});
  }
}

// Depth+stencil images: barriers need both aspects, a sampled view one.
TEST_F(Resources, DepthStencilAspects) {
  VkFormat format = VK_FORMAT_UNDEFINED;
  for (VkFormat f : {VK_FORMAT_D24_UNORM_S8_UINT, VK_FORMAT_D32_SFLOAT_S8_UINT, VK_FORMAT_D16_UNORM_S8_UINT}) {
    VkFormatProperties p{};
    vkGetPhysicalDeviceFormatProperties(ctx->physical_device(), f, &p);
    constexpr VkFormatFeatureFlags kNeed =
        VK_FORMAT_FEATURE_DEPTH_STENCIL_ATTACHMENT_BIT | VK_FORMAT_FEATURE_SAMPLED_IMAGE_BIT;
    if ((p.optimalTilingFeatures & kNeed) == kNeed) {
      format = f;
      break;
    }
  }
  if (format == VK_FORMAT_UNDEFINED) GTEST_SKIP() << "no depth+stencil format";
  constexpr VkImageAspectFlags kBoth = VK_IMAGE_ASPECT_DEPTH_BIT | VK_IMAGE_ASPECT_STENCIL_BIT;
  Image sampled(*ctx, {.format = format, .extent = {16, 16, 1},
                       .usage = VK_IMAGE_USAGE_DEPTH_STENCIL_ATTACHMENT_BIT | VK_IMAGE_USAGE_SAMPLED_BIT,
                       .name = "ds.sampled"});
  EXPECT_EQ(sampled.aspect(), kBoth);
  EXPECT_EQ(sampled.full_range().aspectMask, kBoth);
  ImageView stencil(*ctx, sampled, {.aspect = VK_IMAGE_ASPECT_STENCIL_BIT, .name = "ds.stencil"});
  EXPECT_EQ(stencil.range().aspectMask, VkImageAspectFlags(VK_IMAGE_ASPECT_STENCIL_BIT));
  ImageView depth(*ctx, sampled, {.name = "ds.depth"});
  EXPECT_EQ(depth.range().aspectMask, VkImageAspectFlags(VK_IMAGE_ASPECT_DEPTH_BIT));
  Image attachment(*ctx, {.format = format, .extent = {16, 16, 1},
                          .usage = VK_IMAGE_USAGE_DEPTH_STENCIL_ATTACHMENT_BIT, .name = "ds.attachment"});
  ImageView both(*ctx, attachment, {});
  EXPECT_EQ(both.range().aspectMask, kBoth);
}

TEST_F(Resources, ImageViews) {
  Image arr(*ctx, {.extent = {32, 32, 1}, .mip_levels = 4, .layers = 6, .cube = true,
                   .usage = VK_IMAGE_USAGE_SAMPLED_BIT, .name = "views.cube"});
  ImageView face(*ctx, arr, {.base_layer = 2, .layer_count = 1, .name = "views.face2"});
  EXPECT_EQ(face.type(), VK_IMAGE_VIEW_TYPE_2D);
  EXPECT_EQ(face.range().baseArrayLayer, 2u);
  EXPECT_EQ(face.range().layerCount, 1u);
  EXPECT_EQ(face.range().levelCount, 4u);
  EXPECT_EQ(face.image(), arr.handle());

  ImageView mips(*ctx, arr, {.base_mip = 1, .name = "views.mips1+"});
  EXPECT_EQ(mips.type(), VK_IMAGE_VIEW_TYPE_CUBE);
  EXPECT_EQ(mips.range().baseMipLevel, 1u);
  EXPECT_EQ(mips.range().levelCount, 3u);

  ImageView as_array(*ctx, arr, {.type = VK_IMAGE_VIEW_TYPE_2D_ARRAY, .base_mip = 3, .mip_count = 1,
                                 .name = "views.as_array"});
  EXPECT_EQ(as_array.type(), VK_IMAGE_VIEW_TYPE_2D_ARRAY);
  EXPECT_EQ(as_array.range().layerCount, 6u);

  ImageView swizzled(*ctx, arr, {.base_layer = 0, .layer_count = 1,
                                 .swizzle = {VK_COMPONENT_SWIZZLE_B, VK_COMPONENT_SWIZZLE_G,
                                             VK_COMPONENT_SWIZZLE_R, VK_COMPONENT_SWIZZLE_ONE}});
  EXPECT_TRUE(swizzled);

  // A UNORM view of an sRGB image, as storage writes need.
  Image srgb(*ctx, {.format = VK_FORMAT_R8G8B8A8_SRGB, .extent = {8, 8, 1}, .usage = VK_IMAGE_USAGE_SAMPLED_BIT,
                    .name = "views.srgb", .flags = VK_IMAGE_CREATE_MUTABLE_FORMAT_BIT});
  ImageView linear(*ctx, srgb, {.format = VK_FORMAT_R8G8B8A8_UNORM, .name = "views.srgb.linear"});
  EXPECT_EQ(linear.format(), VK_FORMAT_R8G8B8A8_UNORM);

  ImageView moved = std::move(face);
  EXPECT_FALSE(face);  // NOLINT(bugprone-use-after-move)
  EXPECT_TRUE(moved);
  moved = {};
  EXPECT_FALSE(moved);
}

// An image's memory holds what the GPU wrote, per layer and mip: clear one subresource, copy it out.
TEST_F(Resources, ImageContentsPerSubresource) {
  Image img(*ctx, {.extent = {8, 4, 1}, .mip_levels = 2, .layers = 3,
                   .usage = VK_IMAGE_USAGE_TRANSFER_DST_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT,
                   .name = "contents.array"});
  Buffer out(*ctx, {.size = 8 * 4 * 4 + 4 * 2 * 4, .usage = VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                    .memory = MemoryIntent::Readback, .name = "contents.out"});
  RawCommands rc(*ctx);
  rc.transition(img, VK_IMAGE_LAYOUT_UNDEFINED, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT,
                0, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT);
  for (uint32_t layer = 0; layer < 3; ++layer) {
    for (uint32_t mip = 0; mip < 2; ++mip) {
      const uint32_t k = (layer * 2 + mip) * 32;  // whole UNORM8 steps: no rounding question
      VkClearColorValue color{{float(k) / 255.0f, float(k) / 255.0f, float(255 - k) / 255.0f, 1.0f}};
      VkImageSubresourceRange r{VK_IMAGE_ASPECT_COLOR_BIT, mip, 1, layer, 1};
      vkCmdClearColorImage(rc.cmd(), img.handle(), VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, &color, 1, &r);
    }
  }
  rc.transition(img, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL,
                VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT,
                VK_ACCESS_TRANSFER_READ_BIT);
  VkBufferImageCopy copies[2]{};
  copies[0].imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 2, 1};  // layer 2, mip 0
  copies[0].imageExtent = img.mip_extent(0);
  copies[1].bufferOffset = 8 * 4 * 4;
  copies[1].imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 1, 1, 1};  // layer 1, mip 1
  copies[1].imageExtent = img.mip_extent(1);
  vkCmdCopyImageToBuffer(rc.cmd(), img.handle(), VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, out.handle(), 2, copies);
  rc.barrier(VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT, VK_PIPELINE_STAGE_HOST_BIT,
             VK_ACCESS_HOST_READ_BIT);
  rc.submit_and_wait();
  out.invalidate();
  const uint8_t* px = out.data<const uint8_t>();
  auto expect_texels = [&](size_t offset, size_t count, uint8_t v) {
    for (size_t i = 0; i < count; ++i) {
      ASSERT_EQ(px[offset + i * 4 + 0], v) << i;
      ASSERT_EQ(px[offset + i * 4 + 1], v) << i;
      ASSERT_EQ(px[offset + i * 4 + 2], uint8_t(255 - v)) << i;
      ASSERT_EQ(px[offset + i * 4 + 3], 255) << i;
    }
  };
  expect_texels(0, 8 * 4, 128);         // layer 2, mip 0: k = 4 * 32
  expect_texels(8 * 4 * 4, 4 * 2, 96);  // layer 1, mip 1: k = 3 * 32
}

// ---------------------------------------------------------------------------------------------
// Samplers

TEST_F(Resources, Samplers) {
  Sampler linear(*ctx, {.name = "sampler.linear"});
  EXPECT_NE(linear.handle(), VK_NULL_HANDLE);
  EXPECT_EQ(linear.name(), "sampler.linear");
  Sampler nearest(*ctx, {.filter = VK_FILTER_NEAREST, .mip = VK_SAMPLER_MIPMAP_MODE_NEAREST,
                         .address = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE, .name = "sampler.nearest"});
  Sampler shadow(*ctx, {.address = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_BORDER,
                        .compare = VK_COMPARE_OP_LESS_OR_EQUAL,
                        .border = VK_BORDER_COLOR_FLOAT_OPAQUE_WHITE, .name = "sampler.shadow"});
  Sampler aniso_off(*ctx, {.max_anisotropy = 1.0f, .name = "sampler.aniso_off"});
  // Above 1 without the feature enabled: ignored (logged once), no validation error.
  Sampler aniso(*ctx, {.max_anisotropy = 8.0f, .name = "sampler.aniso"});
  Sampler lod(*ctx, {.min_lod = 1.0f, .max_lod = 3.0f, .mip_lod_bias = 0.5f, .name = "sampler.lod"});
  Sampler texel(*ctx, {.filter = VK_FILTER_NEAREST, .mip = VK_SAMPLER_MIPMAP_MODE_NEAREST,
                       .address = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE, .max_lod = 0.0f,
                       .unnormalized_coordinates = true, .name = "sampler.texel"});
  for (const Sampler* s : {&nearest, &shadow, &aniso_off, &aniso, &lod, &texel}) EXPECT_TRUE(*s) << s->name();
}

// ---------------------------------------------------------------------------------------------
// Errors: say which field is wrong and what would be right, with the object's name.

TEST_F(Resources, BadBufferDescs) {
  const uint32_t before = live_allocations(*ctx);
  expect_error([&] { Buffer b(*ctx, {.size = 0, .usage = kTransfer, .name = "empty"}); },
               {"creating buffer 'empty'", "BufferDesc::size is 0"});
  expect_error([&] { Buffer b(*ctx, {.size = 16, .name = "aimless"}); },
               {"creating buffer 'aimless'", "BufferDesc::usage is 0", "VK_BUFFER_USAGE_"});
  expect_error([&] { Buffer b(*ctx, {.size = 16}); }, {"creating buffer (unnamed)"});
  // Out of memory (from vkCreateBuffer or from the allocator, as the driver decides) keeps the name.
  expect_error([&] { Buffer b(*ctx, {.size = VkDeviceSize(1) << 50, .usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT,
                                     .name = "huge"}); },
               {"creating buffer 'huge': "});
  EXPECT_EQ(live_allocations(*ctx), before);
}

TEST_F(Resources, BadImageDescs) {
  const uint32_t before = live_allocations(*ctx);
  constexpr VkImageUsageFlags kSampled = VK_IMAGE_USAGE_SAMPLED_BIT;
  expect_error([&] { Image i(*ctx, {.extent = {0, 16, 1}, .usage = kSampled, .name = "flat"}); },
               {"creating image 'flat'", "ImageDesc::extent 0x16x1 has a zero dimension", "width and height"});
  expect_error([&] { Image i(*ctx, {.extent = {16, 16, 1}, .name = "aimless"}); },
               {"creating image 'aimless'", "ImageDesc::usage is 0"});
  expect_error([&] { Image i(*ctx, {.extent = {64, 32, 1}, .mip_levels = 8, .usage = kSampled, .name = "deep"}); },
               {"creating image 'deep'", "mip_levels 8 is more than the 7 mip levels a 64x32x1 extent has"});
  expect_error([&] { Image i(*ctx, {.extent = {8, 8, 1}, .layers = 7, .cube = true, .usage = kSampled,
                                    .name = "cube7"}); },
               {"creating image 'cube7'", "layers is 7", "multiple of 6"});
  expect_error([&] { Image i(*ctx, {.extent = {8, 4, 1}, .cube = true, .usage = kSampled, .name = "oblong"}); },
               {"creating image 'oblong'", "8x4x1 is not square"});
  expect_error([&] { Image i(*ctx, {.extent = {8, 8, 2}, .usage = kSampled, .name = "thick"}); },
               {"has depth 2 but the image is 2D"});
  expect_error([&] { Image i(*ctx, {.extent = {8, 8, 1}, .mip_levels = 2, .samples = VK_SAMPLE_COUNT_4_BIT,
                                    .usage = VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT, .name = "msaa.mips"}); },
               {"multisampled images must be 2D", "1 mip level"});
  // Format support, from vkGetPhysicalDeviceImageFormatProperties: name the usage that failed.
  expect_error([&] { Image i(*ctx, {.format = VK_FORMAT_D32_SFLOAT, .extent = {8, 8, 1},
                                    .usage = VK_IMAGE_USAGE_DEPTH_STENCIL_ATTACHMENT_BIT |
                                             VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT,
                                    .name = "gbuffer.depth"}); },
               {"creating image 'gbuffer.depth'", "VK_FORMAT_D32_SFLOAT does not support usage COLOR_ATTACHMENT",
                "(of COLOR_ATTACHMENT|DEPTH_STENCIL_ATTACHMENT)", "optimal tiling"});
  expect_error([&] { Image i(*ctx, {.format = VK_FORMAT_BC1_RGB_UNORM_BLOCK, .extent = {8, 8, 1},
                                    .usage = VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT, .name = "bc1"}); },
               {"VK_FORMAT_BC1_RGB_UNORM_BLOCK does not support usage COLOR_ATTACHMENT"});
  // Sample counts the device lacks for the format.
  VkImageFormatProperties props{};
  vkGetPhysicalDeviceImageFormatProperties(ctx->physical_device(), VK_FORMAT_R8G8B8A8_UNORM, VK_IMAGE_TYPE_2D,
                                           VK_IMAGE_TILING_OPTIMAL, VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT, 0, &props);
  if (!(props.sampleCounts & VK_SAMPLE_COUNT_64_BIT)) {
    expect_error([&] { Image i(*ctx, {.extent = {8, 8, 1}, .samples = VK_SAMPLE_COUNT_64_BIT,
                                      .usage = VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT, .name = "msaa64"}); },
                 {"creating image 'msaa64'", "ImageDesc::samples 64 is not supported", "supported: 1"});
  }
  EXPECT_EQ(live_allocations(*ctx), before);
}

TEST_F(Resources, BadViewAndSamplerDescs) {
  Image img(*ctx, {.extent = {16, 16, 1}, .mip_levels = 2, .layers = 2, .usage = VK_IMAGE_USAGE_SAMPLED_BIT,
                   .name = "views.bad"});
  expect_error([&] { ImageView v(*ctx, img, {.base_mip = 2, .name = "past"}); },
               {"creating view 'past' of image 'views.bad'", "base_mip 2 is past the image's 2 mip level(s)"});
  expect_error([&] { ImageView v(*ctx, img, {.base_layer = 1, .layer_count = 2}); },
               {"layers 1..2 go past the image's 2 layer(s)", "layer_count at most 1"});
  expect_error([&] { ImageView v(*ctx, img, {.type = VK_IMAGE_VIEW_TYPE_CUBE}); },
               {"a CUBE view needs an image created with ImageDesc::cube = true"});
  expect_error([&] { ImageView v(*ctx, img, {.type = VK_IMAGE_VIEW_TYPE_2D}); },
               {"a 2D view covers 1 layer, not 2"});
  expect_error([&] { ImageView v(*ctx, img, {.format = VK_FORMAT_R8G8B8A8_SRGB}); },
               {"needs ImageDesc::flags VK_IMAGE_CREATE_MUTABLE_FORMAT_BIT"});
  expect_error([&] { ImageView v(*ctx, img, {.aspect = VK_IMAGE_ASPECT_DEPTH_BIT}); },
               {"is not part of the image's aspects"});
  expect_error([&] { ImageView v(*ctx, Image(), {}); }, {"the image is empty"});
  Image transfer_only(*ctx, {.extent = {4, 4, 1}, .usage = VK_IMAGE_USAGE_TRANSFER_DST_BIT, .name = "copies"});
  EXPECT_EQ(transfer_only.view(), VK_NULL_HANDLE);
  expect_error([&] { ImageView v(*ctx, transfer_only, {}); }, {"usage TRANSFER_DST allows no views"});
  expect_error([&] { Sampler s(*ctx, {.min_lod = 4.0f, .max_lod = 1.0f, .name = "backwards"}); },
               {"creating sampler 'backwards'", "max_lod 1 is below min_lod 4"});
  expect_error([&] { Sampler s(*ctx, {.unnormalized_coordinates = true, .name = "texel"}); },
               {"unnormalized_coordinates needs mip = NEAREST"});
}

// ---------------------------------------------------------------------------------------------
// Deferred destruction

// A buffer dropped while the submission that uses it cannot have run yet (it waits on a semaphore
// only the host signals) lives on until that submission finished, then its memory returns.
TEST_F(Resources, DroppingABufferInFlightIsSafe) {
  if (!ctx->has(Feature::TimelineSemaphore)) GTEST_SKIP() << "needs timeline semaphores to hold the GPU back";
  VkSemaphoreTypeCreateInfo type{VK_STRUCTURE_TYPE_SEMAPHORE_TYPE_CREATE_INFO};
  type.semaphoreType = VK_SEMAPHORE_TYPE_TIMELINE;
  VkSemaphoreCreateInfo sem_info{VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO, &type};
  VkSemaphore gate = VK_NULL_HANDLE;
  check(vkCreateSemaphore(ctx->device(), &sem_info, nullptr, &gate), "vkCreateSemaphore");

  Buffer out(*ctx, {.size = 1024, .usage = VK_BUFFER_USAGE_TRANSFER_DST_BIT, .memory = MemoryIntent::Readback,
                    .name = "inflight.out"});
  std::memset(out.mapped(), 0, 1024);
  const uint32_t with_out = live_allocations(*ctx);

  uint64_t serial = 0;
  {
    RawCommands rc(*ctx);
    Buffer doomed(*ctx, {.size = 1024, .usage = kTransfer, .name = "inflight.doomed"});
    Image doomed_image(*ctx, {.extent = {8, 8, 1}, .usage = VK_IMAGE_USAGE_TRANSFER_DST_BIT,
                              .name = "inflight.doomed_image"});
    EXPECT_EQ(live_allocations(*ctx), with_out + 2);
    vkCmdFillBuffer(rc.cmd(), doomed.handle(), 0, VK_WHOLE_SIZE, 0xC0FFEE11u);
    rc.barrier(VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT,
               VK_ACCESS_TRANSFER_READ_BIT);
    VkBufferCopy copy{0, 0, 1024};
    vkCmdCopyBuffer(rc.cmd(), doomed.handle(), out.handle(), 1, &copy);
    rc.transition(doomed_image, VK_IMAGE_LAYOUT_UNDEFINED, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
                  VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, 0, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT);
    VkClearColorValue red{{1, 0, 0, 1}};
    const VkImageSubresourceRange range = doomed_image.full_range();
    vkCmdClearColorImage(rc.cmd(), doomed_image.handle(), VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, &red, 1, &range);
    rc.barrier(VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT, VK_PIPELINE_STAGE_HOST_BIT,
               VK_ACCESS_HOST_READ_BIT);
    serial = rc.submit({{gate, 1, VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT}});

    doomed = {};  // the submission is pending: destruction must wait
    doomed_image.reset();
    EXPECT_FALSE(doomed);
    EXPECT_FALSE(ctx->queue().finished(serial));
    ctx->collect();
    EXPECT_EQ(live_allocations(*ctx), with_out + 2) << "memory returned while the GPU may still use it";

    VkSemaphoreSignalInfo signal{VK_STRUCTURE_TYPE_SEMAPHORE_SIGNAL_INFO};
    signal.semaphore = gate;
    signal.value = 1;
    check(ctx->fn().signal_semaphore(ctx->device(), &signal), "vkSignalSemaphore");
    ctx->queue().wait(serial);
    ctx->collect();
    EXPECT_EQ(live_allocations(*ctx), with_out);
  }  // the raw pool goes after its work finished

  out.invalidate();
  const uint32_t* words = out.data<const uint32_t>();
  for (uint32_t i = 0; i < 256; ++i) ASSERT_EQ(words[i], 0xC0FFEE11u) << i;
  vkDestroySemaphore(ctx->device(), gate, nullptr);
}

}  // namespace
}  // namespace kiln
