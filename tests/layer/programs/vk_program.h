// A tiny raw-Vulkan harness for the programs the layer tests run: an instance and device (Vulkan 1.3,
// dynamic rendering, synchronization2), a debug messenger that counts every validation warning and
// error (the validation layer sits below the capture layer, so it judges the layer's commands too),
// host-visible buffers, images, one-shot submissions, and the C API of kiln/capture.h. Raw Vulkan on
// purpose: the layer must work under programs it knows nothing about.
#pragma once

#include <vulkan/vulkan.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "kiln/capture.h"

namespace prog {

inline int g_validation_messages = 0;
inline std::vector<const char*> g_device_extensions;  // set before making a Gpu
inline void* g_device_features = nullptr;  // more feature structs for the device (chained after Vulkan 1.3's)
inline bool g_inline_uniform_block = false;  // Vulkan 1.3's inlineUniformBlock feature
inline uint32_t g_queue_count = 1;         // queues made in the family (Gpu::queue is the first)
inline int g_failures = 0;

#define VKCHECK(x)                                                                   \
  do {                                                                               \
    VkResult r_ = (x);                                                               \
    if (r_ != VK_SUCCESS) {                                                          \
      std::fprintf(stderr, "%s:%d: %s = %d\n", __FILE__, __LINE__, #x, int(r_));     \
      std::exit(2);                                                                  \
    }                                                                                \
  } while (0)

#define EXPECT(cond, ...)                                                     \
  do {                                                                        \
    if (!(cond)) {                                                            \
      std::fprintf(stderr, "%s:%d: FAILED %s: ", __FILE__, __LINE__, #cond);  \
      std::fprintf(stderr, __VA_ARGS__);                                      \
      std::fprintf(stderr, "\n");                                             \
      ++prog::g_failures;                                                     \
    }                                                                         \
  } while (0)

inline VKAPI_ATTR VkBool32 VKAPI_CALL on_message(VkDebugUtilsMessageSeverityFlagBitsEXT severity,
                                                  VkDebugUtilsMessageTypeFlagsEXT,
                                                  const VkDebugUtilsMessengerCallbackDataEXT* data, void*) {
  if (severity >= VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT) {
    ++g_validation_messages;
    std::fprintf(stderr, "VALIDATION: %s\n", data->pMessage);
  }
  return VK_FALSE;
}

struct Buffer {
  VkBuffer buffer = VK_NULL_HANDLE;
  VkDeviceMemory memory = VK_NULL_HANDLE;
  void* mapped = nullptr;
  VkDeviceSize size = 0;
};

struct Image {
  VkImage image = VK_NULL_HANDLE;
  VkDeviceMemory memory = VK_NULL_HANDLE;
  VkImageView view = VK_NULL_HANDLE;
  VkFormat format = VK_FORMAT_UNDEFINED;
  VkExtent2D extent{};
};

class Gpu {
 public:
  VkInstance instance = VK_NULL_HANDLE;
  VkPhysicalDevice physical = VK_NULL_HANDLE;
  VkDevice device = VK_NULL_HANDLE;
  VkQueue queue = VK_NULL_HANDLE;
  uint32_t family = 0;
  VkCommandPool pool = VK_NULL_HANDLE;
  VkDebugUtilsMessengerEXT messenger = VK_NULL_HANDLE;
  KilnCaptureApi api{};
  bool has_api = false;
  PFN_vkCmdBeginDebugUtilsLabelEXT begin_label = nullptr;
  PFN_vkCmdEndDebugUtilsLabelEXT end_label_fn = nullptr;
  PFN_vkSetDebugUtilsObjectNameEXT set_name = nullptr;

  Gpu() {
    VkApplicationInfo app{VK_STRUCTURE_TYPE_APPLICATION_INFO};
    app.apiVersion = VK_API_VERSION_1_3;
    // Validation comes from the environment (VK_INSTANCE_LAYERS); its features extension turns on
    // synchronization validation.
    std::vector<const char*> exts = {VK_EXT_DEBUG_UTILS_EXTENSION_NAME};
    const char* layers_env = std::getenv("VK_INSTANCE_LAYERS");
    if (layers_env && std::strstr(layers_env, "VK_LAYER_KHRONOS_validation")) exts.push_back("VK_EXT_validation_features");
    VkValidationFeatureEnableEXT enables[] = {VK_VALIDATION_FEATURE_ENABLE_SYNCHRONIZATION_VALIDATION_EXT};
    VkValidationFeaturesEXT features{VK_STRUCTURE_TYPE_VALIDATION_FEATURES_EXT};
    features.enabledValidationFeatureCount = 1;
    features.pEnabledValidationFeatures = enables;
    VkDebugUtilsMessengerCreateInfoEXT mi{VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT};
    mi.messageSeverity = VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT;
    mi.messageType = VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT;  // not the loader's general notes
    mi.pfnUserCallback = on_message;
    features.pNext = &mi;
    VkInstanceCreateInfo ii{VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO};
    ii.pNext = &features;
    ii.pApplicationInfo = &app;
    ii.enabledExtensionCount = uint32_t(exts.size());
    ii.ppEnabledExtensionNames = exts.data();
    VKCHECK(vkCreateInstance(&ii, nullptr, &instance));
    auto create_messenger = reinterpret_cast<PFN_vkCreateDebugUtilsMessengerEXT>(
        vkGetInstanceProcAddr(instance, "vkCreateDebugUtilsMessengerEXT"));
    mi.pNext = nullptr;
    VKCHECK(create_messenger(instance, &mi, nullptr, &messenger));
    uint32_t n = 1;
    vkEnumeratePhysicalDevices(instance, &n, &physical);
    float prio = 1;
    VkDeviceQueueCreateInfo qi{VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO};
    qi.queueFamilyIndex = family;
    float prios[8] = {1, 1, 1, 1, 1, 1, 1, 1};
    qi.queueCount = g_queue_count;
    qi.pQueuePriorities = g_queue_count > 1 ? prios : &prio;
    VkPhysicalDeviceVulkan13Features f13{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_3_FEATURES};
    f13.dynamicRendering = VK_TRUE;
    f13.synchronization2 = VK_TRUE;
    f13.inlineUniformBlock = g_inline_uniform_block;
    f13.pNext = g_device_features;
    VkDeviceCreateInfo di{VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO};
    di.pNext = &f13;
    di.queueCreateInfoCount = 1;
    di.pQueueCreateInfos = &qi;
    di.enabledExtensionCount = uint32_t(g_device_extensions.size());
    di.ppEnabledExtensionNames = g_device_extensions.data();
    VKCHECK(vkCreateDevice(physical, &di, nullptr, &device));
    vkGetDeviceQueue(device, family, 0, &queue);
    VkCommandPoolCreateInfo pi{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
    pi.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
    pi.queueFamilyIndex = family;
    VKCHECK(vkCreateCommandPool(device, &pi, nullptr, &pool));
    has_api = kiln_capture_load(vkGetDeviceProcAddr, device, &api) == VK_SUCCESS;
    begin_label = reinterpret_cast<PFN_vkCmdBeginDebugUtilsLabelEXT>(vkGetDeviceProcAddr(device, "vkCmdBeginDebugUtilsLabelEXT"));
    end_label_fn = reinterpret_cast<PFN_vkCmdEndDebugUtilsLabelEXT>(vkGetDeviceProcAddr(device, "vkCmdEndDebugUtilsLabelEXT"));
    set_name = reinterpret_cast<PFN_vkSetDebugUtilsObjectNameEXT>(vkGetDeviceProcAddr(device, "vkSetDebugUtilsObjectNameEXT"));
  }

  ~Gpu() {
    vkDestroyCommandPool(device, pool, nullptr);
    vkDestroyDevice(device, nullptr);
    auto destroy = reinterpret_cast<PFN_vkDestroyDebugUtilsMessengerEXT>(
        vkGetInstanceProcAddr(instance, "vkDestroyDebugUtilsMessengerEXT"));
    destroy(instance, messenger, nullptr);
    vkDestroyInstance(instance, nullptr);
  }

  void name(VkObjectType type, uint64_t handle, const char* n) {
    VkDebugUtilsObjectNameInfoEXT info{VK_STRUCTURE_TYPE_DEBUG_UTILS_OBJECT_NAME_INFO_EXT};
    info.objectType = type;
    info.objectHandle = handle;
    info.pObjectName = n;
    set_name(device, &info);
  }

  uint32_t memory_type(uint32_t bits, VkMemoryPropertyFlags want) {
    VkPhysicalDeviceMemoryProperties mp;
    vkGetPhysicalDeviceMemoryProperties(physical, &mp);
    for (uint32_t i = 0; i < mp.memoryTypeCount; ++i)
      if ((bits & (1u << i)) && (mp.memoryTypes[i].propertyFlags & want) == want) return i;
    std::fprintf(stderr, "no memory type\n");
    std::exit(2);
  }

  // Host-visible, mapped, filled with `data` when given. Usage: what the program needs (no
  // TRANSFER_SRC: the layer must cope).
  Buffer buffer(VkDeviceSize size, VkBufferUsageFlags usage, const void* data = nullptr) {
    Buffer b;
    b.size = size;
    VkBufferCreateInfo bi{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
    bi.size = size;
    bi.usage = usage;
    VKCHECK(vkCreateBuffer(device, &bi, nullptr, &b.buffer));
    VkMemoryRequirements req;
    vkGetBufferMemoryRequirements(device, b.buffer, &req);
    VkMemoryAllocateFlagsInfo flags{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_FLAGS_INFO};
    flags.flags = VK_MEMORY_ALLOCATE_DEVICE_ADDRESS_BIT;  // for buffers used through device addresses
    VkMemoryAllocateInfo ai{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
    ai.pNext = (usage & VK_BUFFER_USAGE_SHADER_DEVICE_ADDRESS_BIT) ? &flags : nullptr;
    ai.allocationSize = req.size;
    ai.memoryTypeIndex = memory_type(req.memoryTypeBits, VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT);
    VKCHECK(vkAllocateMemory(device, &ai, nullptr, &b.memory));
    VKCHECK(vkBindBufferMemory(device, b.buffer, b.memory, 0));
    VKCHECK(vkMapMemory(device, b.memory, 0, VK_WHOLE_SIZE, 0, &b.mapped));
    if (data) std::memcpy(b.mapped, data, size);
    else std::memset(b.mapped, 0, size);
    return b;
  }
  void destroy(Buffer& b) {
    vkDestroyBuffer(device, b.buffer, nullptr);
    vkFreeMemory(device, b.memory, nullptr);
    b = {};
  }

  Image image(VkFormat format, VkExtent2D extent, VkImageUsageFlags usage,
              VkImageAspectFlags aspect = VK_IMAGE_ASPECT_COLOR_BIT) {
    return multisampled_image(format, extent, VK_SAMPLE_COUNT_1_BIT, usage, aspect);
  }

  // An array of `layers` 2D colour images, with a 2D_ARRAY view of them all (multiview attachments).
  Image layered_image(VkFormat format, VkExtent2D extent, uint32_t layers, VkImageUsageFlags usage) {
    return multisampled_image(format, extent, VK_SAMPLE_COUNT_1_BIT, usage, VK_IMAGE_ASPECT_COLOR_BIT, layers);
  }

  // A 2D image of one mip (and one layer unless asked), with a view; multisampled ones are attachments.
  // Usage: what the program needs (the layer adds TRANSFER_SRC itself to copy, or resolve and copy).
  Image multisampled_image(VkFormat format, VkExtent2D extent, VkSampleCountFlagBits samples, VkImageUsageFlags usage,
                           VkImageAspectFlags aspect = VK_IMAGE_ASPECT_COLOR_BIT, uint32_t layers = 1) {
    Image img;
    img.format = format;
    img.extent = extent;
    VkImageCreateInfo ci{VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO};
    ci.imageType = VK_IMAGE_TYPE_2D;
    ci.format = format;
    ci.extent = {extent.width, extent.height, 1};
    ci.mipLevels = 1;
    ci.arrayLayers = layers;
    ci.samples = samples;
    ci.tiling = VK_IMAGE_TILING_OPTIMAL;
    ci.usage = usage;
    VKCHECK(vkCreateImage(device, &ci, nullptr, &img.image));
    VkMemoryRequirements req;
    vkGetImageMemoryRequirements(device, img.image, &req);
    VkMemoryAllocateInfo ai{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
    ai.allocationSize = req.size;
    ai.memoryTypeIndex = memory_type(req.memoryTypeBits, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT);
    VKCHECK(vkAllocateMemory(device, &ai, nullptr, &img.memory));
    VKCHECK(vkBindImageMemory(device, img.image, img.memory, 0));
    VkImageViewCreateInfo vi{VK_STRUCTURE_TYPE_IMAGE_VIEW_CREATE_INFO};
    vi.image = img.image;
    vi.viewType = layers > 1 ? VK_IMAGE_VIEW_TYPE_2D_ARRAY : VK_IMAGE_VIEW_TYPE_2D;
    vi.format = format;
    vi.subresourceRange = {aspect, 0, 1, 0, layers};
    VKCHECK(vkCreateImageView(device, &vi, nullptr, &img.view));
    return img;
  }

  void destroy(Image& i) {
    vkDestroyImageView(device, i.view, nullptr);
    vkDestroyImage(device, i.image, nullptr);
    vkFreeMemory(device, i.memory, nullptr);
    i = {};
  }

  VkCommandBuffer command_buffer(VkCommandBufferLevel level = VK_COMMAND_BUFFER_LEVEL_PRIMARY) {
    VkCommandBufferAllocateInfo ai{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
    ai.commandPool = pool;
    ai.level = level;
    ai.commandBufferCount = 1;
    VkCommandBuffer cb;
    VKCHECK(vkAllocateCommandBuffers(device, &ai, &cb));
    return cb;
  }

  // Records `fn` into a fresh command buffer, submits it with a fence, waits.
  void run(const std::function<void(VkCommandBuffer)>& fn) {
    VkCommandBuffer cb = command_buffer();
    VkCommandBufferBeginInfo bi{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
    bi.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
    VKCHECK(vkBeginCommandBuffer(cb, &bi));
    fn(cb);
    VKCHECK(vkEndCommandBuffer(cb));
    VkFence fence;
    VkFenceCreateInfo fi{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
    VKCHECK(vkCreateFence(device, &fi, nullptr, &fence));
    VkSubmitInfo si{VK_STRUCTURE_TYPE_SUBMIT_INFO};
    si.commandBufferCount = 1;
    si.pCommandBuffers = &cb;
    VKCHECK(vkQueueSubmit(queue, 1, &si, fence));
    VKCHECK(vkWaitForFences(device, 1, &fence, VK_TRUE, UINT64_MAX));
    vkDestroyFence(device, fence, nullptr);
    vkFreeCommandBuffers(device, pool, 1, &cb);
  }

  VkShaderModule shader(const uint32_t* code, size_t bytes) {
    VkShaderModuleCreateInfo ci{VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO};
    ci.codeSize = bytes;
    ci.pCode = code;
    VkShaderModule m;
    VKCHECK(vkCreateShaderModule(device, &ci, nullptr, &m));
    return m;
  }

  // A graphics pipeline that draws without vertex buffers into one colour attachment: a triangle
  // list, no culling, one sample, every channel written, no blending. For dynamic rendering (`format`,
  // `view_mask`) unless `render_pass` is given. `scissor` null: viewport and scissor are dynamic state;
  // else the viewport covers `extent` and the scissor is fixed. Depth-only pipelines: `format`
  // UNDEFINED (no colour attachment), no `fs`, `depth_stencil` state and the attachments' formats.
  struct SimplePipeline {
    VkShaderModule vs = VK_NULL_HANDLE, fs = VK_NULL_HANDLE;
    VkPipelineLayout layout = VK_NULL_HANDLE;
    VkFormat format = VK_FORMAT_UNDEFINED;
    VkRenderPass render_pass = VK_NULL_HANDLE;
    uint32_t view_mask = 0;
    VkExtent2D extent{};
    const VkRect2D* scissor = nullptr;
    const VkPipelineDepthStencilStateCreateInfo* depth_stencil = nullptr;
    VkFormat depth_format = VK_FORMAT_UNDEFINED, stencil_format = VK_FORMAT_UNDEFINED;
    VkSampleCountFlagBits samples = VK_SAMPLE_COUNT_1_BIT;
  };
  VkPipeline simple_pipeline(const SimplePipeline& p) {
    VkPipelineShaderStageCreateInfo stages[2] = {
        {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO, nullptr, 0, VK_SHADER_STAGE_VERTEX_BIT, p.vs, "main", nullptr},
        {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO, nullptr, 0, VK_SHADER_STAGE_FRAGMENT_BIT, p.fs, "main", nullptr}};
    VkPipelineVertexInputStateCreateInfo vi{VK_STRUCTURE_TYPE_PIPELINE_VERTEX_INPUT_STATE_CREATE_INFO};
    VkPipelineInputAssemblyStateCreateInfo ia{VK_STRUCTURE_TYPE_PIPELINE_INPUT_ASSEMBLY_STATE_CREATE_INFO};
    ia.topology = VK_PRIMITIVE_TOPOLOGY_TRIANGLE_LIST;
    const VkViewport viewport{0, 0, float(p.extent.width), float(p.extent.height), 0, 1};
    VkPipelineViewportStateCreateInfo vps{VK_STRUCTURE_TYPE_PIPELINE_VIEWPORT_STATE_CREATE_INFO};
    vps.viewportCount = vps.scissorCount = 1;
    if (p.scissor) {
      vps.pViewports = &viewport;
      vps.pScissors = p.scissor;
    }
    VkPipelineRasterizationStateCreateInfo rs{VK_STRUCTURE_TYPE_PIPELINE_RASTERIZATION_STATE_CREATE_INFO};
    rs.polygonMode = VK_POLYGON_MODE_FILL;
    rs.cullMode = VK_CULL_MODE_NONE;
    rs.lineWidth = 1;
    VkPipelineMultisampleStateCreateInfo ms{VK_STRUCTURE_TYPE_PIPELINE_MULTISAMPLE_STATE_CREATE_INFO};
    ms.rasterizationSamples = p.samples;
    VkPipelineColorBlendAttachmentState blend{};
    blend.colorWriteMask = 0xf;
    VkPipelineColorBlendStateCreateInfo cbs{VK_STRUCTURE_TYPE_PIPELINE_COLOR_BLEND_STATE_CREATE_INFO};
    cbs.attachmentCount = p.format != VK_FORMAT_UNDEFINED ? 1 : 0;
    cbs.pAttachments = &blend;
    const VkDynamicState dynamic[2] = {VK_DYNAMIC_STATE_VIEWPORT, VK_DYNAMIC_STATE_SCISSOR};
    VkPipelineDynamicStateCreateInfo ds{VK_STRUCTURE_TYPE_PIPELINE_DYNAMIC_STATE_CREATE_INFO};
    ds.dynamicStateCount = 2;
    ds.pDynamicStates = dynamic;
    VkPipelineRenderingCreateInfo rinfo{VK_STRUCTURE_TYPE_PIPELINE_RENDERING_CREATE_INFO};
    rinfo.viewMask = p.view_mask;
    rinfo.colorAttachmentCount = p.format != VK_FORMAT_UNDEFINED ? 1 : 0;
    rinfo.pColorAttachmentFormats = &p.format;
    rinfo.depthAttachmentFormat = p.depth_format;
    rinfo.stencilAttachmentFormat = p.stencil_format;
    VkGraphicsPipelineCreateInfo gci{VK_STRUCTURE_TYPE_GRAPHICS_PIPELINE_CREATE_INFO};
    gci.pNext = p.render_pass ? nullptr : &rinfo;
    gci.stageCount = p.fs ? 2 : 1;
    gci.pStages = stages;
    gci.pVertexInputState = &vi;
    gci.pInputAssemblyState = &ia;
    gci.pViewportState = &vps;
    gci.pRasterizationState = &rs;
    gci.pMultisampleState = &ms;
    gci.pColorBlendState = &cbs;
    gci.pDepthStencilState = p.depth_stencil;
    gci.pDynamicState = p.scissor ? nullptr : &ds;
    gci.layout = p.layout;
    gci.renderPass = p.render_pass;
    VkPipeline pipeline;
    VKCHECK(vkCreateGraphicsPipelines(device, VK_NULL_HANDLE, 1, &gci, nullptr, &pipeline));
    return pipeline;
  }

  void end_label(VkCommandBuffer cb) { end_label_fn(cb); }
  void label(VkCommandBuffer cb, const char* name) {
    VkDebugUtilsLabelEXT l{VK_STRUCTURE_TYPE_DEBUG_UTILS_LABEL_EXT};
    l.pLabelName = name;
    begin_label(cb, &l);
  }
};

// An image barrier between two layouts with full scopes (test programs are not about fine barriers),
// for the first `layers` layers.
inline void transition(VkCommandBuffer cb, VkImage image, VkImageLayout from, VkImageLayout to,
                       VkImageAspectFlags aspect = VK_IMAGE_ASPECT_COLOR_BIT, uint32_t layers = 1) {
  VkImageMemoryBarrier b{VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER};
  b.srcAccessMask = VK_ACCESS_MEMORY_WRITE_BIT;
  b.dstAccessMask = VK_ACCESS_MEMORY_READ_BIT | VK_ACCESS_MEMORY_WRITE_BIT;
  b.oldLayout = from;
  b.newLayout = to;
  b.srcQueueFamilyIndex = b.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
  b.image = image;
  b.subresourceRange = {aspect, 0, 1, 0, layers};
  vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_ALL_COMMANDS_BIT, VK_PIPELINE_STAGE_ALL_COMMANDS_BIT, 0, 0, nullptr, 0,
                       nullptr, 1, &b);
}

inline void memory_barrier(VkCommandBuffer cb) {
  VkMemoryBarrier m{VK_STRUCTURE_TYPE_MEMORY_BARRIER, nullptr, VK_ACCESS_MEMORY_WRITE_BIT,
                    VK_ACCESS_MEMORY_READ_BIT | VK_ACCESS_MEMORY_WRITE_BIT};
  vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_ALL_COMMANDS_BIT, VK_PIPELINE_STAGE_ALL_COMMANDS_BIT, 0, 1, &m, 0, nullptr, 0,
                       nullptr);
}

// RGBA8 pixels, and the checks the drawing programs make on them.
using Rgba = std::array<uint8_t, 4>;

inline bool same(const void* bytes, uint64_t size, const std::vector<Rgba>& want) {
  return bytes && size == want.size() * 4 && std::memcmp(bytes, want.data(), size) == 0;
}

// The first 16 pixels, for a failure's message.
inline std::string show(const void* bytes, uint64_t size) {
  std::string s;
  const auto* b = static_cast<const uint8_t*>(bytes);
  for (uint64_t i = 0; b && i < size && i < 64; ++i) s += std::to_string(b[i]) + (i % 4 == 3 ? " | " : ",");
  return s;
}

// The capture the layer holds (from the environment's spec or an API request), or null.
inline const KilnCapture* take_capture(Gpu& gpu) {
  if (!gpu.has_api) {
    std::fprintf(stderr, "the kiln capture layer is not loaded\n");
    ++g_failures;
    return nullptr;
  }
  const KilnCapture* c = nullptr;
  VkResult r = gpu.api.get_capture(gpu.device, &c);
  if (r != VK_SUCCESS) {
    std::fprintf(stderr, "kilnGetCapture: %d\n", int(r));
    ++g_failures;
    return nullptr;
  }
  return c;
}

inline const KilnCaptureResource* find(const KilnCapture* c, const char* role, uint32_t binding_or_attachment = 0) {
  for (uint32_t i = 0; c && i < c->resource_count; ++i) {
    const KilnCaptureResource& r = c->resources[i];
    if (std::strcmp(r.role, role) != 0) continue;
    if (std::strcmp(role, "descriptor") == 0 ? r.binding == binding_or_attachment : r.attachment == binding_or_attachment)
      return &r;
  }
  std::fprintf(stderr, "no resource %s %u in the capture\n", role, binding_or_attachment);
  ++g_failures;
  return nullptr;
}

inline void dump(const KilnCapture* c) {
  std::fprintf(stderr, "capture: %s  %s  frame %llu  #%u  labels '%s'  pipeline %s\n", c->spec, c->command,
               (unsigned long long)c->frame, c->command_index, c->label_path, c->pipeline_name);
  for (uint32_t i = 0; i < c->resource_count; ++i) {
    const KilnCaptureResource& r = c->resources[i];
    std::fprintf(stderr, "  %s set %u binding %u att %u '%s' %s image=%u written=%u size=%llu before=%llu after=%llu\n",
                 r.role, r.set, r.binding, r.attachment, r.shader_name, r.descriptor_type, r.is_image, r.written,
                 (unsigned long long)r.size, (unsigned long long)r.before_size, (unsigned long long)r.after_size);
  }
}

inline int result() {
  if (g_validation_messages) std::fprintf(stderr, "%d validation messages\n", g_validation_messages);
  if (g_failures) std::fprintf(stderr, "%d checks failed\n", g_failures);
  return g_validation_messages || g_failures ? 1 : 0;
}

}  // namespace prog
