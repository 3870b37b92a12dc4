// Submission: frames are counted, the submitted command buffers are walked in execution order to
// find the selected command, and the command buffer holding it is swapped for the layer's re-recorded
// one. Every batch joins the submission graph (cow/graph.h); before a batch goes to the driver, the
// cows it may write are resolved (their copies submitted ahead of it).
#include <algorithm>
#include <optional>
#include <type_traits>

#include "dispatch/hooks.h"
#include "dump/write_capture.h"
#include "hook/hook.h"

namespace kiln::layer {

namespace {

constexpr size_t kMaxFrameCommands = 100000;

// What one vkQueueSubmit(2) batch holds, whichever entry point it came through.
struct Batch {
  std::vector<VkCommandBuffer> cbs;
  std::vector<SemaphoreUse> waits, signals;
};

std::vector<Batch> batches_of(uint32_t n, const VkSubmitInfo* submits) {
  std::vector<Batch> out(n);
  for (uint32_t b = 0; b < n; ++b) {
    const VkSubmitInfo& si = submits[b];
    out[b].cbs.assign(si.pCommandBuffers, si.pCommandBuffers + si.commandBufferCount);
    const VkTimelineSemaphoreSubmitInfo* tl = nullptr;
    for (auto* e = static_cast<const VkBaseInStructure*>(si.pNext); e; e = e->pNext)
      if (e->sType == VK_STRUCTURE_TYPE_TIMELINE_SEMAPHORE_SUBMIT_INFO) tl = reinterpret_cast<const VkTimelineSemaphoreSubmitInfo*>(e);
    for (uint32_t i = 0; i < si.waitSemaphoreCount; ++i)
      out[b].waits.push_back({si.pWaitSemaphores[i],
                              tl && i < tl->waitSemaphoreValueCount && tl->pWaitSemaphoreValues ? tl->pWaitSemaphoreValues[i] : 0});
    for (uint32_t i = 0; i < si.signalSemaphoreCount; ++i)
      out[b].signals.push_back({si.pSignalSemaphores[i],
                                tl && i < tl->signalSemaphoreValueCount && tl->pSignalSemaphoreValues ? tl->pSignalSemaphoreValues[i] : 0});
  }
  return out;
}

std::vector<Batch> batches_of(uint32_t n, const VkSubmitInfo2* submits) {
  std::vector<Batch> out(n);
  for (uint32_t b = 0; b < n; ++b) {
    const VkSubmitInfo2& si = submits[b];
    for (uint32_t i = 0; i < si.commandBufferInfoCount; ++i) out[b].cbs.push_back(si.pCommandBufferInfos[i].commandBuffer);
    for (uint32_t i = 0; i < si.waitSemaphoreInfoCount; ++i)
      out[b].waits.push_back({si.pWaitSemaphoreInfos[i].semaphore, si.pWaitSemaphoreInfos[i].value});
    for (uint32_t i = 0; i < si.signalSemaphoreInfoCount; ++i)
      out[b].signals.push_back({si.pSignalSemaphoreInfos[i].semaphore, si.pSignalSemaphoreInfos[i].value});
  }
  return out;
}

// The batches join the graph; the cows they may write are resolved ahead of them. `holds[b]`: the
// semaphores batch b must wait for (a hold's, copies on other queues), empty for most.
using Holds = std::vector<std::vector<VkSemaphore>>;
void graph_and_cows(Device& dev, VkQueue queue, const std::vector<Batch>& batches, Holds& holds) {
  auto counter = [&](VkSemaphore s) { return semaphore_value(dev, s); };
  uint64_t first = dev.graph.next_serial();
  for (const Batch& b : batches) dev.graph.add(queue, b.waits, b.signals, counter);
  if (!dev.cow.any()) return;
  activate_ready_cows(dev);
  for (size_t b = 0; b < batches.size(); ++b) {
    WriteSet writes;
    for (VkCommandBuffer cb : batches[b].cbs) scan_writes(dev, cb, writes);
    if (writes.everything || !writes.writes.empty()) holds[b] = resolve_hits(dev, queue, writes, first + b);
  }
}

// What the hooked submission writes after the selected command: the rest of its command buffer, the
// command buffers after it in its batch, the batches after it.
WriteSet writes_after(Device& dev, const std::vector<Batch>& batches, const Target& t) {
  WriteSet w;
  if (!dev.cow.enabled) return w;
  scan_writes(dev, batches[t.batch].cbs[t.index], w, t.seq + 1);
  for (size_t i = t.index + 1; i < batches[t.batch].cbs.size(); ++i) scan_writes(dev, batches[t.batch].cbs[i], w);
  for (size_t b = t.batch + 1; b < batches.size(); ++b)
    for (VkCommandBuffer cb : batches[b].cbs) scan_writes(dev, cb, w);
  return w;
}

// The hooked submission went to the driver: its cows count from now on.
void attach_cows(Device& dev, PendingCapture& p, uint64_t batch) {
  for (CopyJob& j : p.jobs) {
    if (!j.cow) continue;
    dev.cow.stats.bytes_deferred += j.bytes;
    if (j.cow->batch) continue;  // shared with an earlier capture of the same untouched range
    j.cow->batch = batch;
    j.cow->active = dev.graph.ready(batch);
    dev.cow.cows.push_back(j.cow);
    ++dev.cow.stats.cows;
  }
  dev.update_recording();
}

bool searching(const Device& dev, uint64_t frame) {
  if (!dev.api_requests.empty()) return true;
  for (const Request& r : dev.env_requests)
    if (r.frame == frame) return true;
  return false;
}

// Walks the batches; returns the first match of any active request.
std::optional<Target> select(Device& dev, const std::vector<Batch>& batches, uint64_t frame, uint32_t* frame_index,
                             std::vector<std::string>* labels) {
  bool list = false;
  for (const Request& r : dev.env_requests) list |= r.frame == frame;
  for (size_t b = 0; b < batches.size(); ++b) {
    for (size_t i = 0; i < batches[b].cbs.size(); ++i) {
      CommandBuffer* cb = command_buffer(batches[b].cbs[i]);
      if (!cb || !cb->recording) continue;  // begun while no capture was asked for: nothing to count
      if (!cb->passthrough.empty() && !cb->reported) {
        cb->reported = true;
        std::string name = dev.name_of(handle_key(cb->handle));
        report("command buffer '" + (name.empty() ? "unnamed" : name) + "' passed through: " + cb->passthrough);
      }
      std::optional<Target> found;
      int64_t pass_begin = -1;
      uint32_t seq = 0;
      traverse(
          *cb, seq,
          [&](const Cmd& c, uint32_t s) {
            if (found) return;
            switch (c.op()) {
              case Op::BeginLabel:
                labels->push_back(std::get<0>(static_cast<const BeginLabelCmd&>(c).args)->pLabelName);
                break;
              case Op::EndLabel:
                if (!labels->empty()) labels->pop_back();
                break;
              case Op::BeginRendering:
              case Op::BeginRenderPass:
              case Op::BeginRenderPass2: pass_begin = s; break;
              case Op::EndRendering:
              case Op::EndRenderPass:
              case Op::EndRenderPass2: pass_begin = -1; break;
              default: break;
            }
            if (c.op() == Op::ExecuteCommands) return;
            // Each draw of a multi-draw counts as one command (and one draw) of the frame.
            const uint32_t draws = multi_draw_count(c);
            for (uint32_t k = 0; k < std::max(draws, 1u) && !found; ++k) {
              const uint32_t index = ++*frame_index;
              const std::string part = draws > 1 ? ", draw " + std::to_string(k + 1) + " of " + std::to_string(draws) : "";
              if (list) {
                if (dev.frame_commands.size() < kMaxFrameCommands) {
                  std::string line = std::to_string(index) + " " + c.describe() + part;
                  if (!labels->empty()) line += " in " + label_path(*labels);
                  dev.frame_commands.push_back(std::move(line));
                } else {
                  dev.frame_list_overflow = true;
                }
              }
              auto try_request = [&](Request& r) {
                if (!spec_counts(r.spec, c, *labels)) return false;
                if (++r.counted != r.spec.index) return false;
                Target t;
                t.batch = b;
                t.index = i;
                t.cb = cb;
                t.seq = s;
                t.pass_begin_seq = pass_begin;
                t.cmd = &c;
                if (draws > 1) {
                  t.sub_draw = static_cast<int32_t>(k);
                  t.sub_draws = draws;
                }
                t.command_index = index;
                t.label_path = label_path(*labels);
                t.spec_text = r.spec_text;
                t.when = r.when;
                t.from_api = r.from_api;
                t.frame = frame;
                found = t;
                return true;
              };
              bool matched = false;
              for (size_t q = 0; q < dev.env_requests.size() && !matched; ++q)
                if (dev.env_requests[q].frame == frame && try_request(dev.env_requests[q])) {
                  dev.env_requests.erase(dev.env_requests.begin() + static_cast<std::ptrdiff_t>(q));
                  matched = true;
                }
              for (size_t q = 0; q < dev.api_requests.size() && !matched; ++q)
                if (try_request(dev.api_requests[q])) {
                  dev.api_requests.erase(dev.api_requests.begin() + static_cast<std::ptrdiff_t>(q));
                  matched = true;
                }
            }
          },
          [&](CommandBuffer*, const std::string&) {});
      if (found) return found;
    }
  }
  return std::nullopt;
}

// The end of a frame: an environment request for it that matched nothing is reported with the list.
void end_frame(Device& dev, uint64_t frame) {
  for (size_t k = 0; k < dev.env_requests.size();) {
    Request& r = dev.env_requests[k];
    if (r.frame != frame) {
      ++k;
      continue;
    }
    std::string text = "'" + r.spec_text + "' matched nothing in frame " + std::to_string(frame) + " (" +
                       std::to_string(dev.frame_commands.size()) + " commands" +
                       (dev.frame_list_overflow ? ", list cut" : "") + "):";
    for (const std::string& line : dev.frame_commands) text += "\n  " + line;
    report(text);
    if (!dev.out_dir.empty()) {
      try {
        write_no_match(dev.out_dir, r.spec_text, frame, dev.frame_commands);
      } catch (const std::exception& e) {
        report(std::string("writing the no-match report: ") + e.what());
      }
    }
    dev.env_requests.erase(dev.env_requests.begin() + static_cast<std::ptrdiff_t>(k));
  }
  dev.frame_commands.clear();
  dev.frame_list_overflow = false;
  dev.update_recording();
}

// Common to both submit entry points: decides, hooks, and returns the command buffer to put in place
// of target.cb (or nothing).
std::unique_ptr<PendingCapture> prepare(Device& dev, Queue& q, const std::vector<Batch>& batches, uint64_t frame,
                                        Target* out) {
  auto& fc = dev.cursor;
  if (fc.frame != frame) {
    fc.frame = frame;
    fc.index = 0;
    fc.labels.clear();
  }
  if (!searching(dev, frame)) return nullptr;
  std::optional<Target> t = select(dev, batches, frame, &fc.index, &fc.labels);
  dev.update_recording();
  if (!t) return nullptr;
  *out = *t;
  if (!t->cb->passthrough.empty()) {
    report("'" + t->spec_text + "' is " + t->cmd->describe() + " in a command buffer passed through (" +
           t->cb->passthrough + "): not captured");
    return nullptr;
  }
  try {
    auto p = build_hook(dev, q, *t, writes_after(dev, batches, *t));
    p->out_dir = t->from_api ? (dev.out_dir.empty() ? "" : dev.out_dir + "/api-" + std::to_string(++dev.api_captures))
                             : dev.out_dir;
    return p;
  } catch (const std::exception& e) {
    report("'" + t->spec_text + "' (" + t->cmd->describe() + ") not captured, its command buffer runs untouched: " +
           e.what());
    return nullptr;
  }
}

// Nothing in the search or the hook may take the program down: whatever goes wrong, the submission
// goes ahead as the program made it.
std::unique_ptr<PendingCapture> guarded_prepare(Device& dev, Queue& q, const std::vector<Batch>& batches,
                                                uint64_t frame, Target* out) {
  try {
    return prepare(dev, q, batches, frame, out);
  } catch (const std::exception& e) {
    report(std::string("capture abandoned, the submission runs untouched: ") + e.what());
  } catch (...) {
    report("capture abandoned, the submission runs untouched: unknown error");
  }
  return nullptr;
}

uint64_t guarded_cows(Device& dev, VkQueue queue, const std::vector<Batch>& batches, Holds& holds) {
  uint64_t first = dev.graph.next_serial();
  try {
    graph_and_cows(dev, queue, batches, holds);
  } catch (const std::exception& e) {
    report(std::string("copy-on-write: ") + e.what());
  }
  return first;
}

uint64_t begin_submit(Device& dev) {
  if (dev.presents) return dev.frame;
  return ++dev.submissions;
}

void end_submit(Device& dev, uint64_t frame) {
  if (!dev.presents) end_frame(dev, frame);
}

// What goes to the driver: the program's batches, the hooked command buffer swapped for the layer's,
// a hold batch (a wait for the hold's semaphore and one full barrier) ahead of each held batch.
struct Forward {
  std::vector<VkSubmitInfo> v1;
  std::vector<VkSubmitInfo2> v2;
  std::vector<VkTimelineSemaphoreSubmitInfo> timeline;
  std::vector<uint64_t> ones;                  // a 1 per hold wait (timeline values)
  std::vector<VkPipelineStageFlags> stages;    // ALL_COMMANDS per hold wait
  std::vector<VkSemaphoreSubmitInfo> waits;
  std::vector<VkCommandBufferSubmitInfo> hold_cb_infos;
  std::vector<VkCommandBuffer> hooked_cbs;
  std::vector<VkCommandBufferSubmitInfo> hooked_cb_infos;
  VkCommandBuffer hold_cb = VK_NULL_HANDLE;
};

void build(Forward& f, uint32_t n, const VkSubmitInfo* submits, const Holds& holds,
           const PendingCapture* p, const Target& t) {
  f.v1.reserve(2 * n);
  f.timeline.reserve(n);
  size_t most = 0;
  for (const auto& h : holds) most = std::max(most, h.size());
  f.ones.assign(most, 1);
  f.stages.assign(most, VK_PIPELINE_STAGE_ALL_COMMANDS_BIT);
  for (uint32_t b = 0; b < n; ++b) {
    if (!holds[b].empty() && f.hold_cb) {
      const uint32_t count = static_cast<uint32_t>(holds[b].size());
      f.timeline.push_back({VK_STRUCTURE_TYPE_TIMELINE_SEMAPHORE_SUBMIT_INFO, nullptr, count, f.ones.data(), 0, nullptr});
      VkSubmitInfo h{VK_STRUCTURE_TYPE_SUBMIT_INFO, &f.timeline.back()};
      h.waitSemaphoreCount = count;
      h.pWaitSemaphores = holds[b].data();
      h.pWaitDstStageMask = f.stages.data();
      h.commandBufferCount = 1;
      h.pCommandBuffers = &f.hold_cb;
      f.v1.push_back(h);
    }
    f.v1.push_back(submits[b]);
    if (p && b == t.batch) {
      f.hooked_cbs.assign(submits[b].pCommandBuffers, submits[b].pCommandBuffers + submits[b].commandBufferCount);
      f.hooked_cbs[t.index] = p->cb;
      f.v1.back().pCommandBuffers = f.hooked_cbs.data();
    }
  }
}

void build(Forward& f, uint32_t n, const VkSubmitInfo2* submits, const Holds& holds,
           const PendingCapture* p, const Target& t) {
  f.v2.reserve(2 * n);
  size_t total = 0;
  for (const auto& h : holds) total += h.size();
  f.waits.reserve(total);
  f.hold_cb_infos.push_back({VK_STRUCTURE_TYPE_COMMAND_BUFFER_SUBMIT_INFO, nullptr, f.hold_cb, 0});
  for (uint32_t b = 0; b < n; ++b) {
    if (!holds[b].empty() && f.hold_cb) {
      const size_t at = f.waits.size();
      for (VkSemaphore s : holds[b])
        f.waits.push_back({VK_STRUCTURE_TYPE_SEMAPHORE_SUBMIT_INFO, nullptr, s, 1, VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT, 0});
      VkSubmitInfo2 h{VK_STRUCTURE_TYPE_SUBMIT_INFO_2};
      h.waitSemaphoreInfoCount = static_cast<uint32_t>(holds[b].size());
      h.pWaitSemaphoreInfos = f.waits.data() + at;
      h.commandBufferInfoCount = 1;
      h.pCommandBufferInfos = f.hold_cb_infos.data();
      f.v2.push_back(h);
    }
    f.v2.push_back(submits[b]);
    if (p && b == t.batch) {
      f.hooked_cb_infos.assign(submits[b].pCommandBufferInfos, submits[b].pCommandBufferInfos + submits[b].commandBufferInfoCount);
      f.hooked_cb_infos[t.index].commandBuffer = p->cb;
      f.v2.back().pCommandBufferInfos = f.hooked_cb_infos.data();
    }
  }
}

VkResult forward(Device& dev, VkQueue queue, Forward& f, VkFence fence, bool v2) {
  uint32_t n = static_cast<uint32_t>(v2 ? f.v2.size() : f.v1.size());
  return v2 ? dev.d.QueueSubmit2(queue, n, f.v2.data(), fence) : dev.d.QueueSubmit(queue, n, f.v1.data(), fence);
}

// Both entry points: cows and holds, the hook, and the submission itself.
template <class Info>
VkResult submit(Queue& q, uint32_t n, const Info* submits, VkFence fence) {
  constexpr bool v2 = std::is_same_v<Info, VkSubmitInfo2>;
  Device& dev = *q.device;
  std::lock_guard lock(dev.mutex);
  poll_pending(dev);
  uint64_t frame = begin_submit(dev);
  std::unique_ptr<PendingCapture> p;
  Target t;
  std::vector<Batch> batches = batches_of(n, submits);
  Holds holds(n);
  uint64_t first = guarded_cows(dev, q.handle, batches, holds);
  if (searching(dev, frame)) p = guarded_prepare(dev, q, batches, frame, &t);
  const bool held = std::any_of(holds.begin(), holds.end(), [](const auto& h) { return !h.empty(); });
  VkResult r;
  if (!p && !held) {
    if constexpr (v2) r = dev.d.QueueSubmit2(q.handle, n, submits, fence);
    else r = dev.d.QueueSubmit(q.handle, n, submits, fence);
  } else {
    Forward f;
    if (held) f.hold_cb = hold_command_buffer(dev, q.family);
    build(f, n, submits, holds, p.get(), t);
    if (!p) {
      r = forward(dev, q.handle, f, fence, v2);
    } else {
      // The layer's fence signals with the batches; the program's, in an empty submission after them,
      // so a program that waited for its fence finds the capture complete.
      r = forward(dev, q.handle, f, p->fence, v2);
      if (r == VK_SUCCESS && fence)
        r = v2 ? dev.d.QueueSubmit2(q.handle, 0, nullptr, fence) : dev.d.QueueSubmit(q.handle, 0, nullptr, fence);
      if (r == VK_SUCCESS) {
        attach_cows(dev, *p, first + t.batch);
        dev.pending.push_back(std::move(p));
      } else {
        destroy_pending(dev, *p);
      }
    }
  }
  end_submit(dev, frame);
  return r;
}

}  // namespace

namespace hooks {

VKAPI_ATTR VkResult VKAPI_CALL QueueSubmit(VkQueue queue, uint32_t n, const VkSubmitInfo* submits, VkFence fence) {
  Queue* q = queue_state(queue);
  if (!q) return device_of(queue)->d.QueueSubmit(queue, n, submits, fence);  // a queue the layer never saw
  return submit(*q, n, submits, fence);
}

VKAPI_ATTR VkResult VKAPI_CALL QueueSubmit2(VkQueue queue, uint32_t n, const VkSubmitInfo2* submits, VkFence fence) {
  Queue* q = queue_state(queue);
  if (!q) return device_of(queue)->d.QueueSubmit2(queue, n, submits, fence);
  return submit(*q, n, submits, fence);
}

VKAPI_ATTR VkResult VKAPI_CALL QueuePresentKHR(VkQueue queue, const VkPresentInfoKHR* info) {
  Queue* q = queue_state(queue);
  Device& dev = q ? *q->device : *device_of(queue);
  VkResult r = dev.d.QueuePresentKHR(queue, info);
  std::lock_guard lock(dev.mutex);
  end_frame(dev, dev.frame);
  ++dev.frame;
  poll_pending(dev);
  return r;
}

}  // namespace hooks
}  // namespace kiln::layer
