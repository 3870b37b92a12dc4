#include "kiln/buffer.h"

#include <utility>

#include "core/resources/common.h"
#include "kiln/context.h"
#include "kiln/error.h"
#include "kiln/log.h"

namespace kiln {

Buffer::Buffer(Context& ctx, const BufferDesc& desc) {
  std::string name = desc.name ? desc.name : "";
  with_context(str("creating ", detail::describe("buffer", name)), [&] {
    if (desc.size == 0) {
      throw Error("BufferDesc::size is 0; a buffer needs at least 1 byte");
    }
    if (desc.usage == 0) {
      throw Error(
          "BufferDesc::usage is 0; say what the buffer is for, e.g. "
          "VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT");
    }
    const bool device_address = ctx.has(Feature::BufferDeviceAddress);
    VkBufferUsageFlags usage = desc.usage;
    // Every buffer gets an address when the feature is on: buffer_reference needs no planning ahead.
    if (device_address) usage |= VK_BUFFER_USAGE_SHADER_DEVICE_ADDRESS_BIT;

    const detail::QueueSharing sharing = detail::queue_sharing(ctx, desc.concurrent);
    VkBufferCreateInfo info{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
    info.size = desc.size;
    info.usage = usage;
    info.sharingMode = sharing.mode;
    info.queueFamilyIndexCount = sharing.count;
    info.pQueueFamilyIndices = sharing.count ? sharing.families : nullptr;

    VkBuffer buffer = VK_NULL_HANDLE;
    check(vkCreateBuffer(ctx.device(), &info, nullptr, &buffer), "vkCreateBuffer");
    Allocation allocation;
    try {
      allocation = ctx.allocator().allocate_and_bind(buffer, desc.memory, desc.name, device_address);
    } catch (...) {
      // Never submitted anywhere: no need to defer.
      vkDestroyBuffer(ctx.device(), buffer, nullptr);
      throw;
    }
    if (!name.empty()) ctx.set_name(buffer, name);

    if (device_address) {
      VkBufferDeviceAddressInfo address_info{VK_STRUCTURE_TYPE_BUFFER_DEVICE_ADDRESS_INFO};
      address_info.buffer = buffer;
      address_ = ctx.fn().get_buffer_device_address
                     ? ctx.fn().get_buffer_device_address(ctx.device(), &address_info)
                     : 0;
    }
    ctx_ = &ctx;
    buffer_ = buffer;
    allocation_ = allocation;
    memory_ = desc.memory;
    concurrent_ = sharing.mode == VK_SHARING_MODE_CONCURRENT;
    mapped_ = desc.memory == MemoryIntent::DeviceOnly ? nullptr : allocation.mapped;
    size_ = desc.size;
    usage_ = usage;
    id_ = detail::next_resource_id();
    name_ = std::move(name);
  });
}

Buffer::~Buffer() { reset(); }

Buffer::Buffer(Buffer&& other) noexcept
    : ctx_(std::exchange(other.ctx_, nullptr)),
      buffer_(std::exchange(other.buffer_, VK_NULL_HANDLE)),
      allocation_(std::exchange(other.allocation_, {})),
      mapped_(std::exchange(other.mapped_, nullptr)),
      memory_(std::exchange(other.memory_, MemoryIntent::DeviceOnly)),
      concurrent_(std::exchange(other.concurrent_, false)),
      size_(std::exchange(other.size_, 0)),
      usage_(std::exchange(other.usage_, 0)),
      address_(std::exchange(other.address_, 0)),
      id_(std::exchange(other.id_, 0)),
      state_(std::exchange(other.state_, {})),
      name_(std::move(other.name_)) {
  other.name_.clear();
}

Buffer& Buffer::operator=(Buffer&& other) noexcept {
  if (this != &other) {
    reset();
    ctx_ = std::exchange(other.ctx_, nullptr);
    buffer_ = std::exchange(other.buffer_, VK_NULL_HANDLE);
    allocation_ = std::exchange(other.allocation_, {});
    mapped_ = std::exchange(other.mapped_, nullptr);
    memory_ = std::exchange(other.memory_, MemoryIntent::DeviceOnly);
    concurrent_ = std::exchange(other.concurrent_, false);
    size_ = std::exchange(other.size_, 0);
    usage_ = std::exchange(other.usage_, 0);
    address_ = std::exchange(other.address_, 0);
    id_ = std::exchange(other.id_, 0);
    state_ = std::exchange(other.state_, {});
    name_ = std::move(other.name_);
    other.name_.clear();
  }
  return *this;
}

void Buffer::reset() {
  if (buffer_ != VK_NULL_HANDLE) {
    Context* ctx = ctx_;
    VkBuffer buffer = buffer_;
    Allocation allocation = allocation_;
    // The GPU may still read or write it: destroy once the work submitted so far has finished.
    ctx->defer([ctx, buffer, allocation]() mutable {
      vkDestroyBuffer(ctx->device(), buffer, nullptr);
      ctx->allocator().free(allocation);
    });
  }
  ctx_ = nullptr;
  buffer_ = VK_NULL_HANDLE;
  allocation_ = {};
  mapped_ = nullptr;
  memory_ = MemoryIntent::DeviceOnly;
  concurrent_ = false;
  size_ = 0;
  usage_ = 0;
  address_ = 0;
  id_ = 0;
  state_ = {};
  name_.clear();
}

void Buffer::flush(VkDeviceSize offset, VkDeviceSize size) const {
  if (ctx_) ctx_->allocator().flush(allocation_, offset, size);
}

void Buffer::invalidate(VkDeviceSize offset, VkDeviceSize size) const {
  if (ctx_) ctx_->allocator().invalidate(allocation_, offset, size);
}

}  // namespace kiln
