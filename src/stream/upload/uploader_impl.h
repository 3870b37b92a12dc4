// The Uploader's state behind its lock: the staging ring, one lane (queue + timeline) per queue it
// submits to, the open batch of each lane, and the counters. Internal to src/stream/upload.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>

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
  detail::RingSpace ring;
  std::unique_ptr<detail::Lane> lanes[2];  // [kTransfer] null without a dedicated transfer queue
  detail::CopyBatch batches[2];
  UploaderStats counters;

  uint32_t lane_of(UploadPath path) const { return path == UploadPath::TransferQueue && lanes[kTransfer] ? 1 : 0; }
  UploadPath path_of(uint32_t lane) const {
    return lane == kTransfer ? UploadPath::TransferQueue : UploadPath::GraphicsQueue;
  }
  void reclaim();
  // A ring block, waiting for the GPU (or for spans other threads write) while there is no room,
  // unless `block` is false. Called and returns with `lock` held.
  bool acquire(std::unique_lock<std::mutex>& lock, uint64_t size, uint64_t align, bool block,
               detail::RingSpace::Block* out);
  void submit(uint32_t lane);
  void flush_all();
  void count(UploadPath path, uint64_t bytes);
};

}  // namespace kiln
