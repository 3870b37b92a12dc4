// upload_stream: loaders on four threads write straight into the Uploader's staging memory, a
// texture goes up mip by mip, a table generated into host-visible memory of its own is copied from
// there (no staging), GPU work waits on the uploads' tickets (the CPU does not), and the Downloader
// reads the results back. Checks every byte and prints what each path carried.
//
//   upload_stream [--validation off|standard|sync]
#include <cstdio>
#include <cstring>
#include <thread>
#include <vector>

#include "common/example_args.h"
#include "kiln/buffer.h"
#include "kiln/commands.h"
#include "kiln/context.h"
#include "kiln/downloader.h"
#include "kiln/image.h"
#include "kiln/transfer.h"
#include "kiln/uploader.h"

int main(int argc, char** argv) try {
  const example::Args args = example::parse_args(argc, argv, "");
  kiln::Context ctx({.validation = args.validation});
  kiln::Uploader up(ctx, {.staging_size = 8 << 20});
  kiln::Downloader down(ctx);

  // A buffer filled by four "loaders", each writing its quarter in 64 KiB pieces into spans.
  constexpr size_t kQuarter = 1 << 20;
  kiln::Buffer points(ctx, {.size = 4 * kQuarter,
                            .usage = VK_BUFFER_USAGE_TRANSFER_DST_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT |
                                     VK_BUFFER_USAGE_STORAGE_BUFFER_BIT,
                            .name = "points"});
  std::vector<std::thread> loaders;
  for (uint32_t t = 0; t < 4; ++t) {
    loaders.emplace_back([&, t] {
      for (size_t at = 0; at < kQuarter; at += 65536) {
        kiln::UploadSpan span = up.begin(points, t * kQuarter + at, 65536);
        for (size_t i = 0; i < span.size(); ++i) span.data()[i] = uint8_t(t * 64 + (at + i) % 61);  // "decode"
        up.finish(std::move(span));
      }
    });
  }
  for (std::thread& l : loaders) l.join();

  // A texture, mip by mip; it ends ready to be sampled.
  kiln::Image texture(ctx, {.format = VK_FORMAT_R8G8B8A8_UNORM,
                            .extent = {256, 256, 1},
                            .mip_levels = 4,
                            .usage = VK_IMAGE_USAGE_TRANSFER_DST_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT |
                                     VK_IMAGE_USAGE_SAMPLED_BIT,
                            .name = "texture"});
  std::vector<std::vector<uint8_t>> mips;
  kiln::UploadTicket texture_ready;
  for (uint32_t mip = 0; mip < texture.mip_levels(); ++mip) {
    mips.emplace_back(kiln::image_layer_size(texture, mip), uint8_t(40 * mip + 1));
    texture_ready = up.upload_image(texture, mips[mip].data(), mips[mip].size(), mip, 0,
                                    {.next_use = kiln::Use::SampledInFragment});
  }

  // A table generated into host-visible memory of its own (MemoryIntent::Upload): copied from there,
  // no memcpy into staging. It stays unchanged until its ticket is reached (down.wait below).
  kiln::Buffer table_source(ctx, {.size = 1 << 20, .usage = VK_BUFFER_USAGE_TRANSFER_SRC_BIT,
                                  .memory = kiln::MemoryIntent::Upload, .name = "table source"});
  auto* entries = table_source.data<uint32_t>();
  for (uint32_t i = 0; i < table_source.size() / 4; ++i) entries[i] = i * 2654435761u;
  kiln::Buffer table(ctx, {.size = table_source.size(),
                           .usage = VK_BUFFER_USAGE_TRANSFER_DST_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT |
                                    VK_BUFFER_USAGE_STORAGE_BUFFER_BIT,
                           .name = "table"});
  const kiln::UploadTicket table_ready = up.upload(table, table_source, 0, table_source.size());

  // GPU work that reads the uploads waits on their tickets; it is submitted after flush().
  const kiln::UploadTicket points_ready = up.upload(points, "kiln", 4, 0);  // the last write wins
  up.flush();
  kiln::Buffer copy(ctx, {.size = points.size(),
                          .usage = VK_BUFFER_USAGE_TRANSFER_DST_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT,
                          .name = "copy"});
  kiln::CommandPool pool(ctx);
  kiln::CommandBuffer cmd = pool.begin("consume");
  cmd.copy_buffer(points, copy);
  const kiln::SemaphoreSubmit wait = points_ready.wait_info(VK_PIPELINE_STAGE_2_TRANSFER_BIT);
  kiln::CommandBuffer* commands[] = {&cmd};
  ctx.queue().submit(kiln::SubmitDesc{.commands = kiln::Slice<kiln::CommandBuffer*>(commands, 1),
                                      .waits = kiln::Slice<kiln::SemaphoreSubmit>(wait)});

  // Read-backs: recorded now, collected when wanted. The texture's mips wait on its ticket on the GPU.
  down.wait_for(texture_ready.wait_info(VK_PIPELINE_STAGE_2_TRANSFER_BIT));
  down.wait_for(table_ready.wait_info(VK_PIPELINE_STAGE_2_TRANSFER_BIT));
  const kiln::DownloadTicket table_back = down.download(table);
  const kiln::DownloadTicket copy_back = down.download(copy);
  std::vector<kiln::DownloadTicket> mip_back;
  for (uint32_t mip = 0; mip < texture.mip_levels(); ++mip) mip_back.push_back(down.download_image(texture, mip));
  down.flush();

  const std::vector<uint8_t> bytes = down.wait(copy_back);  // the CPU waits here, and only here
  bool ok = std::memcmp(bytes.data(), "kiln", 4) == 0;
  for (size_t i = 4; i < bytes.size(); ++i) {
    const size_t t = i / kQuarter, at = i % kQuarter;
    ok = ok && bytes[i] == uint8_t(t * 64 + at % 61);
  }
  for (uint32_t mip = 0; mip < texture.mip_levels(); ++mip) ok = ok && down.wait(mip_back[mip]) == mips[mip];
  const std::vector<uint8_t> table_bytes = down.wait(table_back);
  ok = ok && std::memcmp(table_bytes.data(), entries, table_bytes.size()) == 0;

  const kiln::UploaderStats s = up.stats();
  std::printf("%s: %llu uploads, %llu bytes in %llu submissions (direct %llu, transfer queue %llu, graphics "
              "queue %llu bytes)\n",
              ok ? "ok" : "MISMATCH", (unsigned long long)s.uploads, (unsigned long long)s.bytes,
              (unsigned long long)s.batches, (unsigned long long)s.bytes_direct,
              (unsigned long long)s.bytes_transfer_queue, (unsigned long long)s.bytes_graphics_queue);
  return ok ? 0 : 1;
} catch (const std::exception& e) {
  std::fprintf(stderr, "upload_stream: %s\n", e.what());
  return 1;
}
