// upload_now / read_back_now / upload_image_now / read_image_now, checked byte for byte.
#include <algorithm>
#include <string>
#include <cstring>
#include <numeric>
#include <random>
#include <vector>

#include "kiln/buffer.h"
#include "kiln/commands.h"
#include "kiln/context.h"
#include "kiln/error.h"
#include "kiln/format.h"
#include "kiln/image.h"
#include "kiln/transfer.h"
#include "support/gpu_test.h"

namespace kiln {
namespace {

// KILN_SYNC2_PARAMS's lambda parameter `info` shadows one of gtest's (-Werror=shadow): same thing here.
std::string sync2_name(const ::testing::TestParamInfo<bool>& p) { return p.param ? "sync2" : "fallback"; }

using test::GpuTestSync2;

class TransferTest : public GpuTestSync2 {};
INSTANTIATE_TEST_SUITE_P(Sync2, TransferTest, ::testing::Values(true, false), sync2_name);

std::vector<uint8_t> pattern(size_t n, uint32_t seed) {
  std::vector<uint8_t> v(n);
  std::mt19937 rng(seed);
  for (auto& b : v) b = uint8_t(rng());
  return v;
}

constexpr VkBufferUsageFlags kCopyBoth = VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT;

TEST_P(TransferTest, DeviceOnlyBufferRoundTripOddSize) {
  const size_t n = 1001;  // not a multiple of 4
  Buffer b(*ctx, {.size = n, .usage = kCopyBoth, .name = "odd"});
  // lavapipe's memory is all host-visible, so kiln may map even DeviceOnly buffers there: force the
  // staging path (what a discrete GPU takes) as well as the default one.
  for (bool staging : {true, false}) {
    const TransferOptions options{.force_staging = staging};
    const std::vector<uint8_t> data = pattern(n, staging ? 1 : 2);
    upload_now(*ctx, b, data.data(), n, 0, options);
    EXPECT_EQ(read_back_now(*ctx, b, 0, VK_WHOLE_SIZE, options), data);
    EXPECT_EQ(read_back_now(*ctx, b, 3, 995, options), std::vector<uint8_t>(data.begin() + 3, data.begin() + 998));
  }
}

TEST_P(TransferTest, UploadAtAnOffsetKeepsTheRest) {
  const size_t n = 4096;
  Buffer b(*ctx, {.size = n, .usage = kCopyBoth, .name = "offset"});
  std::vector<uint8_t> expected(n, 0xab);
  upload_now(*ctx, b, expected.data(), n, 0, {.force_staging = true});
  const std::vector<uint8_t> part = pattern(777, 2);
  upload_now(*ctx, b, part.data(), part.size(), 333, {.force_staging = true});
  std::memcpy(expected.data() + 333, part.data(), part.size());
  EXPECT_EQ(read_back_now(*ctx, b), expected);

  std::vector<uint8_t> into(10);
  read_back_now(*ctx, b, std::span<uint8_t>(into), 330);
  EXPECT_EQ(into, std::vector<uint8_t>(expected.begin() + 330, expected.begin() + 340));
}

TEST_P(TransferTest, UploadFromSeveralThreadsThenReuse) {
  // 4 workers over 1 MiB chunks, twice into the same buffer: the second upload must wait for the
  // first one's copies and for the GPU read in between (sync validation checks the barriers).
  const size_t n = (size_t(12) << 20) + 777;
  Buffer b(*ctx, {.size = n, .usage = kCopyBoth, .name = "threaded"});
  Buffer copy(*ctx, {.size = n, .usage = kCopyBoth, .name = "threaded.copy"});
  const std::vector<uint8_t> first = pattern(n, 5), second = pattern(n, 9);
  const TransferOptions threaded{.chunk_size = VkDeviceSize(1) << 20, .force_staging = true, .threads = 4};
  upload_now(*ctx, b, first.data(), n, 0, threaded);
  run_now(*ctx, [&](CommandBuffer& cmd) { cmd.copy_buffer(b, copy); });
  upload_now(*ctx, b, second.data(), n, 0, threaded);
  EXPECT_TRUE(read_back_now(*ctx, copy, 0, VK_WHOLE_SIZE, {.force_staging = true}) == first);
  EXPECT_TRUE(read_back_now(*ctx, b, 0, VK_WHOLE_SIZE, {.force_staging = true}) == second);
}

TEST_P(TransferTest, TwentyMegabytesInManyChunks) {
  const size_t n = size_t(20) << 20;
  Buffer b(*ctx, {.size = n, .usage = kCopyBoth, .name = "big"});
  const std::vector<uint8_t> data = pattern(n, 3);
  // 3 MiB + a bit: seven chunks, the last one short, none aligned to anything.
  upload_now(*ctx, b, data.data(), n, 0, {.chunk_size = (VkDeviceSize(3) << 20) + 12345, .force_staging = true});
  const std::vector<uint8_t> back =
      read_back_now(*ctx, b, 0, VK_WHOLE_SIZE, {.chunk_size = (5 << 20) + 7, .force_staging = true});
  ASSERT_EQ(back.size(), n);
  EXPECT_TRUE(back == data) << "first difference at byte "
                            << (std::mismatch(back.begin(), back.end(), data.begin()).first - back.begin());
  // The default chunk covers it in one go.
  EXPECT_EQ(read_back_now(*ctx, b, 0, VK_WHOLE_SIZE, {.force_staging = true}), data);
}

TEST_P(TransferTest, MappedBuffersAreWrittenDirectlyAndSeeGpuWrites) {
  const size_t n = 1000;
  Buffer host(*ctx, {.size = n, .usage = kCopyBoth, .memory = MemoryIntent::Readback, .name = "host"});
  ASSERT_NE(host.mapped(), nullptr);
  const std::vector<uint8_t> first = pattern(n, 4);
  upload_now(*ctx, host, first.data(), n);
  EXPECT_EQ(std::memcmp(host.mapped(), first.data(), n), 0);

  // The GPU overwrites it: read_back_now must see the GPU's bytes.
  Buffer device(*ctx, {.size = n, .usage = kCopyBoth, .name = "device"});
  const std::vector<uint8_t> second = pattern(n, 5);
  upload_now(*ctx, device, second.data(), n);
  run_now(*ctx, [&](CommandBuffer& cmd) { cmd.copy_buffer(device, host); });
  EXPECT_EQ(read_back_now(*ctx, host), second);

  // Written by the host after GPU use, then read by the GPU: the bytes arrive.
  const std::vector<uint8_t> third = pattern(n, 6);
  upload_now(*ctx, host, third.data(), n);
  run_now(*ctx, [&](CommandBuffer& cmd) { cmd.copy_buffer(host, device); });
  EXPECT_EQ(read_back_now(*ctx, device), third);
  // And the staging path works on mapped buffers too.
  upload_now(*ctx, host, second.data(), n, 0, {.force_staging = true});
  EXPECT_EQ(read_back_now(*ctx, host, 0, VK_WHOLE_SIZE, {.force_staging = true}), second);
}

TEST_P(TransferTest, OutOfRangeThrowsWithTheBufferName) {
  Buffer b(*ctx, {.size = 64, .usage = kCopyBoth, .name = "small"});
  std::vector<uint8_t> data(65);
  try {
    upload_now(*ctx, b, data.data(), data.size());
    FAIL() << "no throw";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'small'"), std::string::npos) << e.what();
  }
  EXPECT_THROW(read_back_now(*ctx, b, 60, 8), Error);
}

TEST_P(TransferTest, ImageMipAndLayerRoundTrip) {
  Image img(*ctx, {.format = VK_FORMAT_R8G8B8A8_UNORM,
                   .extent = {61, 47, 1},
                   .mip_levels = 3,
                   .layers = 3,
                   .usage = VK_IMAGE_USAGE_TRANSFER_SRC_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT |
                            VK_IMAGE_USAGE_SAMPLED_BIT,
                   .name = "roundtrip"});
  const uint64_t base_size = image_layer_size(img, 0);
  ASSERT_EQ(base_size, 61u * 47u * 4u);
  ASSERT_EQ(image_layer_size(img, 1), 30u * 23u * 4u);

  const std::vector<uint8_t> base = pattern(base_size, 7);
  upload_image_now(*ctx, img, base.data(), base.size(), 0, 0);
  const std::vector<uint8_t> mip1 = pattern(image_layer_size(img, 1), 8);
  // A small chunk: many row groups.
  upload_image_now(*ctx, img, mip1.data(), mip1.size(), 1, 2, Use::SampledInFragment, {.chunk_size = 1000});
  EXPECT_EQ(img.state().layout, VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL);

  EXPECT_EQ(read_image_now(*ctx, img, 1, 2, {.chunk_size = 500}), mip1);
  EXPECT_EQ(read_image_now(*ctx, img, 0, 0), base);  // untouched by the second upload
  EXPECT_EQ(img.state().layout, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL);
  EXPECT_THROW(read_image_now(*ctx, img, 3, 0), Error);
  EXPECT_THROW(upload_image_now(*ctx, img, base.data(), base.size() - 1), Error);
}

TEST_P(TransferTest, ThreeDimensionalImageChunksAcrossSlices) {
  Image vol(*ctx, {.type = VK_IMAGE_TYPE_3D,
                   .format = VK_FORMAT_R8_UNORM,
                   .extent = {17, 13, 5},
                   .usage = VK_IMAGE_USAGE_TRANSFER_SRC_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT |
                            VK_IMAGE_USAGE_SAMPLED_BIT,
                   .name = "volume"});
  const std::vector<uint8_t> data = pattern(17 * 13 * 5, 9);
  ASSERT_EQ(image_layer_size(vol), data.size());
  // 100 bytes: 4 rows of 17 per chunk, so chunks start mid-slice and span slice edges.
  upload_image_now(*ctx, vol, data.data(), data.size(), 0, 0, Use::None, {.chunk_size = 100});
  EXPECT_EQ(read_image_now(*ctx, vol, 0, 0, {.chunk_size = 17 * 13 * 2}), data);  // whole slices
  EXPECT_EQ(read_image_now(*ctx, vol, 0, 0, {.chunk_size = 90}), data);
}

TEST_P(TransferTest, CompressedImageRoundTrip) {
  const VkFormat format = VK_FORMAT_BC1_RGBA_UNORM_BLOCK;
  VkImageFormatProperties props{};
  if (vkGetPhysicalDeviceImageFormatProperties(ctx->physical_device(), format, VK_IMAGE_TYPE_2D,
                                               VK_IMAGE_TILING_OPTIMAL,
                                               VK_IMAGE_USAGE_TRANSFER_SRC_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT |
                                                   VK_IMAGE_USAGE_SAMPLED_BIT,
                                               0, &props) != VK_SUCCESS) {
    GTEST_SKIP() << "BC1 is not supported here";
  }
  Image img(*ctx, {.format = format,
                   .extent = {30, 18, 1},  // not a multiple of the 4x4 block
                   .usage = VK_IMAGE_USAGE_TRANSFER_SRC_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT |
                            VK_IMAGE_USAGE_SAMPLED_BIT,
                   .name = "bc1"});
  ASSERT_EQ(image_layer_size(img), 8u * 5u * 8u);
  const std::vector<uint8_t> data = pattern(image_layer_size(img), 10);
  upload_image_now(*ctx, img, data.data(), data.size(), 0, 0, Use::None, {.chunk_size = 64});
  EXPECT_EQ(read_image_now(*ctx, img, 0, 0, {.chunk_size = 64}), data);
}

}  // namespace
}  // namespace kiln
