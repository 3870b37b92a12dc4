// Two staging buffers taking turns, each tied to the submission that last used it: the CPU fills (or
// drains) one while the GPU copies the other, and staging memory stays at two chunks however large
// the transfer. Internal to the transfer helpers.
#pragma once

#include <cstdint>

#include "kiln/buffer.h"
#include "kiln/commands.h"
#include "kiln/memory.h"

namespace kiln::detail {

class StagingRing {
 public:
  static constexpr VkDeviceSize kDefaultChunk = VkDeviceSize(4) << 20;

  // `total` bounds the buffers' size (a small transfer gets a small staging buffer).
  StagingRing(Context& ctx, VkDeviceSize total, VkDeviceSize chunk, MemoryIntent intent, const char* name);
  ~StagingRing();  // waits for what it submitted: the caller's memory may be read until then
  StagingRing(const StagingRing&) = delete;
  StagingRing& operator=(const StagingRing&) = delete;

  VkDeviceSize chunk() const { return chunk_; }
  // The next staging buffer, once the GPU finished with its previous use (waits).
  Buffer& acquire();
  CommandBuffer begin(const char* name) { return pool_.begin(name); }
  // Submits on the graphics queue; the serial now guards the buffer last acquired.
  uint64_t submit(CommandBuffer& cmd);
  // Read-backs: submits `cmd` (which copied `bytes` into the buffer last acquired, for out[at..]),
  // then copies the previous chunk out while this one runs on the GPU. drain() copies the last.
  void submit_readback(CommandBuffer& cmd, uint8_t* out, VkDeviceSize at, VkDeviceSize bytes);
  void drain();
  void wait(uint64_t serial);
  void wait_all();

 private:
  Context* ctx_;
  Queue* queue_;
  CommandPool pool_;
  VkDeviceSize chunk_;
  VkDeviceSize total_;
  MemoryIntent intent_;
  const char* name_;
  Buffer buffers_[2];
  uint64_t serials_[2] = {0, 0};
  struct PendingRead {
    Buffer* staging = nullptr;
    uint8_t* out = nullptr;
    VkDeviceSize bytes = 0;
    uint64_t serial = 0;
  } pending_;
  uint32_t next_ = 0;
  uint32_t current_ = 0;
  uint64_t last_ = 0;
};

// A row-aligned chunk size for image copies: a multiple of 4 rows (depth/stencil copies need 4-byte
// buffer offsets) and at least one group of them.
VkDeviceSize image_chunk_rows(VkDeviceSize chunk_bytes, VkDeviceSize row_bytes);

}  // namespace kiln::detail
