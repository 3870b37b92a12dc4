// Copy-on-write captures (issue 6): the hooked dispatch only reads a large input (a 1 MiB read-only
// storage buffer, or a 256x256 sampled texture), so the layer gives it a cow instead of a copy; what
// the program does next decides whether the layer must copy it after all, and why. Every case checks
// the captured input byte for byte against the pattern the dispatch saw, and the layer's statistics
// (kilnGetCaptureStats) against the cause the case provokes. One case a run: `layer_cow --case NAME`.
//
//   static          nothing writes the input again: deferred, never resolved, delivered from the resource
//                   (with KILN_CAPTURE_COW=off in the environment: copied at once, nothing deferred)
//   static_off      the same with kilnSetCopyOnWrite(VK_FALSE): copied at once
//   transfer        the next submission fills the input (vkCmdFillBuffer): resolved by a transfer
//   transfer_copy   the same with vkCmdCopyBuffer
//   transfer_image  a sampled texture, overwritten by vkCmdCopyBufferToImage
//   clear_image     a sampled texture, cleared by vkCmdClearColorImage
//   storage         a second compute pipeline stores to the input buffer
//   storage_image   a second compute pipeline stores to the texture (imageStore)
//   storage_push    as storage, the writer's buffer bound with vkCmdPushDescriptorSetKHR: the layer finds
//                   the write through the pushed set
//   host            host-visible, unmapped at capture time; mapped and rewritten after the submission
//   host_mapped     persistently mapped: the layer cannot see host writes, so it copies at once
//   destroy         the input is destroyed and its memory freed before the capture is asked for
//   timeline2       the seed's out-of-order case across two queues of one family: batch 2 (hooked, on the
//                   first queue, waits timeline value 1) is submitted before batch 1 (second queue: fills
//                   the input, signals 1); batch 3 (second queue, waits for batch 2) fills it again. The
//                   capture shows batch 1's content; only batch 3 resolves the cow. Exits 77 (skipped)
//                   where the family has one queue.
//   timeline2_only  the same without batch 3: nothing resolves the cow
//   timeline1       the out-of-order case on ONE queue. The seed's order cannot run there: a semaphore
//                   signal waits for every command earlier in submission order (Vulkan spec 7.4.1,
//                   "Semaphore Signaling"), so batch 1 queued behind batch 2 could only signal after batch
//                   2, which waits for that signal: a deadlock by the spec (lavapipe and NVIDIA hang on it
//                   without any layer). What one queue allows: batch 2 (hooked) waits for timeline value 1,
//                   which the HOST signals; batch 1 (fills the input) is submitted behind it while batch 2
//                   is not ready, so neither has run when the layer sees the write. Batch 1 runs after
//                   batch 2 (queue order and its leading barrier): the capture shows the input as it was
//                   before the fill, and batch 1's fill resolves the cow.
//   timeline3       a writer the layer must hold back, across three queues: batch 2 (hooked, queue 0,
//                   waits 1, signals 2) and batch 3 (queue 1, waits 2, fills the input) are both submitted
//                   before batch 1 (queue 2, fills the input, signals 1). When batch 3 arrives the layer
//                   cannot tell whether it comes before or after the hooked batch; it holds it (a layer
//                   batch waiting on its own semaphore goes ahead of it) until batch 1 decides: then it
//                   copies the input on queue 0 after the hooked batch and lets batch 3 go. The capture
//                   shows batch 1's content, batch 3's write is resolved. Skipped with fewer than 3 queues.
//   timeline_behind a writer queued behind a batch that waits, on another queue: batch 2 (hooked, queue 0)
//                   waits for timeline value 1, which the host signals last, and signals 2; on queue 1,
//                   an empty batch waits for 2, and batch 1 (fills the input, no semaphore) is queued
//                   behind it. Batch 1 comes after the hooked batch only through the batch ahead of it
//                   on its queue: the layer must count it not ready, hold it, and copy the input on
//                   queue 0 after the hooked batch once the host's signal decides. Skipped with fewer
//                   than 2 queues.
//   alias           a second buffer bound to the input's memory is filled: resolved by aliasing
//   attachment      a sampled texture, rendered into next (dynamic rendering, loadOp CLEAR): resolved as an
//                   attachment. The texture stays in GENERAL (fine for sampling and rendering alike): a
//                   barrier that changed its layout first would resolve the cow as "layout" instead
//   render_pass     the same through a VkRenderPass and VkFramebuffer
//   layout          a texture sampled in SHADER_READ_ONLY_OPTIMAL; the next submission only moves it to
//                   GENERAL: resolved by the layout change, and the content is unchanged
//   draw_static     the hooked command is a DRAW (into a small colour target of its own) whose fragment
//                   shader samples a texture nothing writes again: the texture is deferred and delivered
//                   untouched, the target (written) is copied
//   mips_layers     the hooked dispatch reads every subresource of a 2D array texture (3 mips x 2 layers, each
//                   its own pattern) through one 2D_ARRAY view: six image resources, one per (mip, layer), each
//                   deferred and delivered untouched. With KILN_CAPTURE_OUT set it also checks the folder's
//                   files (one per subresource, named _mip<M>/_layer<L>)
//   mips_layers_off the same with kilnSetCopyOnWrite(VK_FALSE): every subresource copied at once
//
// Command buffers are begun after kilnCaptureNext: the layer records only from then on (a submitted
// command buffer it did not record would resolve every cow as "unseen", which every case rules out).
// --without-layer: the program alone (validation only): its own results are checked, no capture.
#include <algorithm>
#include <filesystem>
#include <string>

#include "cow_draw_frag.h"
#include "cow_draw_vert.h"
#include "cow_read_array_comp.h"
#include "cow_read_comp.h"
#include "cow_read_image_comp.h"
#include "cow_write_comp.h"
#include "cow_write_image_comp.h"
#include "vk_program.h"

using namespace prog;

