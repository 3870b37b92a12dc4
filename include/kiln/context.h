// kiln/context.h — a Vulkan instance and device, made from one description.
//
//   kiln::Context ctx({.validation = kiln::Validation::Synchronization});
//   ctx.queue().submit(...);           // queue.h
//   kiln::Buffer b(ctx, {...});        // buffer.h
//
// The context is headless unless `presentation` is set. It picks a device (by index, by name or the
// best one), enables the required and preferred features it has, finds the graphics, async-compute and
// dedicated-transfer queues (falling back to graphics), routes validation messages through kiln's log
// with object names, and owns the memory allocator and the deferred destruction of resources: anything
// dropped while the GPU may still use it is destroyed once every queue has finished the work submitted
// before the drop. The Vk* handles are always reachable; kiln never hides Vulkan.
//
// It does not own windows or swapchains (view layer), nor shaders (shader layer).
#pragma once

#include <vulkan/vulkan.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "kiln/device_functions.h"
#include "kiln/features.h"
#include "kiln/memory.h"
#include "kiln/queue.h"

namespace kiln {

enum class Validation {
  Off,
  Standard,         // VK_LAYER_KHRONOS_validation
  Synchronization,  // + synchronization validation
  GpuAssisted,      // + GPU-assisted validation
  DebugPrintf,      // + shader debugPrintf, printed through the log
};
const char* validation_name(Validation v);
// "off", "standard", "sync", "gpu", "printf"; false when unknown.
bool parse_validation(std::string_view text, Validation* out);

// Everything kiln knows about one physical device, gathered without creating a logical device.
struct DeviceInfo {
  VkPhysicalDevice handle = VK_NULL_HANDLE;
  uint32_t index = 0;
  VkPhysicalDeviceProperties properties{};
  VkPhysicalDeviceDriverProperties driver{};  // zeroed when the device is older than 1.2
  VkPhysicalDeviceMemoryProperties memory{};
  std::vector<VkQueueFamilyProperties> queue_families;
  std::vector<std::string> extensions;
  FeatureSet features;  // which kiln features the device supports
  VkPhysicalDeviceFeatures core_features{};  // the Vulkan 1.0 feature bits it supports
  bool has_extension(std::string_view name) const;
  const char* type_name() const;  // "discrete", "integrated", "virtual", "cpu", "other"
};

struct ContextDesc {
  const char* app_name = "kiln";
  uint32_t api_version = VK_API_VERSION_1_3;  // wanted; devices down to 1.1 are accepted, with fallbacks
  bool presentation = false;                   // enable surface + swapchain extensions
  // When Off, the KILN_VALIDATION environment variable (off|standard|sync|gpu|printf) may turn it on.
  Validation validation = Validation::Off;
  bool debug_utils = true;  // names and labels, when the loader has VK_EXT_debug_utils

  // Device choice: an index, a case-insensitive name substring, or (neither) the best:
  // discrete > integrated > virtual > CPU. KILN_DEVICE=index|name overrides both when set.
  int device_index = -1;
  std::string device_name;

  std::vector<Feature> required;
  FeatureSet preferred = default_preferred_features();
  // Treated as absent even where the device has them: forces kiln's fallbacks (tests use this).
  std::vector<Feature> disabled;

  std::vector<const char*> instance_extensions;
  std::vector<const char*> device_extensions;

  AllocatorDesc allocator;
};

// The instance alone: enough for `kiln info` and for choosing a device.
class Instance {
 public:
  explicit Instance(const ContextDesc& desc = {});
  ~Instance();
  Instance(const Instance&) = delete;
  Instance& operator=(const Instance&) = delete;

  VkInstance handle() const { return instance_; }
  uint32_t api_version() const { return api_version_; }  // what the instance was created with
  uint32_t loader_version() const { return loader_version_; }
  Validation validation() const { return validation_; }
  bool has_debug_utils() const { return debug_utils_; }
  const std::vector<VkLayerProperties>& available_layers() const { return layers_; }
  std::vector<DeviceInfo> devices() const;

  // Count of validation messages of warning or error severity since creation.
  uint64_t validation_messages() const;

 private:
  VkInstance instance_ = VK_NULL_HANDLE;
  VkDebugUtilsMessengerEXT messenger_ = VK_NULL_HANDLE;
  uint32_t api_version_ = 0;
  uint32_t loader_version_ = 0;
  Validation validation_ = Validation::Off;
  bool debug_utils_ = false;
  std::vector<VkLayerProperties> layers_;

 public:
  struct MessengerState;  // internal: what the debug messenger callback writes to

