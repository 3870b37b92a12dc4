// Gathering what each physical device offers, and choosing one.
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>

#include "core/context/feature_chain.h"
#include "kiln/context.h"
#include "kiln/error.h"
#include "kiln/log.h"

namespace kiln {
namespace {

DeviceInfo describe(VkPhysicalDevice pd, uint32_t index) {
  DeviceInfo info;
  info.handle = pd;
  info.index = index;
  vkGetPhysicalDeviceProperties(pd, &info.properties);
  vkGetPhysicalDeviceMemoryProperties(pd, &info.memory);
  uint32_t n = 0;
  vkGetPhysicalDeviceQueueFamilyProperties(pd, &n, nullptr);
  info.queue_families.resize(n);
  vkGetPhysicalDeviceQueueFamilyProperties(pd, &n, info.queue_families.data());
  vkEnumerateDeviceExtensionProperties(pd, nullptr, &n, nullptr);
  std::vector<VkExtensionProperties> ext(n);
  vkEnumerateDeviceExtensionProperties(pd, nullptr, &n, ext.data());
  for (auto& e : ext) info.extensions.emplace_back(e.extensionName);
  std::sort(info.extensions.begin(), info.extensions.end());

  const uint32_t api = info.properties.apiVersion;
  if (api >= VK_API_VERSION_1_2 || info.has_extension(VK_KHR_DRIVER_PROPERTIES_EXTENSION_NAME)) {
    VkPhysicalDeviceProperties2 props{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2};
    info.driver = {VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES};
    props.pNext = &info.driver;
    vkGetPhysicalDeviceProperties2(pd, &props);
    info.driver.pNext = nullptr;
  }
  detail::FeatureChain chain;
  chain.link(api, info.extensions);
  vkGetPhysicalDeviceFeatures2(pd, &chain.core);
  info.features = detail::supported_features(chain, api, info.extensions);
  info.core_features = chain.core.features;
  return info;
}

int type_rank(VkPhysicalDeviceType t) {
  switch (t) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return 4;
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return 3;
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: return 2;
    case VK_PHYSICAL_DEVICE_TYPE_CPU: return 1;
    default: return 0;
  }
}

std::string lower(std::string s) {
  for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string version_string(uint32_t v) {
  return str(VK_API_VERSION_MAJOR(v), ".", VK_API_VERSION_MINOR(v), ".", VK_API_VERSION_PATCH(v));
}

// What keeps `d` from being used under `desc`; empty when it fits.
std::vector<std::string> lacks(const DeviceInfo& d, const ContextDesc& desc) {
  std::vector<std::string> out;
  if (d.properties.apiVersion < VK_API_VERSION_1_1) out.push_back("Vulkan 1.1 (has " + version_string(d.properties.apiVersion) + ")");
  FeatureSet disabled(std::initializer_list<Feature>{});
  for (Feature f : desc.disabled) disabled.set(f);
  for (Feature f : desc.required)
    if (!d.features.has(f) || disabled.has(f)) out.push_back(str("feature ", feature_name(f), disabled.has(f) ? " (disabled)" : ""));
  for (const char* e : desc.device_extensions)
    if (!d.has_extension(e)) out.push_back(str("extension ", e));
  if (desc.presentation && !d.has_extension(VK_KHR_SWAPCHAIN_EXTENSION_NAME)) out.push_back("extension VK_KHR_swapchain");
  bool graphics = std::any_of(d.queue_families.begin(), d.queue_families.end(),
                              [](const VkQueueFamilyProperties& q) { return q.queueFlags & VK_QUEUE_GRAPHICS_BIT; });
  if (!graphics) out.push_back("a graphics queue");
  return out;
}

}  // namespace

bool DeviceInfo::has_extension(std::string_view name) const {
  return std::binary_search(extensions.begin(), extensions.end(), name,
                            [](const auto& a, const auto& b) { return std::string_view(a) < std::string_view(b); });
}

const char* DeviceInfo::type_name() const {
  switch (properties.deviceType) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return "discrete";
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return "integrated";
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: return "virtual";
    case VK_PHYSICAL_DEVICE_TYPE_CPU: return "cpu";
    default: return "other";
  }
}

std::vector<DeviceInfo> Instance::devices() const {
  uint32_t n = 0;
  check(vkEnumeratePhysicalDevices(instance_, &n, nullptr), "vkEnumeratePhysicalDevices");
  std::vector<VkPhysicalDevice> handles(n);
  check(vkEnumeratePhysicalDevices(instance_, &n, handles.data()), "vkEnumeratePhysicalDevices");
  std::vector<DeviceInfo> out;
  for (uint32_t i = 0; i < n; ++i) out.push_back(describe(handles[i], i));
  return out;
}

const DeviceInfo& choose_device(const std::vector<DeviceInfo>& devices, const ContextDesc& desc) {
  if (devices.empty())
    throw Error("no Vulkan device found (is a driver installed? on Debian, mesa-vulkan-drivers gives the CPU driver lavapipe)");
  int index = desc.device_index;
  std::string name = desc.device_name;
  if (const char* env = std::getenv("KILN_DEVICE"); env && *env) {
    char* end = nullptr;
    long v = std::strtol(env, &end, 10);
    if (end && *end == 0) index = int(v), name.clear();
    else name = env, index = -1;
  }
  std::string why;
  const DeviceInfo* best = nullptr;
  for (const DeviceInfo& d : devices) {
    if (index >= 0 && d.index != uint32_t(index)) continue;
    if (!name.empty() && lower(d.properties.deviceName).find(lower(name)) == std::string::npos) continue;
    std::vector<std::string> missing = lacks(d, desc);
    if (!missing.empty()) {
      why += str("\n  [", d.index, "] ", d.properties.deviceName, " lacks: ");
      for (size_t i = 0; i < missing.size(); ++i) why += (i ? ", " : "") + missing[i];
      continue;
    }
    if (!best || type_rank(d.properties.deviceType) > type_rank(best->properties.deviceType)) best = &d;
  }
  if (best) return *best;
  std::string listing;
  for (const DeviceInfo& d : devices) listing += str("\n  [", d.index, "] ", d.properties.deviceName, " (", d.type_name(), ")");
  if (why.empty()) {
    throw Error(str("no device matches ", index >= 0 ? str("index ", index) : str("name '", name, "'"),
                    "; devices are:", listing));
  }
  throw Error(str("no device has what was required:", why));
}

}  // namespace kiln
