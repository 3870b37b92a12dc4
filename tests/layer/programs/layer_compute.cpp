// A compute program for the capture layer: two dispatches write out[i] = in[i] * scale + add (a uniform
// block, a read-only storage buffer, push constants). The second dispatch is captured, by the
// environment (KILN_CAPTURE_COMMAND=dispatch:2) or through the C API (--api); the program checks the
// bytes it gets back against what it knows. Modes: --api, --api-late (the C API asked only after the
// command buffer was recorded: needs KILN_CAPTURE_RECORD=always), --submit2 (vkQueueSubmit2), --destroy
// (every resource destroyed right after the submission completed, before the capture is asked for),
// --expect-none (the layer loaded without a spec), --threads (4 threads record 4 command buffers at
// once, 50 dispatches each, submitted together; spec dispatch:101 is the third buffer's first),
// --inline-uniform (the uniform block is an inline uniform block in the set, filled in two pieces:
// one copied from another set's block, one through a descriptor update template; the capture lists
// its bytes).
#include <string>
#include <thread>

#include "compute_comp.h"
#include "vk_program.h"

using namespace prog;

int main(int argc, char** argv) {
  bool api = false, submit2 = false, destroy = false, none = false, hazard = false, threads = false, late = false;
  bool inline_uniform = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    api |= a == "--api" || a == "--api-late";
    late |= a == "--api-late";
    submit2 |= a == "--submit2";
    destroy |= a == "--destroy";
    none |= a == "--expect-none";
    threads |= a == "--threads";
    inline_uniform |= a == "--inline-uniform";
    hazard |= a == "--hazard";  // two unordered fills: synchronization validation must object  // the layer is loaded without a spec: nothing may be captured
  }
  g_inline_uniform_block = inline_uniform;
  {
    Gpu gpu;
    constexpr uint32_t N = 256;
    struct Params {
      float scale;
      uint32_t count;
    } params{2.0f, N};
    std::vector<float> input(N);
    for (uint32_t i = 0; i < N; ++i) input[i] = float(i) * 0.5f;
    Buffer ubo = gpu.buffer(sizeof(params), VK_BUFFER_USAGE_UNIFORM_BUFFER_BIT, &params);
    Buffer in = gpu.buffer(N * 4, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, input.data());
    Buffer out = gpu.buffer(N * 4, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT);
    gpu.name(VK_OBJECT_TYPE_BUFFER, (uint64_t)out.buffer, "output");

    const VkDescriptorType uniform_type = inline_uniform ? VK_DESCRIPTOR_TYPE_INLINE_UNIFORM_BLOCK : VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER;
    VkDescriptorSetLayoutBinding bindings[3] = {
        {0, uniform_type, inline_uniform ? uint32_t(sizeof(params)) : 1u, VK_SHADER_STAGE_COMPUTE_BIT, nullptr},
        {1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1, VK_SHADER_STAGE_COMPUTE_BIT, nullptr},
        {2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1, VK_SHADER_STAGE_COMPUTE_BIT, nullptr}};
    VkDescriptorSetLayoutCreateInfo li{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO};
    li.bindingCount = 3;
    li.pBindings = bindings;
    VkDescriptorSetLayout set_layout;
    VKCHECK(vkCreateDescriptorSetLayout(gpu.device, &li, nullptr, &set_layout));
    VkPushConstantRange push{VK_SHADER_STAGE_COMPUTE_BIT, 0, 4};
    VkPipelineLayoutCreateInfo pli{VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
    pli.setLayoutCount = 1;
    pli.pSetLayouts = &set_layout;
    pli.pushConstantRangeCount = 1;
    pli.pPushConstantRanges = &push;
    VkPipelineLayout layout;
    VKCHECK(vkCreatePipelineLayout(gpu.device, &pli, nullptr, &layout));
    VkShaderModule module = gpu.shader(compute_comp, sizeof(compute_comp));
    VkComputePipelineCreateInfo ci{VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO};
    ci.stage = {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO, nullptr, 0, VK_SHADER_STAGE_COMPUTE_BIT, module,
                "main", nullptr};
    ci.layout = layout;
    VkPipeline pipeline;
    VKCHECK(vkCreateComputePipelines(gpu.device, VK_NULL_HANDLE, 1, &ci, nullptr, &pipeline));
    gpu.name(VK_OBJECT_TYPE_PIPELINE, (uint64_t)pipeline, "scale_add");

    // --inline-uniform: a second set, whose block's bytes are copied into the first.
    const uint32_t set_count = inline_uniform ? 2 : 1;
    VkDescriptorPoolSize sizes[2] = {{uniform_type, set_count * (inline_uniform ? uint32_t(sizeof(params)) : 1u)},
                                     {VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 2 * set_count}};
    VkDescriptorPoolInlineUniformBlockCreateInfo inline_pool{VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_INLINE_UNIFORM_BLOCK_CREATE_INFO};
    inline_pool.maxInlineUniformBlockBindings = set_count;
    VkDescriptorPoolCreateInfo dpi{VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO};
    if (inline_uniform) dpi.pNext = &inline_pool;
    dpi.maxSets = set_count;
    dpi.poolSizeCount = 2;
    dpi.pPoolSizes = sizes;
    VkDescriptorPool dpool;
    VKCHECK(vkCreateDescriptorPool(gpu.device, &dpi, nullptr, &dpool));
    VkDescriptorSetAllocateInfo ai{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO};
    ai.descriptorPool = dpool;
    ai.descriptorSetCount = 1;
    ai.pSetLayouts = &set_layout;
    VkDescriptorSet set;
    VKCHECK(vkAllocateDescriptorSets(gpu.device, &ai, &set));
    VkDescriptorBufferInfo infos[3] = {{ubo.buffer, 0, VK_WHOLE_SIZE}, {in.buffer, 0, VK_WHOLE_SIZE}, {out.buffer, 0, VK_WHOLE_SIZE}};
    VkWriteDescriptorSet writes[3];
    for (uint32_t i = 0; i < 3; ++i) {
      writes[i] = {VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET};
      writes[i].dstSet = set;
      writes[i].dstBinding = i;
      writes[i].descriptorCount = 1;
      writes[i].descriptorType = i == 0 ? VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER : VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
      writes[i].pBufferInfo = &infos[i];
    }
    if (!inline_uniform) {
      vkUpdateDescriptorSets(gpu.device, 3, writes, 0, nullptr);
    } else {
      // The block's bytes: `scale` written into the other set's block at byte 0 and copied from there
      // (vkUpdateDescriptorSets' copies), `count` through a template at byte 4.
      vkUpdateDescriptorSets(gpu.device, 2, writes + 1, 0, nullptr);
      VkDescriptorSet other;
      VKCHECK(vkAllocateDescriptorSets(gpu.device, &ai, &other));
      VkWriteDescriptorSetInlineUniformBlock bytes{VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET_INLINE_UNIFORM_BLOCK};
      bytes.dataSize = 4;
      bytes.pData = &params.scale;
      VkWriteDescriptorSet w{VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, &bytes};
      w.dstSet = other;
      w.dstBinding = 0;
      w.dstArrayElement = 0;  // a byte offset here
      w.descriptorCount = 4;  // bytes
      w.descriptorType = VK_DESCRIPTOR_TYPE_INLINE_UNIFORM_BLOCK;
      VkCopyDescriptorSet copy{VK_STRUCTURE_TYPE_COPY_DESCRIPTOR_SET};
      copy.srcSet = other;
      copy.dstSet = set;
      copy.descriptorCount = 4;  // bytes, from byte 0 to byte 0
      vkUpdateDescriptorSets(gpu.device, 1, &w, 0, nullptr);
      vkUpdateDescriptorSets(gpu.device, 0, nullptr, 1, &copy);
      const VkDescriptorUpdateTemplateEntry entry{0, 4, 4, VK_DESCRIPTOR_TYPE_INLINE_UNIFORM_BLOCK, 0, 0};
      VkDescriptorUpdateTemplateCreateInfo ti{VK_STRUCTURE_TYPE_DESCRIPTOR_UPDATE_TEMPLATE_CREATE_INFO};
      ti.descriptorUpdateEntryCount = 1;
      ti.pDescriptorUpdateEntries = &entry;
      ti.templateType = VK_DESCRIPTOR_UPDATE_TEMPLATE_TYPE_DESCRIPTOR_SET;
      ti.descriptorSetLayout = set_layout;
      VkDescriptorUpdateTemplate tmpl;
      VKCHECK(vkCreateDescriptorUpdateTemplate(gpu.device, &ti, nullptr, &tmpl));
      vkUpdateDescriptorSetWithTemplate(gpu.device, set, tmpl, &params.count);
      vkDestroyDescriptorUpdateTemplate(gpu.device, tmpl, nullptr);
    }

    if (api && !late && gpu.has_api) VKCHECK(gpu.api.capture_next(gpu.device, "dispatch:2", KILN_CAPTURE_BOTH));

    float add2 = 100.0f;
    VkCommandBuffer cb = gpu.command_buffer();
    VkFence fence;
    VkFenceCreateInfo fi{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
    VKCHECK(vkCreateFence(gpu.device, &fi, nullptr, &fence));
    Buffer scratch = gpu.buffer(256, VK_BUFFER_USAGE_TRANSFER_DST_BIT);
    constexpr uint32_t kThreads = 4, kPerThread = 50;
    VkCommandPool pools[kThreads] = {};
    VkCommandBuffer cbs[kThreads] = {};
    if (threads) {
      // Each thread its own pool and command buffer, recorded at the same time.
      add2 = 3 * 1000.0f + kPerThread - 1;  // the program's last dispatch
      std::vector<std::thread> workers;
      for (uint32_t t = 0; t < kThreads; ++t) {
        VkCommandPoolCreateInfo pi{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
        pi.queueFamilyIndex = gpu.family;
        VKCHECK(vkCreateCommandPool(gpu.device, &pi, nullptr, &pools[t]));
        VkCommandBufferAllocateInfo cai{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
        cai.commandPool = pools[t];
        cai.commandBufferCount = 1;
        VKCHECK(vkAllocateCommandBuffers(gpu.device, &cai, &cbs[t]));
      }
      for (uint32_t t = 0; t < kThreads; ++t)
        workers.emplace_back([&, t] {
          VkCommandBuffer c = cbs[t];
          VkCommandBufferBeginInfo b{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
          VKCHECK(vkBeginCommandBuffer(c, &b));
          vkCmdBindPipeline(c, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline);
          vkCmdBindDescriptorSets(c, VK_PIPELINE_BIND_POINT_COMPUTE, layout, 0, 1, &set, 0, nullptr);
          for (uint32_t k = 0; k < kPerThread; ++k) {
            memory_barrier(c);
            float add = float(t * 1000 + k);
            vkCmdPushConstants(c, layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, 4, &add);
            vkCmdDispatch(c, N / 64, 1, 1);
          }
          memory_barrier(c);
          VKCHECK(vkEndCommandBuffer(c));
        });
      for (auto& w : workers) w.join();
      VkSubmitInfo si{VK_STRUCTURE_TYPE_SUBMIT_INFO};
      si.commandBufferCount = kThreads;
      si.pCommandBuffers = cbs;
      VKCHECK(vkQueueSubmit(gpu.queue, 1, &si, fence));
    } else {
    VkCommandBufferBeginInfo bi{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
    VKCHECK(vkBeginCommandBuffer(cb, &bi));
    if (hazard) {
      vkCmdFillBuffer(cb, scratch.buffer, 0, 256, 1);
      vkCmdFillBuffer(cb, scratch.buffer, 0, 256, 2);
    }
    vkCmdBindPipeline(cb, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline);
    vkCmdBindDescriptorSets(cb, VK_PIPELINE_BIND_POINT_COMPUTE, layout, 0, 1, &set, 0, nullptr);
    float add1 = 1.0f;
    vkCmdPushConstants(cb, layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, 4, &add1);
    vkCmdDispatch(cb, N / 64, 1, 1);
    memory_barrier(cb);
    vkCmdPushConstants(cb, layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, 4, &add2);
    vkCmdDispatch(cb, N / 64, 1, 1);
    VkMemoryBarrier host{VK_STRUCTURE_TYPE_MEMORY_BARRIER, nullptr, VK_ACCESS_SHADER_WRITE_BIT, VK_ACCESS_HOST_READ_BIT};
    vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &host, 0, nullptr, 0, nullptr);
    VKCHECK(vkEndCommandBuffer(cb));
    // A program that records once and submits many times asks for its capture between the two.
    if (late && gpu.has_api) VKCHECK(gpu.api.capture_next(gpu.device, "dispatch:2", KILN_CAPTURE_BOTH));
    if (submit2) {
      VkCommandBufferSubmitInfo cbi{VK_STRUCTURE_TYPE_COMMAND_BUFFER_SUBMIT_INFO};
      cbi.commandBuffer = cb;
      VkSubmitInfo2 si{VK_STRUCTURE_TYPE_SUBMIT_INFO_2};
      si.commandBufferInfoCount = 1;
      si.pCommandBufferInfos = &cbi;
      VKCHECK(vkQueueSubmit2(gpu.queue, 1, &si, fence));
    } else {
      VkSubmitInfo si{VK_STRUCTURE_TYPE_SUBMIT_INFO};
      si.commandBufferCount = 1;
      si.pCommandBuffers = &cb;
      VKCHECK(vkQueueSubmit(gpu.queue, 1, &si, fence));
    }
    }
    VKCHECK(vkWaitForFences(gpu.device, 1, &fence, VK_TRUE, UINT64_MAX));
    for (VkCommandPool p : pools)
      if (p) vkDestroyCommandPool(gpu.device, p, nullptr);

    // The program's own result, with or without the layer.
    const float* result = static_cast<const float*>(out.mapped);
    for (uint32_t i = 0; i < N; ++i) EXPECT(result[i] == input[i] * 2.0f + add2, "out[%u] = %f", i, result[i]);

    if (destroy) {
      vkDestroyPipeline(gpu.device, pipeline, nullptr);
      vkDestroyPipelineLayout(gpu.device, layout, nullptr);
      vkDestroyShaderModule(gpu.device, module, nullptr);
      vkDestroyDescriptorPool(gpu.device, dpool, nullptr);
      vkDestroyDescriptorSetLayout(gpu.device, set_layout, nullptr);
      gpu.destroy(ubo);
      gpu.destroy(in);
      gpu.destroy(out);
      vkFreeCommandBuffers(gpu.device, gpu.pool, 1, &cb);
    }

    if (gpu.has_api && none) {
      const KilnCapture* c = nullptr;
      EXPECT(gpu.api.get_capture(gpu.device, &c) == VK_INCOMPLETE, "a capture nobody asked for");
    } else if (gpu.has_api) {
      const KilnCapture* c = take_capture(gpu);
      if (c) {
        dump(c);
        EXPECT(std::string(c->command).rfind("vkCmdDispatch(4, 1, 1)", 0) == 0, "command %s", c->command);
        if (!threads && !hazard) EXPECT(c->command_index == 7, "command index %u", c->command_index);
        // What the selected dispatch adds, and what the output held before it.
        const float add_selected = threads ? 2000.0f : add2, add_before = threads ? 1049.0f : 1.0f;
        EXPECT(std::string(c->pipeline_name) == "scale_add", "pipeline %s", c->pipeline_name);
        const KilnCaptureResource* u = find(c, "descriptor", 0);
        const KilnCaptureResource* i = find(c, "descriptor", 1);
        const KilnCaptureResource* o = find(c, "descriptor", 2);
        const KilnCaptureResource* p = find(c, "push_constants");
        // Read-only resources: whichever side was captured holds the same bytes.
        auto any_side = [](const KilnCaptureResource* r) { return r->before ? r->before : r->after; };
        auto any_size = [](const KilnCaptureResource* r) { return r->before ? r->before_size : r->after_size; };
        if (u) {
          EXPECT(any_size(u) == sizeof(params) && std::memcmp(any_side(u), &params, sizeof(params)) == 0, "uniform");
          if (inline_uniform) {
            EXPECT(u->before && u->after, "inline uniform block: both sides");
            EXPECT(std::string(u->descriptor_type) == "inline_uniform_block", "descriptor type %s", u->descriptor_type);
          }
          EXPECT(std::string(u->shader_name) == "params", "uniform name %s", u->shader_name);
          EXPECT(!u->written, "uniform written");
        }
        if (i) {
          EXPECT(any_size(i) == N * 4 && std::memcmp(any_side(i), input.data(), N * 4) == 0, "input");
          if (i->before && i->after) EXPECT(std::memcmp(i->after, input.data(), N * 4) == 0, "input after");
          EXPECT(!i->written, "read-only input marked written");
          EXPECT(std::string(i->shader_name) == "inp", "input name %s", i->shader_name);
        }
        // KILN_CAPTURE_WHEN=before / after: only that side is there.
        const char* when_env = std::getenv("KILN_CAPTURE_WHEN");
        const std::string when = api || !when_env ? "both" : when_env;
        if (o && when != "both") {
          EXPECT((o->before != nullptr) == (when == "before") && (o->after != nullptr) == (when == "after"),
                 "KILN_CAPTURE_WHEN=%s: before %p after %p", when.c_str(), o->before, o->after);
          const float* side = static_cast<const float*>(o->before ? o->before : o->after);
          const float add = when == "before" ? 1.0f : add2;
          for (uint32_t k = 0; side && k < N; ++k) EXPECT(side[k] == input[k] * 2.0f + add, "%s[%u] = %f", when.c_str(), k, side[k]);
          o = nullptr;  // checked
        }
        if (o) {
          EXPECT(o->written, "output not marked written");
          EXPECT(std::string(o->debug_name) == "output", "debug name %s", o->debug_name);
          EXPECT(o->before_size == N * 4 && o->after_size == N * 4, "output sizes");
          const float* before = static_cast<const float*>(o->before);
          const float* after = static_cast<const float*>(o->after);
          for (uint32_t k = 0; o->before && o->after && k < N; ++k) {
            EXPECT(before[k] == input[k] * 2.0f + add_before, "before[%u] = %f", k, before[k]);
            EXPECT(after[k] == input[k] * 2.0f + add_selected, "after[%u] = %f", k, after[k]);
          }
        }
        if (p) EXPECT(any_size(p) == 4 && std::memcmp(any_side(p), &add_selected, 4) == 0, "push constants");
        gpu.api.free_capture(gpu.device, c);
      }
    }
    vkDestroyFence(gpu.device, fence, nullptr);
    gpu.destroy(scratch);
    if (!destroy) {
      vkDestroyPipeline(gpu.device, pipeline, nullptr);
      vkDestroyPipelineLayout(gpu.device, layout, nullptr);
      vkDestroyShaderModule(gpu.device, module, nullptr);
      vkDestroyDescriptorPool(gpu.device, dpool, nullptr);
      vkDestroyDescriptorSetLayout(gpu.device, set_layout, nullptr);
      gpu.destroy(ubo);
      gpu.destroy(in);
      gpu.destroy(out);
    }
  }
  return result();
}
