// Recording cost of kiln::CommandBuffer against the same raw vkCmd* calls, in the same run.
//
//   record_100k_draws:      100k x (bind pipeline, bind descriptor set, push constants, draw)
//   record_100k_dispatches: 100k x (bind pipeline, push constants, dispatch)
//
// Both sides record into a primary command buffer from a RESET_COMMAND_BUFFER pool with
// ONE_TIME_SUBMIT, inside the same raw vkCmdBeginRendering (draws), and both call the loader's
// exported vkCmd* entry points (kiln's wrappers are inline calls of exactly those). Timed: begin,
// record, end. Nothing is submitted. Repetitions alternate kiln/raw (and which goes first); the
// minimum of each is reported.
//
//   bench_record [count] [repetitions]   one JSON line per benchmark; ratio = kiln_ms / raw_ms (goal <= 1.05)
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "kiln/commands.h"
#include "kiln/context.h"
#include "kiln/error.h"
#include "kiln/image.h"
#include "kiln/log.h"
#include "bench_util.h"
// tests/gpu/shaders/, compiled at build time (bench/CMakeLists.txt)
#include "cmd_color_frag.h"
#include "cmd_fill_comp.h"
#include "cmd_fullscreen_vert.h"
// Raw-Vulkan pipeline setup shared with the GPU tests (bench/CMakeLists.txt).
#include "support/raw_pipelines.h"

namespace {

using bench::Clock;
using bench::json_escape;
using bench::ms_since;

// Pipelines, layouts and a descriptor set: what the recorded commands bind.
struct Objects {
  VkDevice device = VK_NULL_HANDLE;
  VkDescriptorSetLayout set_layout = VK_NULL_HANDLE;
  VkDescriptorPool descriptor_pool = VK_NULL_HANDLE;
  VkDescriptorSet set = VK_NULL_HANDLE;
  VkPipelineLayout compute_layout = VK_NULL_HANDLE;
  VkPipelineLayout graphics_layout = VK_NULL_HANDLE;
  VkPipeline compute = VK_NULL_HANDLE;
  VkPipeline graphics = VK_NULL_HANDLE;

  Objects(kiln::Context& ctx, VkFormat color_format) : device(ctx.device()) {
    using namespace kiln::test;
    set_layout = make_storage_set_layout(device, 1, VK_SHADER_STAGE_COMPUTE_BIT | VK_SHADER_STAGE_FRAGMENT_BIT);
    descriptor_pool = make_storage_pool(device, 1, 1);
    set = allocate_storage_set(device, descriptor_pool, set_layout);
    compute_layout = make_pipeline_layout(device, set_layout, {VK_SHADER_STAGE_COMPUTE_BIT, 0, 12});
    graphics_layout = make_pipeline_layout(device, set_layout, {VK_SHADER_STAGE_FRAGMENT_BIT, 0, 16});
    compute = make_compute_pipeline(device, compute_layout, cmd_fill_comp, sizeof(cmd_fill_comp));
    graphics = make_flat_color_pipeline(device, graphics_layout, color_format, cmd_fullscreen_vert,
                                        sizeof(cmd_fullscreen_vert), cmd_color_frag, sizeof(cmd_color_frag));
  }
  ~Objects() {
    vkDestroyPipeline(device, graphics, nullptr);
    vkDestroyPipeline(device, compute, nullptr);
    vkDestroyPipelineLayout(device, graphics_layout, nullptr);
    vkDestroyPipelineLayout(device, compute_layout, nullptr);
    vkDestroyDescriptorPool(device, descriptor_pool, nullptr);
    vkDestroyDescriptorSetLayout(device, set_layout, nullptr);
  }
};

struct Push {
  float color[4] = {1.0f, 0.5f, 0.25f, 1.0f};
};
struct ComputePush {
  uint32_t count = 64, mul = 3, add = 7;
};

double kiln_draws(kiln::CommandPool& pool, const Objects& o, const bench::RenderTarget& pass, uint32_t count) {
  const Push push;
  const VkViewport viewport{0, 0, 64, 64, 0, 1};
  const VkRect2D scissor{{0, 0}, {64, 64}};
  const auto start = Clock::now();
  kiln::CommandBuffer cmd = pool.begin();
  pass.begin(cmd);
  cmd.set_viewport(viewport);
  cmd.set_scissor(scissor);
  for (uint32_t i = 0; i < count; ++i) {
    cmd.bind_pipeline(VK_PIPELINE_BIND_POINT_GRAPHICS, o.graphics);
    cmd.bind_descriptor_sets(VK_PIPELINE_BIND_POINT_GRAPHICS, o.graphics_layout, 0, o.set);
    cmd.push_constants(o.graphics_layout, VK_SHADER_STAGE_FRAGMENT_BIT, push);
    cmd.draw(3);
  }
  pass.end(cmd);
  cmd.end();
  return ms_since(start);  // the unsubmitted buffer goes back to the pool (reset) after this
}

double raw_draws(VkCommandBuffer cmd, const Objects& o, const bench::RenderTarget& pass, uint32_t count) {
  const Push push;
  const VkViewport viewport{0, 0, 64, 64, 0, 1};
  const VkRect2D scissor{{0, 0}, {64, 64}};
  const auto start = Clock::now();
  VkCommandBufferBeginInfo begin{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
  begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
  kiln::check(vkBeginCommandBuffer(cmd, &begin), "vkBeginCommandBuffer");
  pass.begin(cmd);
  vkCmdSetViewport(cmd, 0, 1, &viewport);
  vkCmdSetScissor(cmd, 0, 1, &scissor);
  for (uint32_t i = 0; i < count; ++i) {
    vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, o.graphics);
    vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, o.graphics_layout, 0, 1, &o.set, 0, nullptr);
    vkCmdPushConstants(cmd, o.graphics_layout, VK_SHADER_STAGE_FRAGMENT_BIT, 0, sizeof(push), &push);
    vkCmdDraw(cmd, 3, 1, 0, 0);
  }
  pass.end(cmd);
  kiln::check(vkEndCommandBuffer(cmd), "vkEndCommandBuffer");
  const double ms = ms_since(start);
  vkResetCommandBuffer(cmd, 0);
  return ms;
}

