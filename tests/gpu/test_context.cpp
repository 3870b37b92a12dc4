#include <cctype>
#include <cstdlib>

#include "kiln/buffer.h"
#include "kiln/commands.h"
#include "kiln/transfer.h"
#include "ctx_printf_comp.h"
#include "kiln/context.h"
#include "kiln/error.h"
#include "kiln/log.h"
#include "support/gpu_test.h"

namespace kiln {
namespace {

using test::GpuTest;


TEST_F(GpuTest, ContextWithDefaultFeatures) {
  EXPECT_NE(ctx->device(), VK_NULL_HANDLE);
  EXPECT_GE(ctx->api_version(), uint32_t(VK_API_VERSION_1_1));
  // lavapipe (Mesa 22.3) and NVIDIA's driver are Vulkan 1.3 devices with these; kiln prefers them.
  EXPECT_TRUE(ctx->has(Feature::DynamicRendering));
  EXPECT_TRUE(ctx->has(Feature::Synchronization2));
  EXPECT_TRUE(ctx->has(Feature::TimelineSemaphore));
  EXPECT_NE(ctx->fn().cmd_pipeline_barrier2, nullptr);
  EXPECT_NE(ctx->fn().cmd_begin_rendering, nullptr);
  EXPECT_NE(ctx->fn().set_debug_utils_object_name, nullptr);
  EXPECT_FALSE(ctx->has(Feature::MeshShader));  // not asked for
  EXPECT_EQ(ctx->validation(), Validation::Synchronization);
}

TEST_F(GpuTest, QueuesFallBackToGraphics) {
  Queue& g = ctx->queue(QueueKind::Graphics);
  EXPECT_EQ(g.kind(), QueueKind::Graphics);
  for (QueueKind k : {QueueKind::Compute, QueueKind::Transfer}) {
    Queue& q = ctx->queue(k);
    if (ctx->has_dedicated(k)) EXPECT_NE(q.family(), g.family());
    else EXPECT_EQ(&q, &g);
  }
}

struct SyncFallbackTest : GpuTest {
  void adjust(ContextDesc& d) override { d.disabled = {Feature::Synchronization2, Feature::DynamicRendering}; }
};
TEST_F(SyncFallbackTest, DisabledFeaturesAreOffAndTheirEntryPointsNull) {
  EXPECT_FALSE(ctx->has(Feature::Synchronization2));
  EXPECT_FALSE(ctx->has(Feature::DynamicRendering));
  EXPECT_EQ(ctx->fn().cmd_pipeline_barrier2, nullptr);
  EXPECT_EQ(ctx->fn().queue_submit2, nullptr);
  EXPECT_EQ(ctx->fn().cmd_begin_rendering, nullptr);
}

struct Vulkan11Test : GpuTest {
  void adjust(ContextDesc& d) override { d.api_version = VK_API_VERSION_1_1; }
};
TEST_F(Vulkan11Test, RequestingOnePointOneUsesExtensionsForNewerFeatures) {
  EXPECT_EQ(VK_API_VERSION_MINOR(ctx->api_version()), 1u);
  // Timeline semaphores and synchronization2 arrive through their extensions.
  EXPECT_TRUE(ctx->has(Feature::TimelineSemaphore));
  EXPECT_TRUE(ctx->has_extension(VK_KHR_TIMELINE_SEMAPHORE_EXTENSION_NAME));
  EXPECT_EQ(ctx->has(Feature::Synchronization2), ctx->has_extension(VK_KHR_SYNCHRONIZATION_2_EXTENSION_NAME));
  // A submit works on this path too.
  CommandPool pool(*ctx);
  CommandBuffer cmd = pool.begin("v11");
  uint64_t serial = ctx->queue().submit(cmd);
  ctx->queue().wait(serial);
  EXPECT_TRUE(ctx->queue().finished(serial));
}

TEST(ContextChoice, RequiredFeatureMissingListsWhatEachDeviceLacked) {
  ContextDesc desc = test::test_context_desc();
  desc.required = {Feature::MeshShader, Feature::RayQuery};
  {
    Instance instance(desc);
    for (const DeviceInfo& d : instance.devices())
      if (d.features.has(Feature::MeshShader)) GTEST_SKIP() << d.properties.deviceName << " has mesh shaders";
  }
  try {
    Context ctx(desc);
    FAIL() << "lavapipe should not have mesh shaders";
  } catch (const Error& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("llvmpipe"), std::string::npos) << m;
    EXPECT_NE(m.find("lacks: feature mesh_shader, feature ray_query"), std::string::npos) << m;
  }
}

TEST(ContextChoice, ByNameAndIndex) {
  ContextDesc desc = test::test_context_desc();
  std::string first;
  {
    Instance instance(desc);
    first = instance.devices().at(0).properties.deviceName;
  }
  std::string upper = first.substr(0, 6);
  for (char& c : upper) c = char(std::toupper(static_cast<unsigned char>(c)));
  desc.device_name = upper;  // case-insensitive substring
  { Context ctx(desc); EXPECT_EQ(std::string(ctx.properties().deviceName), first); }
  desc.device_name = "no such gpu";
  try {
    Context ctx(desc);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no device matches name 'no such gpu'; devices are:"), std::string::npos) << e.what();
  }
  desc.device_name.clear();
  desc.device_index = 0;
  EXPECT_NO_THROW(Context ctx(desc));
  test::expect_no_validation_messages();
}

TEST_F(GpuTest, ValidationMessagesReachTheLogWithObjectNames) {
  // Provoke one validation error on purpose, on a named object, and check the log line.
  VkBuffer buffer = VK_NULL_HANDLE;
  VkBufferCreateInfo info{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
  info.size = 256;
  info.usage = VK_BUFFER_USAGE_TRANSFER_DST_BIT;
  ASSERT_EQ(vkCreateBuffer(ctx->device(), &info, nullptr, &buffer), VK_SUCCESS);
  ctx->set_name(buffer, "probe.buffer");
  VkMemoryRequirements req;
  vkGetBufferMemoryRequirements(ctx->device(), buffer, &req);
  VkMemoryAllocateInfo ai{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
  ai.allocationSize = req.size;
  ai.memoryTypeIndex = uint32_t(__builtin_ctz(req.memoryTypeBits));
  VkDeviceMemory memory;
  ASSERT_EQ(vkAllocateMemory(ctx->device(), &ai, nullptr, &memory), VK_SUCCESS);
  ASSERT_EQ(vkBindBufferMemory(ctx->device(), buffer, memory, 0), VK_SUCCESS);
  test::expect_no_validation_messages();
  // Binding a buffer a second time is invalid usage (harmless to the driver).
  uint64_t before = ctx->validation_messages();
  vkBindBufferMemory(ctx->device(), buffer, memory, 0);
  std::vector<std::string> messages = test::ValidationSink::get().take();
  EXPECT_GT(ctx->validation_messages(), before);
  ASSERT_FALSE(messages.empty());
  EXPECT_NE(messages[0].find("'probe.buffer'"), std::string::npos) << messages[0];
  vkDestroyBuffer(ctx->device(), buffer, nullptr);
  vkFreeMemory(ctx->device(), memory, nullptr);
}

TEST_F(GpuTest, DeviceLossReportNamesTheLabelsInFlight) {
  // A submission held back by a timeline semaphore the host has not signalled yet is "in flight":
  // its labels are what a device-lost error would report.
  test::HostGate gate(*ctx);

  CommandPool pool(*ctx);
  CommandBuffer cmd = pool.begin("frame");
  cmd.begin_label("frame 12");
  cmd.begin_label("shadows");
  cmd.end_label();
  cmd.end_label();
  uint64_t serial = ctx->queue().submit({.commands = {&cmd}, .waits = {gate.wait()}});
  std::string report = ctx->queue().in_flight_report();
  EXPECT_NE(report.find(str("serial ", serial, " [frame 12 > shadows]")), std::string::npos) << report;

  gate.open();
  ctx->queue().wait(serial);
  EXPECT_EQ(ctx->queue().in_flight_report(), "queue graphics: nothing known in flight");
}

TEST_F(GpuTest, DeferredDestructionWaitsForTheQueue) {
  test::HostGate gate(*ctx);
  CommandPool pool(*ctx);
  CommandBuffer cmd = pool.begin("held");
  uint64_t serial = ctx->queue().submit({.commands = {&cmd}, .waits = {gate.wait()}});
  bool destroyed = false;
  ctx->defer([&] { destroyed = true; });
  ctx->collect();
  EXPECT_FALSE(destroyed);  // the submission before the drop has not run
  gate.open();
  ctx->queue().wait(serial);
  ctx->collect();
  EXPECT_TRUE(destroyed);
}

// Runs a one-invocation dispatch of ctx_printf.comp (debugPrintfEXT("kiln printf %d", 42)).
void dispatch_printf(Context& ctx) {
  VkShaderModuleCreateInfo sm{VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO};
  sm.codeSize = sizeof(ctx_printf_comp);
  sm.pCode = ctx_printf_comp;
  VkShaderModule module;
  check(vkCreateShaderModule(ctx.device(), &sm, nullptr, &module), "vkCreateShaderModule");
  VkPipelineLayoutCreateInfo pl{VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
  VkPipelineLayout layout;
  check(vkCreatePipelineLayout(ctx.device(), &pl, nullptr, &layout), "vkCreatePipelineLayout");
  VkComputePipelineCreateInfo ci{VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO};
  ci.stage = {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO, nullptr, 0, VK_SHADER_STAGE_COMPUTE_BIT, module, "main", nullptr};
  ci.layout = layout;
  VkPipeline pipeline;
  check(vkCreateComputePipelines(ctx.device(), VK_NULL_HANDLE, 1, &ci, nullptr, &pipeline), "vkCreateComputePipelines");
  run_now(ctx, QueueKind::Graphics, [&](CommandBuffer& cmd) {
    cmd.bind_pipeline(VK_PIPELINE_BIND_POINT_COMPUTE, pipeline);
    cmd.dispatch(1, 1, 1);
  });
  vkDestroyPipeline(ctx.device(), pipeline, nullptr);
  vkDestroyPipelineLayout(ctx.device(), layout, nullptr);
  vkDestroyShaderModule(ctx.device(), module, nullptr);
}

TEST(ValidationModes, DebugPrintfReachesTheLog) {
  std::vector<std::string> printed;
  set_log_callback([&](const LogMessage& m) {
    if (m.source == LogSource::Driver) printed.emplace_back(m.text);
    if (m.source == LogSource::Validation && m.level >= LogLevel::Warn) ADD_FAILURE() << m.text;
  });
  {
    ContextDesc desc = test::test_context_desc();
    desc.validation = Validation::DebugPrintf;
    Context ctx(desc);
    EXPECT_EQ(ctx.validation(), Validation::DebugPrintf);
    dispatch_printf(ctx);
  }
  set_log_callback({});
  ASSERT_FALSE(printed.empty());
  EXPECT_NE(printed[0].find("kiln printf 42"), std::string::npos) << printed[0];
}

TEST(ValidationModes, GpuAssistedRunsCleanWork) {
  test::ValidationSink::get().install();
  ContextDesc desc = test::test_context_desc();
  desc.validation = Validation::GpuAssisted;
  {
    Context ctx(desc);
    EXPECT_EQ(ctx.validation(), Validation::GpuAssisted);
    Buffer b(ctx, {.size = 256, .usage = VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT, .name = "gpuav"});
    run_now(ctx, QueueKind::Graphics, [&](CommandBuffer& cmd) { cmd.fill_buffer(b, 7u); });
    EXPECT_EQ(read_back_now(ctx, b)[0], 7);
  }
  test::expect_no_validation_messages();
}

class Submits : public test::GpuTestSync2 {};
KILN_SYNC2_PARAMS(Submits);

TEST_P(Submits, BinarySemaphoreBetweenSubmitsAndAUserFence) {
  VkSemaphoreCreateInfo si{VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO};
  VkSemaphore ready;
  ASSERT_EQ(vkCreateSemaphore(ctx->device(), &si, nullptr, &ready), VK_SUCCESS);
  VkFenceCreateInfo fi{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
  VkFence done;
  ASSERT_EQ(vkCreateFence(ctx->device(), &fi, nullptr, &done), VK_SUCCESS);

  constexpr VkDeviceSize n = 1 << 16;
  Buffer a(*ctx, {.size = n, .usage = VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT, .name = "a"});
  Buffer b(*ctx, {.size = n, .usage = VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT, .name = "b"});
  CommandPool pool(*ctx);
  CommandBuffer fill = pool.begin("fill");
  fill.fill_buffer(a, 0xA5A5A5A5u);
  CommandBuffer copy = pool.begin("copy");
  copy.copy_buffer(a, b);
  Queue& q = ctx->queue();
  const uint64_t s1 = q.submit({.commands = {&fill}, .signals = {{ready, 0, VK_PIPELINE_STAGE_2_ALL_TRANSFER_BIT}}});
  const uint64_t s2 = q.submit({.commands = {&copy}, .waits = {{ready, 0, VK_PIPELINE_STAGE_2_ALL_TRANSFER_BIT}}, .fence = done});
  EXPECT_GT(s2, s1);
  ASSERT_EQ(vkWaitForFences(ctx->device(), 1, &done, VK_TRUE, UINT64_MAX), VK_SUCCESS);
  q.wait(s2);  // the serial agrees with the fence
  const std::vector<uint8_t> back = read_back_now(*ctx, b);
  ASSERT_EQ(back.size(), n);
  for (VkDeviceSize i = 0; i < n; ++i) ASSERT_EQ(back[i], 0xA5) << "byte " << i;
  vkDestroyFence(ctx->device(), done, nullptr);
  vkDestroySemaphore(ctx->device(), ready, nullptr);
}

}  // namespace
}  // namespace kiln
