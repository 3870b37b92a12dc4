// Buffers reached only through device addresses, for the capture layer: a dispatch (address.comp)
// with no descriptors reads 64 uints through a pointer in its push constants (offset 0, the start of
// buffer `src`) and writes v * 2 + 7 through another (offset 8, 16 bytes into buffer `dst`, which
// holds 68 uints). Frame 2 (the second submission) holds it; with KILN_CAPTURE_COMMAND=dispatch:1 the
// capture must list both buffers as device_address resources, each from the address to its end,
// before and after: src unchanged, dst's 64 uints from zero to the results. A third buffer whose
// address the program asked for but never passes must not be captured.
// With --chain (address_chain.comp) the pointers are one and two hops away: the push constants are
// gone, a uniform buffer (descriptor set 0, binding 0) holds `add` and the address of `table`, and the
// table holds the addresses of src and dst + 16. The layer reads the addresses from the buffers' mapped
// memory: the capture must list table as a buffer_address found in the uniform buffer at offset 8, and
// src and dst as buffer_address resources found in the table at offsets 0 and 8, with the same bytes.
#include <cstring>
#include <string>

#include "address_chain_comp.h"
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

// The capture's resource of `role` for `handle`, with its index; null (a failed check) when none.
const KilnCaptureResource* find_buffer(const KilnCapture* c, const char* role, VkBuffer handle, uint32_t* index) {
  for (uint32_t i = 0; i < c->resource_count; ++i)
    if (std::strcmp(c->resources[i].role, role) == 0 && c->resources[i].handle == (uint64_t)handle) {
      *index = i;
      return &c->resources[i];
    }
  std::fprintf(stderr, "no %s resource for buffer %llx in the capture\n", role, (unsigned long long)handle);
  ++g_failures;
  return nullptr;
}

