// The capture layer's costs, in one run:
//   record: CPU time of recording N x (bind pipeline, push constants, dispatch) on an instance without
//           layers and on instances with VK_LAYER_KILN_capture enabled by name (VK_ADD_LAYER_PATH is pointed
//           at the build's layers/ folder before they are made): once with a capture request pending (the
//           layer records every command), once idle (no request: the layer only forwards). Each
//           repetition records once on each side, back to back; ratio is the median over repetitions of
//           that repetition's layer / raw CPU time of the recording thread (goal <= 1.10), idle_ratio
//           the same for the idle side, ratio_spread their lowest and highest; wall_ratio the median of
//           the wall-clock ratios (the measure before 2026-11-23: it also counts the time the thread was
//           not running, other threads' work and the host's, which varied by 2x between repetitions).
//           The *_ms are each side's minimum CPU time, ratio_of_minima their quotient. Nothing is
//           submitted.
//   capture: one dispatch reading a large storage buffer, submitted once plainly and once captured
//           (kilnCaptureNext, before and after): the bytes the capture copied and the GPU time between the
//           program's two timestamps around the dispatch (the layer's copies land between them).
//           Copy-on-write is switched off for it (kilnSetCopyOnWrite): this is the full copy's cost,
//           the one bench_cow compares copy-on-write with.
//
//   bench_layer [count] [repetitions] [MiB]   defaults: 100000, 31, 256 (64 on a CPU device, to keep it short)
// One JSON line.
#include <vulkan/vulkan.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <unistd.h>
#include <filesystem>
#include <string>
#include <vector>

#include "bench_util.h"
#include "kiln/capture.h"
#include "kiln/shader.h"

namespace {

// CPU time of the calling thread: what recording costs the program's thread, not the time it waited.
double thread_cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) * 1e-6;
}

const char* kRecordShader = R"(#version 450
layout(local_size_x = 64) in;
layout(set = 0, binding = 0) buffer Out { uint o[]; } out_;
layout(push_constant) uniform Push { uint a, b, c, d; } push;
void main() { out_.o[gl_GlobalInvocationID.x] = push.a + push.b; }
)";

const char* kReadShader = R"(#version 450
layout(local_size_x = 64) in;
layout(set = 0, binding = 0) readonly buffer Big { uint v[]; } big;
layout(set = 0, binding = 1) buffer Out { uint o[]; } out_;
void main() { out_.o[gl_GlobalInvocationID.x] = big.v[gl_GlobalInvocationID.x * 4096u]; }
)";

void check(VkResult r, const char* what) {
  if (r != VK_SUCCESS) {
    std::fprintf(stderr, "%s failed: %d\n", what, int(r));
    std::exit(1);
  }
}

std::vector<uint32_t> compile(const char* source) {
  kiln::CompileDesc desc;
  desc.path = "bench_layer.comp";
  desc.source = source;
  desc.stage = kiln::ShaderStage::Compute;
  return kiln::compile_shader(desc).spirv;
}

struct Side {
  VkInstance instance = VK_NULL_HANDLE;
  VkPhysicalDevice physical = VK_NULL_HANDLE;
  VkDevice device = VK_NULL_HANDLE;
  VkQueue queue = VK_NULL_HANDLE;
  VkCommandPool pool = VK_NULL_HANDLE;
  VkCommandBuffer cb = VK_NULL_HANDLE;
  VkDescriptorSetLayout set_layout = VK_NULL_HANDLE;
  VkPipelineLayout layout = VK_NULL_HANDLE;
  VkPipeline pipeline = VK_NULL_HANDLE;
  VkPhysicalDeviceProperties props{};
  std::vector<std::pair<VkBuffer, VkDeviceMemory>> buffers;
  KilnCaptureApi api{};

