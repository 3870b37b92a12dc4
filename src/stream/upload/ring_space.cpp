#include "stream/upload/ring_space.h"

namespace kiln::detail {
namespace {

uint64_t round_up(uint64_t x, uint64_t align) { return align <= 1 ? x : (x + align - 1) / align * align; }

}  // namespace

bool RingSpace::allocate(uint64_t size, uint64_t align, Block* out) {
  if (size == 0 || size > capacity_) return false;
  const bool empty = entries_.empty();
  const uint64_t head = empty ? 0 : entries_.back().end;
  const uint64_t tail = empty ? 0 : entries_.front().start;
  uint64_t offset = 0;
  if (empty || head > tail) {
    // Free: [head, capacity) and [0, tail).
    offset = round_up(head, align);
    if (offset + size > capacity_) {
      if (size > tail && !empty) return false;
      offset = 0;  // wraps: the rest of the end is padding of this block
    }
  } else if (head < tail) {
    offset = round_up(head, align);
    if (offset + size > tail) return false;
  } else {
    return false;  // head == tail with blocks: full
  }
  Entry e;
  e.start = head;
  e.end = offset + size;
  e.offset = offset;
  e.bytes = offset >= head ? e.end - head : (capacity_ - head) + e.end;
  if (empty) e.bytes = e.end;
  used_ += e.bytes;
  entries_.push_back(e);
  out->id = first_id_ + entries_.size() - 1;
  out->offset = offset;
  return true;
}

void RingSpace::fence(uint64_t id, uint32_t lane, uint64_t value) {
  Entry& e = at(id);
  if (value > e.value[lane]) e.value[lane] = value;
}

void RingSpace::unhold(uint64_t id) { at(id).held = false; }

bool RingSpace::oldest(Oldest* out) const {
  if (entries_.empty()) return false;
  const Entry& e = entries_.front();
  out->held = e.held;
  out->id = first_id_;
  for (uint32_t lane = 0; lane < kLanes; ++lane) out->value[lane] = e.value[lane];
  return true;
}

}  // namespace kiln::detail
