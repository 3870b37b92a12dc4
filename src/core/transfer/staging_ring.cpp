#include "core/transfer/staging_ring.h"

#include <algorithm>
#include <cstring>

#include "kiln/context.h"
#include "kiln/error.h"

namespace kiln::detail {

StagingRing::StagingRing(Context& ctx, VkDeviceSize total, VkDeviceSize chunk, MemoryIntent intent,
                         const char* name)
    : ctx_(&ctx),
      queue_(&ctx.queue(QueueKind::Graphics)),
      pool_(ctx, QueueKind::Graphics, name),
      chunk_(chunk ? chunk : kDefaultChunk),
      total_(total),
      intent_(intent),
      name_(name) {}

StagingRing::~StagingRing() {
  // On an exception mid-transfer, the copies already submitted still read the staging buffers (kept
  // alive by deferred destruction) and write the caller's resource: let them finish before returning.
  try {
    wait_all();
  } catch (...) {
  }
}

Buffer& StagingRing::acquire() {
  current_ = next_;
  next_ ^= 1u;
  Buffer& b = buffers_[current_];
  if (!b) {
    b = Buffer(*ctx_, {.size = std::min(chunk_, total_),
                       .usage = VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                       .memory = intent_,
                       .name = name_});
  } else if (serials_[current_]) {
    queue_->wait(serials_[current_]);
  }
  return b;
}

uint64_t StagingRing::submit(CommandBuffer& cmd) {
  last_ = serials_[current_] = queue_->submit(cmd);
  return last_;
}

void StagingRing::wait(uint64_t serial) { queue_->wait(serial); }

void StagingRing::submit_readback(CommandBuffer& cmd, uint8_t* out, VkDeviceSize at, VkDeviceSize bytes) {
  const uint64_t serial = submit(cmd);
  drain();
  pending_ = {&buffers_[current_], out + at, bytes, serial};
}

void StagingRing::drain() {
  if (!pending_.staging) return;
  queue_->wait(pending_.serial);
  pending_.staging->invalidate(0, pending_.bytes);
  std::memcpy(pending_.out, pending_.staging->mapped(), pending_.bytes);
  pending_ = {};
}

void StagingRing::wait_all() {
  if (last_) queue_->wait(last_);
}

VkDeviceSize image_chunk_rows(VkDeviceSize chunk_bytes, VkDeviceSize row_bytes) {
  VkDeviceSize rows = chunk_bytes / row_bytes;
  rows -= rows % 4;
  return std::max<VkDeviceSize>(rows, 4);
}

}  // namespace kiln::detail
