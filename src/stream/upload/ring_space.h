// Offset bookkeeping of a ring of staging memory, without Vulkan: blocks are handed out in order and
// come back in order. A block goes back when it is neither held (a span being written, a read-back
// not yet collected) nor fenced by a GPU batch that has not finished; blocks behind an older one
// wait for it (a ring, not a heap: no fragmentation, O(1) per call). Not thread-safe: the owner's lock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>

namespace kiln::detail {

class RingSpace {
 public:
  explicit RingSpace(uint64_t capacity = 0) : capacity_(capacity) {}

  struct Block {
    uint64_t id = 0;
    uint64_t offset = 0;
  };
  static constexpr uint32_t kLanes = 2;

  // A block of `size` bytes at a multiple of `align` (any alignment, not only powers of two: texel
  // blocks of 12 bytes); false when the ring has no room now. Ids start at 1. The block starts held.
  bool allocate(uint64_t size, uint64_t align, Block* out);
  // The GPU reads or writes the block in batch `value` of lane `lane` (a later batch of the lane
  // replaces an earlier one; a block the GPU uses from both lanes waits for both).
  void fence(uint64_t id, uint32_t lane, uint64_t value);
  // Held no more (finished, abandoned, collected).
  void unhold(uint64_t id);
  // Returns the blocks at the tail that are free; `completed(lane)` says how far each lane's GPU work got.
  template <class Completed>
  void reclaim(Completed&& completed) {
    while (!entries_.empty()) {
      const Entry& e = entries_.front();
      if (e.held) break;
      bool pending = false;
      for (uint32_t lane = 0; lane < kLanes && !pending; ++lane)
        pending = e.value[lane] != 0 && uint64_t(completed(lane)) < e.value[lane];
      if (pending) break;
      used_ -= e.bytes;
      entries_.pop_front();
      ++first_id_;
    }
  }
  // The oldest block (the one the next allocation waits for); false when the ring is empty.
  struct Oldest {
    bool held = false;
    uint64_t id = 0;
    uint64_t value[kLanes] = {};  // per lane, 0: none
  };
  bool oldest(Oldest* out) const;
  uint64_t offset_of(uint64_t id) const { return at(id).offset; }
  bool holds(uint64_t id) const { return id >= first_id_ && id < first_id_ + entries_.size() && at(id).held; }

  uint64_t capacity() const { return capacity_; }
  uint64_t used() const { return used_; }  // bytes not yet reclaimed, alignment padding included
  size_t blocks() const { return entries_.size(); }

 private:
  struct Entry {
    uint64_t start = 0;  // the head before this block (padding and wrap-around count as its bytes)
    uint64_t end = 0;    // the head after it
    uint64_t bytes = 0;
    uint64_t offset = 0;  // where the block's own bytes start
    bool held = true;
    uint64_t value[kLanes] = {};  // per lane, 0: no GPU batch uses it
  };
  Entry& at(uint64_t id) { return entries_[size_t(id - first_id_)]; }
  const Entry& at(uint64_t id) const { return entries_[size_t(id - first_id_)]; }

  uint64_t capacity_ = 0;
  uint64_t used_ = 0;
  uint64_t first_id_ = 1;  // id of entries_.front()
  std::deque<Entry> entries_;
};

}  // namespace kiln::detail
