#include "core/memory/tlsf.h"

#include <algorithm>
#include <bit>

#include "kiln/log.h"

namespace kiln::detail {

namespace {

uint64_t align_up(uint64_t value, uint64_t alignment) { return (value + alignment - 1) & ~(alignment - 1); }
uint32_t msb(uint64_t v) { return 63u - uint32_t(std::countl_zero(v)); }

}  // namespace

Tlsf::Tlsf(uint64_t size, uint64_t granularity) : size_(size), granularity_(std::max<uint64_t>(granularity, 1)) {
  std::fill(std::begin(heads_), std::end(heads_), kNone);
  first_ = new_node();
  nodes_[first_].offset = 0;
  nodes_[first_].size = size;
  if (size > 0) insert_free(first_);
}

void Tlsf::mapping(uint64_t size, uint32_t* fl, uint32_t* sl) {
  if (size < kSlCount) {  // first level 0 holds the small sizes one byte apart
    *fl = 0;
    *sl = uint32_t(size);
    return;
  }
  uint32_t m = msb(size);
  *fl = m - kSlLog2 + 1;
  *sl = uint32_t(size >> (m - kSlLog2)) - kSlCount;
}

uint32_t Tlsf::new_node() {
  if (!unused_.empty()) {
    uint32_t n = unused_.back();
    unused_.pop_back();
    nodes_[n] = Node{};
    return n;
  }
  nodes_.emplace_back();
  return uint32_t(nodes_.size() - 1);
}

void Tlsf::release_node(uint32_t n) {
  nodes_[n].live = false;
  unused_.push_back(n);
}

void Tlsf::insert_free(uint32_t n) {
  uint32_t fl, sl;
  mapping(nodes_[n].size, &fl, &sl);
  uint32_t list = fl * kSlCount + sl;
  Node& node = nodes_[n];
  node.free = true;
  node.prev_free = kNone;
  node.next_free = heads_[list];
  if (heads_[list] != kNone) nodes_[heads_[list]].prev_free = n;
  heads_[list] = n;
  sl_bitmap_[fl] |= 1u << sl;
  fl_bitmap_ |= uint64_t(1) << fl;
}

void Tlsf::remove_free(uint32_t n) {
  Node& node = nodes_[n];
  if (node.prev_free != kNone) {
    nodes_[node.prev_free].next_free = node.next_free;
  } else {
    uint32_t fl, sl;
    mapping(node.size, &fl, &sl);
    uint32_t list = fl * kSlCount + sl;
    heads_[list] = node.next_free;
    if (heads_[list] == kNone) {
      sl_bitmap_[fl] &= ~(1u << sl);
      if (sl_bitmap_[fl] == 0) fl_bitmap_ &= ~(uint64_t(1) << fl);
    }
  }
  if (node.next_free != kNone) nodes_[node.next_free].prev_free = node.prev_free;
  node.prev_free = node.next_free = kNone;
}

uint32_t Tlsf::find_list_at_least(uint32_t fl, uint32_t sl) const {
  if (fl >= kFlCount) return kNone;
  uint32_t sl_map = sl < kSlCount ? sl_bitmap_[fl] & (~0u << sl) : 0;
  if (sl_map == 0) {
    uint64_t fl_map = fl + 1 < 64 ? fl_bitmap_ & (~uint64_t(0) << (fl + 1)) : 0;
    if (fl_map == 0) return kNone;
    fl = uint32_t(std::countr_zero(fl_map));
    sl_map = sl_bitmap_[fl];
  }
  return fl * kSlCount + uint32_t(std::countr_zero(sl_map));
}

std::optional<uint64_t> Tlsf::fit(uint32_t n, uint64_t size, uint64_t alignment, uint8_t kind) const {
  const Node& f = nodes_[n];
  uint64_t start = align_up(f.offset, alignment);
  // Free ranges never touch free ranges, so the physical neighbours are the nearest allocations.
  if (granularity_ > 1 && f.prev_phys != kNone) {
    const Node& prev = nodes_[f.prev_phys];
    if (prev.kind != kind && (prev.offset + prev.size - 1) / granularity_ == start / granularity_) {
      start = align_up(start, granularity_);
    }
  }
  uint64_t end = start + size;
  if (end > f.offset + f.size) return std::nullopt;
  if (granularity_ > 1 && f.next_phys != kNone) {
    const Node& next = nodes_[f.next_phys];
    if (next.kind != kind && (end - 1) / granularity_ == next.offset / granularity_) return std::nullopt;
  }
  return start;
}

Tlsf::Placement Tlsf::take(uint32_t n, uint64_t offset, uint64_t size, uint8_t kind) {
  remove_free(n);
  uint32_t a = n;
  if (offset > nodes_[n].offset) {
    // The padding stays free in n (so the node at offset 0 never changes); the allocation follows it.
    a = new_node();
    Node& pad = nodes_[n];
    Node& node = nodes_[a];
    node.offset = offset;
    node.size = pad.offset + pad.size - offset;
    node.prev_phys = n;
    node.next_phys = pad.next_phys;
    if (pad.next_phys != kNone) nodes_[pad.next_phys].prev_phys = a;
    pad.next_phys = a;
    pad.size = offset - pad.offset;
    insert_free(n);
  }
  if (nodes_[a].size > size) {
    uint32_t t = new_node();
    Node& node = nodes_[a];
    Node& tail = nodes_[t];
    tail.offset = node.offset + size;
    tail.size = node.size - size;
    tail.prev_phys = a;
    tail.next_phys = node.next_phys;
    if (node.next_phys != kNone) nodes_[node.next_phys].prev_phys = t;
    node.next_phys = t;
    node.size = size;
    insert_free(t);
  }
  Node& node = nodes_[a];
  node.free = false;
  node.kind = kind;
  used_ += size;
  allocations_ += 1;
  return {a, node.offset};
}

std::optional<Tlsf::Placement> Tlsf::allocate(uint64_t size, uint64_t alignment, uint8_t kind) {
  size = std::max<uint64_t>(size, 1);
  alignment = std::max<uint64_t>(alignment, 1);
  if (size > size_ || alignment > (uint64_t(1) << 62)) return std::nullopt;

  // Fast path: the first list whose every range fits the request whatever its offset (O(1)).
  uint64_t worst = size + alignment - 1 + (granularity_ > 1 ? 2 * granularity_ - 1 : 0);
  if (worst >= kSlCount) worst += (uint64_t(1) << (msb(worst) - kSlLog2)) - 1;
  uint32_t fl, sl;
  mapping(worst, &fl, &sl);
  uint32_t list = find_list_at_least(fl, sl);
  if (list != kNone) {
    uint32_t n = heads_[list];
    if (auto offset = fit(n, size, alignment, kind)) return take(n, *offset, size, kind);
  }

  // Slow path, when nearly full or the alignment is large: try every free range that may hold it.
  mapping(size, &fl, &sl);
  for (list = find_list_at_least(fl, sl); list != kNone;) {
    for (uint32_t n = heads_[list]; n != kNone; n = nodes_[n].next_free) {
      if (auto offset = fit(n, size, alignment, kind)) return take(n, *offset, size, kind);
    }
    uint32_t next = list + 1;
    if (next >= kFlCount * kSlCount) break;
    list = find_list_at_least(next / kSlCount, next % kSlCount);
  }
  return std::nullopt;
}

void Tlsf::free(uint32_t n) {
  Node& node = nodes_[n];
  used_ -= node.size;
  allocations_ -= 1;
  node.free = true;
  uint32_t next = node.next_phys;
  if (next != kNone && nodes_[next].free) {
    remove_free(next);
    node.size += nodes_[next].size;
    node.next_phys = nodes_[next].next_phys;
    if (node.next_phys != kNone) nodes_[node.next_phys].prev_phys = n;
    release_node(next);
  }
  uint32_t prev = nodes_[n].prev_phys;
  if (prev != kNone && nodes_[prev].free) {
    remove_free(prev);
    nodes_[prev].size += nodes_[n].size;
    nodes_[prev].next_phys = nodes_[n].next_phys;
    if (nodes_[prev].next_phys != kNone) nodes_[nodes_[prev].next_phys].prev_phys = prev;
    release_node(n);
    n = prev;
  }
  insert_free(n);
}

uint64_t Tlsf::largest_free() const {
  if (fl_bitmap_ == 0) return 0;
  uint32_t fl = 63u - uint32_t(std::countl_zero(fl_bitmap_));
  uint32_t sl = 31u - uint32_t(std::countl_zero(sl_bitmap_[fl]));
  uint64_t largest = 0;
  for (uint32_t n = heads_[fl * kSlCount + sl]; n != kNone; n = nodes_[n].next_free) {
    largest = std::max(largest, nodes_[n].size);
  }
  return largest;
}

bool Tlsf::check(std::string* why) const {
  auto fail = [&](std::string text) {
    if (why) *why = std::move(text);
    return false;
  };
  if (first_ == kNone || !nodes_[first_].live || nodes_[first_].prev_phys != kNone) {
    return fail("the first node is missing or has a predecessor");
  }

  // The physical chain tiles [0, size) exactly, with no two free neighbours.
  uint64_t expected = 0, used = 0, free_count = 0;
  uint32_t allocations = 0, count = 0, prev = kNone, last_allocated = kNone;
  for (uint32_t n = first_; n != kNone; n = nodes_[n].next_phys) {
    const Node& node = nodes_[n];
    if (++count > nodes_.size()) return fail("the physical chain has a cycle");
    if (!node.live) return fail(str("node ", n, " is in the chain but was released"));
    if (node.prev_phys != prev) return fail(str("node ", n, " has a wrong physical predecessor"));
    if (node.offset != expected) {
      return fail(str("node ", n, " starts at ", node.offset, ", expected ", expected, " (gap or overlap)"));
    }
    if (node.size == 0) return fail(str("node ", n, " is empty"));
    if (node.free && prev != kNone && nodes_[prev].free) {
      return fail(str("free nodes ", prev, " and ", n, " are neighbours but not merged"));
    }
    if (node.free) {
      free_count += 1;
    } else {
      used += node.size;
      allocations += 1;
      if (last_allocated != kNone) {
        const Node& other = nodes_[last_allocated];
        if (other.kind != node.kind &&
            (other.offset + other.size - 1) / granularity_ == node.offset / granularity_) {
          return fail(str("nodes ", last_allocated, " and ", n, " of different kinds share a granularity page"));
        }
      }
      last_allocated = n;
    }
    expected += node.size;
    prev = n;
  }
  if (expected != size_) return fail(str("the chain covers ", expected, " bytes of ", size_));
  if (count != nodes_.size() - unused_.size()) {
    return fail(str(nodes_.size() - unused_.size(), " live nodes but ", count, " in the chain"));
  }
  if (used != used_ || allocations != allocations_) {
    return fail(str("counters say ", used_, " bytes in ", allocations_, " allocations; recount: ", used,
                    " in ", allocations));
  }

  // Every list node is free, in the list its size maps to, once; the bitmaps match the lists.
  std::vector<bool> seen(nodes_.size(), false);
  uint64_t listed = 0;
  for (uint32_t fl = 0; fl < kFlCount; ++fl) {
    if (((fl_bitmap_ >> fl) & 1) != (sl_bitmap_[fl] != 0 ? 1u : 0u)) {
      return fail(str("first-level bit ", fl, " does not match its second-level bitmap"));
    }
    for (uint32_t sl = 0; sl < kSlCount; ++sl) {
      uint32_t head = heads_[fl * kSlCount + sl];
      if (((sl_bitmap_[fl] >> sl) & 1) != (head != kNone ? 1u : 0u)) {
        return fail(str("bitmap bit (", fl, ", ", sl, ") does not match its list"));
      }
      uint32_t prev_free = kNone;
      for (uint32_t n = head; n != kNone; n = nodes_[n].next_free) {
        const Node& node = nodes_[n];
        if (!node.live || !node.free) return fail(str("node ", n, " is in a free list but not free"));
        if (seen[n]) return fail(str("node ", n, " is in the free lists twice"));
        seen[n] = true;
        if (node.prev_free != prev_free) return fail(str("node ", n, " has a wrong free-list predecessor"));
        uint32_t want_fl, want_sl;
        mapping(node.size, &want_fl, &want_sl);
        if (want_fl != fl || want_sl != sl) {
          return fail(str("node ", n, " of ", node.size, " bytes is in list (", fl, ", ", sl, "), belongs in (",
                          want_fl, ", ", want_sl, ")"));
        }
        listed += 1;
        prev_free = n;
      }
    }
  }
  if (listed != free_count) return fail(str(free_count, " free nodes but ", listed, " in the free lists"));
  return true;
}

}  // namespace kiln::detail