double kiln_dispatches(kiln::CommandPool& pool, const Objects& o, uint32_t count) {
  const ComputePush push;
  const auto start = Clock::now();
  kiln::CommandBuffer cmd = pool.begin();
  for (uint32_t i = 0; i < count; ++i) {
    cmd.bind_pipeline(VK_PIPELINE_BIND_POINT_COMPUTE, o.compute);
    cmd.push_constants(o.compute_layout, VK_SHADER_STAGE_COMPUTE_BIT, push);
    cmd.dispatch(1);
  }
  cmd.end();
  return ms_since(start);
}

double raw_dispatches(VkCommandBuffer cmd, const Objects& o, uint32_t count) {
  const ComputePush push;
  const auto start = Clock::now();
  VkCommandBufferBeginInfo begin{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
  begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
  kiln::check(vkBeginCommandBuffer(cmd, &begin), "vkBeginCommandBuffer");
  for (uint32_t i = 0; i < count; ++i) {
    vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, o.compute);
    vkCmdPushConstants(cmd, o.compute_layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof(push), &push);
    vkCmdDispatch(cmd, 1, 1, 1);
  }
  kiln::check(vkEndCommandBuffer(cmd), "vkEndCommandBuffer");
  const double ms = ms_since(start);
  vkResetCommandBuffer(cmd, 0);
  return ms;
}

void print(const char* bench, double kiln_ms, double raw_ms, uint32_t count, uint32_t reps, const std::string& device) {
  std::printf(
      "{\"bench\":\"%s\",\"kiln_ms\":%.3f,\"raw_ms\":%.3f,\"ratio\":%.4f,\"goal\":1.05,\"count\":%u,"
      "\"repetitions\":%u,\"device\":\"%s\"}\n",
      bench, kiln_ms, raw_ms, kiln_ms / raw_ms, count, reps, json_escape(device).c_str());
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  const uint32_t count = argc > 1 ? uint32_t(std::strtoul(argv[1], nullptr, 10)) : 100000;
  const uint32_t reps = argc > 2 ? uint32_t(std::strtoul(argv[2], nullptr, 10)) : 15;
  try {
    kiln::Context ctx({.app_name = "bench_record"});
    const std::string device = ctx.properties().deviceName;
    if (!ctx.has(kiln::Feature::DynamicRendering)) {
      std::fprintf(stderr, "bench_record: %s has no dynamic rendering\n", device.c_str());
      return 1;
    }
    constexpr VkFormat kFormat = VK_FORMAT_R8G8B8A8_UNORM;
    Objects objects(ctx, kFormat);
    // The same raw rendering pass on both sides, so that only the wrappers differ.
    bench::RenderTarget pass(ctx, kFormat, {64, 64});

    kiln::CommandPool pool(ctx, kiln::QueueKind::Graphics, "bench.kiln");
    // The baseline's pool and buffer: the same flags kiln uses.
    VkCommandPoolCreateInfo pool_info{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
    pool_info.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
    pool_info.queueFamilyIndex = ctx.queue(kiln::QueueKind::Graphics).family();
    VkCommandPool raw_pool = VK_NULL_HANDLE;
    kiln::check(vkCreateCommandPool(ctx.device(), &pool_info, nullptr, &raw_pool), "vkCreateCommandPool");
    VkCommandBufferAllocateInfo alloc{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
    alloc.commandPool = raw_pool;
    alloc.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
    alloc.commandBufferCount = 1;
    VkCommandBuffer raw = VK_NULL_HANDLE;
    kiln::check(vkAllocateCommandBuffers(ctx.device(), &alloc, &raw), "vkAllocateCommandBuffers");

    // One warm-up of each, then alternate.
    kiln_draws(pool, objects, pass, count);
    raw_draws(raw, objects, pass, count);
    double kd = 1e300, rd = 1e300;
    for (uint32_t r = 0; r < reps; ++r) {
      // Alternate which side goes first, so neither always inherits the other's cache and heap state.
      if (r % 2 == 0) {
        kd = std::min(kd, kiln_draws(pool, objects, pass, count));
        rd = std::min(rd, raw_draws(raw, objects, pass, count));
      } else {
        rd = std::min(rd, raw_draws(raw, objects, pass, count));
        kd = std::min(kd, kiln_draws(pool, objects, pass, count));
      }
    }
    print("record_100k_draws", kd, rd, count, reps, device);

    kiln_dispatches(pool, objects, count);
    raw_dispatches(raw, objects, count);
    double kc = 1e300, rc = 1e300;
    for (uint32_t r = 0; r < reps; ++r) {
      if (r % 2 == 0) {
        kc = std::min(kc, kiln_dispatches(pool, objects, count));
        rc = std::min(rc, raw_dispatches(raw, objects, count));
      } else {
        rc = std::min(rc, raw_dispatches(raw, objects, count));
        kc = std::min(kc, kiln_dispatches(pool, objects, count));
      }
    }
    print("record_100k_dispatches", kc, rc, count, reps, device);

    vkDestroyCommandPool(ctx.device(), raw_pool, nullptr);
    ctx.wait_idle();
  } catch (const kiln::Error& e) {
    std::fprintf(stderr, "bench_record: %s\n", e.what());
    return 1;
  }
  return 0;
}
