// The submission graph: which submitted batches are ready (everything they wait for is signalled by a
// batch already submitted and itself ready, by the host, or already reached on the device) and which
// batches each ready one waits for. Copy-on-write needs it for timeline semaphores, which let a batch
// be submitted before the batch that signals what it waits for: a write submitted later can happen
// earlier (../shared/seeds/002, "Ordering and timeline semaphores"). A signal also covers everything
// submitted before it on its queue, so each batch counts the one before it on its queue as a parent,
// and is ready only once that one is.
#pragma once

#include <vulkan/vulkan.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace kiln::layer {

struct SemaphoreUse {
  VkSemaphore semaphore = VK_NULL_HANDLE;
  uint64_t value = 0;  // timeline value; ignored for binary semaphores
};

class SubmissionGraph {
 public:
  // The serial the next added batch gets.
  uint64_t next_serial() const { return next_ + 1; }
  // Adds one batch; returns its serial. `counter(sem)` reads a timeline semaphore's value on the device.
  uint64_t add(VkQueue queue, std::vector<SemaphoreUse> waits, std::vector<SemaphoreUse> signals,
               const std::function<uint64_t(VkSemaphore)>& counter);
  // The host signalled a timeline semaphore (vkSignalSemaphore).
  void host_signal(VkSemaphore semaphore, uint64_t value, const std::function<uint64_t(VkSemaphore)>& counter);
  bool ready(uint64_t serial) const;
  // Whether `earlier` is among the batches `later` waits for, directly or through others.
  bool ancestor(uint64_t earlier, uint64_t later) const;

  void set_timeline(VkSemaphore s, bool timeline) {
    if (timeline) timeline_.insert(s); else timeline_.erase(s);
  }
  void forget(VkSemaphore s);

 private:
  struct Node {
    uint64_t serial = 0;
    VkQueue queue = VK_NULL_HANDLE;
    std::vector<SemaphoreUse> waits, signals;
    std::vector<uint64_t> parents;  // the batches whose signals it waited for, and the one before it on its queue
    uint64_t previous_on_queue = 0;
    bool ready = false;
  };
  Node* node(uint64_t serial);
  const Node* node(uint64_t serial) const;
  bool try_ready(Node& n, const std::function<uint64_t(VkSemaphore)>& counter);
  void settle(const std::function<uint64_t(VkSemaphore)>& counter);

  static constexpr size_t kWindow = 512;  // batches remembered for ancestry
  uint64_t next_ = 0;
  std::deque<Node> nodes_;                // the last kWindow batches, by serial
  std::vector<uint64_t> waiting_;         // serials not ready yet
  std::unordered_set<VkSemaphore> timeline_;
  std::unordered_map<VkQueue, uint64_t> last_on_queue_;
  // Timeline semaphores: the values ready batches (serial) or the host (0) signalled, ascending.
  std::unordered_map<VkSemaphore, std::vector<std::pair<uint64_t, uint64_t>>> signalled_;
  // Binary semaphores: the batch whose signal the next wait consumes.
  std::unordered_map<VkSemaphore, uint64_t> binary_signaller_;
};

}  // namespace kiln::layer
