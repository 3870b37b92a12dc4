// kiln/sequence_stream.h — playing a sequence file from disk to the GPU: ask every frame for the frame
// to show, get it when it is resident, and let the stream load what comes next.
//
//   kiln::SequenceStream stream(ctx, "walk.kseq", {.gpu_budget = 2ull << 30, .prefetch = 16});
//   for (;;) {
//     if (const kiln::StreamFrame* f = stream.get(i)) {       // never blocks
//       cmd.use(f->buffer("positions"), kiln::Use::VertexBuffer);
//       ... draw ...
//       uint64_t serial = ctx.queue().submit({.commands = cmds, .waits = {f->ready.wait_info()}});
//       stream.used(*f, ctx.queue(), serial);                 // not evicted before that work is done
//     }                                                      // null: late; it is loading first
//     i = next(i);
//   }
//
// Loads run on a JobPool: each reads a frame's blobs from the file (positional reads, decompressing
// LZ4/zstd) straight into the Uploader's mapped staging memory (or the buffer itself on the Direct
// path), and the Uploader copies them into the frame's GPU buffers and images. get(i) returns a
// frame once its copies were submitted; GPU work reading it waits on `ready` (the CPU never does).
//
// Prefetch: Sequence — the next `prefetch` frames in the play direction (reversing and seeking are
// seen from successive get() calls; `loop` wraps around). Spatial — for chunked 2D/3D data whose
// frames carry positions (FrameInfo::position): the `prefetch` chunks nearest the point given to
// set_point(), plus every chunk asked for since the last update. The frame asked for comes first,
// then the rest by rank; loads no longer wanted are cancelled (queued ones never run; running ones
// stop between blobs). GPU memory stays within `gpu_budget`: the least recently used frames nobody
// wants go first, then wanted ones further down the list than the frame being loaded (prefetch never
// pushes out what is needed sooner), never one that submitted work still uses (used()); when nothing
// can go, prefetch waits. Evicted frames' buffers are reused for new frames of the same sizes.
//
// Not thread-safe: call from one thread (the render loop). Not here: audio, timestamps per frame
// (play speed is the caller's), writing sequences (sequence_file.h).
#pragma once

#include <vulkan/vulkan.h>

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "kiln/sync.h"
#include "kiln/uploader.h"

namespace kiln {

class Buffer;
class Context;
class Image;
class JobPool;
class Queue;
class SequenceReader;

enum class PrefetchPolicy : uint32_t { Sequence, Spatial };
const char* prefetch_policy_name(PrefetchPolicy policy);

struct SequenceStreamDesc {
  VkDeviceSize gpu_budget = 0;   // bytes of GPU memory for frames; 0: 1 GiB, at most half the device-local heap
  uint32_t prefetch = 8;         // frames ahead (Sequence) or nearest chunks (Spatial)
  PrefetchPolicy policy = PrefetchPolicy::Sequence;
  bool loop = true;              // Sequence: after the last frame comes the first (and the reverse)
  bool verify = false;           // check every blob's checksum as it loads (costs CPU: tests, tools)
  // Usage of the frames' buffers (TRANSFER_DST is added) and images (TRANSFER_DST | SAMPLED added).
  VkBufferUsageFlags buffer_usage = VK_BUFFER_USAGE_VERTEX_BUFFER_BIT | VK_BUFFER_USAGE_INDEX_BUFFER_BIT |
                                    VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT;
  VkImageUsageFlags image_usage = VK_IMAGE_USAGE_SAMPLED_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT;
  Use image_use = Use::SampledInFragment;  // what images are made ready for
  // Loads running or queued at once; 0: twice the job pool's threads.
  uint32_t max_loads = 0;
  UploadPath path = UploadPath::Auto;
  JobPool* jobs = nullptr;       // null: the stream's own pool (one thread per core)
  Uploader* uploader = nullptr;  // null: the stream's own
  const char* name = "sequence";
};

struct StreamField {
  std::string_view name;
  Buffer* buffer = nullptr;  // buffer fields
  Image* image = nullptr;    // image fields
  uint64_t size = 0;         // bytes of this frame's data (the buffer may be larger when reused)
};

class StreamFrame {
 public:
  uint32_t index() const { return index_; }
  // GPU work reading this frame waits on it (already submitted when get() returned the frame).
  UploadTicket ready;
  std::span<const StreamField> fields() const { return {fields_.get(), field_count_}; }
  // By field name; throws Error listing the names that exist (or the kind when it is the other one).
  Buffer& buffer(std::string_view name) const;
  Image& image(std::string_view name) const;
  uint64_t size(std::string_view name) const;

 private:
  friend class SequenceStream;
  const StreamField& field(std::string_view name) const;
  uint32_t index_ = 0;
  std::unique_ptr<StreamField[]> fields_;
  uint32_t field_count_ = 0;
};

struct StreamStats {
  uint64_t requests = 0;         // get() calls
  uint64_t hits = 0;             // ... that found the frame resident
  uint64_t late = 0;             // ... that did not (the caller showed something else)
  uint64_t loads_started = 0, loads_done = 0, loads_cancelled = 0, loads_failed = 0;
  uint64_t evictions = 0;
  uint64_t bytes_read = 0;       // from the file (compressed size)
  uint64_t bytes_uploaded = 0;   // raw bytes delivered to the GPU
  // Wall time summed over load jobs, and two parts of it: waiting for staging space (the GPU's copies
  // behind), and reading the file (and decompressing) into staging. The rest is submitting.
  double load_seconds = 0, load_wait_seconds = 0, load_read_seconds = 0;
  uint32_t loads_queued = 0, loads_running = 0;
  uint32_t resident_frames = 0;
  VkDeviceSize resident_bytes = 0;  // GPU memory held by frames (resident, loading, kept for reuse)
  VkDeviceSize budget = 0;
  double hit_rate() const { return requests ? double(hits) / double(requests) : 0.0; }
};

class SequenceStream {
 public:
  // Opens `path` (throws SequenceError naming the file and what is wrong).
  SequenceStream(Context& ctx, const std::string& path, const SequenceStreamDesc& desc = {});
  // Cancels what is queued, waits for running loads and for the GPU work using the frames.
  ~SequenceStream();
  SequenceStream(const SequenceStream&) = delete;
  SequenceStream& operator=(const SequenceStream&) = delete;

  // The frame if resident (its copies submitted), else null and it loads first. Never blocks.
  const StreamFrame* get(uint32_t index);
  // Blocks until `index` is resident (tools, tests, exact playback).
  const StreamFrame& wait(uint32_t index);
  // Work submitted on `queue` up to `serial` reads `frame`: it stays resident until that finished.
  void used(const StreamFrame& frame, Queue& queue, uint64_t serial);
  // Spatial policy: the point whose nearest chunks to load.
  void set_point(const std::array<float, 3>& point);
  // Schedules prefetch and cancels what is no longer wanted (get() does it too).
  void update();

  const SequenceReader& reader() const;
  uint32_t frame_count() const;
  StreamStats stats() const;
  // A load that failed (corrupt blob...) is rethrown by get()/wait() for that frame.

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace kiln
