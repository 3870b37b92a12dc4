// Buffers reached only through device addresses, for the capture layer: a dispatch (address.comp)
// with no descriptors reads 64 uints through a pointer in its push constants (offset 0, the start of
// buffer `src`) and writes v * 2 + 7 through another (offset 8, 16 bytes into buffer `dst`, which
// holds 68 uints). Frame 2 (the second submission) holds it; with KILN_CAPTURE_COMMAND=dispatch:1 the
// capture must list both buffers as device_address resources, each from the address to its end,
// before and after: src unchanged, dst's 64 uints from zero to the results. A third buffer whose
// address the program asked for but never passes must not be captured.
#include <cstring>
#include <string>

#include "address_comp.h"
#include "vk_program.h"

using namespace prog;

namespace {

constexpr uint32_t kCount = 64, kAdd = 7;
constexpr VkDeviceSize kDstOffset = 16;

VkDeviceAddress address_of(Gpu& gpu, VkBuffer b) {
  VkBufferDeviceAddressInfo info{VK_STRUCTURE_TYPE_BUFFER_DEVICE_ADDRESS_INFO};
  info.buffer = b;
  return vkGetBufferDeviceAddress(gpu.device, &info);
}

}  // namespace

int main() {
  VkPhysicalDeviceVulkan12Features f12{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES};
  f12.bufferDeviceAddress = VK_TRUE;
  g_device_features = &f12;
  {
    Gpu gpu;
    const VkBufferUsageFlags usage = VK_BUFFER_USAGE_SHADER_DEVICE_ADDRESS_BIT | VK_BUFFER_USAGE_STORAGE_BUFFER_BIT;
    std::vector<uint32_t> values(kCount);
    for (uint32_t i = 0; i < kCount; ++i) values[i] = i * 3 + 1;
    Buffer src = gpu.buffer(kCount * 4, usage, values.data());
    Buffer dst = gpu.buffer(kDstOffset + kCount * 4, usage);
    Buffer unused = gpu.buffer(256, usage);
    gpu.name(VK_OBJECT_TYPE_BUFFER, (uint64_t)src.buffer, "src");
    gpu.name(VK_OBJECT_TYPE_BUFFER, (uint64_t)dst.buffer, "dst");
    gpu.name(VK_OBJECT_TYPE_BUFFER, (uint64_t)unused.buffer, "unused");
    struct Push {
      VkDeviceAddress src, dst;
      uint32_t add, pad;
    } push{address_of(gpu, src.buffer), address_of(gpu, dst.buffer) + kDstOffset, kAdd, 0};
    EXPECT(address_of(gpu, unused.buffer) != 0, "no address for the unused buffer");

    VkShaderModule cs = gpu.shader(address_comp, sizeof(address_comp));
    VkPushConstantRange range{VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof(Push)};
    VkPipelineLayoutCreateInfo pli{VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
    pli.pushConstantRangeCount = 1;
    pli.pPushConstantRanges = &range;
    VkPipelineLayout layout;
    VKCHECK(vkCreatePipelineLayout(gpu.device, &pli, nullptr, &layout));
    VkComputePipelineCreateInfo ci{VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO};
    ci.stage = {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO, nullptr, 0, VK_SHADER_STAGE_COMPUTE_BIT, cs, "main",
                nullptr};
    ci.layout = layout;
    VkPipeline pipeline;
    VKCHECK(vkCreateComputePipelines(gpu.device, VK_NULL_HANDLE, 1, &ci, nullptr, &pipeline));

    gpu.run([](VkCommandBuffer) {});  // frame 1: nothing (the capture is of frame 2)
    gpu.run([&](VkCommandBuffer cb) {
      vkCmdBindPipeline(cb, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline);
      vkCmdPushConstants(cb, layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof push, &push);
      vkCmdDispatch(cb, 1, 1, 1);
      VkMemoryBarrier host{VK_STRUCTURE_TYPE_MEMORY_BARRIER, nullptr, VK_ACCESS_SHADER_WRITE_BIT, VK_ACCESS_HOST_READ_BIT};
      vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &host, 0, nullptr,
                           0, nullptr);
    });

    std::vector<uint32_t> want(kCount);
    for (uint32_t i = 0; i < kCount; ++i) want[i] = values[i] * 2 + kAdd;
    EXPECT(std::memcmp(static_cast<uint8_t*>(dst.mapped) + kDstOffset, want.data(), kCount * 4) == 0,
           "the program's own results");

    const char* spec = std::getenv("KILN_CAPTURE_COMMAND");
    if (gpu.has_api && spec) {
      const KilnCapture* c = take_capture(gpu);
      if (c) {
        dump(c);
        const KilnCaptureResource* s = find(c, "device_address", 0);
        if (s) {
          EXPECT(s->handle == (uint64_t)src.buffer && s->offset == 0 && s->size == kCount * 4 && s->written,
                 "src: handle %llx offset %llu size %llu", (unsigned long long)s->handle, (unsigned long long)s->offset,
                 (unsigned long long)s->size);
          EXPECT(s->before_size == kCount * 4 && std::memcmp(s->before, values.data(), kCount * 4) == 0, "src before");
          EXPECT(s->after_size == kCount * 4 && std::memcmp(s->after, values.data(), kCount * 4) == 0, "src after");
          EXPECT(std::string(s->debug_name) == "src", "src name %s", s->debug_name);
        }
        const KilnCaptureResource* d = find(c, "device_address", 8);
        if (d) {
          const std::vector<uint32_t> zeros(kCount, 0);
          EXPECT(d->handle == (uint64_t)dst.buffer && d->offset == kDstOffset && d->size == kCount * 4,
                 "dst: handle %llx offset %llu size %llu", (unsigned long long)d->handle, (unsigned long long)d->offset,
                 (unsigned long long)d->size);
          EXPECT(d->before_size == kCount * 4 && std::memcmp(d->before, zeros.data(), kCount * 4) == 0, "dst before");
          EXPECT(d->after_size == kCount * 4 && std::memcmp(d->after, want.data(), kCount * 4) == 0, "dst after");
        }
        uint32_t addressed = 0;
        for (uint32_t i = 0; i < c->resource_count; ++i) {
          addressed += std::strcmp(c->resources[i].role, "device_address") == 0;
          EXPECT(c->resources[i].handle != (uint64_t)unused.buffer, "the unused buffer was captured");
        }
        EXPECT(addressed == 2, "%u device_address resources, want 2", addressed);
        gpu.api.free_capture(gpu.device, c);
      }
    }

    vkDestroyPipeline(gpu.device, pipeline, nullptr);
    vkDestroyPipelineLayout(gpu.device, layout, nullptr);
    vkDestroyShaderModule(gpu.device, cs, nullptr);
    gpu.destroy(unused);
    gpu.destroy(dst);
    gpu.destroy(src);
  }
  return result();
}
