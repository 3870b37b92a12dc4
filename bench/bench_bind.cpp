// Binding by name against raw descriptor updates, in the same run.
//
//   bind_by_name_10k_draws: per draw, a different uniform buffer for the vertex shader's block and a draw.
//     kiln: program.bind("clash", buffer) + program.record(cmd, &state) + cmd.draw(3)
//           (record: use() of the bound buffer; the set written for that buffer earlier, found by
//           content, or a fresh one written; bound; pipeline and push constants sent once: the
//           BindingState shows them unchanged, pushes_skipped in the JSON). The 64 buffers cycle, so
//           after the first round every set is a reuse (sets_written / sets_reused in the JSON).
//           The raw side writes a set every draw, as code without such a cache does.
//     raw:  vkUpdateDescriptorSets (one write into a set allocated beforehand) + vkCmdBindDescriptorSets
//           + vkCmdDraw, with the Program's own pipeline and layout; the push constants (the same
//           color throughout) sent once before the loop, as hand-written code would.
//
// Both record into a primary command buffer inside the same raw vkCmdBeginRendering; nothing is
// submitted. Timed: begin, record, end. Repetitions alternate which side goes first; the minimum of
// each is reported. Between repetitions program.update() recycles the sets (the recording was never
// submitted), so kiln's steady state allocates nothing, like the raw side's preallocated sets.
//
//   bench_bind [count] [repetitions]   one JSON line; ratio = kiln_ms / raw_ms (goal <= 1.2)
#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "kiln/buffer.h"
#include "kiln/commands.h"
#include "kiln/context.h"
#include "kiln/error.h"
#include "kiln/image.h"
#include "kiln/program.h"
#include "bench_util.h"
// tests/gpu/shaders/, compiled at build time (bench/CMakeLists.txt)
#include "cmd_color_frag.h"
#include "prog_binding_clash_vert.h"

namespace {

using bench::Clock;
using bench::json_escape;
using bench::ms_since;

constexpr uint32_t kBuffers = 64;

const std::array<float, 4> kColor{1.0f, 0.5f, 0.25f, 1.0f};

double kiln_draws(kiln::CommandPool& pool, kiln::Program& program, std::vector<kiln::Buffer>& buffers,
                  const bench::RenderTarget& pass, uint32_t count) {
  double ms = 0;
  {
    const auto start = Clock::now();
    kiln::CommandBuffer cmd = pool.begin();
    // Barriers (none here: the buffers are only read) go before the pass.
    for (auto& b : buffers) cmd.use(b, kiln::Use::UniformInVertex);
    pass.begin(cmd);
    cmd.set_viewport_scissor({64, 64});
    kiln::BindingState state;
    for (uint32_t i = 0; i < count; ++i) {
      program.bind("clash", buffers[i % kBuffers]);
      program.record(cmd, &state);
      cmd.draw(3);
    }
    pass.end(cmd);
    cmd.end();
    ms = ms_since(start);
  }  // never submitted: reset and back to the pool, untimed as on the raw side
  program.update();  // recycles the sets: nothing of them is in flight
  return ms;
}

double raw_draws(VkDevice device, VkCommandBuffer cmd, const kiln::Program& program,
                 const std::vector<VkDescriptorSet>& sets, std::vector<kiln::Buffer>& buffers,
                 const bench::RenderTarget& pass, uint32_t count) {
  const VkViewport viewport{0, 0, 64, 64, 0, 1};
  const VkRect2D scissor{{0, 0}, {64, 64}};
  const VkPipelineLayout layout = program.layout();
  const auto start = Clock::now();
  VkCommandBufferBeginInfo begin{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
  begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
  kiln::check(vkBeginCommandBuffer(cmd, &begin), "vkBeginCommandBuffer");
  pass.begin(cmd);
  vkCmdSetViewport(cmd, 0, 1, &viewport);
  vkCmdSetScissor(cmd, 0, 1, &scissor);
  vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, program.pipeline());
  vkCmdPushConstants(cmd, layout, VK_SHADER_STAGE_ALL_GRAPHICS, 0, sizeof(kColor), kColor.data());
  for (uint32_t i = 0; i < count; ++i) {
    const VkDescriptorBufferInfo info{buffers[i % kBuffers].handle(), 0, VK_WHOLE_SIZE};
    VkWriteDescriptorSet write{VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET};
    write.dstSet = sets[i];
    write.dstBinding = 0;
    write.descriptorCount = 1;
    write.descriptorType = VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER;
    write.pBufferInfo = &info;
    vkUpdateDescriptorSets(device, 1, &write, 0, nullptr);
    vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, layout, 0, 1, &sets[i], 0, nullptr);
    vkCmdDraw(cmd, 3, 1, 0, 0);
  }
  pass.end(cmd);
  kiln::check(vkEndCommandBuffer(cmd), "vkEndCommandBuffer");
  const double ms = ms_since(start);
  vkResetCommandBuffer(cmd, 0);
  return ms;
}

}  // namespace

