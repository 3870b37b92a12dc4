// vkCmd* functions the layer does not record (an enabled extension's command it has no record for):
// vkGetDeviceProcAddr hands out a small trampoline instead of the next layer's function. The
// trampoline marks the command buffer (always the first argument of a vkCmd*) pass-through, "vkCmdX is
// not recorded by the layer", then jumps to the next layer's function with every argument register
// and the stack untouched, whatever the signature. x86-64 only; elsewhere these commands are not
// wrapped and hooking refuses on a device that offers any (see entry.cpp).
#pragma once

#include <vulkan/vulkan.h>

namespace kiln::layer {

// The trampoline for `name` forwarding to `next`; null when all slots are taken or not on x86-64.
PFN_vkVoidFunction unknown_command_trampoline(const char* name, PFN_vkVoidFunction next);

}  // namespace kiln::layer