  explicit Side(bool with_layer) {
    VkApplicationInfo app{VK_STRUCTURE_TYPE_APPLICATION_INFO};
    app.apiVersion = VK_API_VERSION_1_2;
    const char* layer = "VK_LAYER_KILN_capture";
    VkInstanceCreateInfo ii{VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO};
    ii.pApplicationInfo = &app;
    if (with_layer) {
      ii.enabledLayerCount = 1;
      ii.ppEnabledLayerNames = &layer;
    }
    check(vkCreateInstance(&ii, nullptr, &instance), with_layer ? "vkCreateInstance (with the layer)" : "vkCreateInstance");
    uint32_t n = 1;
    vkEnumeratePhysicalDevices(instance, &n, &physical);
    vkGetPhysicalDeviceProperties(physical, &props);
    float prio = 1;
    VkDeviceQueueCreateInfo qi{VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO};
    qi.queueCount = 1;
    qi.pQueuePriorities = &prio;
    VkDeviceCreateInfo di{VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO};
    di.queueCreateInfoCount = 1;
    di.pQueueCreateInfos = &qi;
    check(vkCreateDevice(physical, &di, nullptr, &device), "vkCreateDevice");
    vkGetDeviceQueue(device, 0, 0, &queue);
    VkCommandPoolCreateInfo pi{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
    pi.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
    check(vkCreateCommandPool(device, &pi, nullptr, &pool), "vkCreateCommandPool");
    VkCommandBufferAllocateInfo ai{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
    ai.commandPool = pool;
    ai.commandBufferCount = 1;
    check(vkAllocateCommandBuffers(device, &ai, &cb), "vkAllocateCommandBuffers");
    if (with_layer && kiln_capture_load(vkGetDeviceProcAddr, device, &api) != VK_SUCCESS) {
      std::fprintf(stderr, "the capture layer did not load\n");
      std::exit(1);
    }
  }
  ~Side() {
    vkDeviceWaitIdle(device);
    for (auto [b, m] : buffers) {
      vkDestroyBuffer(device, b, nullptr);
      vkFreeMemory(device, m, nullptr);
    }
    if (pipeline) vkDestroyPipeline(device, pipeline, nullptr);
    if (layout) vkDestroyPipelineLayout(device, layout, nullptr);
    if (set_layout) vkDestroyDescriptorSetLayout(device, set_layout, nullptr);
    vkDestroyCommandPool(device, pool, nullptr);
    vkDestroyDevice(device, nullptr);
    vkDestroyInstance(instance, nullptr);
  }

  VkBuffer buffer(VkDeviceSize size) {
    VkBufferCreateInfo bi{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
    bi.size = size;
    bi.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT;
    VkBuffer b;
    check(vkCreateBuffer(device, &bi, nullptr, &b), "vkCreateBuffer");
    VkMemoryRequirements req;
    vkGetBufferMemoryRequirements(device, b, &req);
    VkPhysicalDeviceMemoryProperties mp;
    vkGetPhysicalDeviceMemoryProperties(physical, &mp);
    uint32_t type = 0;
    for (uint32_t i = 0; i < mp.memoryTypeCount; ++i)
      if ((req.memoryTypeBits & (1u << i)) && (mp.memoryTypes[i].propertyFlags & VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT)) {
        type = i;
        break;
      }
    VkMemoryAllocateInfo mi{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
    mi.allocationSize = req.size;
    mi.memoryTypeIndex = type;
    VkDeviceMemory m;
    check(vkAllocateMemory(device, &mi, nullptr, &m), "vkAllocateMemory");
    check(vkBindBufferMemory(device, b, m, 0), "vkBindBufferMemory");
    buffers.push_back({b, m});
    return b;
  }

  void make_pipeline(const std::vector<uint32_t>& spirv, uint32_t bindings, uint32_t push_bytes) {
    std::vector<VkDescriptorSetLayoutBinding> bs(bindings);
    for (uint32_t i = 0; i < bindings; ++i) bs[i] = {i, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1, VK_SHADER_STAGE_COMPUTE_BIT, nullptr};
    VkDescriptorSetLayoutCreateInfo li{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO};
    li.bindingCount = bindings;
    li.pBindings = bs.data();
    check(vkCreateDescriptorSetLayout(device, &li, nullptr, &set_layout), "vkCreateDescriptorSetLayout");
    VkPushConstantRange push{VK_SHADER_STAGE_COMPUTE_BIT, 0, push_bytes};
    VkPipelineLayoutCreateInfo pli{VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
    pli.setLayoutCount = 1;
    pli.pSetLayouts = &set_layout;
    pli.pushConstantRangeCount = push_bytes ? 1 : 0;
    pli.pPushConstantRanges = &push;
    check(vkCreatePipelineLayout(device, &pli, nullptr, &layout), "vkCreatePipelineLayout");
    VkShaderModuleCreateInfo mi{VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO};
    mi.codeSize = spirv.size() * 4;
    mi.pCode = spirv.data();
    VkShaderModule module;
    check(vkCreateShaderModule(device, &mi, nullptr, &module), "vkCreateShaderModule");
    VkComputePipelineCreateInfo ci{VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO};
    ci.stage = {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO, nullptr, 0, VK_SHADER_STAGE_COMPUTE_BIT, module, "main", nullptr};
    ci.layout = layout;
    check(vkCreateComputePipelines(device, VK_NULL_HANDLE, 1, &ci, nullptr, &pipeline), "vkCreateComputePipelines");
    vkDestroyShaderModule(device, module, nullptr);
  }

  struct Times {
    double wall_ms, cpu_ms;
  };
  Times record(uint32_t count) {
    VkCommandBufferBeginInfo bi{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
    bi.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
    uint32_t push[4] = {1, 2, 3, 4};
    auto start = bench::Clock::now();
    const double cpu_start = thread_cpu_ms();
    vkBeginCommandBuffer(cb, &bi);
    for (uint32_t i = 0; i < count; ++i) {
      vkCmdBindPipeline(cb, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline);
      push[0] = i;
      vkCmdPushConstants(cb, layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof(push), push);
      vkCmdDispatch(cb, 1, 1, 1);
    }
    vkEndCommandBuffer(cb);
    Times t{bench::ms_since(start), thread_cpu_ms() - cpu_start};
    vkResetCommandBuffer(cb, 0);
    return t;
  }
};

// Reads a buffer of twice the last-level cache's size, one word a line, so that the next recording
// starts from a cache holding none of the previous side's data. Without it each side paid for the
// footprint of the side recorded before it: a layer build that kept its records out of the cache made
// the raw side after it 30% faster on lavapipe (11 against 15-18 ms), which the ratio counted against it.
struct CacheEvictor {
  std::vector<uint64_t> words;
  uint64_t sink = 0;
  CacheEvictor() {
    const long l3 = sysconf(_SC_LEVEL3_CACHE_SIZE);
    const size_t bytes = std::clamp<size_t>(l3 > 0 ? 2 * size_t(l3) : 0, size_t(64) << 20, size_t(1) << 30);
    words.assign(bytes / 8, 1);
  }
  size_t mib() const { return words.size() * 8 >> 20; }
  void operator()() {
    uint64_t sum = 0;
    for (size_t i = 0; i < words.size(); i += 8) sum += words[i];
    sink += sum;
  }
};

std::string layers_dir(const char* argv0) {
  std::error_code ec;
  std::filesystem::path exe = std::filesystem::canonical("/proc/self/exe", ec);
  if (ec) exe = std::filesystem::absolute(argv0);
  return (exe.parent_path().parent_path() / "layers").string();
}

}  // namespace

int main(int argc, char** argv) {
  uint32_t count = argc > 1 ? uint32_t(std::strtoul(argv[1], nullptr, 10)) : 100000;
  int reps = std::max(1, argc > 2 ? std::atoi(argv[2]) : 31);
  try {
    std::vector<uint32_t> record_spirv = compile(kRecordShader);
    std::vector<uint32_t> read_spirv = compile(kReadShader);

    Side raw(false);
    std::string dir = layers_dir(argv[0]);
    setenv("VK_ADD_LAYER_PATH", dir.c_str(), 1);
    Side with(true), idle(true);
    // A request that never matches keeps the layer recording every command buffer begun after it.
    check(with.api.capture_next(with.device, "dispatch:2000000000", KILN_CAPTURE_BOTH), "kilnCaptureNext");
    raw.make_pipeline(record_spirv, 1, 16);
    with.make_pipeline(record_spirv, 1, 16);
    idle.make_pipeline(record_spirv, 1, 16);

    // Warm up all at full size: the first recording of that size pays for first touches of memory (the
    // driver's, the layer's record blocks), 2-3x a later one.
    raw.record(count);
    with.record(count);
    idle.record(count);
    // Each repetition records on the three sides back to back (their order alternating), so the three
    // share the machine's state of that moment: the ratios are taken within a repetition, and their
    // median reported. (The minimum of each side over all repetitions, the earlier measure, drifted with
    // the host from run to run by more than the layer's whole cost: raw recording itself between 70 and
    // 110 ms on the H100 host.)
    std::vector<Side::Times> raw_r, layer_r, idle_r;
    CacheEvictor evict;
    auto record = [&](Side& side) {
      evict();
      return side.record(count);
    };
    for (int r = 0; r < reps; ++r) {
      Side::Times a, b, c;
      if (r % 2) {
        a = record(raw);
        b = record(with);
        c = record(idle);
      } else {
        c = record(idle);
        b = record(with);
        a = record(raw);
      }
      raw_r.push_back(a);
      layer_r.push_back(b);
      idle_r.push_back(c);
    }
    auto median = [](std::vector<double> v) {
      std::sort(v.begin(), v.end());
      return v.empty() ? 0.0 : v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
    };
    std::vector<double> layer_ratios, idle_ratios, wall_ratios;
    for (size_t r = 0; r < raw_r.size(); ++r) {
      layer_ratios.push_back(layer_r[r].cpu_ms / raw_r[r].cpu_ms);
      idle_ratios.push_back(idle_r[r].cpu_ms / raw_r[r].cpu_ms);
      wall_ratios.push_back(layer_r[r].wall_ms / raw_r[r].wall_ms);
    }
    auto min_cpu = [](const std::vector<Side::Times>& v) {
      double m = v[0].cpu_ms;
      for (const Side::Times& t : v) m = std::min(m, t.cpu_ms);
      return m;
    };
    const double raw_ms = min_cpu(raw_r), layer_ms = min_cpu(layer_r), idle_ms = min_cpu(idle_r);
    const double ratio = median(layer_ratios), idle_ratio = median(idle_ratios), wall_ratio = median(wall_ratios);

    // One capture of a dispatch reading a large buffer.
    bool cpu = with.props.deviceType == VK_PHYSICAL_DEVICE_TYPE_CPU;
    uint32_t mib = argc > 3 ? uint32_t(std::strtoul(argv[3], nullptr, 10)) : (cpu ? 64 : 256);
    Side cap(true);
    cap.make_pipeline(read_spirv, 2, 0);
    VkDeviceSize big_size = VkDeviceSize(mib) << 20;
    VkBuffer big = cap.buffer(big_size);
    VkBuffer out = cap.buffer(64 * 4);
    VkDescriptorPoolSize ps{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 2};
    VkDescriptorPoolCreateInfo dpi{VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO};
    dpi.maxSets = 1;
    dpi.poolSizeCount = 1;
    dpi.pPoolSizes = &ps;
    VkDescriptorPool dpool;
    check(vkCreateDescriptorPool(cap.device, &dpi, nullptr, &dpool), "vkCreateDescriptorPool");
    VkDescriptorSetAllocateInfo dai{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO};
    dai.descriptorPool = dpool;
    dai.descriptorSetCount = 1;
    dai.pSetLayouts = &cap.set_layout;
    VkDescriptorSet set;
    check(vkAllocateDescriptorSets(cap.device, &dai, &set), "vkAllocateDescriptorSets");
    VkDescriptorBufferInfo infos[2] = {{big, 0, VK_WHOLE_SIZE}, {out, 0, VK_WHOLE_SIZE}};
    VkWriteDescriptorSet w[2];
    for (uint32_t i = 0; i < 2; ++i) {
      w[i] = {VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET};
      w[i].dstSet = set;
      w[i].dstBinding = i;
      w[i].descriptorCount = 1;
      w[i].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
      w[i].pBufferInfo = &infos[i];
    }
    vkUpdateDescriptorSets(cap.device, 2, w, 0, nullptr);
    VkQueryPoolCreateInfo qpi{VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO};
    qpi.queryType = VK_QUERY_TYPE_TIMESTAMP;
    qpi.queryCount = 2;
    VkQueryPool queries;
    check(vkCreateQueryPool(cap.device, &qpi, nullptr, &queries), "vkCreateQueryPool");
    VkFenceCreateInfo fi{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
    VkFence fence;
    check(vkCreateFence(cap.device, &fi, nullptr, &fence), "vkCreateFence");

    auto run = [&](bool fill) -> double {
      VkCommandBufferBeginInfo bi{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
      bi.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
      vkBeginCommandBuffer(cap.cb, &bi);
      if (fill) {  // the big buffer's content, once
        vkCmdFillBuffer(cap.cb, big, 0, VK_WHOLE_SIZE, 0x01020304u);
        VkMemoryBarrier m{VK_STRUCTURE_TYPE_MEMORY_BARRIER, nullptr, VK_ACCESS_TRANSFER_WRITE_BIT, VK_ACCESS_SHADER_READ_BIT};
        vkCmdPipelineBarrier(cap.cb, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, 0, 1, &m, 0,
                             nullptr, 0, nullptr);
      }
      vkCmdResetQueryPool(cap.cb, queries, 0, 2);
      vkCmdWriteTimestamp(cap.cb, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, queries, 0);
      vkCmdBindPipeline(cap.cb, VK_PIPELINE_BIND_POINT_COMPUTE, cap.pipeline);
      vkCmdBindDescriptorSets(cap.cb, VK_PIPELINE_BIND_POINT_COMPUTE, cap.layout, 0, 1, &set, 0, nullptr);
      vkCmdDispatch(cap.cb, 1, 1, 1);
      vkCmdWriteTimestamp(cap.cb, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, queries, 1);
      vkEndCommandBuffer(cap.cb);
      VkSubmitInfo si{VK_STRUCTURE_TYPE_SUBMIT_INFO};
      si.commandBufferCount = 1;
      si.pCommandBuffers = &cap.cb;
      vkResetFences(cap.device, 1, &fence);
      check(vkQueueSubmit(cap.queue, 1, &si, fence), "vkQueueSubmit");
      check(vkWaitForFences(cap.device, 1, &fence, VK_TRUE, UINT64_MAX), "vkWaitForFences");
      vkResetCommandBuffer(cap.cb, 0);
      uint64_t t[2];
      check(vkGetQueryPoolResults(cap.device, queries, 0, 2, sizeof(t), t, 8, VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT),
            "vkGetQueryPoolResults");
      return double(t[1] - t[0]) * cap.props.limits.timestampPeriod / 1e6;
    };
    run(true);
    double plain_ms = run(false);
    check(cap.api.set_copy_on_write(cap.device, VK_FALSE), "kilnSetCopyOnWrite");
    check(cap.api.capture_next(cap.device, "dispatch", KILN_CAPTURE_BOTH), "kilnCaptureNext");
    auto start = bench::Clock::now();
    double captured_ms = run(false);
    double captured_wall_ms = bench::ms_since(start);
    const KilnCapture* c = nullptr;
    bool content_ok = false;
    if (cap.api.get_capture(cap.device, &c) == VK_SUCCESS) {
      for (uint32_t i = 0; i < c->resource_count; ++i) {
        if (c->resources[i].binding == 0 && c->resources[i].before_size == big_size)
          content_ok = std::memcmp(c->resources[i].before, "\x04\x03\x02\x01", 4) == 0;
      }
      cap.api.free_capture(cap.device, c);
    }
    // What the GPU copied: a resource the command only reads is copied once (its after is its before).
    KilnCaptureStats stats{};
    check(cap.api.get_stats(cap.device, &stats), "kilnGetCaptureStats");
    uint64_t copied = stats.bytes_copied;
    vkDestroyFence(cap.device, fence, nullptr);
    vkDestroyQueryPool(cap.device, queries, nullptr);
    vkDestroyDescriptorPool(cap.device, dpool, nullptr);

    std::printf(
        "{\"bench\":\"layer\",\"device\":\"%s\",\"record_count\":%u,\"record_raw_ms\":%.3f,\"record_layer_ms\":%.3f,"
        "\"ratio\":%.3f,\"goal\":1.10,\"ratio_of_minima\":%.3f,\"ratio_spread\":[%.3f,%.3f],\"wall_ratio\":%.3f,\"repetitions\":%d,\"cache_evict_mib\":%zu,"
        "\"record_idle_layer_ms\":%.3f,\"idle_ratio\":%.3f,\"capture_mib\":%u,\"capture_bytes_copied\":%llu,\"capture_content_ok\":%s,"
        "\"dispatch_gpu_ms\":%.3f,\"captured_dispatch_gpu_ms\":%.3f,\"captured_submit_wall_ms\":%.3f}\n",
        bench::json_escape(with.props.deviceName).c_str(), count, raw_ms, layer_ms, ratio, layer_ms / raw_ms,
        *std::min_element(layer_ratios.begin(), layer_ratios.end()),
        *std::max_element(layer_ratios.begin(), layer_ratios.end()), wall_ratio, reps, evict.mib(), idle_ms, idle_ratio, mib,
        (unsigned long long)copied, content_ok ? "true" : "false", plain_ms, captured_ms, captured_wall_ms);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_layer: %s\n", e.what());
    return 1;
  }
  return 0;
}
