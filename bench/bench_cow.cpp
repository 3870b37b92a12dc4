// Copy-on-write captures, in one run: a frame whose dispatch reads a large static buffer (1 GiB) and a
// large static texture (256 MiB), captured every frame through the C API of kiln/capture.h, three ways:
//   plain: no capture (the baseline)
//   cow:   captured with copy-on-write (the default): nothing copied for the untouched resources
//   copy:  captured with copy-on-write off (kilnSetCopyOnWrite(VK_FALSE)): both copied every frame
// Plain and cow frames alternate (same clocks, same gaps); copy frames run after them.
// For each: GPU time per frame (the program's timestamps at the start and end of its command buffer:
// the layer's copies land between them), wall time per frame (record + submit + wait), and the bytes
// the layer copied per frame (kilnGetCaptureStats: bytes_copied + bytes_resolved). The last cow capture
// is then handed out and checked against the known content (its bytes read from the untouched
// resources at that moment: bytes_delivered).
//   ratio = cow_gpu_ms / plain_gpu_ms   goal <= 1.01, with cow_bytes_per_frame ~ 0 (only what the dispatch writes)
//
//   bench_cow [frames] [buffer MiB] [texture MiB] [both|before|after]
//     defaults: 20, 1024, 256, both (16, 64, 16 on a CPU device)
// One JSON line.
#include <vulkan/vulkan.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "bench_util.h"
#include "kiln/capture.h"
#include "kiln/shader.h"

namespace {

// Every word of the buffer and every texel of the texture read once per frame, summed per workgroup.
const char* kShader = R"(#version 450
#extension GL_EXT_samplerless_texture_functions : require
layout(local_size_x = 256) in;
layout(set = 0, binding = 0) readonly buffer Big { uint v[]; } big;
layout(set = 0, binding = 1) uniform texture2D tex;
layout(set = 0, binding = 2) buffer Out { uint o[]; } out_;
void main() {
  uint n = gl_NumWorkGroups.x * 256u, i = gl_GlobalInvocationID.x;
  uint words = uint(big.v.length()), acc = 0u;
  for (uint k = i; k < words; k += n) acc += big.v[k];
  ivec2 size = textureSize(tex, 0);
  uint texels = uint(size.x * size.y);
  for (uint k = i; k < texels; k += n) acc += uint(texelFetch(tex, ivec2(k % uint(size.x), k / uint(size.x)), 0).y * 255.0);
  atomicAdd(out_.o[gl_WorkGroupID.x], acc);
}
)";

constexpr uint32_t kGroups = 1024;

void check(VkResult r, const char* what) {
  if (r != VK_SUCCESS) {
    std::fprintf(stderr, "bench_cow: %s failed: %d\n", what, int(r));
    std::exit(1);
  }
}

std::string layers_dir() {
  std::error_code ec;
  std::filesystem::path exe = std::filesystem::canonical("/proc/self/exe", ec);
  return (exe.parent_path().parent_path() / "layers").string();
}

struct Gpu {
  VkInstance instance = VK_NULL_HANDLE;
  VkPhysicalDevice physical = VK_NULL_HANDLE;
  VkDevice device = VK_NULL_HANDLE;
  VkQueue queue = VK_NULL_HANDLE;
  VkPhysicalDeviceProperties props{};
  VkPhysicalDeviceMemoryProperties mem{};
  KilnCaptureApi api{};

  Gpu() {
    VkApplicationInfo app{VK_STRUCTURE_TYPE_APPLICATION_INFO};
    app.apiVersion = VK_API_VERSION_1_2;
    const char* layer = "VK_LAYER_KILN_capture";
    VkInstanceCreateInfo ii{VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO};
    ii.pApplicationInfo = &app;
    ii.enabledLayerCount = 1;
    ii.ppEnabledLayerNames = &layer;
    check(vkCreateInstance(&ii, nullptr, &instance), "vkCreateInstance (with VK_LAYER_KILN_capture)");
    uint32_t n = 1;
    vkEnumeratePhysicalDevices(instance, &n, &physical);
    vkGetPhysicalDeviceProperties(physical, &props);
    vkGetPhysicalDeviceMemoryProperties(physical, &mem);
    float prio = 1;
    VkDeviceQueueCreateInfo qi{VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO};
    qi.queueCount = 1;
    qi.pQueuePriorities = &prio;
    VkDeviceCreateInfo di{VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO};
    di.queueCreateInfoCount = 1;
    di.pQueueCreateInfos = &qi;
    check(vkCreateDevice(physical, &di, nullptr, &device), "vkCreateDevice");
    vkGetDeviceQueue(device, 0, 0, &queue);
    check(kiln_capture_load(vkGetDeviceProcAddr, device, &api), "kiln_capture_load (is the layer built?)");
  }

