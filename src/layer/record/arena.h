// Bump allocation for one command buffer's records: blocks are kept across resets, so re-recording a
// command buffer allocates nothing once its blocks exist. Records are trivially destructible; reset()
// forgets them. Touched only by the thread recording the command buffer (Vulkan's external
// synchronization of command buffers), so no lock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

namespace kiln::layer {

class Arena {
 public:
  // The fast path is a pointer bump, inlined into every vkCmd* intercept (forced: with the slow path
  // inlined into it the compiler kept it out of line, a call per recorded command).
  [[gnu::always_inline]] void* alloc(size_t bytes, size_t align) {
    uintptr_t at = (reinterpret_cast<uintptr_t>(cur_) + align - 1) & ~uintptr_t(align - 1);
    if (cur_ && at + bytes <= reinterpret_cast<uintptr_t>(end_)) [[likely]] {
      cur_ = reinterpret_cast<std::byte*>(at + bytes);
      return reinterpret_cast<void*>(at);
    }
    return alloc_slow(bytes, align);
  }
  template <class T>
  T* copy(const T* items, size_t count) {
    if (!items || count == 0) return nullptr;
    T* out = static_cast<T*>(alloc(sizeof(T) * count, alignof(T)));
    std::memcpy(static_cast<void*>(out), items, sizeof(T) * count);
    return out;
  }
  const char* copy_string(const char* s) {
    if (!s) return nullptr;
    size_t n = std::strlen(s) + 1;
    char* out = static_cast<char*>(alloc(n, 1));
    std::memcpy(out, s, n);
    return out;
  }
  void reset() {
    block_ = 0;
    cur_ = end_ = nullptr;
  }

 private:
  // The next kept block that fits, or a new one.
  [[gnu::noinline]] void* alloc_slow(size_t bytes, size_t align) {
    for (; block_ < blocks_.size(); ++block_) {
      Block& b = blocks_[block_];
      cur_ = b.data.get();
      end_ = b.data.get() + b.size;
      uintptr_t at = (reinterpret_cast<uintptr_t>(cur_) + align - 1) & ~uintptr_t(align - 1);
      if (at + bytes <= reinterpret_cast<uintptr_t>(end_)) {
        cur_ = reinterpret_cast<std::byte*>(at + bytes);
        ++block_;  // block_ counts the blocks entered
        return reinterpret_cast<void*>(at);
      }
    }
    size_t size = bytes + align > kBlock ? bytes + align : kBlock;
    blocks_.push_back({std::unique_ptr<std::byte[]>(new std::byte[size]), size});
    block_ = blocks_.size() - 1;
    return alloc_slow(bytes, align);
  }

  static constexpr size_t kBlock = 64 * 1024;
  struct Block {
    std::unique_ptr<std::byte[]> data;
    size_t size;
  };
  std::vector<Block> blocks_;
  size_t block_ = 0;  // the next block to enter
  std::byte* cur_ = nullptr;
  std::byte* end_ = nullptr;
};

}  // namespace kiln::layer
