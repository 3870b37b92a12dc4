// The instance: layers, extensions, validation settings and the debug messenger that routes
// validation messages into kiln's log with the debug names of the objects they mention.
#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <string>

#include "core/context/feature_chain.h"
#include "kiln/context.h"
#include "kiln/error.h"
#include "kiln/log.h"

namespace kiln {

struct Instance::MessengerState {
  std::atomic<uint64_t> messages{0};
};

namespace {

constexpr const char* kValidationLayer = "VK_LAYER_KHRONOS_validation";

VKAPI_ATTR VkBool32 VKAPI_CALL on_debug_message(VkDebugUtilsMessageSeverityFlagBitsEXT severity,
                                                VkDebugUtilsMessageTypeFlagsEXT types,
                                                const VkDebugUtilsMessengerCallbackDataEXT* data, void* user) {
  auto* state = static_cast<Instance::MessengerState*>(user);
  LogLevel level = LogLevel::Debug;
  if (severity & VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT) level = LogLevel::Error;
  else if (severity & VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT) level = LogLevel::Warn;
  const char* id = data->pMessageIdName ? data->pMessageIdName : "";
  const bool printf = std::strstr(id, "DEBUG-PRINTF") != nullptr;
  if (printf) level = LogLevel::Info;  // a shader's debugPrintf output is the user's, not a fault
  // Performance warnings from the layer are advice, not faults.
  if (!(types & (VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT)) && level > LogLevel::Info) level = LogLevel::Info;
  if (level >= LogLevel::Warn && !printf) state->messages.fetch_add(1, std::memory_order_relaxed);

  std::string text = data->pMessage ? data->pMessage : "";
  // The layer already quotes names inside the message; list them again so a log reader sees them first.
  std::string objects;
  for (uint32_t i = 0; i < data->objectCount; ++i) {
    const char* name = data->pObjects[i].pObjectName;
    if (name && *name) {
      objects += objects.empty() ? "" : ", ";
      objects += "'";
      objects += name;
      objects += "'";
    }
  }
  if (!objects.empty()) text = "[" + objects + "] " + text;
  log(LogMessage{.level = level,
                 .source = printf ? LogSource::Driver : LogSource::Validation,
                 .text = text,
                 .id = id});
  return VK_FALSE;
}

bool has_layer(const std::vector<VkLayerProperties>& layers, const char* name) {
  return std::any_of(layers.begin(), layers.end(),
                     [&](const VkLayerProperties& l) { return std::strcmp(l.layerName, name) == 0; });
}

std::vector<std::string> instance_extensions(const char* layer) {
  uint32_t n = 0;
  vkEnumerateInstanceExtensionProperties(layer, &n, nullptr);
  std::vector<VkExtensionProperties> props(n);
  vkEnumerateInstanceExtensionProperties(layer, &n, props.data());
  std::vector<std::string> out;
  for (auto& p : props) out.emplace_back(p.extensionName);
  return out;
}

}  // namespace

const char* validation_name(Validation v) {
  switch (v) {
    case Validation::Off: return "off";
    case Validation::Standard: return "standard";
    case Validation::Synchronization: return "sync";
    case Validation::GpuAssisted: return "gpu";
    case Validation::DebugPrintf: return "printf";
  }
  return "?";
}

bool parse_validation(std::string_view text, Validation* out) {
  for (Validation v : {Validation::Off, Validation::Standard, Validation::Synchronization, Validation::GpuAssisted,
                       Validation::DebugPrintf}) {
    if (text == validation_name(v)) {
      *out = v;
      return true;
    }
  }
  if (text == "synchronization") *out = Validation::Synchronization;
  else if (text == "0" || text.empty()) *out = Validation::Off;
  else if (text == "1") *out = Validation::Standard;
  else return false;
  return true;
}

Instance::Instance(const ContextDesc& desc) : messenger_state_(std::make_unique<MessengerState>()) {
  validation_ = desc.validation;
  if (validation_ == Validation::Off) {
    if (const char* env = std::getenv("KILN_VALIDATION")) {
      if (!parse_validation(env, &validation_))
        throw Error(str("KILN_VALIDATION='", env, "' is not one of off, standard, sync, gpu, printf"));
    }
  }

  vkEnumerateInstanceVersion(&loader_version_);
  if (loader_version_ < VK_API_VERSION_1_1)
    throw Error("the Vulkan loader supports only Vulkan 1.0; kiln needs 1.1 or newer");
  api_version_ = std::min(desc.api_version ? desc.api_version : VK_API_VERSION_1_3, loader_version_);
  api_version_ = std::max(api_version_, uint32_t(VK_API_VERSION_1_1));

  uint32_t n = 0;
  vkEnumerateInstanceLayerProperties(&n, nullptr);
  layers_.resize(n);
  vkEnumerateInstanceLayerProperties(&n, layers_.data());

  std::vector<const char*> layers;
  std::vector<std::string> available = instance_extensions(nullptr);
  bool validation_features = false;
  if (validation_ != Validation::Off) {
    if (has_layer(layers_, kValidationLayer)) {
      layers.push_back(kValidationLayer);
      auto layer_ext = instance_extensions(kValidationLayer);
      validation_features = detail::has_extension(layer_ext, VK_EXT_VALIDATION_FEATURES_EXTENSION_NAME);
      available.insert(available.end(), layer_ext.begin(), layer_ext.end());
    } else {
      log(LogLevel::Warn, str("validation '", validation_name(validation_), "' asked for, but ", kValidationLayer,
                              " is not installed (Debian: vulkan-validationlayers); running without it"));
      validation_ = Validation::Off;
    }
  }

  std::vector<const char*> extensions;
  auto want = [&](const char* name) {
    if (!detail::has_extension(available, name)) return false;
    if (std::none_of(extensions.begin(), extensions.end(), [&](const char* e) { return std::strcmp(e, name) == 0; }))
      extensions.push_back(name);
    return true;
  };
  if (desc.debug_utils || validation_ != Validation::Off) debug_utils_ = want(VK_EXT_DEBUG_UTILS_EXTENSION_NAME);
  if (validation_features && validation_ > Validation::Standard) want(VK_EXT_VALIDATION_FEATURES_EXTENSION_NAME);
  if (desc.presentation) {
    if (!want(VK_KHR_SURFACE_EXTENSION_NAME))
      throw Error("presentation asked for, but the loader has no VK_KHR_surface");
    for (const char* platform : {"VK_KHR_xcb_surface", "VK_KHR_xlib_surface", "VK_KHR_wayland_surface"}) want(platform);
  }
  bool portability = want(VK_KHR_PORTABILITY_ENUMERATION_EXTENSION_NAME);
  for (const char* e : desc.instance_extensions) {
    if (!want(e)) throw Error(str("instance extension ", e, " is not available"), VK_ERROR_EXTENSION_NOT_PRESENT);
  }

  std::vector<VkValidationFeatureEnableEXT> enables;
  if (validation_ == Validation::Synchronization)
    enables.push_back(VK_VALIDATION_FEATURE_ENABLE_SYNCHRONIZATION_VALIDATION_EXT);
  if (validation_ == Validation::GpuAssisted) {
    enables.push_back(VK_VALIDATION_FEATURE_ENABLE_GPU_ASSISTED_EXT);
    enables.push_back(VK_VALIDATION_FEATURE_ENABLE_GPU_ASSISTED_RESERVE_BINDING_SLOT_EXT);
  }
  if (validation_ == Validation::DebugPrintf) enables.push_back(VK_VALIDATION_FEATURE_ENABLE_DEBUG_PRINTF_EXT);
  VkValidationFeaturesEXT features{VK_STRUCTURE_TYPE_VALIDATION_FEATURES_EXT};
  features.enabledValidationFeatureCount = uint32_t(enables.size());
  features.pEnabledValidationFeatures = enables.data();

  VkDebugUtilsMessengerCreateInfoEXT messenger{VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT};
  messenger.messageSeverity = VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT |
                              VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT |
                              (validation_ == Validation::DebugPrintf ? VK_DEBUG_UTILS_MESSAGE_SEVERITY_INFO_BIT_EXT : 0);
  messenger.messageType = VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT |
                          VK_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT;
  messenger.pfnUserCallback = on_debug_message;
  messenger.pUserData = messenger_state_.get();

  VkApplicationInfo app{VK_STRUCTURE_TYPE_APPLICATION_INFO};
  app.pApplicationName = desc.app_name ? desc.app_name : "kiln";
  app.pEngineName = "kiln";
  app.apiVersion = api_version_;

  VkInstanceCreateInfo info{VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO};
  info.pApplicationInfo = &app;
  info.enabledLayerCount = uint32_t(layers.size());
  info.ppEnabledLayerNames = layers.data();
  info.enabledExtensionCount = uint32_t(extensions.size());
  info.ppEnabledExtensionNames = extensions.data();
  if (portability) info.flags |= VK_INSTANCE_CREATE_ENUMERATE_PORTABILITY_BIT_KHR;
  // Chain: messenger (so creation itself is validated), then validation features.
  const void** tail = &info.pNext;
  if (debug_utils_) {
    *tail = &messenger;
    tail = &messenger.pNext;
  }
  if (!enables.empty() && validation_features) *tail = &features;

  with_context("creating the Vulkan instance", [&] { check(vkCreateInstance(&info, nullptr, &instance_), "vkCreateInstance"); });

  if (debug_utils_) {
    auto create = reinterpret_cast<PFN_vkCreateDebugUtilsMessengerEXT>(
        vkGetInstanceProcAddr(instance_, "vkCreateDebugUtilsMessengerEXT"));
    messenger.pNext = nullptr;
    if (create) create(instance_, &messenger, nullptr, &messenger_);
  }
}

Instance::~Instance() {
  if (messenger_) {
    auto destroy = reinterpret_cast<PFN_vkDestroyDebugUtilsMessengerEXT>(
        vkGetInstanceProcAddr(instance_, "vkDestroyDebugUtilsMessengerEXT"));
    if (destroy) destroy(instance_, messenger_, nullptr);
  }
  if (instance_) vkDestroyInstance(instance_, nullptr);
}

uint64_t Instance::validation_messages() const { return messenger_state_->messages.load(); }

}  // namespace kiln