int main(int argc, char** argv) {
  const bool chain = argc > 1 && std::string(argv[1]) == "--chain";
  if (argc > 1 && !chain) {
    std::fprintf(stderr, "layer_address: unknown mode %s (nothing, or --chain)\n", argv[1]);
    return 2;
  }
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

    // --chain: the uniform buffer and the table the addresses go through.
    struct Params {
      uint32_t add, pad;
      VkDeviceAddress table;
    };
    Buffer table = gpu.buffer(16, usage);
    gpu.name(VK_OBJECT_TYPE_BUFFER, (uint64_t)table.buffer, "table");
    const VkDeviceAddress table_entries[2] = {push.src, push.dst};
    std::memcpy(table.mapped, table_entries, sizeof table_entries);
    const Params params_data{kAdd, 0, address_of(gpu, table.buffer)};
    Buffer params = gpu.buffer(sizeof(Params), VK_BUFFER_USAGE_UNIFORM_BUFFER_BIT, &params_data);
    gpu.name(VK_OBJECT_TYPE_BUFFER, (uint64_t)params.buffer, "params");
    VkDescriptorSetLayoutBinding slb{0, VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER, 1, VK_SHADER_STAGE_COMPUTE_BIT, nullptr};
    VkDescriptorSetLayoutCreateInfo sli{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO};
    sli.bindingCount = 1;
    sli.pBindings = &slb;
    VkDescriptorSetLayout set_layout;
    VKCHECK(vkCreateDescriptorSetLayout(gpu.device, &sli, nullptr, &set_layout));
    VkDescriptorPoolSize ps{VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER, 1};
    VkDescriptorPoolCreateInfo dpi{VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO};
    dpi.maxSets = 1;
    dpi.poolSizeCount = 1;
    dpi.pPoolSizes = &ps;
    VkDescriptorPool pool;
    VKCHECK(vkCreateDescriptorPool(gpu.device, &dpi, nullptr, &pool));
    VkDescriptorSetAllocateInfo dai{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO};
    dai.descriptorPool = pool;
    dai.descriptorSetCount = 1;
    dai.pSetLayouts = &set_layout;
    VkDescriptorSet set;
    VKCHECK(vkAllocateDescriptorSets(gpu.device, &dai, &set));
    const VkDescriptorBufferInfo dbi{params.buffer, 0, VK_WHOLE_SIZE};
    VkWriteDescriptorSet w{VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET};
    w.dstSet = set;
    w.descriptorCount = 1;
    w.descriptorType = VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER;
    w.pBufferInfo = &dbi;
    vkUpdateDescriptorSets(gpu.device, 1, &w, 0, nullptr);

    VkShaderModule cs = chain ? gpu.shader(address_chain_comp, sizeof(address_chain_comp))
                              : gpu.shader(address_comp, sizeof(address_comp));
    VkPushConstantRange range{VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof(Push)};
    VkPipelineLayoutCreateInfo pli{VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
    pli.pushConstantRangeCount = chain ? 0 : 1;
    pli.pPushConstantRanges = &range;
    pli.setLayoutCount = chain ? 1 : 0;
    pli.pSetLayouts = &set_layout;
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
      if (chain) vkCmdBindDescriptorSets(cb, VK_PIPELINE_BIND_POINT_COMPUTE, layout, 0, 1, &set, 0, nullptr);
      else vkCmdPushConstants(cb, layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof push, &push);
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
    if (gpu.has_api && spec && chain) {
      const KilnCapture* c = take_capture(gpu);
      if (c) {
        dump(c);
        uint32_t params_at = 0, table_at = 0, src_at = 0, dst_at = 0;
        const KilnCaptureResource* p = find_buffer(c, "descriptor", params.buffer, &params_at);
        const KilnCaptureResource* t = find_buffer(c, "buffer_address", table.buffer, &table_at);
        const KilnCaptureResource* s = find_buffer(c, "buffer_address", src.buffer, &src_at);
        const KilnCaptureResource* d = find_buffer(c, "buffer_address", dst.buffer, &dst_at);
        if (p) EXPECT(p->before_size == sizeof(Params) && std::memcmp(p->before, &params_data, sizeof(Params)) == 0, "params");
        if (t) {
          EXPECT(t->binding == params_at && t->attachment == 8 && t->offset == 0 && t->size == 16 && t->written,
                 "table: found in resource %u at %u, range %llu+%llu", t->binding, t->attachment,
                 (unsigned long long)t->offset, (unsigned long long)t->size);
          EXPECT(t->before_size == 16 && std::memcmp(t->before, table_entries, 16) == 0, "table before");
          EXPECT(std::string(t->debug_name) == "table", "table name %s", t->debug_name);
        }
        if (s) {
          EXPECT(s->binding == table_at && s->attachment == 0 && s->offset == 0 && s->size == kCount * 4,
                 "src: found in resource %u at %u", s->binding, s->attachment);
          EXPECT(s->before_size == kCount * 4 && std::memcmp(s->before, values.data(), kCount * 4) == 0, "src before");
        }
        if (d) {
          const std::vector<uint32_t> zeros(kCount, 0);
          EXPECT(d->binding == table_at && d->attachment == 8 && d->offset == kDstOffset && d->size == kCount * 4,
                 "dst: found in resource %u at %u, range %llu+%llu", d->binding, d->attachment,
                 (unsigned long long)d->offset, (unsigned long long)d->size);
          EXPECT(d->before_size == kCount * 4 && std::memcmp(d->before, zeros.data(), kCount * 4) == 0, "dst before");
          EXPECT(d->after_size == kCount * 4 && std::memcmp(d->after, want.data(), kCount * 4) == 0, "dst after");
        }
        uint32_t addressed = 0;
        for (uint32_t i = 0; i < c->resource_count; ++i) {
          addressed += std::strcmp(c->resources[i].role, "buffer_address") == 0;
          EXPECT(c->resources[i].handle != (uint64_t)unused.buffer, "the unused buffer was captured");
        }
        EXPECT(addressed == 3, "%u buffer_address resources, want 3", addressed);
        gpu.api.free_capture(gpu.device, c);
      }
    } else if (gpu.has_api && spec) {
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
    vkDestroyDescriptorPool(gpu.device, pool, nullptr);
    vkDestroyDescriptorSetLayout(gpu.device, set_layout, nullptr);
    gpu.destroy(params);
    gpu.destroy(table);
    gpu.destroy(unused);
    gpu.destroy(dst);
    gpu.destroy(src);
  }
  return result();
}