int main(int argc, char** argv) {
  const uint32_t count = argc > 1 ? uint32_t(std::strtoul(argv[1], nullptr, 10)) : 10000;
  const uint32_t reps = argc > 2 ? uint32_t(std::strtoul(argv[2], nullptr, 10)) : 15;
  try {
    kiln::Context ctx({.app_name = "bench_bind"});
    const std::string device_name = ctx.properties().deviceName;
    if (!ctx.has(kiln::Feature::DynamicRendering)) {
      std::fprintf(stderr, "bench_bind: %s has no dynamic rendering\n", device_name.c_str());
      return 1;
    }
    constexpr VkFormat kFormat = VK_FORMAT_R8G8B8A8_UNORM;
    kiln::Program program(
        ctx, {.modules = {{.stage = kiln::ShaderStage::Vertex,
                           .spirv = std::vector<uint32_t>(std::begin(prog_binding_clash_vert), std::end(prog_binding_clash_vert))},
                          {.stage = kiln::ShaderStage::Fragment,
                           .spirv = std::vector<uint32_t>(std::begin(cmd_color_frag), std::end(cmd_color_frag))}},
              .color_formats = {kFormat},
              .name = "bench.bind"});
    program.push("color", kColor);

    std::vector<kiln::Buffer> buffers;
    for (uint32_t i = 0; i < kBuffers; ++i) {
      buffers.emplace_back(ctx, kiln::BufferDesc{.size = 16, .usage = VK_BUFFER_USAGE_UNIFORM_BUFFER_BIT,
                                                 .name = "bench.uniform"});
    }
    bench::RenderTarget pass(ctx, kFormat, {64, 64});

    // The baseline's sets, allocated beforehand with the Program's own set layout.
    VkDevice device = ctx.device();
    const VkDescriptorPoolSize size{VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER, count};
    VkDescriptorPoolCreateInfo pool_info{VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO};
    pool_info.maxSets = count;
    pool_info.poolSizeCount = 1;
    pool_info.pPoolSizes = &size;
    VkDescriptorPool raw_pool = VK_NULL_HANDLE;
    kiln::check(vkCreateDescriptorPool(device, &pool_info, nullptr, &raw_pool), "vkCreateDescriptorPool");
    std::vector<VkDescriptorSet> sets(count);
    const std::vector<VkDescriptorSetLayout> layouts(count, program.set_layout(0));
    VkDescriptorSetAllocateInfo alloc{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO};
    alloc.descriptorPool = raw_pool;
    alloc.descriptorSetCount = count;
    alloc.pSetLayouts = layouts.data();
    kiln::check(vkAllocateDescriptorSets(device, &alloc, sets.data()), "vkAllocateDescriptorSets");

    kiln::CommandPool pool(ctx, kiln::QueueKind::Graphics, "bench.kiln");
    VkCommandPoolCreateInfo cmd_pool_info{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
    cmd_pool_info.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
    cmd_pool_info.queueFamilyIndex = ctx.queue(kiln::QueueKind::Graphics).family();
    VkCommandPool raw_cmd_pool = VK_NULL_HANDLE;
    kiln::check(vkCreateCommandPool(device, &cmd_pool_info, nullptr, &raw_cmd_pool), "vkCreateCommandPool");
    VkCommandBufferAllocateInfo cmd_alloc{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
    cmd_alloc.commandPool = raw_cmd_pool;
    cmd_alloc.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
    cmd_alloc.commandBufferCount = 1;
    VkCommandBuffer raw = VK_NULL_HANDLE;
    kiln::check(vkAllocateCommandBuffers(device, &cmd_alloc, &raw), "vkAllocateCommandBuffers");

    kiln_draws(pool, program, buffers, pass, count);  // warm-up: the program's pools fill once
    raw_draws(device, raw, program, sets, buffers, pass, count);
    double k = 1e300, r = 1e300;
    const bool verbose = std::getenv("KILN_BENCH_VERBOSE") != nullptr;
    for (uint32_t i = 0; i < reps; ++i) {
      if (i % 2 == 0) {
        k = std::min(k, kiln_draws(pool, program, buffers, pass, count));
        r = std::min(r, raw_draws(device, raw, program, sets, buffers, pass, count));
      } else {
        r = std::min(r, raw_draws(device, raw, program, sets, buffers, pass, count));
        k = std::min(k, kiln_draws(pool, program, buffers, pass, count));
      }
      if (verbose) std::fprintf(stderr, "rep %u: best kiln %.3f ms, raw %.3f ms\n", i, k, r);
    }
    std::printf(
        "{\"bench\":\"bind_by_name_10k_draws\",\"kiln_ms\":%.3f,\"raw_ms\":%.3f,\"ratio\":%.4f,\"goal\":1.2,"
        "\"count\":%u,\"repetitions\":%u,\"sets_written\":%llu,\"sets_reused\":%llu,\"pushes_skipped\":%llu,"
        "\"device\":\"%s\"}\n",
        k, r, k / r, count, reps, static_cast<unsigned long long>(program.stats().sets_written),
        static_cast<unsigned long long>(program.stats().sets_reused),
        static_cast<unsigned long long>(program.stats().pushes_skipped), json_escape(device_name).c_str());
    std::fflush(stdout);

    vkDestroyCommandPool(device, raw_cmd_pool, nullptr);
    vkDestroyDescriptorPool(device, raw_pool, nullptr);
    ctx.wait_idle();
  } catch (const kiln::Error& e) {
    std::fprintf(stderr, "bench_bind: %s\n", e.what());
    return 1;
  }
  return 0;
}