 private:
  std::unique_ptr<MessengerState> messenger_state_;
};

// Picks a device as ContextDesc says; throws Error listing what each device lacked when none fits.
const DeviceInfo& choose_device(const std::vector<DeviceInfo>& devices, const ContextDesc& desc);

class Context {
 public:
  explicit Context(const ContextDesc& desc = {});
  // Waits for the device to be idle, runs every deferred destruction, destroys the device.
  ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  VkInstance instance() const { return instance_->handle(); }
  VkPhysicalDevice physical_device() const { return info_.handle; }
  VkDevice device() const { return device_; }
  const DeviceInfo& info() const { return info_; }
  const VkPhysicalDeviceProperties& properties() const { return info_.properties; }
  const VkPhysicalDeviceLimits& limits() const { return info_.properties.limits; }
  // min(device API version, requested version): what kiln uses.
  uint32_t api_version() const { return api_version_; }
  Validation validation() const { return instance_->validation(); }
  uint64_t validation_messages() const { return instance_->validation_messages(); }

  bool has(Feature f) const { return enabled_.has(f); }
  // The Vulkan 1.0 feature bits enabled: every one the device has among those that cost nothing
  // (anisotropy, cube arrays, storage images without format, multi-draw indirect, …).
  const VkPhysicalDeviceFeatures& core_features() const { return core_features_; }
  FeatureSet enabled_features() const { return enabled_; }
  bool has_extension(std::string_view name) const;  // enabled device extension
  const DeviceFunctions& fn() const { return fn_; }

  // The queue of that kind; falls back to the graphics queue where the device has no separate one.
  Queue& queue(QueueKind kind = QueueKind::Graphics);
  // True when `kind` has its own queue family (not the graphics fallback).
  bool has_dedicated(QueueKind kind) const;

  Allocator& allocator() { return *allocator_; }

  // Debug names: reach vkSetDebugUtilsObjectNameEXT when debug utils are on; no-op otherwise.
  void set_name(VkObjectType type, uint64_t handle, std::string_view name) const;
  template <class T>
  void set_name(T handle, std::string_view name) const {
    set_name(object_type_of(handle), reinterpret_cast<uint64_t>(handle), name);
  }

  // Deferred destruction: `destroy` runs once every queue has finished what was submitted before now.
  void defer(std::function<void()> destroy);
  // Runs the deferred destructions whose work has finished; never blocks.
  void collect();
  // Blocks until the device is idle, then runs every deferred destruction.
  void wait_idle();

 private:
  template <class T>
  static VkObjectType object_type_of(T);

  struct Retired {
    std::vector<uint64_t> serials;  // per queue in queues_
    std::function<void()> destroy;
  };

  std::unique_ptr<Instance> instance_;
  DeviceInfo info_;
  VkDevice device_ = VK_NULL_HANDLE;
  uint32_t api_version_ = 0;
  FeatureSet enabled_;
  VkPhysicalDeviceFeatures core_features_{};
  std::vector<std::string> extensions_;
  DeviceFunctions fn_;
  std::vector<std::unique_ptr<Queue>> queues_;  // unique families/queues
  Queue* by_kind_[3] = {};
  std::unique_ptr<Allocator> allocator_;
  std::mutex retire_mutex_;
  std::deque<Retired> retired_;
};

#define KILN_OBJECT_TYPE(T, E) \
  template <>                  \
  inline VkObjectType Context::object_type_of(T) { return E; }
KILN_OBJECT_TYPE(VkBuffer, VK_OBJECT_TYPE_BUFFER)
KILN_OBJECT_TYPE(VkImage, VK_OBJECT_TYPE_IMAGE)
KILN_OBJECT_TYPE(VkImageView, VK_OBJECT_TYPE_IMAGE_VIEW)
KILN_OBJECT_TYPE(VkSampler, VK_OBJECT_TYPE_SAMPLER)
KILN_OBJECT_TYPE(VkDeviceMemory, VK_OBJECT_TYPE_DEVICE_MEMORY)
KILN_OBJECT_TYPE(VkCommandBuffer, VK_OBJECT_TYPE_COMMAND_BUFFER)
KILN_OBJECT_TYPE(VkCommandPool, VK_OBJECT_TYPE_COMMAND_POOL)
KILN_OBJECT_TYPE(VkQueue, VK_OBJECT_TYPE_QUEUE)
KILN_OBJECT_TYPE(VkSemaphore, VK_OBJECT_TYPE_SEMAPHORE)
KILN_OBJECT_TYPE(VkFence, VK_OBJECT_TYPE_FENCE)
KILN_OBJECT_TYPE(VkQueryPool, VK_OBJECT_TYPE_QUERY_POOL)
KILN_OBJECT_TYPE(VkPipeline, VK_OBJECT_TYPE_PIPELINE)
KILN_OBJECT_TYPE(VkPipelineLayout, VK_OBJECT_TYPE_PIPELINE_LAYOUT)
KILN_OBJECT_TYPE(VkShaderModule, VK_OBJECT_TYPE_SHADER_MODULE)
KILN_OBJECT_TYPE(VkDescriptorSetLayout, VK_OBJECT_TYPE_DESCRIPTOR_SET_LAYOUT)
KILN_OBJECT_TYPE(VkDescriptorPool, VK_OBJECT_TYPE_DESCRIPTOR_POOL)
KILN_OBJECT_TYPE(VkDescriptorSet, VK_OBJECT_TYPE_DESCRIPTOR_SET)
#undef KILN_OBJECT_TYPE

}  // namespace kiln
