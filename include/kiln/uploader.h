// kiln/uploader.h — uploads that do not wait: a ring of persistently mapped staging memory, small
// uploads batched into one submission, large ones cut into chunks written by several threads while the
// GPU copies the chunks before them, and the fastest path per device and per call.
//
//   kiln::Uploader up(ctx);
//   kiln::UploadTicket t = up.upload(vertices, data.data(), data.size());    // copies data, returns
//   up.flush();                                                              // submits what is batched
//   ctx.queue().submit({.commands = cmds, .waits = {t.wait_info()}});         // GPU waits, CPU does not
//
//   // Loaders write straight into the memory the GPU copies from (no intermediate copy):
//   kiln::UploadSpan span = up.begin(positions, 0, bytes);   // staging, or the buffer itself (Direct)
//   read_file_into(span.data(), span.size());                // any thread
//   kiln::UploadTicket t2 = up.finish(std::move(span));
//
//   // Data already in host-visible memory of its own (a kiln::Buffer, MemoryIntent::Upload) is copied
//   // from there, at the copy engine's rate, with no memcpy: keep `pinned` unchanged until t3 is reached.
//   kiln::UploadTicket t3 = up.upload(positions, pinned, 0, pinned.size());
//
// Paths (UploadPath): Direct writes into the destination's own mapping (a buffer created with
// MemoryIntent::DeviceWithHostWrites: ReBAR on discrete GPUs, any memory on integrated and CPU
// devices); TransferQueue copies from staging on the dedicated transfer queue, with a queue-family
// ownership release there (the next CommandBuffer::use on the graphics family records the acquire);
// GraphicsQueue copies from staging on the graphics queue. Auto: Direct where the destination is mapped
// and the device is integrated/CPU or the upload is small (≤ direct_threshold), else TransferQueue
// where the device has one, else GraphicsQueue. Images always go through staging. TransferQueue
// becomes GraphicsQueue (the ticket's path says so) on devices with one queue family and for
// resources another family already owns (kiln cannot record the owner's release from here).
//
// Completion is a value of the Uploader's own timeline semaphore (UploadTicket), known when upload()
// returns, reached when the copy is done. Batches are submitted when full (batch_bytes), by flush(),
// and by wait(). Rules: GPU work that reads an upload waits on its ticket (wait_info()), and is
// submitted after flush() (work on the graphics queue cannot wait for a later submission of its own
// queue). Do not record uses of a destination until its upload was flushed: the Uploader advances the
// destination's ResourceState when it records the copy. Direct uploads are complete on return (their
// ticket value is 0, which the semaphore has already reached).
//
// Thread-safe: upload/begin/finish/flush from any thread; the memcpy and the writes into spans run
// outside the Uploader's lock. When the staging ring is full, begin()/upload() block until the GPU
// finished the oldest copies (backpressure; try_begin does not block).
//
// Not here: read-backs (downloader.h), blocking one-off copies for tools (transfer.h), sparse memory.
#pragma once

#include <vulkan/vulkan.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>

#include "kiln/queue.h"
#include "kiln/sync.h"

namespace kiln {

class Buffer;
class Context;
class Image;
class JobPool;

enum class UploadPath : uint32_t { Auto, Direct, TransferQueue, GraphicsQueue };
const char* upload_path_name(UploadPath path);

// Where GPU work waits for an upload.
struct UploadTicket {
  VkSemaphore semaphore = VK_NULL_HANDLE;  // the Uploader's timeline semaphore
  uint64_t value = 0;                      // reached when the copy (and the release) is done
  UploadPath path = UploadPath::Auto;      // the path this upload took (never Auto once returned)

  SemaphoreSubmit wait_info(VkPipelineStageFlags2 stages = VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT) const {
    return {semaphore, value, stages};
  }
};

struct UploadOptions {
  UploadPath path = UploadPath::Auto;
  // For images (and buffers on the TransferQueue path): the use that follows, so the release and the
  // layout transition are recorded for it. None for buffers: decided at the consumer's use.
  Use next_use = Use::None;
};

struct UploaderDesc {
  VkDeviceSize staging_size = 0;      // ring bytes; 0: 256 MiB (64 MiB on CPU devices)
  VkDeviceSize chunk_size = 0;        // large uploads are cut into chunks of this; 0: 4 MiB
  VkDeviceSize batch_bytes = 0;       // submit when a batch holds this much; 0: 16 MiB
  VkDeviceSize direct_threshold = 0;  // Auto picks Direct up to this on discrete GPUs; 0: 256 KiB
  UploadPath path = UploadPath::Auto; // the default for calls whose options say Auto
  JobPool* jobs = nullptr;            // threads for the memcpy of large uploads; null: its own pool
  uint32_t copy_threads = 0;          // at most this many threads per large upload; 0: up to 8
  const char* name = "uploader";
};

// Writable memory for one upload: staging (copied on finish) or the destination's own mapping.
class UploadSpan {
 public:
  UploadSpan() = default;
  UploadSpan(UploadSpan&& other) noexcept;
  UploadSpan& operator=(UploadSpan&& other) noexcept;
  UploadSpan(const UploadSpan&) = delete;
  UploadSpan& operator=(const UploadSpan&) = delete;
  ~UploadSpan();  // not finished: abandoned (the staging memory goes back, nothing is copied)

  uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  UploadPath path() const { return path_; }
  explicit operator bool() const { return data_ != nullptr; }

