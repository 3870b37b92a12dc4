// The layer's own versions of the functions it intercepts, declared from the Vulkan PFN types so
// their signatures cannot drift. Defined across track/, record/ and hook/.
#pragma once

#include <type_traits>

#include "dispatch/dispatch.h"

namespace kiln::layer::hooks {

#define KILN_X(name, alias) std::remove_pointer_t<PFN_vk##name> name;
KILN_DEVICE_HOOKED(KILN_X)
KILN_DEVICE_CMDS(KILN_X)
#undef KILN_X

std::remove_pointer_t<PFN_vkCreateInstance> CreateInstance;
std::remove_pointer_t<PFN_vkDestroyInstance> DestroyInstance;
std::remove_pointer_t<PFN_vkCreateDevice> CreateDevice;
std::remove_pointer_t<PFN_vkEnumerateDeviceExtensionProperties> EnumerateDeviceExtensionProperties;

}  // namespace kiln::layer::hooks

// The C API (include/kiln/capture.h), reached through vkGetDeviceProcAddr.
namespace kiln::layer::api {
PFN_vkVoidFunction lookup(const char* name);
}
