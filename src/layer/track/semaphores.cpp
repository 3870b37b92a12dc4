// Semaphores, for the submission graph (cow/graph.h): which are timeline semaphores, and values the
// host signals.
#include "dispatch/hooks.h"
#include "state.h"

namespace kiln::layer {
namespace hooks {

VKAPI_ATTR VkResult VKAPI_CALL CreateSemaphore(VkDevice device, const VkSemaphoreCreateInfo* info,
                                               const VkAllocationCallbacks* alloc, VkSemaphore* out) {
  Device* dev = device_of(device);
  VkResult r = dev->d.CreateSemaphore(device, info, alloc, out);
  if (r != VK_SUCCESS) return r;
  for (auto* e = static_cast<const VkBaseInStructure*>(info->pNext); e; e = e->pNext)
    if (e->sType == VK_STRUCTURE_TYPE_SEMAPHORE_TYPE_CREATE_INFO &&
        reinterpret_cast<const VkSemaphoreTypeCreateInfo*>(e)->semaphoreType == VK_SEMAPHORE_TYPE_TIMELINE) {
      std::lock_guard lock(dev->mutex);
      dev->graph.set_timeline(*out, true);
    }
  return r;
}

VKAPI_ATTR void VKAPI_CALL DestroySemaphore(VkDevice device, VkSemaphore semaphore, const VkAllocationCallbacks* alloc) {
  Device* dev = device_of(device);
  if (semaphore) {
    std::lock_guard lock(dev->mutex);
    dev->graph.forget(semaphore);
  }
  dev->d.DestroySemaphore(device, semaphore, alloc);
}

VKAPI_ATTR VkResult VKAPI_CALL SignalSemaphore(VkDevice device, const VkSemaphoreSignalInfo* info) {
  Device* dev = device_of(device);
  VkResult r = dev->d.SignalSemaphore(device, info);
  if (r == VK_SUCCESS) {
    std::lock_guard lock(dev->mutex);
    dev->graph.host_signal(info->semaphore, info->value, [&](VkSemaphore s) { return semaphore_value(*dev, s); });
    activate_ready_cows(*dev);
  }
  return r;
}

}  // namespace hooks
}  // namespace kiln::layer
