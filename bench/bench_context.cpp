// kiln::Context creation against bare vkCreateInstance + vkCreateDevice with the same instance
// extensions, device extensions, features and queues (read back from a context made first), in the
// same run. Both sides are created and destroyed each repetition; creation alone is timed. Validation
// off (KILN_VALIDATION is cleared). The two sides alternate so that caches warm both alike.
//
// One extra instance lives through the whole run, so the loader never unloads and reloads the driver
// library between repetitions: neither side pays for dlopen, and NVIDIA's GLX-dispatched ICD was seen
// to fail vkCreateInstance ("Found no drivers") once reloaded in a process.
//
//   bench_context [reps]    prints one JSON line; ratio = kiln_ms / bare_ms (above 1: kiln is slower)
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/context/feature_chain.h"
#include "kiln/context.h"
#include "kiln/error.h"
#include "kiln/log.h"
#include "bench_util.h"

namespace {

using bench::Clock;
using bench::json_escape;
using bench::ms_since;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// What the bare side creates: everything read back from a kiln context.
struct Recipe {
  uint32_t api_version = 0;
  uint32_t device_index = 0;
  std::vector<std::string> instance_extensions;
  std::vector<std::string> device_extensions;
  std::vector<uint32_t> families;
  kiln::FeatureSet features;
  VkPhysicalDeviceFeatures core{};
  std::vector<std::string> device_supported;  // for linking the feature chain as kiln does
};

bool instance_has(const char* name) {
  uint32_t n = 0;
  vkEnumerateInstanceExtensionProperties(nullptr, &n, nullptr);
  std::vector<VkExtensionProperties> props(n);
  vkEnumerateInstanceExtensionProperties(nullptr, &n, props.data());
  for (const auto& p : props)
    if (std::string(p.extensionName) == name) return true;
  return false;
}

Recipe read_recipe(kiln::Context& ctx) {
  Recipe r;
  r.api_version = ctx.api_version();
  r.device_index = ctx.info().index;
  // kiln asks for debug utils (names, labels) when the loader has it, and portability enumeration.
  for (const char* e : {VK_EXT_DEBUG_UTILS_EXTENSION_NAME, VK_KHR_PORTABILITY_ENUMERATION_EXTENSION_NAME})
    if (instance_has(e)) r.instance_extensions.emplace_back(e);
  for (const std::string& e : ctx.info().extensions)
    if (ctx.has_extension(e)) r.device_extensions.push_back(e);
  for (kiln::QueueKind k : {kiln::QueueKind::Graphics, kiln::QueueKind::Compute, kiln::QueueKind::Transfer}) {
    const uint32_t f = ctx.queue(k).family();
    if (std::find(r.families.begin(), r.families.end(), f) == r.families.end()) r.families.push_back(f);
  }
  r.features = ctx.enabled_features();
  r.core = ctx.core_features();
  r.device_supported = ctx.info().extensions;
  return r;
}

// Returns the creation time; destroys what it made after the clock stopped.
double bare_create(const Recipe& r) {
  const auto t0 = Clock::now();
  VkApplicationInfo app{VK_STRUCTURE_TYPE_APPLICATION_INFO};
  app.pApplicationName = "kiln";
  app.apiVersion = VK_API_VERSION_1_3;
  std::vector<const char*> iext;
  bool portability = false;
  for (const auto& e : r.instance_extensions) {
    iext.push_back(e.c_str());
    portability |= e == VK_KHR_PORTABILITY_ENUMERATION_EXTENSION_NAME;
  }
  VkInstanceCreateInfo ii{VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO};
  ii.pApplicationInfo = &app;
  ii.enabledExtensionCount = uint32_t(iext.size());
  ii.ppEnabledExtensionNames = iext.data();
  if (portability) ii.flags |= VK_INSTANCE_CREATE_ENUMERATE_PORTABILITY_BIT_KHR;
  VkInstance instance = VK_NULL_HANDLE;
  kiln::check(vkCreateInstance(&ii, nullptr, &instance), "vkCreateInstance");

  uint32_t n = 0;
  vkEnumeratePhysicalDevices(instance, &n, nullptr);
  std::vector<VkPhysicalDevice> devices(n);
  vkEnumeratePhysicalDevices(instance, &n, devices.data());
  VkPhysicalDevice physical = devices.at(r.device_index);

  float priority = 1.0f;
  std::vector<VkDeviceQueueCreateInfo> queues;
  for (uint32_t f : r.families) {
    VkDeviceQueueCreateInfo q{VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO};
    q.queueFamilyIndex = f;
    q.queueCount = 1;
    q.pQueuePriorities = &priority;
    queues.push_back(q);
  }
  kiln::detail::FeatureChain chain;
  chain.link(r.api_version, r.device_supported);
  kiln::detail::enable_features(chain, r.features, r.api_version);
  chain.core.features = r.core;
  std::vector<const char*> dext;
  for (const auto& e : r.device_extensions) dext.push_back(e.c_str());
  VkDeviceCreateInfo di{VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO};
  di.pNext = &chain.core;
  di.queueCreateInfoCount = uint32_t(queues.size());
  di.pQueueCreateInfos = queues.data();
  di.enabledExtensionCount = uint32_t(dext.size());
  di.ppEnabledExtensionNames = dext.data();
  VkDevice device = VK_NULL_HANDLE;
  kiln::check(vkCreateDevice(physical, &di, nullptr, &device), "vkCreateDevice");
  const double ms = ms_since(t0);

  vkDestroyDevice(device, nullptr);
  vkDestroyInstance(instance, nullptr);
  return ms;
}

double kiln_create(const kiln::ContextDesc& desc) {
  const auto t0 = Clock::now();
  kiln::Context ctx(desc);
  return ms_since(t0);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    unsetenv("KILN_VALIDATION");
    kiln::set_log_level(kiln::LogLevel::Warn);  // "preferred feature missing" notes once per context
    VkInstance keeper = VK_NULL_HANDLE;
    {
      VkApplicationInfo app{VK_STRUCTURE_TYPE_APPLICATION_INFO};
      app.apiVersion = VK_API_VERSION_1_1;
      VkInstanceCreateInfo ii{VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO};
      ii.pApplicationInfo = &app;
      kiln::check(vkCreateInstance(&ii, nullptr, &keeper), "vkCreateInstance (keeper)");
    }
    kiln::ContextDesc desc;
    desc.validation = kiln::Validation::Off;

    Recipe recipe;
    std::string device_name;
    bool cpu = false;
    {
      kiln::Context ctx(desc);
      recipe = read_recipe(ctx);
      device_name = ctx.properties().deviceName;
      cpu = ctx.properties().deviceType == VK_PHYSICAL_DEVICE_TYPE_CPU;
    }
    int reps = cpu ? 7 : 21;
    if (argc > 1) reps = std::max(1, std::atoi(argv[1]));

    // One warm-up of each (driver and loader caches), then alternate.
    bare_create(recipe);
    kiln_create(desc);
    std::vector<double> kiln_ms, bare_ms;
    for (int i = 0; i < reps; ++i) {
      bare_ms.push_back(bare_create(recipe));
      kiln_ms.push_back(kiln_create(desc));
    }
    const double k = median(kiln_ms), b = median(bare_ms);
    std::printf(
        "{\"bench\":\"context_create\",\"device\":\"%s\",\"kiln_ms\":%.3f,\"bare_ms\":%.3f,\"ratio\":%.3f,"
        "\"kiln_min_ms\":%.3f,\"bare_min_ms\":%.3f,\"reps\":%d,\"device_extensions\":%zu,\"queue_families\":%zu}\n",
        json_escape(device_name).c_str(), k, b, k / b, *std::min_element(kiln_ms.begin(), kiln_ms.end()),
        *std::min_element(bare_ms.begin(), bare_ms.end()), reps, recipe.device_extensions.size(),
        recipe.families.size());
    vkDestroyInstance(keeper, nullptr);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_context: %s\n", e.what());
    return 1;
  }
}
