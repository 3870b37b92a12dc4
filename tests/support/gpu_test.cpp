#include "support/gpu_test.h"

#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>

#include "kiln/error.h"
#include "kiln/log.h"

namespace kiln::test {
namespace {

// The loader unloads the driver and layer libraries at vkDestroyInstance; a leak report made at
// exit then shows only "<unknown module>" frames that no suppression can match. Pinning them
// keeps their symbols, so tests/lsan.supp can tell the driver's allocations from kiln's. NVIDIA's
// driver, loaded and unloaded for each of a few hundred instances in one process, at some point
// fails to load again ("Found no drivers"): pinned, it loads once (docs/gpu.md).
const bool g_pinned = [] {
  for (const char* lib : {"libvulkan_lvp.so", "libVkLayer_khronos_validation.so", "libGLX_nvidia.so.0"})
    dlopen(lib, RTLD_NOW | RTLD_NODELETE);
  return true;
}();

}  // namespace

ValidationSink& ValidationSink::get() {
  static ValidationSink sink;
  return sink;
}

void ValidationSink::install() {
  set_log_callback([this](const LogMessage& m) {
    if (m.source == LogSource::Validation && m.level >= LogLevel::Warn) {
      std::lock_guard lock(mutex_);
      messages_.emplace_back(m.text);
    }
    std::fprintf(stderr, "kiln [%s] %.*s\n", log_level_name(m.level), int(m.text.size()), m.text.data());
  });
}

std::vector<std::string> ValidationSink::take() {
  std::lock_guard lock(mutex_);
  return std::exchange(messages_, {});
}

ContextDesc test_context_desc() {
  ContextDesc desc;
  desc.app_name = "kiln-test";
  desc.validation = Validation::Synchronization;
  if (const char* v = std::getenv("KILN_TEST_VALIDATION")) parse_validation(v, &desc.validation);
  return desc;
}

void expect_no_validation_messages() {
  for (const std::string& m : ValidationSink::get().take()) ADD_FAILURE() << "validation message: " << m;
}

void GpuTest::SetUp() {
  ValidationSink::get().install();
  ValidationSink::get().take();
  ContextDesc desc = test_context_desc();
  adjust(desc);
  ctx = std::make_unique<Context>(desc);
}

void GpuTest::TearDown() {
  if (ctx) ctx->wait_idle();
  ctx.reset();
  expect_no_validation_messages();
}

void GpuTestSync2::adjust(ContextDesc& desc) {
  if (!GetParam()) desc.disabled.push_back(Feature::Synchronization2);
}

HostGate::HostGate(Context& ctx) : ctx_(ctx) {
  VkSemaphoreTypeCreateInfo type{VK_STRUCTURE_TYPE_SEMAPHORE_TYPE_CREATE_INFO};
  type.semaphoreType = VK_SEMAPHORE_TYPE_TIMELINE;
  VkSemaphoreCreateInfo info{VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO};
  info.pNext = &type;
  check(vkCreateSemaphore(ctx.device(), &info, nullptr, &semaphore_), "vkCreateSemaphore");
  ctx.set_name(semaphore_, "test.host_gate");
}

HostGate::~HostGate() {
  // A test that failed before opening the gate must not hang here.
  if (!opened_) open();
  ctx_.wait_idle();
  vkDestroySemaphore(ctx_.device(), semaphore_, nullptr);
}

void HostGate::open() {
  VkSemaphoreSignalInfo signal{VK_STRUCTURE_TYPE_SEMAPHORE_SIGNAL_INFO};
  signal.semaphore = semaphore_;
  signal.value = 1;
  check(ctx_.fn().signal_semaphore(ctx_.device(), &signal), "vkSignalSemaphore");
  opened_ = true;
}

std::string test_output_dir() {
  const char* out = std::getenv("KILN_TEST_OUT");
  std::string dir = out ? out : "test-out";
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace kiln::test
