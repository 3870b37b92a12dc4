// Queue submission with serials, on synchronization2 or the older vkQueueSubmit, and the
// device-lost report built from the labels of the work still in flight.
#include "kiln/queue.h"

#include <algorithm>

#include "kiln/commands.h"
#include "kiln/context.h"
#include "kiln/error.h"
#include "kiln/log.h"
#include "kiln/sync.h"

namespace kiln {
namespace {

constexpr size_t kMaxBatch = 64;  // command buffers / semaphores per submit without allocating

}  // namespace

const char* queue_kind_name(QueueKind kind) {
  switch (kind) {
    case QueueKind::Graphics: return "graphics";
    case QueueKind::Compute: return "compute";
    case QueueKind::Transfer: return "transfer";
  }
  return "?";
}

Queue::Queue(Context& ctx, VkQueue queue, uint32_t family, uint32_t index, QueueKind kind)
    : ctx_(&ctx), queue_(queue), family_(family), index_(index), kind_(kind) {
  // GPU-assisted validation (layer 1.3.239) loses track of timeline semaphores signalled by submits
  // and reports UNASSIGNED-VkSemaphore-state-timeout after a 10 s hang on each host wait (its
  // "most likely a validation bug", KhronosGroup/Vulkan-ValidationLayers#4968): track serials with
  // fences there instead. The feature stays enabled for the program's own semaphores.
  if (ctx.has(Feature::TimelineSemaphore) && ctx.validation() != Validation::GpuAssisted) {
    VkSemaphoreTypeCreateInfo type{VK_STRUCTURE_TYPE_SEMAPHORE_TYPE_CREATE_INFO};
    type.semaphoreType = VK_SEMAPHORE_TYPE_TIMELINE;
    type.initialValue = 0;
    VkSemaphoreCreateInfo info{VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO};
    info.pNext = &type;
    check(vkCreateSemaphore(ctx.device(), &info, nullptr, &timeline_), "vkCreateSemaphore");
    ctx.set_name(timeline_, str("kiln.queue.", queue_kind_name(kind), ".timeline"));
  }
}

Queue::~Queue() {
  VkDevice device = ctx_->device();
  if (timeline_) vkDestroySemaphore(device, timeline_, nullptr);
  for (auto& [serial, fence] : fences_) vkDestroyFence(device, fence, nullptr);
  for (VkFence f : free_fences_) vkDestroyFence(device, f, nullptr);
}

uint64_t Queue::submit(CommandBuffer& cmd) {
  CommandBuffer* list[] = {&cmd};
  return submit(SubmitDesc{.commands = Slice<CommandBuffer*>(list, 1)});
}

void Queue::record_labels(uint64_t serial, Slice<CommandBuffer*> commands) {
  LabelRecord& r = recent_[recent_next_];
  recent_next_ = (recent_next_ + 1) % recent_.size();
  r.serial = serial;
  r.labels.clear();  // keeps its capacity: no allocation once warm
  for (CommandBuffer* c : commands) {
    for (const std::string& l : c->labels()) {
      if (!r.labels.empty()) r.labels += " > ";
      r.labels += l;
    }
  }
}

uint64_t Queue::submit(const SubmitDesc& desc) {
  const size_t ncmd = desc.commands.size() + desc.raw_commands.size();
  if (ncmd > kMaxBatch || desc.waits.size() + 1 > kMaxBatch || desc.signals.size() + 1 > kMaxBatch)
    throw Error(str("queue submit: at most ", kMaxBatch, " command buffers and semaphores per submit"));
  for (CommandBuffer* c : desc.commands)
    if (c->recording()) c->end();

  std::lock_guard lock(mutex_);
  const uint64_t serial = submitted_ + 1;
  const DeviceFunctions& fn = ctx_->fn();
  VkResult result;
  const char* call;

  if (fn.queue_submit2) {
    VkCommandBufferSubmitInfo cmds[kMaxBatch];
    VkSemaphoreSubmitInfo waits[kMaxBatch], signals[kMaxBatch];
    size_t n = 0;
    for (CommandBuffer* c : desc.commands) cmds[n++] = {VK_STRUCTURE_TYPE_COMMAND_BUFFER_SUBMIT_INFO, nullptr, c->handle(), 0};
    for (VkCommandBuffer c : desc.raw_commands) cmds[n++] = {VK_STRUCTURE_TYPE_COMMAND_BUFFER_SUBMIT_INFO, nullptr, c, 0};
    size_t nw = 0, ns = 0;
    for (const SemaphoreSubmit& w : desc.waits)
      waits[nw++] = {VK_STRUCTURE_TYPE_SEMAPHORE_SUBMIT_INFO, nullptr, w.semaphore, w.value, w.stages, 0};
    for (const SemaphoreSubmit& s : desc.signals)
      signals[ns++] = {VK_STRUCTURE_TYPE_SEMAPHORE_SUBMIT_INFO, nullptr, s.semaphore, s.value, s.stages, 0};
    if (timeline_)
      signals[ns++] = {VK_STRUCTURE_TYPE_SEMAPHORE_SUBMIT_INFO, nullptr, timeline_, serial,
                       VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT, 0};
    VkSubmitInfo2 info{VK_STRUCTURE_TYPE_SUBMIT_INFO_2};
    info.commandBufferInfoCount = uint32_t(n);
    info.pCommandBufferInfos = cmds;
    info.waitSemaphoreInfoCount = uint32_t(nw);
    info.pWaitSemaphoreInfos = waits;
    info.signalSemaphoreInfoCount = uint32_t(ns);
    info.pSignalSemaphoreInfos = signals;
    result = fn.queue_submit2(queue_, 1, &info, desc.fence);
    call = "vkQueueSubmit2";
  } else {
    VkCommandBuffer cmds[kMaxBatch];
    VkSemaphore waits[kMaxBatch], signals[kMaxBatch];
    VkPipelineStageFlags wait_stages[kMaxBatch];
    uint64_t wait_values[kMaxBatch], signal_values[kMaxBatch];
    size_t n = 0, nw = 0, ns = 0;
    for (CommandBuffer* c : desc.commands) cmds[n++] = c->handle();
    for (VkCommandBuffer c : desc.raw_commands) cmds[n++] = c;
    for (const SemaphoreSubmit& w : desc.waits) {
      waits[nw] = w.semaphore;
      wait_values[nw] = w.value;
      wait_stages[nw++] = legacy_stages(w.stages, /*src=*/false);
    }
    for (const SemaphoreSubmit& s : desc.signals) {
      signals[ns] = s.semaphore;
      signal_values[ns++] = s.value;
    }
    if (timeline_) {
      signals[ns] = timeline_;
      signal_values[ns++] = serial;
    }
    VkTimelineSemaphoreSubmitInfo values{VK_STRUCTURE_TYPE_TIMELINE_SEMAPHORE_SUBMIT_INFO};
    values.waitSemaphoreValueCount = uint32_t(nw);
    values.pWaitSemaphoreValues = wait_values;
    values.signalSemaphoreValueCount = uint32_t(ns);
    values.pSignalSemaphoreValues = signal_values;
    VkSubmitInfo info{VK_STRUCTURE_TYPE_SUBMIT_INFO};
    if (ctx_->has(Feature::TimelineSemaphore)) info.pNext = &values;
    info.commandBufferCount = uint32_t(n);
    info.pCommandBuffers = cmds;
    info.waitSemaphoreCount = uint32_t(nw);
    info.pWaitSemaphores = waits;
    info.pWaitDstStageMask = wait_stages;
    info.signalSemaphoreCount = uint32_t(ns);
    info.pSignalSemaphores = signals;
    result = vkQueueSubmit(queue_, 1, &info, desc.fence);
    call = "vkQueueSubmit";
  }
  if (result == VK_ERROR_DEVICE_LOST) throw_device_lost(call);
  check(result, call);

  if (!timeline_) {
    // Without timeline semaphores, an empty submit with a fence marks the serial.
    VkFence fence;
    if (free_fences_.empty()) {
      VkFenceCreateInfo fi{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
      check(vkCreateFence(ctx_->device(), &fi, nullptr, &fence), "vkCreateFence");
    } else {
      fence = free_fences_.back();
      free_fences_.pop_back();
    }
    result = vkQueueSubmit(queue_, 0, nullptr, fence);
    if (result == VK_ERROR_DEVICE_LOST) throw_device_lost("vkQueueSubmit");
    check(result, "vkQueueSubmit");
    fences_.emplace_back(serial, fence);
  }
  submitted_ = serial;
  record_labels(serial, desc.commands);
  for (CommandBuffer* c : desc.commands) c->on_submitted(*this, serial);
  return serial;
}

uint64_t Queue::last_submitted() const {
  std::lock_guard lock(mutex_);
  return submitted_;
}

uint64_t Queue::last_finished() {
  std::lock_guard lock(mutex_);
  if (finished_ == submitted_) return finished_;
  VkDevice device = ctx_->device();
  if (timeline_) {
    uint64_t value = 0;
    VkResult r = ctx_->fn().get_semaphore_counter_value(device, timeline_, &value);
    if (r == VK_ERROR_DEVICE_LOST) throw_device_lost("vkGetSemaphoreCounterValue");
    check(r, "vkGetSemaphoreCounterValue");
    finished_ = std::max(finished_, value);
  } else {
    while (!fences_.empty()) {
      VkResult r = vkGetFenceStatus(device, fences_.front().second);
      if (r == VK_NOT_READY) break;
      if (r == VK_ERROR_DEVICE_LOST) throw_device_lost("vkGetFenceStatus");
      check(r, "vkGetFenceStatus");
      finished_ = fences_.front().first;
      vkResetFences(device, 1, &fences_.front().second);
      free_fences_.push_back(fences_.front().second);
      fences_.pop_front();
    }
  }
  return finished_;
}

void Queue::wait(uint64_t serial, uint64_t timeout_ns) {
  if (last_finished() >= serial) return;
  VkDevice device = ctx_->device();
  VkResult r;
  const char* call;
  if (timeline_) {
    VkSemaphoreWaitInfo info{VK_STRUCTURE_TYPE_SEMAPHORE_WAIT_INFO};
    info.semaphoreCount = 1;
    info.pSemaphores = &timeline_;
    info.pValues = &serial;
    r = ctx_->fn().wait_semaphores(device, &info, timeout_ns);
    call = "vkWaitSemaphores";
  } else {
    VkFence fence = VK_NULL_HANDLE;
    {
      std::lock_guard lock(mutex_);
      for (auto& [s, f] : fences_)
        if (s >= serial) {
          fence = f;
          break;
        }
    }
    if (!fence) return;
    r = vkWaitForFences(device, 1, &fence, VK_TRUE, timeout_ns);
    call = "vkWaitForFences";
  }
  if (r == VK_ERROR_DEVICE_LOST) {
    std::lock_guard lock(mutex_);
    throw_device_lost(call);
  }
  if (r == VK_TIMEOUT) throw Error(str("waiting for serial ", serial, " on the ", queue_kind_name(kind_), " queue"), r, call);
  check(r, call);
  last_finished();
}

void Queue::wait_idle() {
  uint64_t s = last_submitted();
  VkResult r;
  {
    std::lock_guard lock(mutex_);
    r = vkQueueWaitIdle(queue_);
    if (r == VK_ERROR_DEVICE_LOST) throw_device_lost("vkQueueWaitIdle");
  }
  check(r, "vkQueueWaitIdle");
  if (s) wait(s);
}

std::string Queue::in_flight_report() {
  // Called with mutex_ held by the device-loss path; reads only the label ring.
  std::vector<const LabelRecord*> records;
  for (const LabelRecord& r : recent_)
    if (r.serial > finished_) records.push_back(&r);
  std::sort(records.begin(), records.end(), [](auto* a, auto* b) { return a->serial < b->serial; });
  std::string out = str("queue ", queue_kind_name(kind_), ":");
  if (records.empty()) return out + " nothing known in flight";
  for (const LabelRecord* r : records)
    out += str(" serial ", r->serial, " [", r->labels.empty() ? "no labels" : r->labels, "];");
  out.pop_back();
  return out;
}

void Queue::throw_device_lost(const char* call) {
  std::string report = in_flight_report();
  log(LogLevel::Error, str("device lost in ", call, "; work in flight: ", report));
  throw Error(str("VK_ERROR_DEVICE_LOST; work in flight: ", report), VK_ERROR_DEVICE_LOST, call);
}

}  // namespace kiln
