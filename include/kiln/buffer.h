// kiln/buffer.h — a VkBuffer with its memory, owned.
//
//   kiln::Buffer staging(ctx, {.size = 1 << 20, .usage = VK_BUFFER_USAGE_TRANSFER_SRC_BIT,
//                              .memory = kiln::MemoryIntent::Upload, .name = "staging"});
//   std::memcpy(staging.mapped(), data, n);
//   staging = {};   // safe while a submission still reads it: destruction waits for the GPU
//
// Move-only. Dropping (destructor, reset, move-assign) hands the VkBuffer and its memory to
// Context::defer, so they are destroyed once every queue finished the work submitted before the drop.
// The context must outlive its buffers. Host-visible intents (Upload, Readback, DeviceWithHostWrites)
// are persistently mapped. Each buffer carries a ResourceState (sync.h) that CommandBuffer::use reads
// and advances; kiln does not track uses on its own beyond that.
//
// Not here: uploads and read-backs (stream layer), views of texel buffers (use raw Vulkan).
#pragma once

#include <vulkan/vulkan.h>

#include <string>

#include "kiln/error.h"  // what creation throws
#include "kiln/memory.h"
#include "kiln/sync.h"

namespace kiln {

class Context;

struct BufferDesc {
  VkDeviceSize size = 0;                           // bytes; must be > 0
  VkBufferUsageFlags usage = 0;                    // must be non-zero
  MemoryIntent memory = MemoryIntent::DeviceOnly;
  const char* name = nullptr;                      // debug name (errors, validation, tools)
  // VK_SHARING_MODE_CONCURRENT over the distinct families of kiln's queues (exclusive when there is
  // only one): no ownership transfers, possibly slower access.
  bool concurrent = false;
};

class Buffer {
 public:
  Buffer() = default;
  Buffer(Context& ctx, const BufferDesc& desc);
  ~Buffer();
  Buffer(Buffer&& other) noexcept;
  Buffer& operator=(Buffer&& other) noexcept;
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;

  VkBuffer handle() const { return buffer_; }
  VkDeviceSize size() const { return size_; }
  // The usage the buffer was created with (kiln may have added SHADER_DEVICE_ADDRESS, see address()).
  VkBufferUsageFlags usage() const { return usage_; }

  // Null unless the memory intent is host-visible (even where DeviceOnly memory happens to be mappable,
  // as on CPU drivers and unified memory: code that relies on it would break elsewhere).
  void* mapped() const { return mapped_; }
  MemoryIntent memory() const { return memory_; }
  // Created with VK_SHARING_MODE_CONCURRENT (BufferDesc::concurrent on a device with several queue
  // families): no ownership transfers between kiln's queues.
  bool concurrent() const { return concurrent_; }
  template <class T>
  T* data() const {
    return static_cast<T*>(mapped());
  }

  // The device address, for buffer_reference in shaders. Needs Feature::BufferDeviceAddress; kiln
  // adds VK_BUFFER_USAGE_SHADER_DEVICE_ADDRESS_BIT to every buffer when the feature is on.
  // 0 when the feature is off.
  VkDeviceAddress address() const { return address_; }

  const Allocation& allocation() const { return allocation_; }

  // For non-coherent host-visible memory (no-ops on coherent memory): flush after CPU writes,
  // invalidate before CPU reads. Ranges are relative to the buffer.
  void flush(VkDeviceSize offset = 0, VkDeviceSize size = VK_WHOLE_SIZE) const;
  void invalidate(VkDeviceSize offset = 0, VkDeviceSize size = VK_WHOLE_SIZE) const;

  ResourceState& state() { return state_; }
  const ResourceState& state() const { return state_; }

  // Unique among every buffer, image and sampler this process creates, and never reused (Vulkan
  // handles can be, once destroyed): a key for caches of things made from the resource. 0 when empty.
  uint64_t id() const { return id_; }

  const std::string& name() const { return name_; }
  Context* context() const { return ctx_; }
  explicit operator bool() const { return buffer_ != VK_NULL_HANDLE; }

  // Same as `*this = {}`: deferred destruction.
  void reset();

 private:
  Context* ctx_ = nullptr;
  VkBuffer buffer_ = VK_NULL_HANDLE;
  Allocation allocation_;
  void* mapped_ = nullptr;
  MemoryIntent memory_ = MemoryIntent::DeviceOnly;
  bool concurrent_ = false;
  VkDeviceSize size_ = 0;
  VkBufferUsageFlags usage_ = 0;
  VkDeviceAddress address_ = 0;
  uint64_t id_ = 0;
  ResourceState state_;
  std::string name_;
};

}  // namespace kiln
