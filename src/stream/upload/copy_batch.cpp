#include "stream/upload/copy_batch.h"

#include <algorithm>

#include "kiln/buffer.h"
#include "kiln/commands.h"
#include "kiln/image.h"

namespace kiln::detail {

void CopyBatch::record_target(CommandBuffer& cmd, VkBuffer staging, Target& t) {
  if (t.regions.empty()) return;
  cmd.use(*t.dst, Use::TransferDst);
  cmd.flush_barriers();
  vkCmdCopyBuffer(cmd.handle(), staging, t.dst->handle(), uint32_t(t.regions.size()), t.regions.data());
  t.regions.clear();
  t.lo = t.hi = 0;
}

void CopyBatch::add(CommandBuffer& cmd, VkBuffer staging, Buffer& dst, const VkBufferCopy& region) {
  Target* t = nullptr;
  if (last_ < live_ && targets_[last_].dst == &dst) {
    t = &targets_[last_];
  } else {
    for (size_t i = 0; i < live_; ++i) {
      if (targets_[i].dst == &dst) {
        t = &targets_[i];
        last_ = i;
        break;
      }
    }
  }
  if (!t) {
    if (live_ == targets_.size()) targets_.emplace_back();
    t = &targets_[live_];
    last_ = live_++;
    t->dst = &dst;
    t->regions.clear();
    t->touched = true;
  }
  const VkDeviceSize lo = region.dstOffset, hi = region.dstOffset + region.size;
  if (!t->regions.empty() && lo < t->hi && hi > t->lo) {
    for (const VkBufferCopy& r : t->regions) {
      if (lo < r.dstOffset + r.size && hi > r.dstOffset) {
        record_target(cmd, staging, *t);  // the later write must land last
        break;
      }
    }
  }
  if (t->regions.empty()) {
    t->lo = lo;
    t->hi = hi;
  } else {
    t->lo = std::min(t->lo, lo);
    t->hi = std::max(t->hi, hi);
  }
  t->regions.push_back(region);
  count(region.size);
}

void CopyBatch::add_image(Image& dst, Use next_use) {
  for (ImageUse& u : images_) {
    if (u.image == &dst) {
      u.next = next_use;
      return;
    }
  }
  images_.push_back({&dst, next_use});
}

void CopyBatch::record(CommandBuffer& cmd, VkBuffer staging, bool release) {
  for (size_t i = 0; i < live_; ++i) {
    Target& t = targets_[i];
    record_target(cmd, staging, t);
    // Concurrent buffers need no ownership transfer.
    if (release && !t.dst->concurrent()) cmd.release(*t.dst, QueueKind::Graphics, Use::None);
    t.dst = nullptr;
    t.touched = false;
  }
  for (const ImageUse& u : images_) {
    if (release) cmd.release(*u.image, QueueKind::Graphics, u.next);
    else if (u.next != Use::None) cmd.use(*u.image, u.next);
  }
  images_.clear();
  live_ = 0;
  last_ = 0;
  bytes_ = 0;
  copies_ = 0;
}

}  // namespace kiln::detail