  VkDeviceMemory memory(const VkMemoryRequirements& req, VkMemoryPropertyFlags want) {
    uint32_t type = UINT32_MAX;
    for (uint32_t i = 0; i < mem.memoryTypeCount && type == UINT32_MAX; ++i)
      if ((req.memoryTypeBits & (1u << i)) && (mem.memoryTypes[i].propertyFlags & want) == want) type = i;
    VkMemoryAllocateInfo ai{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
    ai.allocationSize = req.size;
    ai.memoryTypeIndex = type;
    VkDeviceMemory m;
    check(vkAllocateMemory(device, &ai, nullptr, &m), "vkAllocateMemory");
    return m;
  }
  VkBuffer buffer(VkDeviceSize size, VkBufferUsageFlags usage) {
    VkBufferCreateInfo bi{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
    bi.size = size;
    bi.usage = usage;
    VkBuffer b;
    check(vkCreateBuffer(device, &bi, nullptr, &b), "vkCreateBuffer");
    VkMemoryRequirements req;
    vkGetBufferMemoryRequirements(device, b, &req);
    check(vkBindBufferMemory(device, b, memory(req, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT), 0), "vkBindBufferMemory");
    return b;
  }
};

}  // namespace

int main(int argc, char** argv) {
  setenv("VK_ADD_LAYER_PATH", layers_dir().c_str(), 1);
  Gpu gpu;
  const bool cpu = gpu.props.deviceType == VK_PHYSICAL_DEVICE_TYPE_CPU;
  int frames = argc > 1 ? std::atoi(argv[1]) : (cpu ? 16 : 20);
  VkDeviceSize buffer_mib = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : (cpu ? 64 : 1024);
  VkDeviceSize texture_mib = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : (cpu ? 16 : 256);
  // What each capture asks for: both (the default), before or after.
  const std::string when_arg = argc > 4 ? argv[4] : "both";
  const KilnCaptureWhen when = when_arg == "before" ? KILN_CAPTURE_BEFORE : when_arg == "after" ? KILN_CAPTURE_AFTER : KILN_CAPTURE_BOTH;
  const VkDeviceSize big_size = buffer_mib << 20;
  // RGBA8, square-ish: width 4096, height from the size.
  const uint32_t tex_w = 4096, tex_h = uint32_t((texture_mib << 20) / (tex_w * 4));
  VkDevice dev = gpu.device;

  kiln::CompileDesc desc;
  desc.path = "bench_cow.comp";
  desc.source = kShader;
  desc.stage = kiln::ShaderStage::Compute;
  std::vector<uint32_t> spirv = kiln::compile_shader(desc).spirv;

  VkBuffer big = gpu.buffer(big_size, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT);
  VkBuffer out = gpu.buffer(kGroups * 4, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT);
  VkImageCreateInfo ici{VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO};
  ici.imageType = VK_IMAGE_TYPE_2D;
  ici.format = VK_FORMAT_R8G8B8A8_UNORM;
  ici.extent = {tex_w, tex_h, 1};
  ici.mipLevels = ici.arrayLayers = 1;
  ici.samples = VK_SAMPLE_COUNT_1_BIT;
  ici.tiling = VK_IMAGE_TILING_OPTIMAL;
  ici.usage = VK_IMAGE_USAGE_SAMPLED_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT;
  VkImage tex;
  check(vkCreateImage(dev, &ici, nullptr, &tex), "vkCreateImage");
  VkMemoryRequirements ireq;
  vkGetImageMemoryRequirements(dev, tex, &ireq);
  check(vkBindImageMemory(dev, tex, gpu.memory(ireq, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT), 0), "vkBindImageMemory");
  VkImageViewCreateInfo vci{VK_STRUCTURE_TYPE_IMAGE_VIEW_CREATE_INFO};
  vci.image = tex;
  vci.viewType = VK_IMAGE_VIEW_TYPE_2D;
  vci.format = ici.format;
  vci.subresourceRange = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1};
  VkImageView view;
  check(vkCreateImageView(dev, &vci, nullptr, &view), "vkCreateImageView");

