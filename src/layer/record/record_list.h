// One command buffer's records, back to back: no link between records (each knows its size through
// its type), so appending a record writes nothing but its own bytes. Records are read back only when a
// capture is made, yet a command buffer of 100k commands writes megabytes of them (bench_layer: the
// records' bytes, not the layer's instructions, were most of what recording through the layer cost).
// So records are written into a small staging area that stays in the cache, and each full 4 KiB of it
// is moved to the list's blocks with non-temporal stores: whole cache lines, never read in first and
// never pushing the program's and the driver's data out of the cache. Touched only by the thread
// recording the command buffer; flush() at vkEndCommandBuffer makes the records visible to the thread
// that submits it.
//
// Tried and dropped: non-temporal stores record by record. Recording became 3-4x slower on lavapipe: a
// record is a fraction of a cache line, and a locked instruction between two records (the driver's,
// the program's) flushes the write-combining buffer, so each record went to memory as a partial line.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <vector>

#if defined(__x86_64__)
#include <emmintrin.h>
#endif

namespace kiln::layer {

// Records are 8-byte aligned and their sizes multiples of 8 (they start with a pointer), so the next
// record starts right after the last one's bytes; none is larger than this.
constexpr size_t kRecordAlign = 8;
constexpr size_t kMaxRecordBytes = 1024;

class RecordList {
 public:
  RecordList() = default;
  RecordList(const RecordList&) = delete;
  RecordList& operator=(const RecordList&) = delete;

  // Room for one record of `bytes`; its bytes must be written before the next call.
  [[gnu::always_inline]] void* alloc(size_t bytes) {
    if (staged_ + bytes <= kStage) [[likely]] {
      std::byte* at = stage_ + staged_;
      staged_ += uint32_t(bytes);
      return at;
    }
    return alloc_slow(bytes);
  }

  // Moves the staged records to the blocks and orders those stores before whatever the thread does
  // next (another thread may then read the records).
  void flush() {
    if (staged_ == 0) return;
    std::byte* to = slice(windows_.size());
    copy_lines(to, stage_, (staged_ + kLine - 1) / kLine);
    windows_.push_back({to, staged_});
    staged_ = 0;
  }

  void reset() {
    windows_.clear();
    staged_ = 0;
  }

  // Calls f(const std::byte* record) for every record in order; `size_of(record)` gives a record's size.
  template <class F, class SizeOf>
  void for_each(F&& f, SizeOf&& size_of) const {
    auto run = [&](const std::byte* p, const std::byte* end) {
      while (p < end) {
        f(p);
        p += size_of(p);
      }
    };
    for (const Window& w : windows_) run(w.start, w.start + w.used);
    run(stage_, stage_ + staged_);
  }

 private:
  static constexpr size_t kLine = 64;
  static constexpr size_t kStage = 4096;                // records staged before a move; one slice
  static constexpr size_t kSlicesPerBlock = 16;         // 64 KiB blocks, kept across resets

  [[gnu::noinline]] void* alloc_slow(size_t bytes) {
    flush();
    staged_ = uint32_t(bytes);
    return stage_;
  }

  // Slice i of the blocks (4 KiB each, in order), the block made when first needed.
  std::byte* slice(size_t i) {
    const size_t block = i / kSlicesPerBlock;
    while (blocks_.size() <= block)
      blocks_.emplace_back(static_cast<std::byte*>(::operator new[](kStage * kSlicesPerBlock, std::align_val_t(kLine))));
    return blocks_[block].get() + (i % kSlicesPerBlock) * kStage;
  }

  // `lines` whole cache lines from `from` to `to` (both line-aligned), around the cache.
  static void copy_lines(std::byte* to, const std::byte* from, size_t lines) {
#if defined(__x86_64__)
    for (size_t i = 0; i < lines * kLine; i += 16)
      _mm_stream_si128(reinterpret_cast<__m128i*>(to + i), _mm_load_si128(reinterpret_cast<const __m128i*>(from + i)));
    _mm_sfence();
#else
    std::memcpy(to, from, lines * kLine);
#endif
  }

  struct AlignedDelete {
    void operator()(std::byte* p) const { ::operator delete[](p, std::align_val_t(kLine)); }
  };
  struct Window {
    const std::byte* start;  // a slice
    uint32_t used;           // bytes of records in it
  };

  uint32_t staged_ = 0;  // bytes of records in stage_
  alignas(kLine) std::byte stage_[kStage];
  std::vector<Window> windows_;
  std::vector<std::unique_ptr<std::byte[], AlignedDelete>> blocks_;
};

}  // namespace kiln::layer