namespace {

constexpr uint32_t kOutputs = 256;                   // invocations of the hooked dispatch, one sum each
constexpr VkDeviceSize kBufferBytes = 1u << 20;      // the buffer input
constexpr uint32_t kWords = uint32_t(kBufferBytes / 4);
constexpr uint32_t kSide = 256;                      // the texture input: kSide x kSide RGBA8
constexpr VkDeviceSize kImageBytes = kSide * kSide * 4;
constexpr uint32_t kSeed0 = 0x5eed0000u, kSeed1 = 0x0b5e55edu;
constexpr uint32_t kFill1 = 0xa1b2c3d4u, kFill2 = 0x13572468u;

uint32_t pattern_word(uint32_t seed, uint32_t i) { return (i * 2654435761u) ^ seed; }
std::vector<uint32_t> pattern(uint32_t seed, uint32_t n) {
  std::vector<uint32_t> v(n);
  for (uint32_t i = 0; i < n; ++i) v[i] = pattern_word(seed, i);
  return v;
}
std::vector<uint32_t> constant(uint32_t value, uint32_t n) { return std::vector<uint32_t>(n, value); }

// What the hooked dispatch writes for an input (both shaders: weighted sums of `per` consecutive words).
std::vector<uint32_t> sums_of(const std::vector<uint32_t>& words) {
  const uint32_t per = uint32_t(words.size() / kOutputs);
  std::vector<uint32_t> s(kOutputs, 0);
  for (uint32_t i = 0; i < kOutputs; ++i)
    for (uint32_t j = 0; j < per; ++j) s[i] += words[i * per + j] * (j + 1);
  return s;
}

std::string first_difference(const void* got, const std::vector<uint32_t>& want) {
  const uint32_t* g = static_cast<const uint32_t*>(got);
  for (size_t i = 0; i < want.size(); ++i)
    if (g[i] != want[i])
      return "word " + std::to_string(i) + ": got 0x" + [&] {
        char b[32];
        std::snprintf(b, sizeof b, "%08x, want 0x%08x", g[i], want[i]);
        return std::string(b);
      }();
  return "equal";
}

const char* const kCauses[KILN_COW_CAUSE_COUNT] = {"transfer", "clear", "attachment", "storage", "layout",
                                                   "host_write", "aliasing", "destroy", "unseen"};

KilnCaptureStats delta(const KilnCaptureStats& a, const KilnCaptureStats& b) {
  KilnCaptureStats d{};
  d.captures = b.captures - a.captures;
  d.bytes_copied = b.bytes_copied - a.bytes_copied;
  d.bytes_deferred = b.bytes_deferred - a.bytes_deferred;
  d.bytes_resolved = b.bytes_resolved - a.bytes_resolved;
  d.bytes_delivered = b.bytes_delivered - a.bytes_delivered;
  d.cows = b.cows - a.cows;
  d.cows_resolved = b.cows_resolved - a.cows_resolved;
  for (int i = 0; i < KILN_COW_CAUSE_COUNT; ++i) d.resolved_by[i] = b.resolved_by[i] - a.resolved_by[i];
  return d;
}

std::string show(const KilnCaptureStats& s) {
  std::string by;
  for (int i = 0; i < KILN_COW_CAUSE_COUNT; ++i)
    if (s.resolved_by[i]) by += std::string(by.empty() ? "" : ",") + kCauses[i] + "=" + std::to_string(s.resolved_by[i]);
  return "captures=" + std::to_string(s.captures) + " copied=" + std::to_string(s.bytes_copied) +
         " deferred=" + std::to_string(s.bytes_deferred) + " resolved=" + std::to_string(s.bytes_resolved) +
         " delivered=" + std::to_string(s.bytes_delivered) + " cows=" + std::to_string(s.cows) +
         " cows_resolved=" + std::to_string(s.cows_resolved) + " by[" + by + "]";
}

// Queue families of the first device, asked before the Gpu exists (timeline2 wants a second queue).
uint32_t queues_in_family0() {
  VkApplicationInfo app{VK_STRUCTURE_TYPE_APPLICATION_INFO};
  app.apiVersion = VK_API_VERSION_1_3;
  VkInstanceCreateInfo ii{VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO};
  ii.pApplicationInfo = &app;
  VkInstance instance;
  VKCHECK(vkCreateInstance(&ii, nullptr, &instance));
  uint32_t n = 1;
  VkPhysicalDevice physical;
  vkEnumeratePhysicalDevices(instance, &n, &physical);
  uint32_t families = 0;
  vkGetPhysicalDeviceQueueFamilyProperties(physical, &families, nullptr);
  std::vector<VkQueueFamilyProperties> props(families);
  vkGetPhysicalDeviceQueueFamilyProperties(physical, &families, props.data());
  vkDestroyInstance(instance, nullptr);
  return families ? props[0].queueCount : 0;
}

struct Pipeline {
  VkDescriptorSetLayout set_layout = VK_NULL_HANDLE;
  VkPipelineLayout layout = VK_NULL_HANDLE;
  VkShaderModule module = VK_NULL_HANDLE;
  VkPipeline pipeline = VK_NULL_HANDLE;
  VkDescriptorPool pool = VK_NULL_HANDLE;
  VkDescriptorSet set = VK_NULL_HANDLE;
};

// push_set: a push-descriptor set layout, and no set allocated.
Pipeline make_pipeline(Gpu& gpu, const uint32_t* code, size_t bytes, std::vector<VkDescriptorType> types,
                       uint32_t push_bytes, const char* name, bool push_set = false) {
  Pipeline p;
  std::vector<VkDescriptorSetLayoutBinding> bindings;
  std::vector<VkDescriptorPoolSize> sizes;
  for (uint32_t i = 0; i < types.size(); ++i) {
    bindings.push_back({i, types[i], 1, VK_SHADER_STAGE_COMPUTE_BIT, nullptr});
    sizes.push_back({types[i], 1});
  }
  VkDescriptorSetLayoutCreateInfo li{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO};
  li.bindingCount = uint32_t(bindings.size());
  li.pBindings = bindings.data();
  if (push_set) li.flags = VK_DESCRIPTOR_SET_LAYOUT_CREATE_PUSH_DESCRIPTOR_BIT_KHR;
  VKCHECK(vkCreateDescriptorSetLayout(gpu.device, &li, nullptr, &p.set_layout));
  VkPushConstantRange push{VK_SHADER_STAGE_COMPUTE_BIT, 0, push_bytes};
  VkPipelineLayoutCreateInfo pli{VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
  pli.setLayoutCount = 1;
  pli.pSetLayouts = &p.set_layout;
  pli.pushConstantRangeCount = 1;
  pli.pPushConstantRanges = &push;
  VKCHECK(vkCreatePipelineLayout(gpu.device, &pli, nullptr, &p.layout));
  p.module = gpu.shader(code, bytes);
  VkComputePipelineCreateInfo ci{VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO};
  ci.stage = {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO, nullptr, 0, VK_SHADER_STAGE_COMPUTE_BIT, p.module,
              "main", nullptr};
  ci.layout = p.layout;
  VKCHECK(vkCreateComputePipelines(gpu.device, VK_NULL_HANDLE, 1, &ci, nullptr, &p.pipeline));
  gpu.name(VK_OBJECT_TYPE_PIPELINE, (uint64_t)p.pipeline, name);
  if (push_set) return p;
  VkDescriptorPoolCreateInfo dpi{VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO};
  dpi.maxSets = 1;
  dpi.poolSizeCount = uint32_t(sizes.size());
  dpi.pPoolSizes = sizes.data();
  VKCHECK(vkCreateDescriptorPool(gpu.device, &dpi, nullptr, &p.pool));
  VkDescriptorSetAllocateInfo ai{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO};
  ai.descriptorPool = p.pool;
  ai.descriptorSetCount = 1;
  ai.pSetLayouts = &p.set_layout;
  VKCHECK(vkAllocateDescriptorSets(gpu.device, &ai, &p.set));
  return p;
}

void destroy(Gpu& gpu, Pipeline& p) {
  vkDestroyPipeline(gpu.device, p.pipeline, nullptr);
  vkDestroyShaderModule(gpu.device, p.module, nullptr);
  vkDestroyPipelineLayout(gpu.device, p.layout, nullptr);
  vkDestroyDescriptorPool(gpu.device, p.pool, nullptr);
  vkDestroyDescriptorSetLayout(gpu.device, p.set_layout, nullptr);
  p = {};
}

void write_buffer(Gpu& gpu, VkDescriptorSet set, uint32_t binding, VkBuffer buffer) {
  VkDescriptorBufferInfo info{buffer, 0, VK_WHOLE_SIZE};
  VkWriteDescriptorSet w{VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET};
  w.dstSet = set;
  w.dstBinding = binding;
  w.descriptorCount = 1;
  w.descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
  w.pBufferInfo = &info;
  vkUpdateDescriptorSets(gpu.device, 1, &w, 0, nullptr);
}

void write_image(Gpu& gpu, VkDescriptorSet set, uint32_t binding, VkDescriptorType type, VkSampler sampler,
                 VkImageView view, VkImageLayout layout = VK_IMAGE_LAYOUT_GENERAL) {
  VkDescriptorImageInfo info{sampler, view, layout};
  VkWriteDescriptorSet w{VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET};
  w.dstSet = set;
  w.dstBinding = binding;
  w.descriptorCount = 1;
  w.descriptorType = type;
  w.pImageInfo = &info;
  vkUpdateDescriptorSets(gpu.device, 1, &w, 0, nullptr);
}

// The kSide x kSide RGBA8 texture input, holding `texels`, left in `layout`.
Image input_texture(Gpu& gpu, const std::vector<uint32_t>& texels, VkImageLayout layout, VkImageUsageFlags more_usage) {
  Image tex = gpu.image(VK_FORMAT_R8G8B8A8_UNORM, {kSide, kSide},
                        VK_IMAGE_USAGE_SAMPLED_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT | VK_IMAGE_USAGE_STORAGE_BIT | more_usage);
  gpu.name(VK_OBJECT_TYPE_IMAGE, (uint64_t)tex.image, "cow_input");
  Buffer upload = gpu.buffer(texels.size() * 4, VK_BUFFER_USAGE_TRANSFER_SRC_BIT, texels.data());
  gpu.run([&](VkCommandBuffer cb) {
    transition(cb, tex.image, VK_IMAGE_LAYOUT_UNDEFINED, VK_IMAGE_LAYOUT_GENERAL);
    VkBufferImageCopy r{};
    r.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
    r.imageExtent = {kSide, kSide, 1};
    vkCmdCopyBufferToImage(cb, upload.buffer, tex.image, VK_IMAGE_LAYOUT_GENERAL, 1, &r);
    if (layout != VK_IMAGE_LAYOUT_GENERAL) transition(cb, tex.image, VK_IMAGE_LAYOUT_GENERAL, layout);
    memory_barrier(cb);
  });
  gpu.destroy(upload);
  return tex;
}

VkSampler nearest_sampler(Gpu& gpu) {
  VkSamplerCreateInfo si{VK_STRUCTURE_TYPE_SAMPLER_CREATE_INFO};
  si.magFilter = si.minFilter = VK_FILTER_NEAREST;
  VkSampler sampler;
  VKCHECK(vkCreateSampler(gpu.device, &si, nullptr, &sampler));
  return sampler;
}

// The clear colour whose RGBA8 texels are the word `fill` (little-endian: R is the low byte).
VkClearColorValue clear_color(uint32_t fill) {
  VkClearColorValue color{};
  for (int c = 0; c < 4; ++c) color.float32[c] = float((fill >> (8 * c)) & 0xff) / 255.0f;
  return color;
}

// A buffer in memory of the given kind, holding `data`: device-local memory is filled through a staging
// copy and never mapped; host-visible memory is mapped, filled and unmapped unless `keep_mapped`.
Buffer input_buffer(Gpu& gpu, VkBufferUsageFlags usage, VkMemoryPropertyFlags memory, bool keep_mapped,
                    const std::vector<uint32_t>& data) {
  Buffer b;
  b.size = data.size() * 4;
  VkBufferCreateInfo bi{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
  bi.size = b.size;
  bi.usage = usage;
  VKCHECK(vkCreateBuffer(gpu.device, &bi, nullptr, &b.buffer));
  VkMemoryRequirements req;
  vkGetBufferMemoryRequirements(gpu.device, b.buffer, &req);
  VkMemoryAllocateInfo ai{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
  ai.allocationSize = req.size;
  ai.memoryTypeIndex = gpu.memory_type(req.memoryTypeBits, memory);
  VKCHECK(vkAllocateMemory(gpu.device, &ai, nullptr, &b.memory));
  VKCHECK(vkBindBufferMemory(gpu.device, b.buffer, b.memory, 0));
  if (memory & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT) {
    VKCHECK(vkMapMemory(gpu.device, b.memory, 0, VK_WHOLE_SIZE, 0, &b.mapped));
    std::memcpy(b.mapped, data.data(), b.size);
    if (!keep_mapped) {
      vkUnmapMemory(gpu.device, b.memory);
      b.mapped = nullptr;
    }
  } else {
    Buffer staging = gpu.buffer(b.size, VK_BUFFER_USAGE_TRANSFER_SRC_BIT, data.data());
    gpu.run([&](VkCommandBuffer cb) {
      VkBufferCopy r{0, 0, b.size};
      vkCmdCopyBuffer(cb, staging.buffer, b.buffer, 1, &r);
      memory_barrier(cb);
    });
    gpu.destroy(staging);
  }
  return b;
}

void submit(Gpu& gpu, VkQueue queue, VkCommandBuffer cb, VkFence fence, VkSemaphore timeline = VK_NULL_HANDLE,
            uint64_t wait = 0, uint64_t signal = 0) {
  VkTimelineSemaphoreSubmitInfo ti{VK_STRUCTURE_TYPE_TIMELINE_SEMAPHORE_SUBMIT_INFO};
  VkPipelineStageFlags stage = VK_PIPELINE_STAGE_ALL_COMMANDS_BIT;
  VkSubmitInfo si{VK_STRUCTURE_TYPE_SUBMIT_INFO};
  si.commandBufferCount = 1;
  si.pCommandBuffers = &cb;
  if (timeline) {
    si.pNext = &ti;
    if (wait) {
      si.waitSemaphoreCount = 1;
      si.pWaitSemaphores = &timeline;
      si.pWaitDstStageMask = &stage;
      ti.waitSemaphoreValueCount = 1;
      ti.pWaitSemaphoreValues = &wait;
    }
    if (signal) {
      si.signalSemaphoreCount = 1;
      si.pSignalSemaphores = &timeline;
      ti.signalSemaphoreValueCount = 1;
      ti.pSignalSemaphoreValues = &signal;
    }
  }
  VKCHECK(vkQueueSubmit(queue, 1, &si, fence));
  (void)gpu;
}

struct Case {
  std::string name;
  bool image = false;        // the input is a sampled texture (else a read-only storage buffer)
  bool host = false;         // the input's memory is host-visible (unmapped at capture time unless mapped)
  bool mapped = false;       // ... and stays mapped
  bool off = false;          // kilnSetCopyOnWrite(VK_FALSE)
  bool timeline = false;
  bool two_queues = false;
  bool three_queues = false;  // timeline3: the held writer
  bool one_queue_timeline = false;  // timeline1: both batches on one queue, the host signals
  bool behind = false;              // timeline_behind: the writer behind a waiting batch on queue 1
  bool follow_up = false;    // timeline: batch 3 writes the input after the hooked batch
  bool alias = false;
  bool draw = false;         // the hooked command is a draw (draw_static), not the dispatch
  bool mips = false;         // the input is a 2D array texture with mips (mips_layers)
  bool push = false;         // the writer's descriptors are pushed (storage_push)
  int cause = -1;            // the KilnCowCause expected to resolve the cow; -1: none
};

bool known_case(const std::string& name, Case& c) {
  c.name = name;
  if (name == "static" || name == "static_off") {
    c.off = name == "static_off";
  } else if (name == "transfer" || name == "transfer_copy") {
    c.cause = KILN_COW_TRANSFER;
  } else if (name == "transfer_image") {
    c.image = true;
    c.cause = KILN_COW_TRANSFER;
  } else if (name == "clear_image") {
    c.image = true;
    c.cause = KILN_COW_CLEAR;
  } else if (name == "storage" || name == "storage_push") {
    c.push = name == "storage_push";
    c.cause = KILN_COW_STORAGE;
  } else if (name == "storage_image") {
    c.image = true;
    c.cause = KILN_COW_STORAGE;
  } else if (name == "host" || name == "host_mapped") {
    c.host = true;
    c.mapped = name == "host_mapped";
    c.cause = c.mapped ? -1 : KILN_COW_HOST_WRITE;
  } else if (name == "destroy") {
    c.cause = KILN_COW_DESTROY;
  } else if (name == "timeline2" || name == "timeline2_only") {
    c.timeline = true;
    c.two_queues = true;
    c.follow_up = name == "timeline2";
    c.cause = c.follow_up ? KILN_COW_TRANSFER : -1;
  } else if (name == "timeline1") {
    c.timeline = true;
    c.one_queue_timeline = true;
    c.cause = KILN_COW_TRANSFER;
  } else if (name == "timeline_behind") {
    c.timeline = true;
    c.two_queues = true;
    c.behind = true;
    c.cause = KILN_COW_TRANSFER;
  } else if (name == "timeline3") {
    c.timeline = true;
    c.two_queues = c.three_queues = true;
    c.follow_up = true;
    c.cause = KILN_COW_TRANSFER;
  } else if (name == "alias") {
    c.alias = true;
    c.cause = KILN_COW_ALIASING;
  } else if (name == "attachment" || name == "render_pass") {
    c.image = true;
    c.cause = KILN_COW_ATTACHMENT;
  } else if (name == "layout") {
    c.image = true;
    c.cause = KILN_COW_LAYOUT;
  } else if (name == "draw_static") {
    c.image = true;
    c.draw = true;
  } else if (name == "mips_layers" || name == "mips_layers_off") {
    c.image = true;
    c.mips = true;
    c.off = name == "mips_layers_off";
  } else {
    return false;
  }
  return true;
}

int run_case(const Case& k, bool without_layer) {
  VkPhysicalDeviceVulkan12Features f12{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES};
  f12.timelineSemaphore = VK_TRUE;
  g_device_features = &f12;
  if (k.two_queues) {
    const uint32_t want = k.three_queues ? 3 : 2;
    if (queues_in_family0() < want) {
      std::printf("cow %s: skipped, queue family 0 has fewer than %u queues\n", k.name.c_str(), want);
      std::exit(77);
    }
    g_queue_count = want;
  }
  if (k.push) g_device_extensions.push_back(VK_KHR_PUSH_DESCRIPTOR_EXTENSION_NAME);
  Gpu gpu;
  if (!without_layer && !gpu.has_api) {
    std::fprintf(stderr, "the kiln capture layer (with kilnGetCaptureStats) is not loaded\n");
    return 1;
  }
  const bool use_api = gpu.has_api && !without_layer;
  VkQueue queue2 = gpu.queue;
  if (k.two_queues) vkGetDeviceQueue(gpu.device, gpu.family, 1, &queue2);
  VkQueue queue3 = queue2;
  if (k.three_queues) vkGetDeviceQueue(gpu.device, gpu.family, 2, &queue3);
  const char* env_cow = std::getenv("KILN_CAPTURE_COW");
  const bool cow_on = !k.off && !(env_cow && std::string(env_cow) == "off");
  const bool expect_deferred = cow_on && !k.mapped;

  // The input and what it holds at each step: p0 before the hooked submission, `seen` what the hooked
  // dispatch reads, `final` what the later writers leave.
  const uint32_t words = k.image ? kSide * kSide : kWords;
  const VkDeviceSize input_bytes = VkDeviceSize(words) * 4;
  std::vector<uint32_t> p0 = pattern(kSeed0, words);
  std::vector<uint32_t> seen = p0, final_content = p0;

  Buffer in{}, alias{};
  Image tex{};
  VkSampler sampler = VK_NULL_HANDLE;
  VkDeviceMemory alias_memory = VK_NULL_HANDLE;
  const VkMemoryPropertyFlags device_local = VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT;
  const VkMemoryPropertyFlags host_visible = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
  // The layout the hooked dispatch samples the texture in.
  const VkImageLayout sampled_layout = k.name == "layout" ? VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL : VK_IMAGE_LAYOUT_GENERAL;
  if (k.image) {
    tex = input_texture(gpu, p0, sampled_layout, k.cause == KILN_COW_ATTACHMENT ? VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT : 0);
    sampler = nearest_sampler(gpu);
  } else if (k.alias) {
    // Two buffers on one memory range: the hooked dispatch reads `in`, the next submission fills `alias`.
    VkBufferCreateInfo bi{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
    bi.size = input_bytes;
    bi.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT;
    VKCHECK(vkCreateBuffer(gpu.device, &bi, nullptr, &in.buffer));
    bi.usage = VK_BUFFER_USAGE_TRANSFER_DST_BIT;
    VKCHECK(vkCreateBuffer(gpu.device, &bi, nullptr, &alias.buffer));
    in.size = alias.size = input_bytes;
    VkMemoryRequirements ra, rb;
    vkGetBufferMemoryRequirements(gpu.device, in.buffer, &ra);
    vkGetBufferMemoryRequirements(gpu.device, alias.buffer, &rb);
    VkMemoryAllocateInfo ai{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
    ai.allocationSize = std::max(ra.size, rb.size);
    ai.memoryTypeIndex = gpu.memory_type(ra.memoryTypeBits & rb.memoryTypeBits, device_local);
    VKCHECK(vkAllocateMemory(gpu.device, &ai, nullptr, &alias_memory));
    VKCHECK(vkBindBufferMemory(gpu.device, in.buffer, alias_memory, 0));
    VKCHECK(vkBindBufferMemory(gpu.device, alias.buffer, alias_memory, 0));
    Buffer staging = gpu.buffer(input_bytes, VK_BUFFER_USAGE_TRANSFER_SRC_BIT, p0.data());
    gpu.run([&](VkCommandBuffer cb) {
      VkBufferCopy r{0, 0, input_bytes};
      vkCmdCopyBuffer(cb, staging.buffer, in.buffer, 1, &r);
      memory_barrier(cb);
    });
    gpu.destroy(staging);
  } else {
    in = input_buffer(gpu, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                      k.host ? host_visible : device_local, k.mapped, p0);
  }
  if (in.buffer) gpu.name(VK_OBJECT_TYPE_BUFFER, (uint64_t)in.buffer, "cow_input");

  Buffer sums = gpu.buffer(kOutputs * 4, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT);
  Buffer check_sums = gpu.buffer(kOutputs * 4, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT);
  gpu.name(VK_OBJECT_TYPE_BUFFER, (uint64_t)sums.buffer, "cow_sums");
  const VkDescriptorType input_type = k.image ? VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER : VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
  Pipeline reader = k.image ? make_pipeline(gpu, cow_read_image_comp, sizeof(cow_read_image_comp),
                                            {input_type, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER}, 4, "cow_read")
                            : make_pipeline(gpu, cow_read_comp, sizeof(cow_read_comp),
                                            {input_type, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER}, 4, "cow_read");
  if (k.image) write_image(gpu, reader.set, 0, input_type, sampler, tex.view, sampled_layout);
  else write_buffer(gpu, reader.set, 0, in.buffer);
  write_buffer(gpu, reader.set, 1, sums.buffer);
  Pipeline writer{};
  if (k.name == "storage" || k.push) {
    writer = make_pipeline(gpu, cow_write_comp, sizeof(cow_write_comp), {VK_DESCRIPTOR_TYPE_STORAGE_BUFFER}, 4,
                           "cow_write", k.push);
    if (!k.push) write_buffer(gpu, writer.set, 0, in.buffer);
  } else if (k.name == "storage_image") {
    writer = make_pipeline(gpu, cow_write_image_comp, sizeof(cow_write_image_comp),
                           {VK_DESCRIPTOR_TYPE_STORAGE_IMAGE}, 8, "cow_write_image");
    write_image(gpu, writer.set, 0, VK_DESCRIPTOR_TYPE_STORAGE_IMAGE, VK_NULL_HANDLE, tex.view);
  }
  Buffer source = gpu.buffer(input_bytes, VK_BUFFER_USAGE_TRANSFER_SRC_BIT);  // transfer_copy / transfer_image
  // render_pass: a pass that clears the texture, in GENERAL from start to end (no layout change).
  VkRenderPass render_pass = VK_NULL_HANDLE;
  VkFramebuffer framebuffer = VK_NULL_HANDLE;
  if (k.name == "render_pass") {
    VkAttachmentDescription a{};
    a.format = VK_FORMAT_R8G8B8A8_UNORM;
    a.samples = VK_SAMPLE_COUNT_1_BIT;
    a.loadOp = VK_ATTACHMENT_LOAD_OP_CLEAR;
    a.storeOp = VK_ATTACHMENT_STORE_OP_STORE;
    a.stencilLoadOp = VK_ATTACHMENT_LOAD_OP_DONT_CARE;
    a.stencilStoreOp = VK_ATTACHMENT_STORE_OP_DONT_CARE;
    a.initialLayout = a.finalLayout = VK_IMAGE_LAYOUT_GENERAL;
    VkAttachmentReference ref{0, VK_IMAGE_LAYOUT_GENERAL};
    VkSubpassDescription sub{};
    sub.pipelineBindPoint = VK_PIPELINE_BIND_POINT_GRAPHICS;
    sub.colorAttachmentCount = 1;
    sub.pColorAttachments = &ref;
    VkRenderPassCreateInfo rpi{VK_STRUCTURE_TYPE_RENDER_PASS_CREATE_INFO};
    rpi.attachmentCount = 1;
    rpi.pAttachments = &a;
    rpi.subpassCount = 1;
    rpi.pSubpasses = &sub;
    VKCHECK(vkCreateRenderPass(gpu.device, &rpi, nullptr, &render_pass));
    VkFramebufferCreateInfo fci{VK_STRUCTURE_TYPE_FRAMEBUFFER_CREATE_INFO};
    fci.renderPass = render_pass;
    fci.attachmentCount = 1;
    fci.pAttachments = &tex.view;
    fci.width = fci.height = kSide;
    fci.layers = 1;
    VKCHECK(vkCreateFramebuffer(gpu.device, &fci, nullptr, &framebuffer));
  }

  KilnCaptureStats stats0{};
  if (use_api) {
    VKCHECK(gpu.api.get_stats(gpu.device, &stats0));
    if (k.off) VKCHECK(gpu.api.set_copy_on_write(gpu.device, VK_FALSE));
    VKCHECK(gpu.api.capture_next(gpu.device, "dispatch", KILN_CAPTURE_BOTH));
  }

  // From here on every command buffer is begun after the request.
  auto begin = [&] {
    VkCommandBuffer cb = gpu.command_buffer();
    VkCommandBufferBeginInfo bi{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
    bi.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
    VKCHECK(vkBeginCommandBuffer(cb, &bi));
    memory_barrier(cb);  // after everything submitted before (uploads, the hooked dispatch)
    return cb;
  };
  auto end = [&](VkCommandBuffer cb) {
    memory_barrier(cb);
    VkMemoryBarrier host{VK_STRUCTURE_TYPE_MEMORY_BARRIER, nullptr, VK_ACCESS_MEMORY_WRITE_BIT, VK_ACCESS_HOST_READ_BIT};
    vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_ALL_COMMANDS_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &host, 0, nullptr, 0,
                         nullptr);
    VKCHECK(vkEndCommandBuffer(cb));
  };
  auto record_read = [&](Buffer& out) {
    write_buffer(gpu, reader.set, 1, out.buffer);  // before recording: an update invalidates recorded uses
    VkCommandBuffer cb = begin();
    vkCmdBindPipeline(cb, VK_PIPELINE_BIND_POINT_COMPUTE, reader.pipeline);
    vkCmdBindDescriptorSets(cb, VK_PIPELINE_BIND_POINT_COMPUTE, reader.layout, 0, 1, &reader.set, 0, nullptr);
    const uint32_t per = words / kOutputs;
    vkCmdPushConstants(cb, reader.layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, 4, &per);
    vkCmdDispatch(cb, kOutputs / 64, 1, 1);
    end(cb);
    return cb;
  };
  // A later submission that overwrites the input; returns what it leaves there.
  auto record_write = [&](VkCommandBuffer cb, uint32_t fill) -> std::vector<uint32_t> {
    if (k.name == "transfer_copy" || k.name == "transfer_image") {
      std::vector<uint32_t> p1 = pattern(kSeed1, words);
      std::memcpy(source.mapped, p1.data(), input_bytes);
      if (k.image) {
        VkBufferImageCopy r{};
        r.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
        r.imageExtent = {kSide, kSide, 1};
        vkCmdCopyBufferToImage(cb, source.buffer, tex.image, VK_IMAGE_LAYOUT_GENERAL, 1, &r);
      } else {
        VkBufferCopy r{0, 0, input_bytes};
        vkCmdCopyBuffer(cb, source.buffer, in.buffer, 1, &r);
      }
      return p1;
    }
    if (k.name == "clear_image") {
      VkClearColorValue color = clear_color(fill);
      VkImageSubresourceRange range{VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1};
      vkCmdClearColorImage(cb, tex.image, VK_IMAGE_LAYOUT_GENERAL, &color, 1, &range);
      return constant(fill, words);
    }
    if (k.name == "attachment") {
      VkRenderingAttachmentInfo a{VK_STRUCTURE_TYPE_RENDERING_ATTACHMENT_INFO};
      a.imageView = tex.view;
      a.imageLayout = VK_IMAGE_LAYOUT_GENERAL;
      a.loadOp = VK_ATTACHMENT_LOAD_OP_CLEAR;
      a.storeOp = VK_ATTACHMENT_STORE_OP_STORE;
      a.clearValue.color = clear_color(fill);
      VkRenderingInfo ri{VK_STRUCTURE_TYPE_RENDERING_INFO};
      ri.renderArea = {{0, 0}, {kSide, kSide}};
      ri.layerCount = 1;
      ri.colorAttachmentCount = 1;
      ri.pColorAttachments = &a;
      vkCmdBeginRendering(cb, &ri);
      vkCmdEndRendering(cb);
      return constant(fill, words);
    }
    if (k.name == "render_pass") {
      VkClearValue clear{};
      clear.color = clear_color(fill);
      VkRenderPassBeginInfo bi{VK_STRUCTURE_TYPE_RENDER_PASS_BEGIN_INFO};
      bi.renderPass = render_pass;
      bi.framebuffer = framebuffer;
      bi.renderArea = {{0, 0}, {kSide, kSide}};
      bi.clearValueCount = 1;
      bi.pClearValues = &clear;
      vkCmdBeginRenderPass(cb, &bi, VK_SUBPASS_CONTENTS_INLINE);
      vkCmdEndRenderPass(cb);
      return constant(fill, words);
    }
    if (k.name == "layout") {
      transition(cb, tex.image, VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL, VK_IMAGE_LAYOUT_GENERAL);
      return seen;
    }
    if (k.name == "storage" || k.name == "storage_image" || k.push) {
      vkCmdBindPipeline(cb, VK_PIPELINE_BIND_POINT_COMPUTE, writer.pipeline);
      if (k.push) {
        auto push_set = reinterpret_cast<PFN_vkCmdPushDescriptorSetKHR>(
            vkGetDeviceProcAddr(gpu.device, "vkCmdPushDescriptorSetKHR"));
        const VkDescriptorBufferInfo info{in.buffer, 0, VK_WHOLE_SIZE};
        VkWriteDescriptorSet w{VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET};
        w.descriptorCount = 1;
        w.descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
        w.pBufferInfo = &info;
        push_set(cb, VK_PIPELINE_BIND_POINT_COMPUTE, writer.layout, 0, 1, &w);
      } else {
        vkCmdBindDescriptorSets(cb, VK_PIPELINE_BIND_POINT_COMPUTE, writer.layout, 0, 1, &writer.set, 0, nullptr);
      }
      const uint32_t push[2] = {kSeed1, kSide};
      vkCmdPushConstants(cb, writer.layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, k.image ? 8 : 4, push);
      if (k.image) vkCmdDispatch(cb, kSide / 8, kSide / 8, 1);
      else vkCmdDispatch(cb, words / 64, 1, 1);
      return pattern(kSeed1, words);
    }
    vkCmdFillBuffer(cb, k.alias ? alias.buffer : in.buffer, 0, VK_WHOLE_SIZE, fill);
    return constant(fill, words);
  };

  VkFence fences[3];
  for (VkFence& f : fences) {
    VkFenceCreateInfo fi{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
    VKCHECK(vkCreateFence(gpu.device, &fi, nullptr, &f));
  }
  std::vector<VkCommandBuffer> cbs;
  VkSemaphore timeline = VK_NULL_HANDLE;
  const bool gpu_writer = k.cause == KILN_COW_TRANSFER || k.cause == KILN_COW_CLEAR || k.cause == KILN_COW_STORAGE ||
                          k.cause == KILN_COW_ALIASING || k.cause == KILN_COW_ATTACHMENT || k.cause == KILN_COW_LAYOUT;
  if (k.timeline) {
    VkSemaphoreTypeCreateInfo ti{VK_STRUCTURE_TYPE_SEMAPHORE_TYPE_CREATE_INFO};
    ti.semaphoreType = VK_SEMAPHORE_TYPE_TIMELINE;
    VkSemaphoreCreateInfo si{VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO};
    si.pNext = &ti;
    VKCHECK(vkCreateSemaphore(gpu.device, &si, nullptr, &timeline));
    // The capture cannot be ready while the hooked batch waits.
    auto expect_no_capture_yet = [&] {
      if (!use_api) return;
      const KilnCapture* early = nullptr;
      VkResult r = gpu.api.get_capture(gpu.device, &early);
      EXPECT(r == VK_NOT_READY, "kilnGetCapture while the hooked batch waits: %d, want VK_NOT_READY", int(r));
      if (r == VK_SUCCESS) gpu.api.free_capture(gpu.device, early);
    };
    VkCommandBuffer b2 = record_read(sums);
    VkCommandBuffer b1 = begin();
    if (k.one_queue_timeline || k.behind) {
      // Batch 2 (hooked) waits for 1, which the host signals once batch 1 (fills the input) is queued
      // behind it with no semaphore: on the same queue (timeline1), or on queue 1 behind a batch that
      // waits for batch 2's signal (timeline_behind). `seen` stays the input's first content: batch 2
      // reads it first.
      final_content = record_write(b1, kFill1);
      end(b1);
      cbs = {b2, b1};
      submit(gpu, gpu.queue, b2, fences[0], timeline, 1, 2);
      if (k.behind) {
        VkCommandBuffer gate = begin();
        end(gate);
        cbs.push_back(gate);
        submit(gpu, queue2, gate, fences[2], timeline, 2, 0);
      }
      submit(gpu, k.behind ? queue2 : gpu.queue, b1, fences[1]);
      EXPECT(vkGetFenceStatus(gpu.device, fences[0]) == VK_NOT_READY, "batch 2 ran before the host signalled 1");
      expect_no_capture_yet();
      VkSemaphoreSignalInfo signal{VK_STRUCTURE_TYPE_SEMAPHORE_SIGNAL_INFO};
      signal.semaphore = timeline;
      signal.value = 1;
      VKCHECK(vkSignalSemaphore(gpu.device, &signal));
      VKCHECK(vkWaitForFences(gpu.device, k.behind ? 3 : 2, fences, VK_TRUE, UINT64_MAX));
    } else {
      // Batch 2 (hooked) waits for 1 and signals 2; batch 1 fills the input and signals 1; batch 3
      // waits for 2 and fills it again.
      seen = final_content = record_write(b1, kFill1);
      end(b1);
      cbs = {b2, b1};
      submit(gpu, gpu.queue, b2, fences[0], timeline, 1, 2);
      expect_no_capture_yet();
      if (k.three_queues) {
        // Batch 3 before batch 1: held by the layer until batch 1 says the hooked batch comes first.
        VkCommandBuffer b3 = begin();
        final_content = record_write(b3, kFill2);
        end(b3);
        cbs.push_back(b3);
        submit(gpu, queue2, b3, fences[2], timeline, 2, 0);
        submit(gpu, queue3, b1, fences[1], timeline, 0, 1);
      } else {
        submit(gpu, queue2, b1, fences[1], timeline, 0, 1);
      }
      if (k.follow_up && !k.three_queues) {
        VkCommandBuffer b3 = begin();
        final_content = record_write(b3, kFill2);
        end(b3);
        cbs.push_back(b3);
        submit(gpu, queue2, b3, fences[2], timeline, 2, 0);
      }
      VKCHECK(vkWaitForFences(gpu.device, k.follow_up ? 3 : 2, fences, VK_TRUE, UINT64_MAX));
    }
  } else {
    VkCommandBuffer hooked = record_read(sums);
    cbs = {hooked};
    VkCommandBuffer later = VK_NULL_HANDLE;
    if (gpu_writer) {
      later = begin();
      final_content = record_write(later, kFill1);
      end(later);
      cbs.push_back(later);
    }
    // The writer goes in right behind the hooked submission, not after it completed: the layer's copy
    // must land between the two on the GPU.
    submit(gpu, gpu.queue, hooked, fences[0]);
    if (later) submit(gpu, gpu.queue, later, fences[1]);
    VKCHECK(vkWaitForFences(gpu.device, later ? 2 : 1, fences, VK_TRUE, UINT64_MAX));
    if (k.host) {
      // The host rewrites the input after the submission completed (mapped now, or all along).
      final_content = pattern(kSeed1, words);
      void* p = in.mapped;
      if (!p) VKCHECK(vkMapMemory(gpu.device, in.memory, 0, VK_WHOLE_SIZE, 0, &p));
      std::memcpy(p, final_content.data(), input_bytes);
      if (!in.mapped) vkUnmapMemory(gpu.device, in.memory);
    }
    if (k.cause == KILN_COW_DESTROY) {
      write_buffer(gpu, reader.set, 0, sums.buffer);  // the set must not name a destroyed buffer later
      gpu.destroy(in);
    }
  }
  for (VkCommandBuffer cb : cbs) vkFreeCommandBuffers(gpu.device, gpu.pool, 1, &cb);

  // The program's own result, with or without the layer: the dispatch saw `seen`.
  const std::vector<uint32_t> want_sums = sums_of(seen);
  EXPECT(std::memcmp(sums.mapped, want_sums.data(), kOutputs * 4) == 0, "the dispatch's sums: %s",
         first_difference(sums.mapped, want_sums).c_str());

  KilnCaptureStats d{};
  if (use_api) {
    const KilnCapture* c = take_capture(gpu);
    KilnCaptureStats stats1{};
    if (c) {
      const KilnCaptureResource* r = find(c, "descriptor", 0);
      const KilnCaptureResource* o = find(c, "descriptor", 1);
      if (r) {
        EXPECT(!r->written, "the input is marked written");
        EXPECT(bool(r->is_image) == k.image, "is_image %u", r->is_image);
        EXPECT(r->before || r->after, "the input was captured on neither side");
        if (r->before) {
          EXPECT(r->before_size == input_bytes, "input before_size %llu, want %llu", (unsigned long long)r->before_size,
                 (unsigned long long)input_bytes);
          if (r->before_size == input_bytes)
            EXPECT(std::memcmp(r->before, seen.data(), input_bytes) == 0, "input before: %s",
                   first_difference(r->before, seen).c_str());
        }
        if (r->after) {
          EXPECT(r->after_size == input_bytes, "input after_size %llu, want %llu", (unsigned long long)r->after_size,
                 (unsigned long long)input_bytes);
          if (r->after_size == input_bytes)
            EXPECT(std::memcmp(r->after, seen.data(), input_bytes) == 0, "input after: %s",
                   first_difference(r->after, seen).c_str());
        }
      }
      if (o) {
        EXPECT(o->written, "the sums are not marked written");
        EXPECT(o->after && o->after_size == kOutputs * 4 && std::memcmp(o->after, want_sums.data(), kOutputs * 4) == 0,
               "sums after: %s", o->after ? first_difference(o->after, want_sums).c_str() : "missing");
        const std::vector<uint32_t> zeros(kOutputs, 0);
        EXPECT(o->before && o->before_size == kOutputs * 4 && std::memcmp(o->before, zeros.data(), kOutputs * 4) == 0,
               "sums before: %s", o->before ? first_difference(o->before, zeros).c_str() : "missing");
      }
      gpu.api.free_capture(gpu.device, c);
    }
    VKCHECK(gpu.api.get_stats(gpu.device, &stats1));
    d = delta(stats0, stats1);
    auto u = [](uint64_t v) { return (unsigned long long)v; };
    EXPECT(d.captures == 1, "captures %llu", u(d.captures));
    EXPECT(d.resolved_by[KILN_COW_UNSEEN] == 0, "resolved as unseen: %llu (a command buffer the layer did not record?)",
           u(d.resolved_by[KILN_COW_UNSEEN]));
    // The written sums are copied at once either way.
    EXPECT(d.bytes_copied >= kOutputs * 4, "bytes_copied %llu, want at least the sums' %u", u(d.bytes_copied), kOutputs * 4);
    if (expect_deferred) {
      EXPECT(d.bytes_deferred >= input_bytes, "bytes_deferred %llu, want >= %llu (the input)", u(d.bytes_deferred),
             u(input_bytes));
      EXPECT(d.bytes_copied < input_bytes, "bytes_copied %llu: the input (%llu) was copied at capture time",
             u(d.bytes_copied), u(input_bytes));
      EXPECT(d.cows >= 1, "cows %llu", u(d.cows));
      if (k.cause >= 0) {
        EXPECT(d.resolved_by[k.cause] >= 1, "resolved_by[%s] %llu, want >= 1", kCauses[k.cause], u(d.resolved_by[k.cause]));
        EXPECT(d.bytes_resolved >= input_bytes, "bytes_resolved %llu, want >= %llu", u(d.bytes_resolved), u(input_bytes));
        EXPECT(d.cows_resolved == d.resolved_by[k.cause], "cows_resolved %llu, of which by %s %llu: other causes too",
               u(d.cows_resolved), kCauses[k.cause], u(d.resolved_by[k.cause]));
        if (k.timeline)  // batch 1 runs before the hooked batch: only batch 3 may resolve
          EXPECT(d.cows_resolved == 1 && d.resolved_by[k.cause] == 1, "cows_resolved %llu, resolved_by[%s] %llu, want 1",
                 u(d.cows_resolved), kCauses[k.cause], u(d.resolved_by[k.cause]));
      } else {
        EXPECT(d.cows_resolved == 0, "cows_resolved %llu, want 0 (nothing wrote the input)", u(d.cows_resolved));
        EXPECT(d.bytes_delivered >= input_bytes, "bytes_delivered %llu, want >= %llu", u(d.bytes_delivered), u(input_bytes));
      }
      // Once the capture is handed out every deferred byte went one way or the other.
      EXPECT(d.bytes_resolved + d.bytes_delivered == d.bytes_deferred, "resolved %llu + delivered %llu != deferred %llu",
             u(d.bytes_resolved), u(d.bytes_delivered), u(d.bytes_deferred));
    } else {
      if (!cow_on) EXPECT(d.bytes_deferred == 0, "bytes_deferred %llu with copy-on-write off", u(d.bytes_deferred));
      else EXPECT(d.bytes_deferred < input_bytes, "bytes_deferred %llu: the mapped input was deferred", u(d.bytes_deferred));
      EXPECT(d.bytes_copied >= input_bytes + kOutputs * 4, "bytes_copied %llu, want >= %llu (input and sums)",
             u(d.bytes_copied), u(input_bytes + kOutputs * 4));
      EXPECT(d.cows_resolved == 0, "cows_resolved %llu", u(d.cows_resolved));
    }
  }

  // The program still sees what it wrote: a fresh read of the input gives the final content's sums.
  if (in.buffer || tex.image) {
    if (k.name == "layout") write_image(gpu, reader.set, 0, input_type, sampler, tex.view, VK_IMAGE_LAYOUT_GENERAL);
    VkCommandBuffer cb = record_read(check_sums);
    submit(gpu, gpu.queue, cb, VK_NULL_HANDLE);
    VKCHECK(vkQueueWaitIdle(gpu.queue));
    vkFreeCommandBuffers(gpu.device, gpu.pool, 1, &cb);
    const std::vector<uint32_t> want = sums_of(final_content);
    EXPECT(std::memcmp(check_sums.mapped, want.data(), kOutputs * 4) == 0, "the input after the case: %s",
           first_difference(check_sums.mapped, want).c_str());
  }

  for (VkFence f : fences) vkDestroyFence(gpu.device, f, nullptr);
  if (timeline) vkDestroySemaphore(gpu.device, timeline, nullptr);
  destroy(gpu, reader);
  if (writer.pipeline) destroy(gpu, writer);
  if (framebuffer) vkDestroyFramebuffer(gpu.device, framebuffer, nullptr);
  if (render_pass) vkDestroyRenderPass(gpu.device, render_pass, nullptr);
  if (sampler) vkDestroySampler(gpu.device, sampler, nullptr);
  if (tex.image) gpu.destroy(tex);
  if (alias_memory) {
    vkDestroyBuffer(gpu.device, in.buffer, nullptr);
    vkDestroyBuffer(gpu.device, alias.buffer, nullptr);
    vkFreeMemory(gpu.device, alias_memory, nullptr);
  } else if (in.buffer) {
    gpu.destroy(in);
  }
  gpu.destroy(source);
  gpu.destroy(sums);
  gpu.destroy(check_sums);
  std::printf("cow %s: %s%s %s\n", k.name.c_str(), g_failures || g_validation_messages ? "FAILED" : "ok",
              use_api ? "" : " (without the layer)", use_api ? show(d).c_str() : "");
  return 0;
}

// draw_static: the hooked command is a draw whose fragment shader samples the texture (in
// SHADER_READ_ONLY_OPTIMAL, as draws do) into a small target of its own; nothing writes the texture again.
int run_draw_case(const Case& k, bool without_layer) {
  constexpr uint32_t kTarget = 32, kStride = kSide / kTarget;
  constexpr VkDeviceSize kTargetBytes = kTarget * kTarget * 4;
  constexpr uint32_t kClearWord = 0x01020304u;
  const VkFormat format = VK_FORMAT_R8G8B8A8_UNORM;
  Gpu gpu;
  if (!without_layer && !gpu.has_api) {
    std::fprintf(stderr, "the kiln capture layer (with kilnGetCaptureStats) is not loaded\n");
    return 1;
  }
  const bool use_api = gpu.has_api && !without_layer;
  const uint32_t words = kSide * kSide;
  const VkDeviceSize input_bytes = VkDeviceSize(words) * 4;
  const std::vector<uint32_t> p0 = pattern(kSeed0, words);
  std::vector<uint32_t> want_target(kTarget * kTarget);
  for (uint32_t y = 0; y < kTarget; ++y)
    for (uint32_t x = 0; x < kTarget; ++x) want_target[y * kTarget + x] = p0[y * kStride * kSide + x * kStride];
  const std::vector<uint32_t> cleared = constant(kClearWord, kTarget * kTarget);

  Image tex = input_texture(gpu, p0, VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL, 0);
  VkSampler sampler = nearest_sampler(gpu);
  Image target = gpu.image(format, {kTarget, kTarget}, VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT);
  gpu.name(VK_OBJECT_TYPE_IMAGE, (uint64_t)target.image, "cow_target");
  Buffer readback = gpu.buffer(kTargetBytes, VK_BUFFER_USAGE_TRANSFER_DST_BIT);

  Pipeline p;
  VkDescriptorSetLayoutBinding binding{0, VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, 1, VK_SHADER_STAGE_FRAGMENT_BIT, nullptr};
  VkDescriptorSetLayoutCreateInfo li{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO};
  li.bindingCount = 1;
  li.pBindings = &binding;
  VKCHECK(vkCreateDescriptorSetLayout(gpu.device, &li, nullptr, &p.set_layout));
  VkPushConstantRange push{VK_SHADER_STAGE_FRAGMENT_BIT, 0, 4};
  VkPipelineLayoutCreateInfo pli{VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
  pli.setLayoutCount = 1;
  pli.pSetLayouts = &p.set_layout;
  pli.pushConstantRangeCount = 1;
  pli.pPushConstantRanges = &push;
  VKCHECK(vkCreatePipelineLayout(gpu.device, &pli, nullptr, &p.layout));
  VkShaderModule vs = gpu.shader(cow_draw_vert, sizeof(cow_draw_vert));
  p.module = gpu.shader(cow_draw_frag, sizeof(cow_draw_frag));
  VkPipelineShaderStageCreateInfo stages[2] = {
      {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO, nullptr, 0, VK_SHADER_STAGE_VERTEX_BIT, vs, "main", nullptr},
      {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO, nullptr, 0, VK_SHADER_STAGE_FRAGMENT_BIT, p.module, "main",
       nullptr}};
  VkPipelineVertexInputStateCreateInfo vi{VK_STRUCTURE_TYPE_PIPELINE_VERTEX_INPUT_STATE_CREATE_INFO};
  VkPipelineInputAssemblyStateCreateInfo ia{VK_STRUCTURE_TYPE_PIPELINE_INPUT_ASSEMBLY_STATE_CREATE_INFO};
  ia.topology = VK_PRIMITIVE_TOPOLOGY_TRIANGLE_LIST;
  VkViewport viewport{0, 0, float(kTarget), float(kTarget), 0, 1};
  VkRect2D scissor{{0, 0}, {kTarget, kTarget}};
  VkPipelineViewportStateCreateInfo vps{VK_STRUCTURE_TYPE_PIPELINE_VIEWPORT_STATE_CREATE_INFO};
  vps.viewportCount = vps.scissorCount = 1;
  vps.pViewports = &viewport;
  vps.pScissors = &scissor;
  VkPipelineRasterizationStateCreateInfo rs{VK_STRUCTURE_TYPE_PIPELINE_RASTERIZATION_STATE_CREATE_INFO};
  rs.lineWidth = 1;
  VkPipelineMultisampleStateCreateInfo ms{VK_STRUCTURE_TYPE_PIPELINE_MULTISAMPLE_STATE_CREATE_INFO};
  ms.rasterizationSamples = VK_SAMPLE_COUNT_1_BIT;
  VkPipelineColorBlendAttachmentState blend{};
  blend.colorWriteMask = 0xf;
  VkPipelineColorBlendStateCreateInfo cbs{VK_STRUCTURE_TYPE_PIPELINE_COLOR_BLEND_STATE_CREATE_INFO};
  cbs.attachmentCount = 1;
  cbs.pAttachments = &blend;
  VkPipelineRenderingCreateInfo rinfo{VK_STRUCTURE_TYPE_PIPELINE_RENDERING_CREATE_INFO};
  rinfo.colorAttachmentCount = 1;
  rinfo.pColorAttachmentFormats = &format;
  VkGraphicsPipelineCreateInfo gci{VK_STRUCTURE_TYPE_GRAPHICS_PIPELINE_CREATE_INFO};
  gci.pNext = &rinfo;
  gci.stageCount = 2;
  gci.pStages = stages;
  gci.pVertexInputState = &vi;
  gci.pInputAssemblyState = &ia;
  gci.pViewportState = &vps;
  gci.pRasterizationState = &rs;
  gci.pMultisampleState = &ms;
  gci.pColorBlendState = &cbs;
  gci.layout = p.layout;
  VKCHECK(vkCreateGraphicsPipelines(gpu.device, VK_NULL_HANDLE, 1, &gci, nullptr, &p.pipeline));
  gpu.name(VK_OBJECT_TYPE_PIPELINE, (uint64_t)p.pipeline, "cow_draw");
  VkDescriptorPoolSize size{VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, 1};
  VkDescriptorPoolCreateInfo dpi{VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO};
  dpi.maxSets = 1;
  dpi.poolSizeCount = 1;
  dpi.pPoolSizes = &size;
  VKCHECK(vkCreateDescriptorPool(gpu.device, &dpi, nullptr, &p.pool));
  VkDescriptorSetAllocateInfo ai{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO};
  ai.descriptorPool = p.pool;
  ai.descriptorSetCount = 1;
  ai.pSetLayouts = &p.set_layout;
  VKCHECK(vkAllocateDescriptorSets(gpu.device, &ai, &p.set));
  write_image(gpu, p.set, 0, VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, sampler, tex.view,
              VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL);

  KilnCaptureStats stats0{};
  if (use_api) {
    VKCHECK(gpu.api.get_stats(gpu.device, &stats0));
    VKCHECK(gpu.api.capture_next(gpu.device, "draw", KILN_CAPTURE_BOTH));
  }
  // One submission: clear the target, draw, copy the target out for the program's own check.
  VkCommandBuffer cb = gpu.command_buffer();
  VkCommandBufferBeginInfo bi{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
  bi.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
  VKCHECK(vkBeginCommandBuffer(cb, &bi));
  memory_barrier(cb);
  transition(cb, target.image, VK_IMAGE_LAYOUT_UNDEFINED, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL);
  VkRenderingAttachmentInfo color{VK_STRUCTURE_TYPE_RENDERING_ATTACHMENT_INFO};
  color.imageView = target.view;
  color.imageLayout = VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL;
  color.loadOp = VK_ATTACHMENT_LOAD_OP_CLEAR;
  color.storeOp = VK_ATTACHMENT_STORE_OP_STORE;
  color.clearValue.color = clear_color(kClearWord);
  VkRenderingInfo ri{VK_STRUCTURE_TYPE_RENDERING_INFO};
  ri.renderArea = scissor;
  ri.layerCount = 1;
  ri.colorAttachmentCount = 1;
  ri.pColorAttachments = &color;
  vkCmdBeginRendering(cb, &ri);
  vkCmdBindPipeline(cb, VK_PIPELINE_BIND_POINT_GRAPHICS, p.pipeline);
  vkCmdBindDescriptorSets(cb, VK_PIPELINE_BIND_POINT_GRAPHICS, p.layout, 0, 1, &p.set, 0, nullptr);
  const int32_t stride = int32_t(kStride);
  vkCmdPushConstants(cb, p.layout, VK_SHADER_STAGE_FRAGMENT_BIT, 0, 4, &stride);
  vkCmdDraw(cb, 3, 1, 0, 0);
  vkCmdEndRendering(cb);
  transition(cb, target.image, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL);
  VkBufferImageCopy r{};
  r.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
  r.imageExtent = {kTarget, kTarget, 1};
  vkCmdCopyImageToBuffer(cb, target.image, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, readback.buffer, 1, &r);
  VkMemoryBarrier host{VK_STRUCTURE_TYPE_MEMORY_BARRIER, nullptr, VK_ACCESS_TRANSFER_WRITE_BIT, VK_ACCESS_HOST_READ_BIT};
  vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &host, 0, nullptr, 0, nullptr);
  VKCHECK(vkEndCommandBuffer(cb));
  VkFence fence;
  VkFenceCreateInfo fi{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
  VKCHECK(vkCreateFence(gpu.device, &fi, nullptr, &fence));
  submit(gpu, gpu.queue, cb, fence);
  VKCHECK(vkWaitForFences(gpu.device, 1, &fence, VK_TRUE, UINT64_MAX));
  vkFreeCommandBuffers(gpu.device, gpu.pool, 1, &cb);

  // The program's own result: the target holds the sampled texels.
  EXPECT(std::memcmp(readback.mapped, want_target.data(), kTargetBytes) == 0, "the draw's target: %s",
         first_difference(readback.mapped, want_target).c_str());

  KilnCaptureStats d{};
  if (use_api) {
    const KilnCapture* c = take_capture(gpu);
    if (c) {
      const KilnCaptureResource* t = find(c, "descriptor", 0);
      const KilnCaptureResource* o = find(c, "color_attachment", 0);
      if (t) {
        EXPECT(!t->written, "the texture is marked written");
        EXPECT(t->is_image, "the texture is not an image");
        EXPECT(t->before || t->after, "the texture was captured on neither side");
        if (t->before)
          EXPECT(t->before_size == input_bytes && std::memcmp(t->before, p0.data(), input_bytes) == 0,
                 "texture before (%llu bytes): %s", (unsigned long long)t->before_size,
                 t->before_size == input_bytes ? first_difference(t->before, p0).c_str() : "wrong size");
        if (t->after)
          EXPECT(t->after_size == input_bytes && std::memcmp(t->after, p0.data(), input_bytes) == 0,
                 "texture after (%llu bytes): %s", (unsigned long long)t->after_size,
                 t->after_size == input_bytes ? first_difference(t->after, p0).c_str() : "wrong size");
      }
      if (o) {
        EXPECT(o->written, "the target is not marked written");
        EXPECT(o->after && o->after_size == kTargetBytes && std::memcmp(o->after, want_target.data(), kTargetBytes) == 0,
               "target after: %s", o->after && o->after_size == kTargetBytes ? first_difference(o->after, want_target).c_str()
                                                                               : "missing or wrong size");
        EXPECT(o->before && o->before_size == kTargetBytes && std::memcmp(o->before, cleared.data(), kTargetBytes) == 0,
               "target before: %s", o->before && o->before_size == kTargetBytes ? first_difference(o->before, cleared).c_str()
                                                                                 : "missing or wrong size");
      }
      gpu.api.free_capture(gpu.device, c);
    }
    KilnCaptureStats stats1{};
    VKCHECK(gpu.api.get_stats(gpu.device, &stats1));
    d = delta(stats0, stats1);
    auto u = [](uint64_t v) { return (unsigned long long)v; };
    EXPECT(d.captures == 1, "captures %llu", u(d.captures));
    EXPECT(d.bytes_copied >= kTargetBytes, "bytes_copied %llu, want at least the target's %llu", u(d.bytes_copied),
           u(kTargetBytes));
    EXPECT(d.bytes_copied < input_bytes, "bytes_copied %llu: the texture (%llu) was copied at capture time",
           u(d.bytes_copied), u(input_bytes));
    EXPECT(d.bytes_deferred >= input_bytes, "bytes_deferred %llu, want >= %llu (the texture)", u(d.bytes_deferred),
           u(input_bytes));
    EXPECT(d.cows >= 1, "cows %llu", u(d.cows));
    EXPECT(d.cows_resolved == 0 && d.bytes_resolved == 0, "cows_resolved %llu (%llu bytes), want 0 (nothing wrote the texture)",
           u(d.cows_resolved), u(d.bytes_resolved));
    EXPECT(d.bytes_delivered >= input_bytes, "bytes_delivered %llu, want >= %llu", u(d.bytes_delivered), u(input_bytes));
    EXPECT(d.bytes_resolved + d.bytes_delivered == d.bytes_deferred, "resolved %llu + delivered %llu != deferred %llu",
           u(d.bytes_resolved), u(d.bytes_delivered), u(d.bytes_deferred));
  }

  vkDestroyFence(gpu.device, fence, nullptr);
  vkDestroyShaderModule(gpu.device, vs, nullptr);
  destroy(gpu, p);
  vkDestroySampler(gpu.device, sampler, nullptr);
  gpu.destroy(tex);
  gpu.destroy(target);
  gpu.destroy(readback);
  std::printf("cow %s: %s%s %s\n", k.name.c_str(), g_failures || g_validation_messages ? "FAILED" : "ok",
              use_api ? "" : " (without the layer)", use_api ? show(d).c_str() : "");
  return 0;
}

// mips_layers / mips_layers_off: a 2D array texture, kArrayMips levels x kArrayLayers layers, each
// subresource holding its own pattern, sampled through one 2D_ARRAY view over all of them; the hooked
// dispatch reads every texel of every subresource. The layer captures each (mip, layer) as its own resource.
constexpr uint32_t kArraySide = 16, kArrayMips = 3, kArrayLayers = 2;
constexpr uint32_t kSubresources = kArrayMips * kArrayLayers;

uint32_t sub_side(uint32_t mip) { return kArraySide >> mip; }
std::vector<uint32_t> sub_pattern(uint32_t mip, uint32_t layer) {
  return pattern(kSeed1 + 0x100u * (mip * kArrayLayers + layer + 1), sub_side(mip) * sub_side(mip));
}
// What cow_read_array.comp writes for one subresource.
uint32_t weighted_sum(const std::vector<uint32_t>& texels) {
  uint32_t s = 0;
  for (uint32_t i = 0; i < texels.size(); ++i) s += texels[i] * (i + 1);
  return s;
}

int run_mips_case(const Case& k, bool without_layer) {
  Gpu gpu;
  if (!without_layer && !gpu.has_api) {
    std::fprintf(stderr, "the kiln capture layer (with kilnGetCaptureStats) is not loaded\n");
    return 1;
  }
  const bool use_api = gpu.has_api && !without_layer;
  const char* env_cow = std::getenv("KILN_CAPTURE_COW");
  const bool cow_on = !k.off && !(env_cow && std::string(env_cow) == "off");
  const char* env_out = std::getenv("KILN_CAPTURE_OUT");
  const bool expect_folder = env_out && *env_out;

  // Every subresource's pattern, back to back in one upload (mip-major, as the shader numbers them).
  std::vector<std::vector<uint32_t>> want(kSubresources);
  std::vector<uint32_t> all;
  std::vector<uint32_t> want_sums(kSubresources);
  for (uint32_t m = 0; m < kArrayMips; ++m)
    for (uint32_t l = 0; l < kArrayLayers; ++l) {
      const uint32_t s = m * kArrayLayers + l;
      want[s] = sub_pattern(m, l);
      want_sums[s] = weighted_sum(want[s]);
      all.insert(all.end(), want[s].begin(), want[s].end());
    }
  const VkDeviceSize texture_bytes = VkDeviceSize(all.size()) * 4;
  const VkDeviceSize sums_bytes = kSubresources * 4;

  Image tex;
  tex.format = VK_FORMAT_R8G8B8A8_UNORM;
  tex.extent = {kArraySide, kArraySide};
  VkImageCreateInfo ci{VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO};
  ci.imageType = VK_IMAGE_TYPE_2D;
  ci.format = tex.format;
  ci.extent = {kArraySide, kArraySide, 1};
  ci.mipLevels = kArrayMips;
  ci.arrayLayers = kArrayLayers;
  ci.samples = VK_SAMPLE_COUNT_1_BIT;
  ci.tiling = VK_IMAGE_TILING_OPTIMAL;
  ci.usage = VK_IMAGE_USAGE_SAMPLED_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT;
  VKCHECK(vkCreateImage(gpu.device, &ci, nullptr, &tex.image));
  VkMemoryRequirements req;
  vkGetImageMemoryRequirements(gpu.device, tex.image, &req);
  VkMemoryAllocateInfo mai{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
  mai.allocationSize = req.size;
  mai.memoryTypeIndex = gpu.memory_type(req.memoryTypeBits, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT);
  VKCHECK(vkAllocateMemory(gpu.device, &mai, nullptr, &tex.memory));
  VKCHECK(vkBindImageMemory(gpu.device, tex.image, tex.memory, 0));
  const VkImageSubresourceRange whole{VK_IMAGE_ASPECT_COLOR_BIT, 0, kArrayMips, 0, kArrayLayers};
  VkImageViewCreateInfo vci{VK_STRUCTURE_TYPE_IMAGE_VIEW_CREATE_INFO};
  vci.image = tex.image;
  vci.viewType = VK_IMAGE_VIEW_TYPE_2D_ARRAY;
  vci.format = tex.format;
  vci.subresourceRange = whole;
  VKCHECK(vkCreateImageView(gpu.device, &vci, nullptr, &tex.view));
  gpu.name(VK_OBJECT_TYPE_IMAGE, (uint64_t)tex.image, "cow_array");

  Buffer upload = gpu.buffer(texture_bytes, VK_BUFFER_USAGE_TRANSFER_SRC_BIT, all.data());
  gpu.run([&](VkCommandBuffer cb) {
    VkImageMemoryBarrier b{VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER};
    b.dstAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
    b.oldLayout = VK_IMAGE_LAYOUT_UNDEFINED;
    b.newLayout = VK_IMAGE_LAYOUT_GENERAL;
    b.srcQueueFamilyIndex = b.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
    b.image = tex.image;
    b.subresourceRange = whole;  // transition() covers mip 0, layer 0 only
    vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT, 0, 0, nullptr, 0, nullptr,
                         1, &b);
    VkDeviceSize offset = 0;
    for (uint32_t m = 0; m < kArrayMips; ++m)
      for (uint32_t l = 0; l < kArrayLayers; ++l) {
        VkBufferImageCopy r{};
        r.bufferOffset = offset;
        r.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, m, l, 1};
        r.imageExtent = {sub_side(m), sub_side(m), 1};
        vkCmdCopyBufferToImage(cb, upload.buffer, tex.image, VK_IMAGE_LAYOUT_GENERAL, 1, &r);
        offset += VkDeviceSize(sub_side(m)) * sub_side(m) * 4;
      }
    memory_barrier(cb);
  });
  gpu.destroy(upload);

  VkSampler sampler = nearest_sampler(gpu);
  Buffer sums = gpu.buffer(sums_bytes, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT);
  gpu.name(VK_OBJECT_TYPE_BUFFER, (uint64_t)sums.buffer, "cow_sums");
  Pipeline reader = make_pipeline(gpu, cow_read_array_comp, sizeof(cow_read_array_comp),
                                  {VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER}, 12,
                                  "cow_read_array");
  write_image(gpu, reader.set, 0, VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, sampler, tex.view);
  write_buffer(gpu, reader.set, 1, sums.buffer);

  KilnCaptureStats stats0{};
  if (use_api) {
    VKCHECK(gpu.api.get_stats(gpu.device, &stats0));
    if (k.off) VKCHECK(gpu.api.set_copy_on_write(gpu.device, VK_FALSE));
    VKCHECK(gpu.api.capture_next(gpu.device, "dispatch", KILN_CAPTURE_BOTH));
  }
  VkCommandBuffer cb = gpu.command_buffer();  // begun after the request
  VkCommandBufferBeginInfo bi{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
  bi.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
  VKCHECK(vkBeginCommandBuffer(cb, &bi));
  memory_barrier(cb);
  vkCmdBindPipeline(cb, VK_PIPELINE_BIND_POINT_COMPUTE, reader.pipeline);
  vkCmdBindDescriptorSets(cb, VK_PIPELINE_BIND_POINT_COMPUTE, reader.layout, 0, 1, &reader.set, 0, nullptr);
  const uint32_t push[3] = {kArrayMips, kArrayLayers, kArraySide};
  vkCmdPushConstants(cb, reader.layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof push, push);
  vkCmdDispatch(cb, 1, 1, 1);
  VkMemoryBarrier host{VK_STRUCTURE_TYPE_MEMORY_BARRIER, nullptr, VK_ACCESS_SHADER_WRITE_BIT, VK_ACCESS_HOST_READ_BIT};
  vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &host, 0, nullptr, 0,
                       nullptr);
  VKCHECK(vkEndCommandBuffer(cb));
  VkFence fence;
  VkFenceCreateInfo fi{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
  VKCHECK(vkCreateFence(gpu.device, &fi, nullptr, &fence));
  submit(gpu, gpu.queue, cb, fence);
  VKCHECK(vkWaitForFences(gpu.device, 1, &fence, VK_TRUE, UINT64_MAX));
  vkFreeCommandBuffers(gpu.device, gpu.pool, 1, &cb);

  // The program's own result: the dispatch read every subresource.
  EXPECT(std::memcmp(sums.mapped, want_sums.data(), sums_bytes) == 0, "the dispatch's sums: %s",
         first_difference(sums.mapped, want_sums).c_str());

  KilnCaptureStats d{};
  if (use_api) {
    const KilnCapture* c = take_capture(gpu);
    if (c) {
      // Every resource of binding 0: one per (mip, layer), in any order.
      bool seen[kArrayMips][kArrayLayers] = {};
      uint32_t count = 0;
      for (uint32_t i = 0; i < c->resource_count; ++i) {
        const KilnCaptureResource& r = c->resources[i];
        if (std::strcmp(r.role, "descriptor") != 0 || r.set != 0 || r.binding != 0) continue;
        ++count;
        EXPECT(r.is_image && !r.written, "resource %u: is_image %u, written %u", i, r.is_image, r.written);
        EXPECT(r.handle == (uint64_t)tex.image, "resource %u: handle 0x%llx is not the texture", i,
               (unsigned long long)r.handle);
        if (r.mip >= kArrayMips || r.layer >= kArrayLayers) {
          EXPECT(false, "resource %u: mip %u layer %u, out of the view's range", i, r.mip, r.layer);
          continue;
        }
        EXPECT(!seen[r.mip][r.layer], "mip %u layer %u captured twice", r.mip, r.layer);
        seen[r.mip][r.layer] = true;
        const uint32_t side = sub_side(r.mip);
        EXPECT(r.format == tex.format, "mip %u layer %u: format %d", r.mip, r.layer, int(r.format));
        EXPECT(r.extent.width == side && r.extent.height == side && r.extent.depth == 1,
               "mip %u layer %u: extent %ux%ux%u, want %ux%ux1", r.mip, r.layer, r.extent.width, r.extent.height,
               r.extent.depth, side, side);
        const std::vector<uint32_t>& p = want[r.mip * kArrayLayers + r.layer];
        const uint64_t bytes = uint64_t(p.size()) * 4;
        EXPECT(r.before && r.before_size == bytes && std::memcmp(r.before, p.data(), bytes) == 0,
               "mip %u layer %u before (%llu bytes, want %llu): %s", r.mip, r.layer, (unsigned long long)r.before_size,
               (unsigned long long)bytes, r.before && r.before_size == bytes ? first_difference(r.before, p).c_str()
                                                                            : "missing or wrong size");
        EXPECT(r.after && r.after_size == bytes && std::memcmp(r.after, p.data(), bytes) == 0,
               "mip %u layer %u after (%llu bytes, want %llu): %s", r.mip, r.layer, (unsigned long long)r.after_size,
               (unsigned long long)bytes, r.after && r.after_size == bytes ? first_difference(r.after, p).c_str()
                                                                          : "missing or wrong size");
      }
      EXPECT(count == kSubresources, "%u image resources for the texture's binding, want %u (mips x layers)", count,
             kSubresources);
      for (uint32_t m = 0; m < kArrayMips; ++m)
        for (uint32_t l = 0; l < kArrayLayers; ++l) EXPECT(seen[m][l], "mip %u layer %u not captured", m, l);
      const KilnCaptureResource* o = find(c, "descriptor", 1);
      if (o)
        EXPECT(o->written && o->after && o->after_size == sums_bytes && std::memcmp(o->after, want_sums.data(), sums_bytes) == 0,
               "sums after: %s", o->after && o->after_size == sums_bytes ? first_difference(o->after, want_sums).c_str()
                                                                         : "missing or wrong size");

      // The folder: one file a subresource on each side, _mip<M> / _layer<L> past mip 0 / layer 0.
      if (expect_folder) {
        EXPECT(c->folder && *c->folder, "KILN_CAPTURE_OUT is set but the capture names no folder");
        if (c->folder && *c->folder) {
          namespace fs = std::filesystem;
          bool mip1 = false, layer1 = false;
          for (const char* side : {"before", "after"}) {
            std::vector<std::string> names;
            std::error_code ec;
            for (const fs::directory_entry& e : fs::directory_iterator(fs::path(c->folder) / side, ec))
              if (e.path().filename().string().rfind("set0_binding0", 0) == 0) names.push_back(e.path().filename().string());
            std::sort(names.begin(), names.end());
            std::string listed;
            for (const std::string& n : names) listed += " " + n;
            for (uint32_t m = 0; m < kArrayMips; ++m)
              for (uint32_t l = 0; l < kArrayLayers; ++l) {
                std::string want_name = "set0_binding0_tex";
                if (m) want_name += "_mip" + std::to_string(m);
                if (l) want_name += "_layer" + std::to_string(l);
                want_name += ".png";
                EXPECT(std::find(names.begin(), names.end(), want_name) != names.end(), "%s/%s/%s missing (has:%s)",
                       c->folder, side, want_name.c_str(), listed.c_str());
              }
            EXPECT(names.size() == kSubresources, "%s/%s: %zu files for binding 0, want %u:%s", c->folder, side,
                   names.size(), kSubresources, listed.c_str());
            for (const std::string& n : names) {
              mip1 |= n.find("_mip1") != std::string::npos;
              layer1 |= n.find("_layer1") != std::string::npos;
            }
          }
          EXPECT(mip1 && layer1, "no _mip1 (%d) or no _layer1 (%d) file in %s", int(mip1), int(layer1), c->folder);
          std::printf("cow %s: folder %s holds the %u subresources' files on each side\n", k.name.c_str(), c->folder,
                      kSubresources);
        }
      }
      if (g_failures) dump(c);
      gpu.api.free_capture(gpu.device, c);
    }
    KilnCaptureStats stats1{};
    VKCHECK(gpu.api.get_stats(gpu.device, &stats1));
    d = delta(stats0, stats1);
    auto u = [](uint64_t v) { return (unsigned long long)v; };
    EXPECT(d.captures == 1, "captures %llu", u(d.captures));
    EXPECT(d.cows_resolved == 0 && d.bytes_resolved == 0, "cows_resolved %llu (%llu bytes), want 0 (nothing wrote the texture)",
           u(d.cows_resolved), u(d.bytes_resolved));
    if (cow_on) {
      EXPECT(d.bytes_deferred >= texture_bytes, "bytes_deferred %llu, want >= %llu (all subresources)", u(d.bytes_deferred),
             u(texture_bytes));
      EXPECT(d.cows == kSubresources, "cows %llu, want %u (one a subresource)", u(d.cows), kSubresources);
      EXPECT(d.bytes_copied >= sums_bytes && d.bytes_copied < texture_bytes,
             "bytes_copied %llu, want the sums' (%llu) and not the texture (%llu)", u(d.bytes_copied), u(sums_bytes),
             u(texture_bytes));
      EXPECT(d.bytes_delivered >= texture_bytes, "bytes_delivered %llu, want >= %llu", u(d.bytes_delivered),
             u(texture_bytes));
      EXPECT(d.bytes_resolved + d.bytes_delivered == d.bytes_deferred, "resolved %llu + delivered %llu != deferred %llu",
             u(d.bytes_resolved), u(d.bytes_delivered), u(d.bytes_deferred));
    } else {
      EXPECT(d.bytes_deferred == 0, "bytes_deferred %llu with copy-on-write off", u(d.bytes_deferred));
      EXPECT(d.cows == 0, "cows %llu with copy-on-write off", u(d.cows));
      EXPECT(d.bytes_copied >= texture_bytes + sums_bytes, "bytes_copied %llu, want >= %llu (texture and sums)",
             u(d.bytes_copied), u(texture_bytes + sums_bytes));
    }
  }

  vkDestroyFence(gpu.device, fence, nullptr);
  destroy(gpu, reader);
  vkDestroySampler(gpu.device, sampler, nullptr);
  gpu.destroy(tex);
  gpu.destroy(sums);
  std::printf("cow %s: %s%s %s\n", k.name.c_str(), g_failures || g_validation_messages ? "FAILED" : "ok",
              use_api ? "" : " (without the layer)", use_api ? show(d).c_str() : "");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string name;
  bool without_layer = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--case" && i + 1 < argc) name = argv[++i];
    without_layer |= a == "--without-layer";
  }
  Case k;
  if (!known_case(name, k)) {
    std::fprintf(stderr, "usage: layer_cow --case NAME [--without-layer] (see the file's head for the cases)\n");
    return 2;
  }
  if ((k.mips ? run_mips_case(k, without_layer) : k.draw ? run_draw_case(k, without_layer) : run_case(k, without_layer)))
    return 1;
  return result();
}
