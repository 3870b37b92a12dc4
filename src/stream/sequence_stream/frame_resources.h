// The GPU buffers and images that hold one frame of a SequenceStream, and the pool that hands them out
// within a byte budget and takes them back for reuse by later frames of the same sizes (creating
// buffers costs a vkAllocateMemory on large ones; streaming reuses instead).
#pragma once

#include <vulkan/vulkan.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kiln/buffer.h"
#include "kiln/image.h"

namespace kiln {
class Context;
class SequenceReader;
}  // namespace kiln

namespace kiln::detail {

struct FieldResource {
  std::optional<Buffer> buffer;
  std::optional<Image> image;
  VkDeviceSize capacity = 0;  // bytes the buffer holds, or the image's texel bytes
};

struct FrameResources {
  std::vector<FieldResource> fields;  // in layout order
  VkDeviceSize bytes = 0;
};

struct FramePoolDesc {
  VkDeviceSize budget = 0;  // 0: 1 GiB, at most half the largest device-local heap
  VkBufferUsageFlags buffer_usage = 0;
  VkImageUsageFlags image_usage = 0;
  bool host_writable = false;  // buffers in DeviceWithHostWrites memory (the Direct upload path)
  std::string name;
};

class FramePool {
 public:
  FramePool(Context& ctx, const SequenceReader& reader, const FramePoolDesc& desc);

  // Resources for `frame`: a spare that fits, else new ones when the budget allows (dropping spares
  // that do not fit to make room); null when the budget is full.
  std::unique_ptr<FrameResources> take(uint32_t frame);
  // Back for reuse. The caller guarantees no submitted work still uses them, and that copies
  // recorded into them were submitted.
  void give_back(std::unique_ptr<FrameResources> resources);

  VkDeviceSize bytes() const { return bytes_; }  // alive: handed out and spare
  VkDeviceSize budget() const { return budget_; }
  bool host_writable() const { return desc_.host_writable; }

 private:
  bool fits(const FrameResources& r, uint32_t frame) const;
  VkDeviceSize frame_bytes(uint32_t frame) const;
  std::unique_ptr<FrameResources> create(uint32_t frame);

  Context* ctx_;
  const SequenceReader* reader_;
  FramePoolDesc desc_;
  VkDeviceSize budget_ = 0;
  VkDeviceSize bytes_ = 0;
  uint32_t created_ = 0;
  std::vector<std::unique_ptr<FrameResources>> spare_;
};

}  // namespace kiln::detail
