// kiln/queue.h — submitting work to a device queue and knowing when it finished.
//
// Every submit through a Queue gets a serial: the value the queue's internal timeline reaches when
// that work is done (a timeline semaphore, or a fence per submit on devices without them). Serials
// drive deferred destruction (context.h) and command-buffer recycling, and `wait(serial)` is the one
// blocking call. Binary and timeline semaphores and a user fence pass straight through. Without
// synchronization2, submits go through vkQueueSubmit with the same meaning.
//
// A lost device throws kiln::Error with the debug labels of the work that was still in flight.
#pragma once

#include <vulkan/vulkan.h>

#include <array>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "kiln/slice.h"

namespace kiln {

class Context;
class CommandBuffer;

enum class QueueKind : uint32_t { Graphics = 0, Compute = 1, Transfer = 2 };
const char* queue_kind_name(QueueKind kind);

struct SemaphoreSubmit {
  VkSemaphore semaphore = VK_NULL_HANDLE;
  uint64_t value = 0;  // timeline value; ignored for binary semaphores
  VkPipelineStageFlags2 stages = VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT;
};

struct SubmitDesc {
  Slice<CommandBuffer*> commands;        // kiln command buffers; ended here if still recording
  Slice<VkCommandBuffer> raw_commands;   // recorded elsewhere, submitted after `commands`
  Slice<SemaphoreSubmit> waits;
  Slice<SemaphoreSubmit> signals;
  VkFence fence = VK_NULL_HANDLE;
};

class Queue {
 public:
  Queue(Context& ctx, VkQueue queue, uint32_t family, uint32_t index, QueueKind kind);
  ~Queue();
  Queue(const Queue&) = delete;
  Queue& operator=(const Queue&) = delete;

  VkQueue handle() const { return queue_; }
  uint32_t family() const { return family_; }
  uint32_t index() const { return index_; }
  QueueKind kind() const { return kind_; }
  Context& context() const { return *ctx_; }

  // Thread-safe. Returns the serial of this submission.
  uint64_t submit(const SubmitDesc& desc);
  uint64_t submit(CommandBuffer& cmd);

  uint64_t last_submitted() const;
  uint64_t last_finished();  // polls, never blocks
  bool finished(uint64_t serial) { return last_finished() >= serial; }
  // Blocks until `serial` finished (timeout in ns; throws Error on VK_TIMEOUT or device loss).
  void wait(uint64_t serial, uint64_t timeout_ns = UINT64_MAX);
  void wait_idle();

  // The queue's timeline semaphore, reaching each submission's serial when it completes: other
  // queues' submissions may wait on it. Null on devices without timeline semaphores.
  VkSemaphore timeline() const { return timeline_; }

  // "queue graphics: serial 12 [frame 12 > shadows]; serial 13 [...]": the work not known finished.
  std::string in_flight_report();

 private:
  [[noreturn]] void throw_device_lost(const char* call);
  void record_labels(uint64_t serial, Slice<CommandBuffer*> commands);

  Context* ctx_;
  VkQueue queue_;
  uint32_t family_;
  uint32_t index_;
  QueueKind kind_;
  mutable std::mutex mutex_;
  uint64_t submitted_ = 0;
  uint64_t finished_ = 0;
  VkSemaphore timeline_ = VK_NULL_HANDLE;
  // Fallback without timeline semaphores: one fence per serial.
  std::deque<std::pair<uint64_t, VkFence>> fences_;
  std::vector<VkFence> free_fences_;
  // The labels of recent submissions, for device-loss reports.
  struct LabelRecord {
    uint64_t serial = 0;
    std::string labels;
  };
  std::array<LabelRecord, 16> recent_{};
  size_t recent_next_ = 0;
};

}  // namespace kiln