  VkDescriptorSetLayoutBinding bs[3] = {{0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1, VK_SHADER_STAGE_COMPUTE_BIT, nullptr},
                                        {1, VK_DESCRIPTOR_TYPE_SAMPLED_IMAGE, 1, VK_SHADER_STAGE_COMPUTE_BIT, nullptr},
                                        {2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1, VK_SHADER_STAGE_COMPUTE_BIT, nullptr}};
  VkDescriptorSetLayoutCreateInfo li{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO};
  li.bindingCount = 3;
  li.pBindings = bs;
  VkDescriptorSetLayout set_layout;
  check(vkCreateDescriptorSetLayout(dev, &li, nullptr, &set_layout), "vkCreateDescriptorSetLayout");
  VkPipelineLayoutCreateInfo pli{VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
  pli.setLayoutCount = 1;
  pli.pSetLayouts = &set_layout;
  VkPipelineLayout layout;
  check(vkCreatePipelineLayout(dev, &pli, nullptr, &layout), "vkCreatePipelineLayout");
  VkShaderModuleCreateInfo smi{VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO};
  smi.codeSize = spirv.size() * 4;
  smi.pCode = spirv.data();
  VkShaderModule module;
  check(vkCreateShaderModule(dev, &smi, nullptr, &module), "vkCreateShaderModule");
  VkComputePipelineCreateInfo cpi{VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO};
  cpi.stage = {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO, nullptr, 0, VK_SHADER_STAGE_COMPUTE_BIT, module, "main", nullptr};
  cpi.layout = layout;
  VkPipeline pipeline;
  check(vkCreateComputePipelines(dev, VK_NULL_HANDLE, 1, &cpi, nullptr, &pipeline), "vkCreateComputePipelines");

  VkDescriptorPoolSize ps[2] = {{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 2}, {VK_DESCRIPTOR_TYPE_SAMPLED_IMAGE, 1}};
  VkDescriptorPoolCreateInfo dpi{VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO};
  dpi.maxSets = 1;
  dpi.poolSizeCount = 2;
  dpi.pPoolSizes = ps;
  VkDescriptorPool dpool;
  check(vkCreateDescriptorPool(dev, &dpi, nullptr, &dpool), "vkCreateDescriptorPool");
  VkDescriptorSetAllocateInfo dai{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO};
  dai.descriptorPool = dpool;
  dai.descriptorSetCount = 1;
  dai.pSetLayouts = &set_layout;
  VkDescriptorSet set;
  check(vkAllocateDescriptorSets(dev, &dai, &set), "vkAllocateDescriptorSets");
  VkDescriptorBufferInfo big_info{big, 0, VK_WHOLE_SIZE}, out_info{out, 0, VK_WHOLE_SIZE};
  VkDescriptorImageInfo tex_info{VK_NULL_HANDLE, view, VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL};
  VkWriteDescriptorSet w[3]{};
  for (uint32_t i = 0; i < 3; ++i) {
    w[i].sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET;
    w[i].dstSet = set;
    w[i].dstBinding = i;
    w[i].descriptorCount = 1;
    w[i].descriptorType = bs[i].descriptorType;
  }
  w[0].pBufferInfo = &big_info;
  w[1].pImageInfo = &tex_info;
  w[2].pBufferInfo = &out_info;
  vkUpdateDescriptorSets(dev, 3, w, 0, nullptr);

  VkCommandPoolCreateInfo cpool{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
  cpool.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
  VkCommandPool pool;
  check(vkCreateCommandPool(dev, &cpool, nullptr, &pool), "vkCreateCommandPool");
  VkCommandBufferAllocateInfo cai{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
  cai.commandPool = pool;
  cai.commandBufferCount = 1;
  VkCommandBuffer cb;
  check(vkAllocateCommandBuffers(dev, &cai, &cb), "vkAllocateCommandBuffers");
  VkQueryPoolCreateInfo qpi{VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO};
  qpi.queryType = VK_QUERY_TYPE_TIMESTAMP;
  qpi.queryCount = 2;
  VkQueryPool queries;
  check(vkCreateQueryPool(dev, &qpi, nullptr, &queries), "vkCreateQueryPool");
  VkFenceCreateInfo fci{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
  VkFence fence;
  check(vkCreateFence(dev, &fci, nullptr, &fence), "vkCreateFence");

  auto submit_and_wait = [&] {
    VkSubmitInfo si{VK_STRUCTURE_TYPE_SUBMIT_INFO};
    si.commandBufferCount = 1;
    si.pCommandBuffers = &cb;
    vkResetFences(dev, 1, &fence);
    check(vkQueueSubmit(gpu.queue, 1, &si, fence), "vkQueueSubmit");
    check(vkWaitForFences(dev, 1, &fence, VK_TRUE, UINT64_MAX), "vkWaitForFences");
    vkResetCommandBuffer(cb, 0);
  };
  VkCommandBufferBeginInfo begin{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
  begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;

  // The static content, once: the buffer filled with a word, the texture cleared to a colour.
  vkBeginCommandBuffer(cb, &begin);
  vkCmdFillBuffer(cb, big, 0, VK_WHOLE_SIZE, 0x01020304u);
  VkImageMemoryBarrier ib{VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER};
  ib.dstAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
  ib.oldLayout = VK_IMAGE_LAYOUT_UNDEFINED;
  ib.newLayout = VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL;
  ib.srcQueueFamilyIndex = ib.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
  ib.image = tex;
  ib.subresourceRange = vci.subresourceRange;
  vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT, 0, 0, nullptr, 0, nullptr, 1, &ib);
  VkClearColorValue colour{};
  colour.float32[0] = 1.0f;
  colour.float32[1] = 0.5f;
  colour.float32[3] = 1.0f;
  vkCmdClearColorImage(cb, tex, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, &colour, 1, &vci.subresourceRange);
  ib.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
  ib.dstAccessMask = VK_ACCESS_SHADER_READ_BIT;
  ib.oldLayout = VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL;
  ib.newLayout = VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL;
  VkMemoryBarrier mb{VK_STRUCTURE_TYPE_MEMORY_BARRIER, nullptr, VK_ACCESS_TRANSFER_WRITE_BIT, VK_ACCESS_SHADER_READ_BIT};
  vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, 0, 1, &mb, 0, nullptr, 1, &ib);
  vkEndCommandBuffer(cb);
  submit_and_wait();

  // One frame: timestamps around the dispatch; the capture request (if any) comes before recording.
  auto frame = [&](bool capture, double* wall_ms) -> double {
    auto start = bench::Clock::now();
    if (capture) check(gpu.api.capture_next(dev, "dispatch", when), "kilnCaptureNext");
    vkBeginCommandBuffer(cb, &begin);
    vkCmdResetQueryPool(cb, queries, 0, 2);
    vkCmdWriteTimestamp(cb, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, queries, 0);
    vkCmdBindPipeline(cb, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline);
    vkCmdBindDescriptorSets(cb, VK_PIPELINE_BIND_POINT_COMPUTE, layout, 0, 1, &set, 0, nullptr);
    vkCmdDispatch(cb, kGroups, 1, 1);
    vkCmdWriteTimestamp(cb, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, queries, 1);
    vkEndCommandBuffer(cb);
    submit_and_wait();
    *wall_ms = bench::ms_since(start);
    uint64_t t[2];
    check(vkGetQueryPoolResults(dev, queries, 0, 2, sizeof(t), t, 8, VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT),
          "vkGetQueryPoolResults");
    return double(t[1] - t[0]) * gpu.props.limits.timestampPeriod / 1e6;
  };
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  auto stats = [&] {
    KilnCaptureStats s{};
    check(gpu.api.get_stats(dev, &s), "kilnGetCaptureStats");
    return s;
  };
  struct Mode {
    double gpu_ms = 0, wall_ms = 0;
    double bytes_per_frame = 0;
    double handout_ms = 0;  // copy mode: kilnGetCapture + kilnFreeCapture of one frame's capture
  };
  // copy: every capture is handed out and freed as it completes (its bytes are read back anyway);
  // cow: captures stay with the layer until the end, sharing one cow per untouched resource.
  // Plain and cow frames alternate, so both run under the same clocks and the same idle gaps between
  // frames (the GPU's clocks follow its load: measured one mode after the other, they differ).
  auto copied = [&] {
    KilnCaptureStats s = stats();
    return s.bytes_copied + s.bytes_resolved;
  };
  Mode plain, cow;
  {
    check(gpu.api.set_copy_on_write(dev, VK_TRUE), "kilnSetCopyOnWrite");
    std::vector<double> pg, pw, cg, cw;
    uint64_t cow_bytes = 0;
    for (int f = 0; f < frames; ++f) {
      double wall = 0;
      pg.push_back(frame(false, &wall));
      pw.push_back(wall);
      uint64_t b0 = copied();
      cg.push_back(frame(true, &wall));
      cw.push_back(wall);
      cow_bytes += copied() - b0;
    }
    plain.gpu_ms = median(pg);
    plain.wall_ms = median(pw);
    cow.gpu_ms = median(cg);
    cow.wall_ms = median(cw);
    cow.bytes_per_frame = double(cow_bytes) / frames;
  }
  // Always-copy: every capture is handed out and freed as it completes (its bytes are read back anyway).
  auto run_copy = [&] {
    Mode m;
    check(gpu.api.set_copy_on_write(dev, VK_FALSE), "kilnSetCopyOnWrite");
    std::vector<double> g, wl, handout;
    uint64_t b0 = copied();
    for (int f = 0; f < frames; ++f) {
      double wall = 0;
      g.push_back(frame(true, &wall));
      wl.push_back(wall);
      auto h = bench::Clock::now();
      const KilnCapture* c = nullptr;
      if (gpu.api.get_capture(dev, &c) == VK_SUCCESS) gpu.api.free_capture(dev, c);
      handout.push_back(bench::ms_since(h));
    }
    m.gpu_ms = median(g);
    m.wall_ms = median(wl);
    m.handout_ms = median(handout);
    m.bytes_per_frame = double(copied() - b0) / frames;
    return m;
  };
  double warm = 0;
  frame(false, &warm);
  // The cow captures, handed out: the last one checked against the content.
  bool content_ok = false;
  uint64_t handed = 0;
  KilnCaptureStats s0 = stats();
  auto deliver_start = bench::Clock::now();
  for (const KilnCapture* c = nullptr; gpu.api.get_capture(dev, &c) == VK_SUCCESS; c = nullptr) {
    ++handed;
    if (handed == uint64_t(frames)) {
      bool buf = false, img = false;
      for (uint32_t i = 0; i < c->resource_count; ++i) {
        const KilnCaptureResource& r = c->resources[i];
        // Read-only: before and after are the same bytes; whichever was asked for.
        const void* bytes = r.before ? r.before : r.after;
        const uint64_t size = r.before ? r.before_size : r.after_size;
        if (r.binding == 0 && size == big_size)
          buf = std::memcmp(bytes, "\x04\x03\x02\x01", 4) == 0 &&
                std::memcmp(static_cast<const uint8_t*>(bytes) + big_size - 4, "\x04\x03\x02\x01", 4) == 0;
        if (r.binding == 1 && r.is_image && size == uint64_t(tex_w) * tex_h * 4) {
          const auto* p = static_cast<const uint8_t*>(bytes);
          img = p[0] == 255 && (p[1] == 127 || p[1] == 128) && p[2] == 0 && p[3] == 255;
        }
      }
      content_ok = buf && img;
    }
    gpu.api.free_capture(dev, c);
  }
  double deliver_ms = bench::ms_since(deliver_start);
  KilnCaptureStats s1 = stats();
  Mode copy = run_copy();

  std::printf(
      "{\"bench\":\"cow\",\"device\":\"%s\",\"frames\":%d,\"buffer_mib\":%llu,\"texture_mib\":%llu,"
      "\"plain_gpu_ms\":%.3f,\"cow_gpu_ms\":%.3f,\"copy_gpu_ms\":%.3f,"
      "\"plain_wall_ms\":%.3f,\"cow_wall_ms\":%.3f,\"copy_wall_ms\":%.3f,"
      "\"cow_bytes_per_frame\":%.0f,\"copy_bytes_per_frame\":%.0f,"
      "\"ratio\":%.4f,\"goal\":1.01,\"copy_ratio\":%.3f,"
"\"cow_captures_handed\":%llu,\"cow_delivered_bytes\":%llu,\"cow_deliver_ms\":%.1f,\"copy_handout_ms\":%.1f,\"when\":\"%s\",\"content_ok\":%s}\n",
      bench::json_escape(gpu.props.deviceName).c_str(), frames, (unsigned long long)buffer_mib, (unsigned long long)texture_mib,
      plain.gpu_ms, cow.gpu_ms, copy.gpu_ms, plain.wall_ms, cow.wall_ms, copy.wall_ms, cow.bytes_per_frame,
      copy.bytes_per_frame, cow.gpu_ms / plain.gpu_ms, copy.gpu_ms / plain.gpu_ms, (unsigned long long)handed,
      (unsigned long long)(s1.bytes_delivered - s0.bytes_delivered), deliver_ms, copy.handout_ms, when_arg.c_str(),
      content_ok ? "true" : "false");
  vkDeviceWaitIdle(dev);
  vkDestroyDevice(dev, nullptr);  // the rest goes with it (a benchmark, not a leak check)
  vkDestroyInstance(gpu.instance, nullptr);
  return content_ok ? 0 : 1;
}
