// kiln/downloader.h — read-backs that do not wait: buffers and images copied into a ring of
// persistently mapped Readback memory, batched into one submission, collected when the CPU asks.
//
//   kiln::Downloader down(ctx);
//   ctx.queue().submit(frame);                                   // the work that writes `results`
//   kiln::DownloadTicket t = down.download(results);              // records the copy, returns at once
//   kiln::DownloadTicket p = down.download_image(target, 0, 0);   // one mip and layer, tightly packed
//   down.flush();                                                 // submits the batch (no waiting)
//   ...                                                           // frames later:
//   if (down.finished(t)) std::vector<uint8_t> bytes = down.wait(t);   // copies out, frees the ring
//
// Copies run on the graphics queue, after everything submitted to it before flush(); work on other
// queues (an Uploader's transfer queue, async compute) is waited for with wait_for(semaphore, value).
// The copy records a use (TransferSrc) of the source when download() is called: record and submit
// work that uses the source later after flush(), as with any command buffer (sync.h).
//
// Each ticket holds its part of the ring until wait()/wait_into()/discard() collects it: tickets are
// collected once. The ring is a FIFO; when it is full, download() waits for the GPU, and throws when
// the space is held by finished read-backs nobody collected (collect them, or make readback_size larger).
//
// Thread-safe: download/flush/wait from any thread; the copy out of the ring runs outside the lock.
// Not here: uploads (uploader.h), blocking one-off read-backs (transfer.h: read_back_now).
#pragma once

#include <vulkan/vulkan.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "kiln/queue.h"

namespace kiln {

class Buffer;
class Context;
class Image;

struct DownloaderDesc {
  VkDeviceSize readback_size = 0;  // ring bytes; 0: 64 MiB (16 MiB on CPU devices)
  VkDeviceSize batch_bytes = 0;    // submit when a batch holds this much; 0: 16 MiB
  const char* name = "downloader";
};

struct DownloadTicket {
  VkSemaphore semaphore = VK_NULL_HANDLE;  // the Downloader's timeline (null without timeline semaphores)
  uint64_t value = 0;                      // reached when the copy is done
  uint64_t id = 0;                         // the ring block holding the bytes; 0: nothing to read
  size_t size = 0;                         // bytes
  explicit operator bool() const { return id != 0; }
};

struct DownloaderStats {
  uint64_t downloads = 0;
  uint64_t bytes = 0;
  uint64_t batches = 0;  // submissions
  uint64_t stalls = 0;   // download() calls that waited for ring space
  VkDeviceSize readback_in_use = 0;
  VkDeviceSize readback_size = 0;
};

class Downloader {
 public:
  explicit Downloader(Context& ctx, const DownloaderDesc& desc = {});
  // Waits for what it submitted (the ring may be written until then).
  ~Downloader();
  Downloader(const Downloader&) = delete;
  Downloader& operator=(const Downloader&) = delete;

  // The next batch waits (on the GPU) for this: e.g. an UploadTicket's wait_info().
  void wait_for(const SemaphoreSubmit& wait);
  // `size` bytes (VK_WHOLE_SIZE: to the end) from `offset`; the buffer needs TRANSFER_SRC usage.
  DownloadTicket download(Buffer& src, VkDeviceSize offset = 0, VkDeviceSize size = VK_WHOLE_SIZE);
  // One layer of one mip, tightly packed (image_layer_size bytes); TRANSFER_SRC usage; the image is
  // left in TransferSrc.
  DownloadTicket download_image(Image& src, uint32_t mip = 0, uint32_t layer = 0);

  // Submits the batch (no waiting).
  void flush();
  bool finished(const DownloadTicket& ticket) const;  // polls
  // The CPU waits (flushing first when needed), copies the bytes out and frees the ticket's block.
  std::vector<uint8_t> wait(const DownloadTicket& ticket);
  void wait_into(const DownloadTicket& ticket, std::span<uint8_t> out);  // out.size() == ticket.size
  // Frees the ticket's block without reading it (never waits: the block returns once the copy ran).
  void discard(const DownloadTicket& ticket);
  void wait_idle();

  VkSemaphore timeline() const;
  DownloaderStats stats() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace kiln
