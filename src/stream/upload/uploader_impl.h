// The Uploader's state behind its lock: the staging ring, one lane (queue + timeline) per queue it
// submits to, the open batch of each lane, and the counters. Internal to src/stream/upload.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "kiln/buffer.h"
#include "kiln/uploader.h"
#include "stream/upload/copy_batch.h"
#include "stream/upload/lane.h"
#include "stream/upload/ring_space.h"

namespace kiln {

struct Uploader::Impl {
  static constexpr uint32_t kGraphics = 0;
  static constexpr uint32_t kTransfer = 1;

  Impl(Context& context, const UploaderDesc& d);

  Context& ctx;
  UploaderDesc desc;   // zeros resolved
  bool unified = false;  // integrated or CPU device: every write lands in memory the device reads
  Buffer staging;
  uint8_t* base = nullptr;

  mutable std::mutex mutex;
  std::condition_variable space;  // a held block was given back
  uint32_t space_waiters = 0;         // threads in space.wait_for: finish() notifies only then
  void notify_space() {
    if (space_waiters) space.notify_all();
  }
  detail::RingSpace ring;
  std::unique_ptr<detail::Lane> lanes[2];  // [kTransfer] null without a dedicated transfer queue
  detail::CopyBatch batches[2];
  UploaderStats counters;

  // A thread's run of small spans: one ring block it carves consecutive spans from, each at the
  // destination offset's phase on 64 bytes, so that pieces a loader writes back to back lie back to
  // back in staging too and their copies merge into one region (the copy engine pays per region).
  // Held in the ring while its thread owns it or a span in it is open.
  struct Slab {
    std::thread::id owner;  // no thread: retired, waiting for its open spans
    uint32_t lane = 0;
    uint64_t block = 0;
    uint64_t next = 0, end = 0;  // staging offsets
    uint32_t open = 0;           // spans begun and not finished or abandoned
  };
  std::vector<Slab> slabs;
  uint64_t slab_size = 0;  // 0: every span is a block of its own

  uint32_t lane_of(UploadPath path) const { return path == UploadPath::TransferQueue && lanes[kTransfer] ? 1 : 0; }
  UploadPath path_of(uint32_t lane) const {
    return lane == kTransfer ? UploadPath::TransferQueue : UploadPath::GraphicsQueue;
  }
  void reclaim();
  // A ring block, waiting for the GPU (or for spans other threads write) while there is no room,
  // unless `block` is false. Called and returns with `lock` held.
  bool acquire(std::unique_lock<std::mutex>& lock, uint64_t size, uint64_t align, bool block,
               detail::RingSpace::Block* out);
  // A span of a slab (small spans). Same locking as acquire.
  bool carve(std::unique_lock<std::mutex>& lock, uint64_t size, uint64_t phase, uint32_t lane, bool block,
             detail::RingSpace::Block* out);
  // The calling thread stops carving from the slab; its block goes back once no span in it is open.
  void retire(size_t slab);
  // A span of the slab of `block` finished or was abandoned.
  void slab_span_done(uint64_t block);
  size_t slab_index(uint64_t block) const;  // slabs.size() when none
  void retire_idle_slabs();
  void submit(uint32_t lane);
  void flush_all();
  void count(UploadPath path, uint64_t bytes);
};

}  // namespace kiln
