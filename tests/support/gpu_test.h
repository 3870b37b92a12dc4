// The fixture every Vulkan test uses: a Context on lavapipe with synchronization validation on,
// and a log callback that turns every validation message into a test failure (with its text).
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "kiln/context.h"

namespace kiln::test {

// Validation messages seen since the last take(); installed as kiln's log callback.
class ValidationSink {
 public:
  static ValidationSink& get();
  void install();
  std::vector<std::string> take();

 private:
  std::mutex mutex_;
  std::vector<std::string> messages_;
};

// The description tests start from: validation with synchronization, lavapipe via the ICD env var.
ContextDesc test_context_desc();

class GpuTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;
  // Override to change the description before the context is made.
  virtual void adjust(ContextDesc&) {}

  std::unique_ptr<Context> ctx;
};

// Runs each test twice: with synchronization2 and with the forced fallback to the older calls.
class GpuTestSync2 : public GpuTest, public ::testing::WithParamInterface<bool> {
 protected:
  void adjust(ContextDesc& desc) override;
};
#define KILN_SYNC2_PARAMS(Suite) \
  INSTANTIATE_TEST_SUITE_P(Sync2, Suite, ::testing::Values(true, false), \
                           [](const auto& p) { return p.param ? "sync2" : "fallback"; })

// A timeline semaphore only the host signals: a submission waiting on {gate.semaphore, 1} stays
// "in flight" until gate.open(), which makes in-flight states deterministic in tests.
class HostGate {
 public:
  explicit HostGate(Context& ctx);
  ~HostGate();
  HostGate(const HostGate&) = delete;
  HostGate& operator=(const HostGate&) = delete;
  SemaphoreSubmit wait() const { return {semaphore_, 1}; }
  void open();

 private:
  Context& ctx_;
  VkSemaphore semaphore_ = VK_NULL_HANDLE;
  bool opened_ = false;
};

// Fails the current test if any validation message arrived since the last check.
void expect_no_validation_messages();

// Where tests may write files (PNG of a failing image, etc.).
std::string test_output_dir();

}  // namespace kiln::test
