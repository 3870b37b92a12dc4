// The loader-layer interface: negotiation, GetInstanceProcAddr / GetDeviceProcAddr, and instance and
// device creation, where the layer walks the loader's create-info chain to the next layer's
// GetInstanceProcAddr / GetDeviceProcAddr and fills its dispatch tables from them.
#include <vulkan/vk_layer.h>

#include <cstring>
#include <string_view>
#include <unordered_map>

#include "dispatch/hooks.h"
#include "dispatch/unknown_commands.h"
#include "hook/config.h"
#include "state.h"

#define KILN_EXPORT extern "C" __attribute__((visibility("default")))

namespace kiln::layer {

namespace {

using Table = std::unordered_map<std::string_view, PFN_vkVoidFunction>;

// Device-level functions the layer intercepts, by every name they go by (core and alias).
const Table& device_table() {
  static const Table table = [] {
    Table t;
#define KILN_X(name, alias)                                                                     \
  t["vk" #name] = reinterpret_cast<PFN_vkVoidFunction>(&hooks::name);                           \
  if (const char* a = alias) t[a] = reinterpret_cast<PFN_vkVoidFunction>(&hooks::name);
    KILN_DEVICE_HOOKED(KILN_X)
    KILN_DEVICE_CMDS(KILN_X)
#undef KILN_X
    t["vkGetBufferDeviceAddressEXT"] = reinterpret_cast<PFN_vkVoidFunction>(&hooks::GetBufferDeviceAddress);
    t["vkGetDeviceProcAddr"] = reinterpret_cast<PFN_vkVoidFunction>(&vkGetDeviceProcAddr);
    return t;
  }();
  return table;
}

const Table& instance_table() {
  static const Table table = [] {
    Table t;
    t["vkGetInstanceProcAddr"] = reinterpret_cast<PFN_vkVoidFunction>(&vkGetInstanceProcAddr);
    t["vkCreateInstance"] = reinterpret_cast<PFN_vkVoidFunction>(&hooks::CreateInstance);
    t["vkDestroyInstance"] = reinterpret_cast<PFN_vkVoidFunction>(&hooks::DestroyInstance);
    t["vkCreateDevice"] = reinterpret_cast<PFN_vkVoidFunction>(&hooks::CreateDevice);
    t["vkEnumerateDeviceExtensionProperties"] =
        reinterpret_cast<PFN_vkVoidFunction>(&hooks::EnumerateDeviceExtensionProperties);
    return t;
  }();
  return table;
}

template <class Info, class LayerInfo>
LayerInfo* find_link(const Info* info, VkStructureType type) {
  auto* p = static_cast<const VkBaseInStructure*>(info->pNext);
  while (p) {
    if (p->sType == type && reinterpret_cast<const LayerInfo*>(p)->function == VK_LAYER_LINK_INFO)
      return const_cast<LayerInfo*>(reinterpret_cast<const LayerInfo*>(p));
    p = p->pNext;
  }
  return nullptr;
}

}  // namespace

namespace hooks {

VKAPI_ATTR VkResult VKAPI_CALL CreateInstance(const VkInstanceCreateInfo* info, const VkAllocationCallbacks* alloc,
                                              VkInstance* out) {
  auto* link = find_link<VkInstanceCreateInfo, VkLayerInstanceCreateInfo>(
      info, VK_STRUCTURE_TYPE_LOADER_INSTANCE_CREATE_INFO);
  if (!link || !link->u.pLayerInfo) return VK_ERROR_INITIALIZATION_FAILED;
  PFN_vkGetInstanceProcAddr gipa = link->u.pLayerInfo->pfnNextGetInstanceProcAddr;
  link->u.pLayerInfo = link->u.pLayerInfo->pNext;  // the next layer finds its own link
  auto create = reinterpret_cast<PFN_vkCreateInstance>(gipa(VK_NULL_HANDLE, "vkCreateInstance"));
  if (!create) return VK_ERROR_INITIALIZATION_FAILED;
  VkResult r = create(info, alloc, out);
  if (r != VK_SUCCESS) return r;
  auto inst = std::make_unique<Instance>();
  inst->handle = *out;
  inst->d.load(*out, gipa);
  if (info->pApplicationInfo && info->pApplicationInfo->apiVersion) inst->api_version = info->pApplicationInfo->apiVersion;
  add_instance(dispatch_key(*out), std::move(inst));
  return r;
}

VKAPI_ATTR void VKAPI_CALL DestroyInstance(VkInstance instance, const VkAllocationCallbacks* alloc) {
  if (!instance) return;
  std::unique_ptr<Instance> inst = remove_instance(dispatch_key(instance));
  if (inst && inst->d.DestroyInstance) inst->d.DestroyInstance(instance, alloc);
}

VKAPI_ATTR VkResult VKAPI_CALL EnumerateDeviceExtensionProperties(VkPhysicalDevice pd, const char* layer,
                                                                  uint32_t* count, VkExtensionProperties* props) {
  if (layer && std::strcmp(layer, "VK_LAYER_KILN_capture") == 0) {
    *count = 0;
    return VK_SUCCESS;
  }
  Instance* inst = instance_of(pd);
  if (!inst) return VK_ERROR_INITIALIZATION_FAILED;
  return inst->d.EnumerateDeviceExtensionProperties(pd, layer, count, props);
}

void setup_device(Device& dev, const VkDeviceCreateInfo* info);  // track/device.cpp

VKAPI_ATTR VkResult VKAPI_CALL CreateDevice(VkPhysicalDevice pd, const VkDeviceCreateInfo* info,
                                            const VkAllocationCallbacks* alloc, VkDevice* out) {
  Instance* inst = instance_of(pd);
  auto* link = find_link<VkDeviceCreateInfo, VkLayerDeviceCreateInfo>(info, VK_STRUCTURE_TYPE_LOADER_DEVICE_CREATE_INFO);
  if (!inst || !link || !link->u.pLayerInfo) return VK_ERROR_INITIALIZATION_FAILED;
  PFN_vkGetInstanceProcAddr gipa = link->u.pLayerInfo->pfnNextGetInstanceProcAddr;
  PFN_vkGetDeviceProcAddr gdpa = link->u.pLayerInfo->pfnNextGetDeviceProcAddr;
  link->u.pLayerInfo = link->u.pLayerInfo->pNext;
  auto create = reinterpret_cast<PFN_vkCreateDevice>(gipa(inst->handle, "vkCreateDevice"));
  if (!create) return VK_ERROR_INITIALIZATION_FAILED;
  VkResult r = create(pd, info, alloc, out);
  if (r != VK_SUCCESS) return r;
  auto dev = std::make_unique<Device>();
  dev->handle = *out;
  dev->physical = pd;
  dev->instance = inst;
  dev->d.load(*out, gdpa);
  for (auto* p = static_cast<const VkBaseInStructure*>(info->pNext); p; p = p->pNext) {
    auto* l = reinterpret_cast<const VkLayerDeviceCreateInfo*>(p);
    if (p->sType == VK_STRUCTURE_TYPE_LOADER_DEVICE_CREATE_INFO && l->function == VK_LOADER_DATA_CALLBACK)
      dev->set_loader_data = l->u.pfnSetDeviceLoaderData;
  }
  setup_device(*dev, info);
  add_device(dispatch_key(*out), std::move(dev));
  return r;
}

}  // namespace hooks
}  // namespace kiln::layer

using namespace kiln::layer;

KILN_EXPORT VKAPI_ATTR VkResult VKAPI_CALL vkNegotiateLoaderLayerInterfaceVersion(VkNegotiateLayerInterface* v) {
  if (!v || v->sType != LAYER_NEGOTIATE_INTERFACE_STRUCT) return VK_ERROR_INITIALIZATION_FAILED;
  if (v->loaderLayerInterfaceVersion >= 2) {
    v->pfnGetInstanceProcAddr = vkGetInstanceProcAddr;
    v->pfnGetDeviceProcAddr = vkGetDeviceProcAddr;
    v->pfnGetPhysicalDeviceProcAddr = nullptr;
  }
  if (v->loaderLayerInterfaceVersion > 2) v->loaderLayerInterfaceVersion = 2;
  return VK_SUCCESS;
}

KILN_EXPORT VKAPI_ATTR PFN_vkVoidFunction VKAPI_CALL vkGetDeviceProcAddr(VkDevice device, const char* name) {
  if (!device || !name) return nullptr;
  Device* dev = device_of(device);
  if (!dev) return nullptr;
  if (PFN_vkVoidFunction f = api::lookup(name)) return f;
  PFN_vkVoidFunction next = dev->d.GetDeviceProcAddr(device, name);
  if (!next) return nullptr;  // not enabled below: not ours to offer either
  const Table& t = device_table();
  auto it = t.find(name);
  if (it != t.end()) return it->second;
  // A command the layer does not record, enabled below: a command buffer that calls it cannot be
  // re-recorded. A trampoline marks it pass-through; where there is none, hooking refuses on this
  // device (says why) rather than replay a command buffer that misses commands.
  if (std::strncmp(name, "vkCmd", 5) == 0) {
    if (PFN_vkVoidFunction tramp = unknown_command_trampoline(name, next)) return tramp;
    std::lock_guard lock(dev->mutex);
    dev->unrecorded_commands.insert(name);
  }
  return next;
}

KILN_EXPORT VKAPI_ATTR PFN_vkVoidFunction VKAPI_CALL vkGetInstanceProcAddr(VkInstance instance, const char* name) {
  if (!name) return nullptr;
  const Table& it = instance_table();
  if (auto f = it.find(name); f != it.end()) return f->second;
  if (!instance) return nullptr;
  Instance* inst = instance_of(instance);
  if (!inst) return nullptr;
  PFN_vkVoidFunction next = inst->d.GetInstanceProcAddr(instance, name);
  if (!next) return nullptr;
  const Table& dt = device_table();
  auto f = dt.find(name);
  return f != dt.end() ? f->second : next;
}
