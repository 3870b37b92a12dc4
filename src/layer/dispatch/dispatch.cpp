#include "dispatch/dispatch.h"

namespace kiln::layer {

void InstanceDispatch::load(VkInstance instance, PFN_vkGetInstanceProcAddr gipa) {
  GetInstanceProcAddr = gipa;
#define KILN_X(name, alias) name = reinterpret_cast<PFN_vk##name>(gipa(instance, "vk" #name));
  KILN_INSTANCE_FUNCS(KILN_X)
#undef KILN_X
}

void DeviceDispatch::load(VkDevice device, PFN_vkGetDeviceProcAddr gdpa) {
  GetDeviceProcAddr = gdpa;
#define KILN_X(name, alias)                                                         \
  name = reinterpret_cast<PFN_vk##name>(gdpa(device, "vk" #name));                  \
  if (const char* a = alias; !name && a) name = reinterpret_cast<PFN_vk##name>(gdpa(device, a));
  KILN_DEVICE_FUNCS(KILN_X)
#undef KILN_X
  // A second alias, of the extension the KHR one replaced (same signature).
  if (!GetBufferDeviceAddress)
    GetBufferDeviceAddress = reinterpret_cast<PFN_vkGetBufferDeviceAddress>(gdpa(device, "vkGetBufferDeviceAddressEXT"));
}

}  // namespace kiln::layer
