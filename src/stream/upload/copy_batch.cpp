#include "stream/upload/copy_batch.h"

#include <algorithm>

#include "kiln/buffer.h"
#include "kiln/commands.h"
#include "kiln/image.h"

namespace kiln::detail {

void CopyBatch::split_aligned(const VkBufferCopy& r, std::vector<VkBufferCopy>& bodies,
                              std::vector<VkBufferCopy>& ends) {
  const VkDeviceSize head = (kCopyAlign - r.dstOffset % kCopyAlign) % kCopyAlign;
  if (r.srcOffset % kCopyAlign != r.dstOffset % kCopyAlign || r.size < head + kCopyAlign) {
    const bool aligned = r.srcOffset % kCopyAlign == 0 && r.dstOffset % kCopyAlign == 0 && r.size % kCopyAlign == 0;
    (aligned ? bodies : ends).push_back(r);
    return;
  }
  const VkDeviceSize body = (r.size - head) / kCopyAlign * kCopyAlign, tail = r.size - head - body;
  if (head) ends.push_back({r.srcOffset, r.dstOffset, head});
  bodies.push_back({r.srcOffset + head, r.dstOffset + head, body});
  if (tail) ends.push_back({r.srcOffset + head + body, r.dstOffset + head + body, tail});
}

void CopyBatch::record_target(CommandBuffer& cmd, VkBuffer staging, Target& t) {
  if (t.regions.empty()) return;
  // Aligned regions in one command, the short ends in a second (disjoint ranges: no barrier
  // between). Mixed into one command, the ends slow the bodies down: on the H200, spans of byte
  // sizes copied at 0.52-0.65 x peak that way and at 0.75-0.77 split (bench_uploader, A/B in one run).
  cut_.clear();
  ends_.clear();
  for (const VkBufferCopy& r : t.regions) split_aligned(r, cut_, ends_);
  cmd.use(*t.dst, Use::TransferDst);
  cmd.flush_barriers();
  if (!cut_.empty()) vkCmdCopyBuffer(cmd.handle(), staging, t.dst->handle(), uint32_t(cut_.size()), cut_.data());
  if (!ends_.empty()) vkCmdCopyBuffer(cmd.handle(), staging, t.dst->handle(), uint32_t(ends_.size()), ends_.data());
  regions_recorded_ += t.regions.size();
  t.regions.clear();
  t.covered.clear();
}

namespace {

// Whether [lo, hi) overlaps a range of `covered`; if not, adds it, joined with the ranges it touches.
bool overlaps_or_add(std::map<VkDeviceSize, VkDeviceSize>& covered, VkDeviceSize lo, VkDeviceSize hi) {
  auto next = covered.lower_bound(lo);  // first range starting at or after lo
  if (next != covered.end() && next->first < hi) return true;
  if (next != covered.begin()) {
    auto prev = std::prev(next);
    if (prev->second > lo) return true;
    if (prev->second == lo) {  // continues prev: extend it, and join next if this reaches it
      prev->second = hi;
      if (next != covered.end() && next->first == hi) {
        prev->second = next->second;
        covered.erase(next);
      }
      return false;
    }
  }
  if (next != covered.end() && next->first == hi) {
    const VkDeviceSize end = next->second;
    covered.erase(next);
    covered.emplace(lo, end);
    return false;
  }
  covered.emplace(lo, hi);
  return false;
}

}  // namespace

CopyBatch::Target& CopyBatch::target(Buffer& dst) {
  if (last_ < live_ && targets_[last_].dst == &dst) return targets_[last_];
  for (size_t i = 0; i < live_; ++i) {
    if (targets_[i].dst == &dst) {
      last_ = i;
      return targets_[i];
    }
  }
  if (live_ == targets_.size()) targets_.emplace_back();
  Target& t = targets_[live_];
  last_ = live_++;
  t.dst = &dst;
  t.regions.clear();
  t.covered.clear();
  t.touched = true;
  return t;
}

bool CopyBatch::holds(const Buffer& dst) const {
  for (size_t i = 0; i < live_; ++i)
    if (targets_[i].dst == &dst) return true;
  return false;
}

void CopyBatch::add_recorded(CommandBuffer& cmd, VkBuffer staging, Buffer& dst, VkBuffer src,
                             const VkBufferCopy& region) {
  Target& t = target(dst);
  const VkDeviceSize lo = region.dstOffset, hi = region.dstOffset + region.size;
  if (overlaps_or_add(t.covered, lo, hi)) {
    record_target(cmd, staging, t);
    t.covered.emplace(lo, hi);
  }
  count(region.size);
  cut_.clear();  // record_target's scratch, free again here
  ends_.clear();
  split_aligned(region, cut_, ends_);
  cmd.use(dst, Use::TransferDst);
  cmd.flush_barriers();
  if (!cut_.empty()) vkCmdCopyBuffer(cmd.handle(), src, dst.handle(), uint32_t(cut_.size()), cut_.data());
  if (!ends_.empty()) vkCmdCopyBuffer(cmd.handle(), src, dst.handle(), uint32_t(ends_.size()), ends_.data());
  ++regions_recorded_;
}

void CopyBatch::add(CommandBuffer& cmd, VkBuffer staging, Buffer& dst, const VkBufferCopy& region) {
  Target* t = &target(dst);
  const VkDeviceSize lo = region.dstOffset, hi = region.dstOffset + region.size;
  if (overlaps_or_add(t->covered, lo, hi)) {
    record_target(cmd, staging, *t);  // the later write must land last
    t->covered.emplace(lo, hi);
  }
  count(region.size);
  // A piece that continues one of the last few, in staging and in the destination, extends it: the
  // copy engine pays per region (10k regions of 4-64 KiB copy at a quarter of the peak rate). The
  // last few, not only the last: threads writing their own runs interleave in the batch.
  const size_t n = t->regions.size(), from = n > kMergeWindow ? n - kMergeWindow : 0;
  for (size_t i = n; i-- > from;) {
    VkBufferCopy& r = t->regions[i];
    if (r.srcOffset + r.size == region.srcOffset && r.dstOffset + r.size == region.dstOffset) {
      r.size += region.size;
      return;
    }
  }
  t->regions.push_back(region);
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
