// Readiness is settled to a fixed point after every batch and host signal: a batch that becomes ready
// publishes its signals, which may make batches submitted before it ready.
#include "cow/graph.h"

#include <algorithm>

namespace kiln::layer {

SubmissionGraph::Node* SubmissionGraph::node(uint64_t serial) {
  if (nodes_.empty() || serial < nodes_.front().serial || serial > nodes_.back().serial) return nullptr;
  return &nodes_[serial - nodes_.front().serial];
}
const SubmissionGraph::Node* SubmissionGraph::node(uint64_t serial) const {
  return const_cast<SubmissionGraph*>(this)->node(serial);
}

bool SubmissionGraph::try_ready(Node& n, const std::function<uint64_t(VkSemaphore)>& counter) {
  // A batch behind one that waits runs after it: its signals cover everything earlier on the queue
  // (Vulkan 7.4.1, "Semaphore Signaling"), so it waits for that batch's waits as well.
  if (n.previous_on_queue && !ready(n.previous_on_queue)) return false;
  std::vector<uint64_t> parents;
  for (const SemaphoreUse& w : n.waits) {
    if (timeline_.count(w.semaphore)) {
      auto it = signalled_.find(w.semaphore);
      bool found = false;
      if (it != signalled_.end())
        for (auto [value, serial] : it->second)
          if (value >= w.value) {
            if (serial) parents.push_back(serial);
            found = true;
            break;
          }
      if (!found && counter(w.semaphore) < w.value) return false;
    } else {
      auto it = binary_signaller_.find(w.semaphore);
      if (it == binary_signaller_.end()) continue;  // signalled by something the layer does not see (an acquire)
      const Node* s = node(it->second);
      if (s && !s->ready) return false;
      parents.push_back(it->second);
    }
  }
  if (n.previous_on_queue) parents.push_back(n.previous_on_queue);
  n.ready = true;
  n.parents = std::move(parents);
  for (const SemaphoreUse& s : n.signals) {
    if (timeline_.count(s.semaphore)) {
      auto& v = signalled_[s.semaphore];
      v.emplace_back(s.value, n.serial);
      std::sort(v.begin(), v.end());
      if (v.size() > 64) v.erase(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() - 64));
    }
  }
  for (const SemaphoreUse& w : n.waits)
    if (!timeline_.count(w.semaphore)) binary_signaller_.erase(w.semaphore);  // consumed
  return true;
}

void SubmissionGraph::settle(const std::function<uint64_t(VkSemaphore)>& counter) {
  bool changed = true;
  while (changed) {
    changed = false;
    for (size_t i = 0; i < waiting_.size();) {
      Node* n = node(waiting_[i]);
      if (!n) {  // fell out of the window: assume it ran
        waiting_.erase(waiting_.begin() + static_cast<std::ptrdiff_t>(i));
        continue;
      }
      if (try_ready(*n, counter)) {
        waiting_.erase(waiting_.begin() + static_cast<std::ptrdiff_t>(i));
        changed = true;
      } else {
        ++i;
      }
    }
  }
}

uint64_t SubmissionGraph::add(VkQueue queue, std::vector<SemaphoreUse> waits, std::vector<SemaphoreUse> signals,
                              const std::function<uint64_t(VkSemaphore)>& counter) {
  Node n;
  n.serial = ++next_;
  n.queue = queue;
  n.waits = std::move(waits);
  n.signals = std::move(signals);
  uint64_t& last = last_on_queue_[queue];
  n.previous_on_queue = last;
  last = n.serial;
  nodes_.push_back(std::move(n));
  if (nodes_.size() > kWindow) nodes_.pop_front();
  Node& added = nodes_.back();
  // Binary signals name their batch before readiness: a later wait must see a signaller not yet ready.
  for (const SemaphoreUse& s : added.signals)
    if (!timeline_.count(s.semaphore)) binary_signaller_[s.semaphore] = added.serial;
  if (try_ready(added, counter)) settle(counter);
  else waiting_.push_back(added.serial);
  return added.serial;
}

void SubmissionGraph::host_signal(VkSemaphore semaphore, uint64_t value,
                                  const std::function<uint64_t(VkSemaphore)>& counter) {
  auto& v = signalled_[semaphore];
  v.emplace_back(value, 0);
  std::sort(v.begin(), v.end());
  settle(counter);
}

bool SubmissionGraph::ready(uint64_t serial) const {
  const Node* n = node(serial);
  return !n || n->ready;  // out of the window: long submitted, taken as ready
}

bool SubmissionGraph::ancestor(uint64_t earlier, uint64_t later) const {
  std::vector<uint64_t> todo{later};
  std::unordered_set<uint64_t> seen;
  while (!todo.empty()) {
    uint64_t s = todo.back();
    todo.pop_back();
    const Node* n = node(s);
    if (!n) continue;
    for (uint64_t p : n->parents) {
      if (p == earlier) return true;
      if (seen.insert(p).second) todo.push_back(p);
    }
  }
  return false;
}

void SubmissionGraph::forget(VkSemaphore s) {
  timeline_.erase(s);
  signalled_.erase(s);
  binary_signaller_.erase(s);
}

}  // namespace kiln::layer
