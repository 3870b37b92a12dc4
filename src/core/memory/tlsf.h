// Two-level segregated fit over a range of offsets [0, size): the sub-allocator inside one memory block.
//
// Pure bookkeeping (no Vulkan). Free ranges sit in lists indexed by (first level = log2 of the size,
// second level = one of 32 linear steps inside that power of two); two bitmaps find the first non-empty
// list at least as large as a request in O(1). Physical neighbours are linked so that a freed range
// merges with free neighbours at once.
//
// Each allocation carries a `kind` (linear or optimal resource): two allocations of different kinds
// never share a `granularity` page (Vulkan's bufferImageGranularity). Only the allocated neighbours of
// the free range being split are checked; since free ranges always merge, those are the nearest
// allocations on either side, which is enough (see check()).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kiln::detail {

class Tlsf {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  struct Placement {
    uint32_t node = kNone;  // the handle to free() later
    uint64_t offset = 0;
  };

  // granularity: a power of two (1 when the caller does not care about kinds).
  explicit Tlsf(uint64_t size, uint64_t granularity = 1);

  // alignment: a power of two. Returns nothing when no free range can hold the request.
  std::optional<Placement> allocate(uint64_t size, uint64_t alignment, uint8_t kind = 0);
  void free(uint32_t node);

  uint64_t size() const { return size_; }
  uint64_t used() const { return used_; }  // bytes in allocated ranges
  uint32_t allocations() const { return allocations_; }
  bool empty() const { return allocations_ == 0; }
  uint64_t largest_free() const;
  uint64_t node_offset(uint32_t node) const { return nodes_[node].offset; }
  // True when `node` is a live allocation at `offset`: guards free() against stale handles.
  bool is_allocated(uint32_t node, uint64_t offset) const {
    return node < nodes_.size() && nodes_[node].live && !nodes_[node].free && nodes_[node].offset == offset;
  }
  uint64_t node_size(uint32_t node) const { return nodes_[node].size; }

  // Verifies every invariant; false with a description in *why.
  bool check(std::string* why) const;

  // The (first, second) level list a free range of `size` bytes belongs in. Public for tests.
  static void mapping(uint64_t size, uint32_t* fl, uint32_t* sl);

 private:
  static constexpr uint32_t kSlLog2 = 5;
  static constexpr uint32_t kSlCount = 1u << kSlLog2;
  static constexpr uint32_t kFlCount = 64 - kSlLog2 + 1;

  struct Node {
    uint64_t offset = 0;
    uint64_t size = 0;
    uint32_t prev_phys = kNone;
    uint32_t next_phys = kNone;
    uint32_t prev_free = kNone;  // free list links; only meaningful while free
    uint32_t next_free = kNone;
    bool free = true;
    bool live = true;  // false: the slot is recycled in unused_
    uint8_t kind = 0;
  };

  uint32_t new_node();
  void release_node(uint32_t n);
  void insert_free(uint32_t n);
  void remove_free(uint32_t n);
  uint32_t find_list_at_least(uint32_t fl, uint32_t sl) const;  // list index fl*kSlCount+sl or kNone
  // Where in free node n a request would go; nothing when it does not fit.
  std::optional<uint64_t> fit(uint32_t n, uint64_t size, uint64_t alignment, uint8_t kind) const;
  Placement take(uint32_t n, uint64_t offset, uint64_t size, uint8_t kind);

  uint64_t size_;
  uint64_t granularity_;
  uint64_t used_ = 0;
  uint32_t allocations_ = 0;
  uint64_t fl_bitmap_ = 0;
  uint32_t sl_bitmap_[kFlCount] = {};
  uint32_t heads_[kFlCount * kSlCount];
  std::vector<Node> nodes_;
  std::vector<uint32_t> unused_;
  uint32_t first_ = kNone;  // the node at offset 0; never released (merges keep the lower node)
};

}  // namespace kiln::detail
