// Device lifetime, queues and debug names.
#include <algorithm>
#include <cstring>

#include "dispatch/hooks.h"
#include "hook/config.h"
#include "hook/pending.h"
#include "state.h"

namespace kiln::layer {
namespace hooks {

void setup_device(Device& dev, const VkDeviceCreateInfo* info) {
  const InstanceDispatch& id = dev.instance->d;
  id.GetPhysicalDeviceMemoryProperties(dev.physical, &dev.memory_properties);
  VkPhysicalDeviceProperties props{};
  id.GetPhysicalDeviceProperties(dev.physical, &props);
  dev.api_version = props.apiVersion;
  bool resolve_extension = false, pass2_extension = false;
  for (uint32_t i = 0; i < info->enabledExtensionCount; ++i) {
    resolve_extension |= std::strcmp(info->ppEnabledExtensionNames[i], VK_KHR_DEPTH_STENCIL_RESOLVE_EXTENSION_NAME) == 0;
    pass2_extension |= std::strcmp(info->ppEnabledExtensionNames[i], VK_KHR_CREATE_RENDERPASS_2_EXTENSION_NAME) == 0;
  }
  const bool core12 = std::min(dev.api_version, dev.instance->api_version) >= VK_API_VERSION_1_2;
  dev.depth_stencil_resolve = (core12 || (resolve_extension && pass2_extension)) && dev.d.CreateRenderPass2 &&
                              dev.d.CmdBeginRenderPass2 && dev.d.CmdEndRenderPass2;
  Config c = read_config();
  dev.out_dir = c.out_dir;
  dev.cow.enabled = c.cow;
  dev.record_always = c.record_always;
  if (c.has_spec) {
    Request r;
    r.spec = c.spec;
    r.spec_text = c.spec_text;
    r.when = c.when;
    r.frame = c.frame;
    dev.env_requests.push_back(r);
  }
  dev.update_recording();
}

VKAPI_ATTR void VKAPI_CALL DestroyDevice(VkDevice device, const VkAllocationCallbacks* alloc) {
  if (!device) return;
  Device* dev = device_of(device);
  if (!dev) return;
  {
    std::lock_guard lock(dev->mutex);
    finish_device(*dev);  // captures in flight complete (the program waited idle), own objects go
  }
  std::unique_ptr<Device> owned = remove_device(dispatch_key(device));
  // Command buffers of this device still in the map: freed with their pools by the driver.
  owned->command_pools.for_each([&](uint64_t, const std::shared_ptr<CommandPool>& pool) {
    for (VkCommandBuffer cb : pool->buffers) remove_command_buffer(cb);
  });
  owned->d.DestroyDevice(device, alloc);
}

static void track_queue(Device* dev, VkQueue q, uint32_t family, uint32_t index) {
  if (!q || queue_state(q)) return;
  auto state = std::make_shared<Queue>();
  state->handle = q;
  state->device = dev;
  state->family = family;
  state->index = index;
  add_queue(q, state.get());
  dev->queues.add(q, std::move(state));
}

VKAPI_ATTR void VKAPI_CALL GetDeviceQueue(VkDevice device, uint32_t family, uint32_t index, VkQueue* out) {
  Device* dev = device_of(device);
  dev->d.GetDeviceQueue(device, family, index, out);
  track_queue(dev, *out, family, index);
}

VKAPI_ATTR void VKAPI_CALL GetDeviceQueue2(VkDevice device, const VkDeviceQueueInfo2* info, VkQueue* out) {
  Device* dev = device_of(device);
  dev->d.GetDeviceQueue2(device, info, out);
  track_queue(dev, *out, info->queueFamilyIndex, info->queueIndex);
}

VKAPI_ATTR VkResult VKAPI_CALL SetDebugUtilsObjectNameEXT(VkDevice device, const VkDebugUtilsObjectNameInfoEXT* info) {
  Device* dev = device_of(device);
  {
    std::lock_guard lock(dev->names_mutex);
    if (info->pObjectName) dev->names[info->objectHandle] = info->pObjectName;
    else dev->names.erase(info->objectHandle);
  }
  return dev->d.SetDebugUtilsObjectNameEXT(device, info);
}

VKAPI_ATTR VkResult VKAPI_CALL DeviceWaitIdle(VkDevice device) {
  Device* dev = device_of(device);
  VkResult r = dev->d.DeviceWaitIdle(device);
  std::lock_guard lock(dev->mutex);
  poll_pending(*dev);
  return r;
}

VKAPI_ATTR VkResult VKAPI_CALL QueueWaitIdle(VkQueue queue) {
  Queue* q = queue_state(queue);
  Device& dev = q ? *q->device : *device_of(queue);
  VkResult r = dev.d.QueueWaitIdle(queue);
  std::lock_guard lock(dev.mutex);
  poll_pending(dev);
  return r;
}

VKAPI_ATTR VkResult VKAPI_CALL WaitForFences(VkDevice device, uint32_t count, const VkFence* fences, VkBool32 all,
                                             uint64_t timeout) {
  Device* dev = device_of(device);
  VkResult r = dev->d.WaitForFences(device, count, fences, all, timeout);
  if (r == VK_SUCCESS) {
    std::lock_guard lock(dev->mutex);
    poll_pending(*dev);
  }
  return r;
}

}  // namespace hooks
}  // namespace kiln::layer
