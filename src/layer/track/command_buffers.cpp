// Command pools and buffers: each command buffer gets its record (record/records.h), reset on begin.
#include "dispatch/hooks.h"
#include "state.h"

namespace kiln::layer {
namespace hooks {

VKAPI_ATTR VkResult VKAPI_CALL CreateCommandPool(VkDevice device, const VkCommandPoolCreateInfo* info,
                                                 const VkAllocationCallbacks* alloc, VkCommandPool* out) {
  Device* dev = device_of(device);
  VkResult r = dev->d.CreateCommandPool(device, info, alloc, out);
  if (r == VK_SUCCESS) {
    auto p = std::make_shared<CommandPool>();
    p->family = info->queueFamilyIndex;
    dev->command_pools.add(*out, std::move(p));
  }
  return r;
}

VKAPI_ATTR void VKAPI_CALL DestroyCommandPool(VkDevice device, VkCommandPool pool, const VkAllocationCallbacks* alloc) {
  Device* dev = device_of(device);
  if (auto p = dev->command_pools.remove(pool)) {
    std::lock_guard lock(p->mutex);
    for (VkCommandBuffer cb : p->buffers) remove_command_buffer(cb);
  }
  dev->d.DestroyCommandPool(device, pool, alloc);
}

VKAPI_ATTR VkResult VKAPI_CALL ResetCommandPool(VkDevice device, VkCommandPool pool, VkCommandPoolResetFlags flags) {
  Device* dev = device_of(device);
  if (auto p = dev->command_pools.get(pool)) {
    std::lock_guard lock(p->mutex);
    for (VkCommandBuffer cb : p->buffers)
      if (CommandBuffer* s = command_buffer(cb)) s->reset();
  }
  return dev->d.ResetCommandPool(device, pool, flags);
}

VKAPI_ATTR VkResult VKAPI_CALL AllocateCommandBuffers(VkDevice device, const VkCommandBufferAllocateInfo* info,
                                                      VkCommandBuffer* out) {
  Device* dev = device_of(device);
  VkResult r = dev->d.AllocateCommandBuffers(device, info, out);
  if (r != VK_SUCCESS) return r;
  auto pool = dev->command_pools.get(info->commandPool);
  for (uint32_t i = 0; i < info->commandBufferCount; ++i) {
    auto s = std::make_unique<CommandBuffer>();
    s->handle = out[i];
    s->device = dev;
    s->pool = info->commandPool;
    s->level = info->level;
    add_command_buffer(out[i], std::move(s));
    if (pool) {
      std::lock_guard lock(pool->mutex);
      pool->buffers.push_back(out[i]);
    }
  }
  return r;
}

VKAPI_ATTR void VKAPI_CALL FreeCommandBuffers(VkDevice device, VkCommandPool pool, uint32_t count,
                                              const VkCommandBuffer* cbs) {
  Device* dev = device_of(device);
  auto p = dev->command_pools.get(pool);
  for (uint32_t i = 0; i < count; ++i) {
    if (!cbs[i]) continue;
    remove_command_buffer(cbs[i]);
    if (p) {
      std::lock_guard lock(p->mutex);
      for (auto& b : p->buffers)
        if (b == cbs[i]) {
          b = p->buffers.back();
          p->buffers.pop_back();
          break;
        }
    }
  }
  dev->d.FreeCommandBuffers(device, pool, count, cbs);
}

VKAPI_ATTR VkResult VKAPI_CALL BeginCommandBuffer(VkCommandBuffer cb, const VkCommandBufferBeginInfo* info) {
  CommandBuffer* s = command_buffer(cb);
  bool adopted = s->passthrough == "it was not allocated through the layer";
  s->reset();
  if (adopted) s->passthrough = "it was not allocated through the layer";
  s->usage = info->flags;
  s->recording = s->device->recording.load(std::memory_order_acquire);
  if (info->pInheritanceInfo && s->level == VK_COMMAND_BUFFER_LEVEL_SECONDARY) {
    s->has_inheritance = true;
    s->inheritance = *info->pInheritanceInfo;
    s->inheritance.pNext = nullptr;
  }
  return s->device->d.BeginCommandBuffer(cb, info);
}

VKAPI_ATTR VkResult VKAPI_CALL EndCommandBuffer(VkCommandBuffer cb) {
  CommandBuffer* s = command_buffer(cb);
  s->records.flush();
  return s->device->d.EndCommandBuffer(cb);
}

VKAPI_ATTR VkResult VKAPI_CALL ResetCommandBuffer(VkCommandBuffer cb, VkCommandBufferResetFlags flags) {
  CommandBuffer* s = command_buffer(cb);
  s->reset();
  return s->device->d.ResetCommandBuffer(cb, flags);
}

}  // namespace hooks
}  // namespace kiln::layer
