// The Uploader's state behind its lock: the staging ring, one lane (queue + timeline) per queue it
// submits to, the open batch of each lane, and the counters; and, beside the lock, each thread's
// slab cursor and finished small copies (ThreadSlab). Internal to src/stream/upload.
#pragma once

#include <atomic>
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

// A small copy finished on the lock-free path and not yet in its lane's batch. `seq` orders copies
// across threads as their finish() calls were ordered (a later write to the same bytes lands last).
struct PendingCopy {
  uint64_t seq = 0;
  Buffer* dst = nullptr;
  VkBufferCopy region{};
  uint32_t lane = 0;
};

// One thread's small spans through one Uploader: the ring block it carves from on each lane and the
// copies it finished, behind a lock of its own. Small begin()/finish() calls of a thread take only
// this lock, which other threads take rarely (a submit moving the copies into the batch, the ring
// taking back a block the thread is not writing in): with 8 threads sharing the Uploader's lock,
// begin + finish cost 7.7 us per upload on the H200 host against 0.9 us alone.
struct ThreadSlab {
  struct Cursor {
    uint64_t block = 0;          // ring block carved from; 0: none
    uint64_t next = 0, end = 0;  // staging offsets
    uint32_t open = 0;           // spans of this block begun and not finished or abandoned
    uint64_t fence = 0;          // the latest batch value handed out for a copy from this block
  };
  std::mutex mutex;  // taken after the Uploader's, never before
  std::thread::id owner;
  Cursor cursor[2];  // per lane
  std::vector<PendingCopy> pending;
};

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
  // Distinguishes this Uploader in threads' caches of their ThreadSlab (addresses are reused).
  const uint64_t serial;
  std::vector<std::unique_ptr<ThreadSlab>> thread_slabs;  // under `mutex`; never freed before the Uploader
  // Each lane's open batch value for the lock-free path. submit() raises it before it moves the
  // pending copies into the batch, so a copy handed value v always lands in batch v or earlier.
  std::atomic<uint64_t> open_values[2];
  std::atomic<uint64_t> finished_bytes{0};  // of lock-free finishes; also their order (PendingCopy::seq)
  std::vector<PendingCopy> drained;         // drain_pending's scratch
  detail::RingSpace ring;
  std::unique_ptr<detail::Lane> lanes[2];  // [kTransfer] null without a dedicated transfer queue
  detail::CopyBatch batches[2];
  UploaderStats counters;

  // A thread's run of small spans: one ring block it carves consecutive spans from, each at the
  // destination offset's phase on 64 bytes, so that pieces a loader writes back to back lie back to
  // back in staging too and their copies merge into one region (the copy engine pays per region).
  // Held in the ring while a thread's cursor carves from it or a span in it is open.
  struct Slab {
    ThreadSlab* owner = nullptr;  // whose cursor carves from it (and counts its open spans); null: retired
    uint32_t lane = 0;
    uint64_t block = 0;
    uint32_t open = 0;  // once retired: spans begun and not finished or abandoned
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
  // The calling thread's ThreadSlab (a thread-local cache in front of `mutex`). Call without `mutex`.
  ThreadSlab& thread_slab();
  // A span carved from the calling thread's cursor without `mutex`; false when the cursor's block
  // has no room (the caller goes to carve()).
  bool try_carve(ThreadSlab& ts, uint64_t size, uint64_t phase, uint32_t lane, detail::RingSpace::Block* out);
  // A span of the thread's slab, starting a new one when the cursor's is full. Same locking as acquire.
  bool carve(std::unique_lock<std::mutex>& lock, ThreadSlab& ts, uint64_t size, uint64_t phase, uint32_t lane,
             bool block, detail::RingSpace::Block* out);
  // The cursor stops carving from its block (fenced with the values it handed out), which goes back
  // once no span in it is open. `mutex` and ts.mutex held.
  void detach(ThreadSlab& ts, uint32_t lane);
  // Moves every thread's pending copies into the lanes' batches, in finish() order. `mutex` held.
  void drain_pending();
  // The slab is retired; its block goes back once no span in it is open.
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
