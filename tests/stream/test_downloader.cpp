// The Downloader on lavapipe (validation + synchronization validation): buffers and images read back
// without waiting until asked, after GPU work and after uploads, checked byte for byte; the ring
// reused many times over; tickets collected once; a ring full of uncollected results is an error.
#include <cstring>
#include <string>
#include <vector>

#include "kiln/buffer.h"
#include "kiln/commands.h"
#include "kiln/context.h"
#include "kiln/downloader.h"
#include "kiln/error.h"
#include "kiln/image.h"
#include "kiln/transfer.h"
#include "kiln/uploader.h"
#include "stream/stream_test_util.h"
#include "support/gpu_test.h"

namespace kiln {
namespace {

std::string sync2_name(const ::testing::TestParamInfo<bool>& p) { return p.param ? "sync2" : "fallback"; }

class DownloaderTest : public test::GpuTestSync2 {};
INSTANTIATE_TEST_SUITE_P(Sync2, DownloaderTest, ::testing::Values(true, false), sync2_name);

using kiln::test::pattern;

using kiln::test::device_buffer;

TEST_P(DownloaderTest, BufferAfterGpuWork) {
  Buffer src = device_buffer(*ctx, 10007, "src");
  const std::vector<uint8_t> data = pattern(10007, 1);
  upload_now(*ctx, src, data.data(), data.size());
  // GPU work writes part of it; the read-back is recorded after it is submitted.
  CommandPool pool(*ctx);
  CommandBuffer cmd = pool.begin("fill");
  cmd.fill_buffer(src, 0x01020304u, 1000, 400);
  ctx->queue().submit(cmd);
  Downloader down(*ctx);
  const DownloadTicket t = down.download(src, 3);
  const DownloadTicket part = down.download(src, 996, 12);
  EXPECT_EQ(t.size, 10004u);
  down.flush();
  std::vector<uint8_t> want(data.begin() + 3, data.end());
  for (size_t i = 1000; i < 1400; ++i) want[i - 3] = uint8_t(0x01020304u >> (8 * (i % 4)));
  EXPECT_EQ(down.wait(t), want);
  const std::vector<uint8_t> p = down.wait(part);
  EXPECT_EQ(p, std::vector<uint8_t>(want.begin() + 993, want.begin() + 1005));
  EXPECT_TRUE(down.finished(t));
}

TEST_P(DownloaderTest, WaitsOnAnUploadOnTheGpu) {
  Buffer buffer = device_buffer(*ctx, 300000, "buffer");
  Uploader up(*ctx, {.staging_size = 1 << 20});
  Downloader down(*ctx, {.readback_size = 1 << 20});
  const std::vector<uint8_t> data = pattern(buffer.size(), 2);
  const UploadTicket u = up.upload(buffer, data.data(), data.size());
  up.flush();
  down.wait_for(u.wait_info(VK_PIPELINE_STAGE_2_TRANSFER_BIT));
  const DownloadTicket d = down.download(buffer);
  EXPECT_EQ(down.wait(d), data);  // only here does the CPU wait
}

TEST_P(DownloaderTest, ImageMipsAndLayers) {
  Image image(*ctx, {.format = VK_FORMAT_R16G16_SFLOAT,
                     .extent = {19, 11, 1},
                     .mip_levels = 2,
                     .layers = 3,
                     .usage = VK_IMAGE_USAGE_TRANSFER_DST_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT,
                     .name = "image"});
  std::vector<std::vector<uint8_t>> want;
  for (uint32_t mip = 0; mip < 2; ++mip)
    for (uint32_t layer = 0; layer < 3; ++layer) {
      want.push_back(pattern(image_layer_size(image, mip), 10 + mip * 3 + layer));
      upload_image_now(*ctx, image, want.back().data(), want.back().size(), mip, layer, Use::None);
    }
  Downloader down(*ctx);
  std::vector<DownloadTicket> tickets;
  for (uint32_t mip = 0; mip < 2; ++mip)
    for (uint32_t layer = 0; layer < 3; ++layer) tickets.push_back(down.download_image(image, mip, layer));
  for (size_t i = 0; i < tickets.size(); ++i) {
    std::vector<uint8_t> out(tickets[i].size);
    down.wait_into(tickets[i], out);
    EXPECT_EQ(out, want[i]) << "subresource " << i;
  }
  EXPECT_EQ(image.state().layout, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL);
}

TEST_P(DownloaderTest, RingIsReusedAndTicketsAreCollectedOnce) {
  Buffer src = device_buffer(*ctx, 40000, "src");
  const std::vector<uint8_t> data = pattern(40000, 3);
  upload_now(*ctx, src, data.data(), data.size());
  Downloader down(*ctx, {.readback_size = 64 * 1024, .batch_bytes = 30000});
  for (int round = 0; round < 20; ++round) {
    const VkDeviceSize at = VkDeviceSize(round) * 1531 % 20000;
    const DownloadTicket t = down.download(src, at, 20000 - round);
    EXPECT_EQ(down.wait(t), std::vector<uint8_t>(data.begin() + at, data.begin() + at + 20000 - round));
    EXPECT_THROW(down.wait(t), Error);
  }
  EXPECT_EQ(down.stats().readback_in_use, 0u);
  // Uncollected results fill the ring: a clear error, not a hang.
  const DownloadTicket a = down.download(src, 0, 30000);
  const DownloadTicket b = down.download(src, 0, 30000);
  try {
    down.download(src, 0, 30000);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("nobody collected"), std::string::npos) << e.what();
  }
  down.discard(a);
  const DownloadTicket c = down.download(src, 100, 30000);
  EXPECT_EQ(down.wait(c), std::vector<uint8_t>(data.begin() + 100, data.begin() + 30100));
  EXPECT_EQ(down.wait(b), std::vector<uint8_t>(data.begin(), data.begin() + 30000));
}

TEST_P(DownloaderTest, MissingUsageIsAnError) {
  Buffer no_src(*ctx, {.size = 64, .usage = VK_BUFFER_USAGE_TRANSFER_DST_BIT, .name = "no-src"});
  Downloader down(*ctx);
  try {
    down.download(no_src);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("TRANSFER_SRC"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("'no-src'"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace kiln
