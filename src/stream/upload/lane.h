// One queue the stream layer submits batches to, with a timeline semaphore of its own whose values
// number the batches: value v is known while batch v is still being filled (tickets hand it out) and
// reached when batch v finished. Without timeline semaphores the values map to the queue's serials
// (Queue::wait), and the semaphore is null. Not thread-safe: the owner's lock.
#pragma once

#include <vulkan/vulkan.h>

#include <cstdint>
#include <deque>
#include <utility>
#include <vector>

#include "kiln/commands.h"
#include "kiln/queue.h"

namespace kiln::detail {

class Lane {
 public:
  Lane(Context& ctx, QueueKind kind, const char* name);
  ~Lane();  // the owner waited for what it submitted
  Lane(const Lane&) = delete;
  Lane& operator=(const Lane&) = delete;

  Queue& queue() const { return *queue_; }
  QueueKind kind() const { return kind_; }
  VkSemaphore timeline() const { return timeline_; }
  uint64_t open_value() const { return submitted_ + 1; }  // the batch being filled
  uint64_t submitted() const { return submitted_; }

  // The open batch's command buffer, begun on first use.
  CommandBuffer& cmd();
  bool has_commands() const { return bool(cmd_); }
  // Waits (on the GPU) before the open batch runs; cleared by submit.
  // Waits on one semaphore merge (the larger value): a batch may collect many for the same queue.
  void add_wait(const SemaphoreSubmit& wait) {
    for (SemaphoreSubmit& w : waits_) {
      if (w.semaphore == wait.semaphore) {
        w.value = w.value > wait.value ? w.value : wait.value;
        w.stages |= wait.stages;
        return;
      }
    }
    waits_.push_back(wait);
  }
  // Submits the open batch (a command buffer is begun if none was, so that the value is signalled).
  void submit();

  // Polls how far the GPU got (never blocks).
  uint64_t completed();
  // Blocking in two halves, so that the owner's lock is not held while the CPU waits: what to wait
  // for (under the lock), then the wait (without it; thread-safe). The batch must be submitted.
  struct WaitPoint {
    uint64_t value = 0;
    uint64_t serial = 0;  // without timelines: the queue serial of the batch
  };
  WaitPoint wait_point(uint64_t value) const;
  void block(const WaitPoint& point) const;

 private:
  Context* ctx_;
  Queue* queue_;
  QueueKind kind_;
  VkSemaphore timeline_ = VK_NULL_HANDLE;
  CommandPool pool_;
  CommandBuffer cmd_;
  std::vector<SemaphoreSubmit> waits_;
  uint64_t submitted_ = 0;
  uint64_t completed_ = 0;
  std::deque<std::pair<uint64_t, uint64_t>> serials_;  // without timelines: batch value, queue serial
  const char* name_;
};

}  // namespace kiln::detail