 private:
  friend class Uploader;
  class Uploader* owner_ = nullptr;
  uint8_t* data_ = nullptr;
  size_t size_ = 0;
  UploadPath path_ = UploadPath::Auto;
  uint64_t id_ = 0;  // the staging ring's block; 0 for Direct
  void* slab_ = nullptr;  // carved from this thread's slab of that block (the Uploader's ThreadSlab)
  // Where finish() copies it.
  void* target_ = nullptr;  // Buffer* or Image*
  bool image_ = false;
  VkDeviceSize dst_offset_ = 0;
  VkDeviceSize staging_offset_ = 0;
  uint32_t mip_ = 0;
  uint32_t layer_ = 0;
  VkDeviceSize first_row_ = 0, last_row_ = 0;  // a band of the layer's rows of texel blocks; 0, 0: all
  uint32_t lane_ = 0;
  Use next_use_ = Use::None;
};

struct UploaderStats {
  uint64_t uploads = 0;          // finished spans and upload() calls
  uint64_t bytes = 0;            // bytes uploaded, all paths
  uint64_t bytes_direct = 0;
  uint64_t bytes_transfer_queue = 0;
  uint64_t bytes_graphics_queue = 0;
  uint64_t batches = 0;          // submissions
  uint64_t copy_regions = 0;     // buffer copy regions submitted: pieces back to back in one buffer merge
  uint64_t stalls = 0;           // begin()/upload() calls that waited for ring space
  double submit_seconds = 0;     // CPU time recording and submitting batches (other threads wait meanwhile)
  VkDeviceSize staging_in_use = 0;
  VkDeviceSize staging_size = 0;
};

class Uploader {
 public:
  explicit Uploader(Context& ctx, const UploaderDesc& desc = {});
  // Submits what is batched and waits for it: the ring's memory may be read until then.
  ~Uploader();
  Uploader(const Uploader&) = delete;
  Uploader& operator=(const Uploader&) = delete;

  // Copies `size` bytes into `dst` at `dst_offset` (TRANSFER_DST usage for the staging paths). Large
  // uploads are chunked and their memcpy spread over threads; returns once `data` may be reused.
  UploadTicket upload(Buffer& dst, const void* data, size_t size, VkDeviceSize dst_offset = 0,
                      const UploadOptions& options = {});
  // Copies from a host-visible buffer the caller filled (MemoryIntent::Upload and TRANSFER_SRC usage:
  // pinned memory the copy engine reads directly, like CUDA's pinned host memory): no memcpy and no
  // staging, so a large upload runs at the device's copy rate instead of the CPU's memcpy rate.
  // Batched and ordered with the other uploads like them. Asynchronous: `src` stays alive and its
  // bytes unchanged until the ticket is reached.
  UploadTicket upload(Buffer& dst, const Buffer& src, VkDeviceSize src_offset, VkDeviceSize size,
                      VkDeviceSize dst_offset = 0, const UploadOptions& options = {});
  // One layer of one mip, tightly packed (size == image_layer_size(image, mip)); the image ends ready
  // for options.next_use (None: SampledInFragment). A layer larger than half the ring goes in bands
  // of rows (on the graphics queue), their memcpy spread over threads like upload()'s chunks.
  UploadTicket upload_image(Image& dst, const void* data, size_t size, uint32_t mip = 0, uint32_t layer = 0,
                            const UploadOptions& options = {});

  // Memory to write `size` bytes for dst[dst_offset..] into, then finish(). At most staging_size / 2
  // bytes per span on the staging paths.
  UploadSpan begin(Buffer& dst, VkDeviceSize dst_offset, size_t size, const UploadOptions& options = {});
  // A whole layer: at most staging_size / 2 bytes (upload_image() cuts larger ones into bands).
  UploadSpan begin_image(Image& dst, uint32_t mip = 0, uint32_t layer = 0, const UploadOptions& options = {});
  // Like begin, but returns an empty span instead of waiting for ring space.
  UploadSpan try_begin(Buffer& dst, VkDeviceSize dst_offset, size_t size, const UploadOptions& options = {});
  UploadTicket finish(UploadSpan&& span);
  void abandon(UploadSpan&& span);

  // Submits the current batches (no waiting).
  void flush();
  // The CPU waits (flushing first when needed).
  void wait(const UploadTicket& ticket);
  void wait_idle();
  bool finished(const UploadTicket& ticket) const;  // polls

  VkSemaphore timeline() const;
  // The path Auto resolves to for this destination and size.
  UploadPath choose_path(const Buffer& dst, size_t size, UploadPath requested = UploadPath::Auto) const;
  UploaderStats stats() const;

  struct Impl;

 private:
  friend class UploadSpan;
  UploadSpan begin_buffer(Buffer& dst, VkDeviceSize dst_offset, size_t size, const UploadOptions& options,
                          bool block);
  void release_span(UploadSpan& span) noexcept;
  // `count` spans of up to `piece_bytes` written on several threads (as many as the ring holds at
  // once), each filled from from(i): a large upload's chunks, an image layer's bands. Returns the
  // latest ticket; stats().uploads counts them as one.
  UploadTicket upload_pieces(uint32_t count, VkDeviceSize piece_bytes,
                             const std::function<UploadSpan(uint32_t)>& begin_piece,
                             const std::function<const uint8_t*(uint32_t)>& from);
  // Rows [first_row, last_row) of texel blocks of a layer (last_row 0: the whole layer).
  UploadSpan begin_image_rows(Image& dst, uint32_t mip, uint32_t layer, VkDeviceSize first_row, VkDeviceSize last_row,
                              const UploadOptions& options);
  // finish() of a span carved from a thread's slab without the Uploader's lock; false where the lock
  // is needed (nothing done then).
  bool finish_unlocked(UploadSpan& span, UploadTicket* ticket);
  std::unique_ptr<Impl> impl_;
};

}  // namespace kiln
