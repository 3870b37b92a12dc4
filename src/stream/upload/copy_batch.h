// The copies of one open batch: buffer regions grouped by destination, so that a batch of many small
// uploads records one vkCmdCopyBuffer per destination with all its regions (regions that continue
// each other in staging and destination merged, and cut so that their bulk copies between
// kCopyAlign-aligned offsets); and the images the batch
// wrote, with the use they go to when it is submitted. Vectors keep their capacity: no allocation once
// warm. Not thread-safe: the owner's lock.
#pragma once

#include <vulkan/vulkan.h>

#include <cstdint>
#include <map>
#include <vector>

#include "kiln/sync.h"

namespace kiln {
class Buffer;
class CommandBuffer;
class Image;
}  // namespace kiln

namespace kiln::detail {

class CopyBatch {
 public:
  // Adds a region; when it overlaps a region already batched for `dst`, those are recorded into
  // `cmd` first (the next copy's use() then orders the two writes).
  void add(CommandBuffer& cmd, VkBuffer staging, Buffer& dst, const VkBufferCopy& region);
  // A copy from a source of its own (a host-visible buffer the caller filled, not staging), recorded
  // into `cmd` at once: after the regions batched for `dst` that it overlaps (recorded first), and
  // before the later ones that overlap it (its range counts as batched until the next record).
  void add_recorded(CommandBuffer& cmd, VkBuffer staging, Buffer& dst, VkBuffer src, const VkBufferCopy& region);
  // Whether the batch wrote or will write `dst`.
  bool holds(const Buffer& dst) const;
  void add_image(Image& dst, Use next_use);
  // Records the grouped buffer copies into `cmd`; then, per destination, `release` (transfer queue:
  // the ownership release to the graphics family) or the image's next use. Clears the batch.
  void record(CommandBuffer& cmd, VkBuffer staging, bool release);

  // Offsets on this boundary copy at the copy engine's full rate: an NVIDIA H200 copies regions that
  // start anywhere at 20 GB/s and regions on 64 / 256 bytes at ~48 GB/s (bench_uploader's piece-align
  // sweep). A region whose staging and destination offsets agree modulo kCopyAlign (the Uploader
  // places spans so) is recorded as its aligned body plus the short ends before and after it, the
  // bodies in one vkCmdCopyBuffer and the ends in another.
  static constexpr VkDeviceSize kCopyAlign = 256;

  // Buffer copy regions recorded since the last call (merged pieces count once, and a region cut
  // into an aligned body and its ends counts once).
  uint64_t take_regions() {
    const uint64_t n = regions_recorded_;
    regions_recorded_ = 0;
    return n;
  }
  VkDeviceSize bytes() const { return bytes_; }
  uint32_t copies() const { return copies_; }
  bool empty() const { return copies_ == 0; }
  void count(VkDeviceSize bytes) {
    bytes_ += bytes;
    ++copies_;
  }

 private:
  struct Target {
    Buffer* dst = nullptr;
    std::vector<VkBufferCopy> regions;
    // The destination ranges the regions cover, touching ones joined (start -> end): the overlap
    // test of each add is a lookup, not a scan (threads interleaving tiny pieces batch thousands).
    std::map<VkDeviceSize, VkDeviceSize> covered;
    bool touched = false;  // written in this batch (regions may have been recorded already)
  };
  void record_target(CommandBuffer& cmd, VkBuffer staging, Target& t);
  Target& target(Buffer& dst);
  // Appends `r` to `bodies` when its bulk is aligned (cut into body and ends when the offsets share
  // their phase), the rest to `ends`.
  static void split_aligned(const VkBufferCopy& r, std::vector<VkBufferCopy>& bodies, std::vector<VkBufferCopy>& ends);
  static constexpr size_t kMergeWindow = 16;
  std::vector<VkBufferCopy> cut_, ends_;  // record_target's aligned regions, and the rest

  std::vector<Target> targets_;
  size_t live_ = 0;  // targets_[0..live_) belong to this batch
  size_t last_ = 0;  // the target the last add() found: loaders upload into one buffer in a row
  struct ImageUse {
    Image* image = nullptr;
    Use next = Use::None;
  };
  std::vector<ImageUse> images_;
  VkDeviceSize bytes_ = 0;
  uint32_t copies_ = 0;
  uint64_t regions_recorded_ = 0;
};

}  // namespace kiln::detail
