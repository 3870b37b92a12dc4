// Resolving cows: one layer-owned submission copies their ranges into a host-visible snapshot. It goes
// on the queue of the submission about to write, ahead of it, between barriers: the copy waits for
// everything submitted before it on that queue (the captured command included, when it ran there)
// and everything after it waits for the copy. When the captured command ran on another queue and has
// not completed, the CPU waits for it first (rare: cross-queue writers of a resource just captured).
#include <algorithm>
#include <map>
#include <numeric>

#include "cow/cow.h"
#include "hook/copy_barriers.h"
#include "hook/format.h"
#include "hook/pending.h"
#include "state.h"

namespace kiln::layer {

namespace {

uint32_t host_memory_type(const VkPhysicalDeviceMemoryProperties& mp, uint32_t bits) {
  const VkMemoryPropertyFlags want = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
  uint32_t fallback = UINT32_MAX;
  for (uint32_t i = 0; i < mp.memoryTypeCount; ++i) {
    if (!(bits & (1u << i)) || (mp.memoryTypes[i].propertyFlags & want) != want) continue;
    if (mp.memoryTypes[i].propertyFlags & VK_MEMORY_PROPERTY_HOST_CACHED_BIT) return i;
    if (fallback == UINT32_MAX) fallback = i;
  }
  return fallback;
}

bool ok(VkResult r, const char* what) {
  if (r == VK_SUCCESS) return true;
  report(std::string("copy-on-write: ") + what + " failed (VkResult " + std::to_string(r) + ")");
  return false;
}

// Records and submits the copies; false when the layer could not (the cows then stay attached and the
// reason is reported; their captures say so when read).
bool submit_snapshot(Device& dev, VkQueue queue, const std::vector<std::shared_ptr<Cow>>& cows, VkSemaphore signal) {
  const DeviceDispatch& d = dev.d;
  Queue* q = queue_state(queue);
  if (!q) return false;
  auto snap = std::make_shared<CowSnapshot>();
  snap->device = &dev;
  std::vector<uint64_t> at(cows.size());
  uint64_t size = 0;
  for (size_t i = 0; i < cows.size(); ++i) {
    uint64_t align = cows[i]->image ? std::lcm<uint64_t>(16, copy_texel_bytes(cows[i]->format, cows[i]->aspect)) : 16;
    size = (size + align - 1) / align * align;
    at[i] = size;
    size += cows[i]->bytes;
  }
  VkBufferCreateInfo bi{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
  bi.size = std::max<uint64_t>(size, 16);
  bi.usage = VK_BUFFER_USAGE_TRANSFER_DST_BIT;
  if (!ok(d.CreateBuffer(dev.handle, &bi, nullptr, &snap->buffer), "vkCreateBuffer (snapshot)")) return false;
  VkMemoryRequirements req{};
  d.GetBufferMemoryRequirements(dev.handle, snap->buffer, &req);
  VkMemoryAllocateInfo ai{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
  ai.allocationSize = req.size;
  ai.memoryTypeIndex = host_memory_type(dev.memory_properties, req.memoryTypeBits);
  if (ai.memoryTypeIndex == UINT32_MAX) return false;
  if (!ok(d.AllocateMemory(dev.handle, &ai, nullptr, &snap->memory), "vkAllocateMemory (snapshot)")) return false;
  if (!ok(d.BindBufferMemory(dev.handle, snap->buffer, snap->memory, 0), "vkBindBufferMemory (snapshot)")) return false;

  VkCommandPool& pool = dev.own_pools[q->family];
  if (!pool) {
    VkCommandPoolCreateInfo pi{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
    pi.queueFamilyIndex = q->family;
    pi.flags = VK_COMMAND_POOL_CREATE_TRANSIENT_BIT;
    if (!ok(d.CreateCommandPool(dev.handle, &pi, nullptr, &pool), "vkCreateCommandPool")) return false;
  }
  snap->pool = pool;
  VkCommandBufferAllocateInfo cai{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
  cai.commandPool = pool;
  cai.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
  cai.commandBufferCount = 1;
  if (!ok(d.AllocateCommandBuffers(dev.handle, &cai, &snap->cb), "vkAllocateCommandBuffers")) return false;
  if (dev.set_loader_data) dev.set_loader_data(dev.handle, snap->cb);
  else *reinterpret_cast<void**>(snap->cb) = *reinterpret_cast<void**>(dev.handle);
  VkFenceCreateInfo fi{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
  if (!ok(d.CreateFence(dev.handle, &fi, nullptr, &snap->fence), "vkCreateFence")) return false;

  VkCommandBufferBeginInfo begin{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
  begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
  d.BeginCommandBuffer(snap->cb, &begin);
  std::vector<CopiedSubresource> subs;
  for (const auto& c : cows)
    if (c->image) subs.push_back({c->image, c->mip, c->layer, c->layout, c->all_aspects, c->aspect});
  std::vector<VkImageMemoryBarrier> to, back;
  copy_layout_barriers(std::move(subs), to, back);
  // As narrow as the copies allow (as the hook's, rerecord.cpp): what wrote before, for the copies'
  // reads; then the copies before whatever comes next (the writer), and the snapshot to the host.
  VkMemoryBarrier written{VK_STRUCTURE_TYPE_MEMORY_BARRIER, nullptr, VK_ACCESS_MEMORY_WRITE_BIT, VK_ACCESS_TRANSFER_READ_BIT};
  d.CmdPipelineBarrier(snap->cb, VK_PIPELINE_STAGE_ALL_COMMANDS_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT, 0, 1, &written, 0,
                       nullptr, static_cast<uint32_t>(to.size()), to.data());
  for (size_t i = 0; i < cows.size(); ++i) {
    const Cow& c = *cows[i];
    if (c.buffer) {
      VkBufferCopy r{c.offset, at[i], c.bytes};
      d.CmdCopyBuffer(snap->cb, c.buffer, snap->buffer, 1, &r);
    } else {
      VkBufferImageCopy r{};
      r.bufferOffset = at[i];
      r.imageSubresource = {c.aspect, c.mip, c.layer, 1};
      r.imageExtent = c.extent;
      d.CmdCopyImageToBuffer(snap->cb, c.image, copy_layout(c.layout), snap->buffer, 1, &r);
    }
  }
  VkMemoryBarrier host{VK_STRUCTURE_TYPE_MEMORY_BARRIER, nullptr, VK_ACCESS_TRANSFER_WRITE_BIT, VK_ACCESS_HOST_READ_BIT};
  d.CmdPipelineBarrier(snap->cb, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_ALL_COMMANDS_BIT | VK_PIPELINE_STAGE_HOST_BIT,
                       0, 1, &host, 0, nullptr, static_cast<uint32_t>(back.size()), back.data());
  if (!ok(d.EndCommandBuffer(snap->cb), "vkEndCommandBuffer (snapshot)")) return false;
  VkSubmitInfo si{VK_STRUCTURE_TYPE_SUBMIT_INFO};
  si.commandBufferCount = 1;
  si.pCommandBuffers = &snap->cb;
  const uint64_t one = 1;
  VkTimelineSemaphoreSubmitInfo tl{VK_STRUCTURE_TYPE_TIMELINE_SEMAPHORE_SUBMIT_INFO};
  if (signal) {
    tl.signalSemaphoreValueCount = 1;
    tl.pSignalSemaphoreValues = &one;
    si.pNext = &tl;
    si.signalSemaphoreCount = 1;
    si.pSignalSemaphores = &signal;
  }
  if (!ok(d.QueueSubmit(queue, 1, &si, snap->fence), "vkQueueSubmit (snapshot)")) return false;
  for (size_t i = 0; i < cows.size(); ++i) {
    cows[i]->resolved = true;
    cows[i]->snapshot = snap;
    cows[i]->snapshot_offset = at[i];
  }
  return true;
}

void host_signal(Device& dev, VkSemaphore s) {
  VkSemaphoreSignalInfo si{VK_STRUCTURE_TYPE_SEMAPHORE_SIGNAL_INFO};
  si.semaphore = s;
  si.value = 1;
  ok(dev.d.SignalSemaphore(dev.handle, &si), "vkSignalSemaphore (hold)");
}

void wait_snapshot(Device& dev, CowSnapshot& s) {
  if (s.waited) return;
  dev.d.WaitForFences(dev.handle, 1, &s.fence, VK_TRUE, UINT64_MAX);
  s.waited = true;
}

}  // namespace

CowSnapshot::~CowSnapshot() {
  if (!device) return;
  const DeviceDispatch& d = device->d;
  if (fence) {
    if (!waited) d.WaitForFences(device->handle, 1, &fence, VK_TRUE, UINT64_MAX);
    d.DestroyFence(device->handle, fence, nullptr);
  }
  if (cb) d.FreeCommandBuffers(device->handle, pool, 1, &cb);
  if (buffer) d.DestroyBuffer(device->handle, buffer, nullptr);
  if (memory) d.FreeMemory(device->handle, memory, nullptr);
}

void resolve_cows(Device& dev, VkQueue queue, const std::vector<std::shared_ptr<Cow>>& all, KilnCowCause cause,
                  bool wait, VkSemaphore signal) {
  std::vector<std::shared_ptr<Cow>> cows;
  for (const auto& c : all)
    if (c && !c->resolved) cows.push_back(c);
  if (cows.empty()) {
    if (signal) host_signal(dev, signal);
    return;
  }
  // Its captured command on another queue, not known complete: the copy must not overtake it.
  for (const auto& c : cows)
    if (c->hook && c->queue != queue) dev.d.WaitForFences(dev.handle, 1, &c->hook->fence, VK_TRUE, UINT64_MAX);
  if (!submit_snapshot(dev, queue, cows, signal)) {
    for (const auto& c : cows)
      if (c->note.empty()) c->note = "copy-on-write: the layer could not copy this resource before it changed";
    if (signal) host_signal(dev, signal);  // a held writer must never wait forever
    return;
  }
  KilnCaptureStats& s = dev.cow.stats;
  for (const auto& c : cows) {
    c->cause = cause;
    if (cause == KILN_COW_CAUSE_COUNT) {
      s.bytes_delivered += c->bytes;
    } else {
      s.bytes_resolved += c->bytes;
      ++s.cows_resolved;
      ++s.resolved_by[cause];
    }
  }
  if (wait) wait_snapshot(dev, *cows.front()->snapshot);
  dev.cow.prune();
}

namespace {

VkSemaphore timeline_semaphore(Device& dev) {
  VkSemaphoreTypeCreateInfo type{VK_STRUCTURE_TYPE_SEMAPHORE_TYPE_CREATE_INFO, nullptr, VK_SEMAPHORE_TYPE_TIMELINE, 0};
  VkSemaphoreCreateInfo sci{VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO, &type, 0};
  VkSemaphore s = VK_NULL_HANDLE;
  if (!ok(dev.d.CreateSemaphore(dev.handle, &sci, nullptr, &s), "vkCreateSemaphore (copy-on-write)")) return VK_NULL_HANDLE;
  return s;
}

}  // namespace

std::vector<VkSemaphore> resolve_hits(Device& dev, VkQueue queue, const WriteSet& writes, uint64_t writer_batch) {
  std::map<KilnCowCause, std::vector<std::shared_ptr<Cow>>> by_cause;
  std::map<std::pair<VkQueue, KilnCowCause>, std::vector<std::shared_ptr<Cow>>> remote;
  std::vector<VkSemaphore> waits;
  CowHold hold;
  for (const auto& w : dev.cow.cows) {
    auto c = w.lock();
    if (!c || c->resolved) continue;
    KilnCowCause cause;
    if (!writes.hits(*c, &cause)) continue;
    if (c->active) {
      if (dev.graph.ancestor(writer_batch, c->batch)) continue;  // it happens before the captured command
    } else if (c->queue == queue) {
      // Behind the captured batch on its own queue, so after it whatever that batch waits for: the copy
      // goes in between on this queue, as for a ready one (its leading barrier covers the captured
      // batch, earlier in submission order).
    } else {
      // The captured command's batch waits for something not submitted yet. A writer that is ready
      // cannot come after it (it would wait for the captured batch's signals): it comes before, or
      // races it. One that is not ready either is held until the graph decides (CowHold).
      if (!dev.graph.ready(writer_batch)) hold.cows.emplace_back(c, cause);
      continue;
    }
    if (c->hook && c->queue != queue) remote[{c->queue, cause}].push_back(c);
    else by_cause[cause].push_back(c);
  }
  for (auto& [cause, cows] : by_cause) resolve_cows(dev, queue, cows, cause, false);
  // Copies after a captured command still running on another queue: on that queue, signalling a
  // semaphore the writer waits for. No CPU wait: what the captured batch waits for may be in this very
  // submission, after the writer.
  for (auto& [key, cows] : remote) {
    VkSemaphore s = timeline_semaphore(dev);
    if (!s) {
      resolve_cows(dev, queue, cows, key.second, false);  // falls back to waiting on the CPU
      continue;
    }
    resolve_cows(dev, key.first, cows, key.second, false, s);
    dev.cow.spent.push_back(s);
    waits.push_back(s);
  }
  if (hold.cows.empty()) return waits;
  hold.semaphore = timeline_semaphore(dev);
  if (!hold.semaphore) {
    for (auto& [c, cause] : hold.cows)
      if (c->note.empty())
        c->note = "copy-on-write: a write submitted before the captured batch was ready could not be held back; "
                  "it may have changed this resource before it was read";
    return waits;
  }
  hold.writer = writer_batch;
  waits.push_back(hold.semaphore);
  dev.cow.holds.push_back(std::move(hold));
  return waits;
}

void settle_holds(Device& dev) {
  for (size_t i = 0; i < dev.cow.holds.size();) {
    CowHold& h = dev.cow.holds[i];
    bool decided = true;
    std::map<std::pair<VkQueue, KilnCowCause>, std::vector<std::shared_ptr<Cow>>> copy;
    for (auto& [c, cause] : h.cows) {
      if (c->resolved) continue;
      if (dev.graph.ready(c->batch)) {
        if (!dev.graph.ancestor(h.writer, c->batch)) copy[{c->queue, cause}].push_back(c);  // the writer comes after
      } else if (!dev.graph.ready(h.writer)) {
        decided = false;  // neither ready yet
      }
    }
    if (!decided) {
      ++i;
      continue;
    }
    if (copy.empty()) {
      host_signal(dev, h.semaphore);
    } else if (copy.size() == 1) {
      resolve_cows(dev, copy.begin()->first.first, copy.begin()->second, copy.begin()->first.second, false, h.semaphore);
    } else {
      for (auto& [key, cows] : copy) resolve_cows(dev, key.first, cows, key.second, true);
      host_signal(dev, h.semaphore);
    }
    dev.cow.spent.push_back(h.semaphore);
    dev.cow.holds.erase(dev.cow.holds.begin() + static_cast<std::ptrdiff_t>(i));
  }
}

VkCommandBuffer hold_command_buffer(Device& dev, uint32_t family) {
  for (auto [f, cb] : dev.cow.hold_cbs)
    if (f == family) return cb;
  const DeviceDispatch& d = dev.d;
  VkCommandPool& pool = dev.own_pools[family];
  if (!pool) {
    VkCommandPoolCreateInfo pi{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
    pi.queueFamilyIndex = family;
    pi.flags = VK_COMMAND_POOL_CREATE_TRANSIENT_BIT;
    if (!ok(d.CreateCommandPool(dev.handle, &pi, nullptr, &pool), "vkCreateCommandPool")) return VK_NULL_HANDLE;
  }
  VkCommandBufferAllocateInfo cai{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
  cai.commandPool = pool;
  cai.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
  cai.commandBufferCount = 1;
  VkCommandBuffer cb = VK_NULL_HANDLE;
  if (!ok(d.AllocateCommandBuffers(dev.handle, &cai, &cb), "vkAllocateCommandBuffers (hold)")) return VK_NULL_HANDLE;
  if (dev.set_loader_data) dev.set_loader_data(dev.handle, cb);
  else *reinterpret_cast<void**>(cb) = *reinterpret_cast<void**>(dev.handle);
  VkCommandBufferBeginInfo begin{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
  begin.flags = VK_COMMAND_BUFFER_USAGE_SIMULTANEOUS_USE_BIT;
  d.BeginCommandBuffer(cb, &begin);
  // Everything after it on the queue (the held writer) waits for it, and it waits for the semaphore.
  VkMemoryBarrier mem{VK_STRUCTURE_TYPE_MEMORY_BARRIER, nullptr, VK_ACCESS_MEMORY_WRITE_BIT,
                      VK_ACCESS_MEMORY_READ_BIT | VK_ACCESS_MEMORY_WRITE_BIT};
  d.CmdPipelineBarrier(cb, VK_PIPELINE_STAGE_ALL_COMMANDS_BIT, VK_PIPELINE_STAGE_ALL_COMMANDS_BIT, 0, 1, &mem, 0, nullptr, 0,
                       nullptr);
  if (!ok(d.EndCommandBuffer(cb), "vkEndCommandBuffer (hold)")) return VK_NULL_HANDLE;
  dev.cow.hold_cbs.emplace_back(family, cb);
  return cb;
}

void end_holds(Device& dev) {
  for (CowHold& h : dev.cow.holds) {
    host_signal(dev, h.semaphore);
    dev.cow.spent.push_back(h.semaphore);
  }
  dev.cow.holds.clear();
  for (VkSemaphore s : dev.cow.spent) dev.d.DestroySemaphore(dev.handle, s, nullptr);
  dev.cow.spent.clear();
  dev.cow.hold_cbs.clear();  // freed with the layer's pools
}

void resolve_memory(Device& dev, VkDeviceMemory memory, uint64_t offset, uint64_t size, KilnCowCause cause) {
  std::vector<std::shared_ptr<Cow>> hit;
  for (const auto& w : dev.cow.cows) {
    auto c = w.lock();
    if (!c || c->resolved || c->memory != memory) continue;
    if (size != VK_WHOLE_SIZE && (offset >= c->memory_offset + c->memory_size || c->memory_offset >= offset + size)) continue;
    hit.push_back(c);
  }
  std::map<VkQueue, std::vector<std::shared_ptr<Cow>>> by_queue;
  for (auto& c : hit) by_queue[c->queue].push_back(c);
  for (auto& [queue, cows] : by_queue) resolve_cows(dev, queue, cows, cause, true);
}

void resolve_handle(Device& dev, uint64_t handle, KilnCowCause cause) {
  std::map<VkQueue, std::vector<std::shared_ptr<Cow>>> by_queue;
  for (const auto& w : dev.cow.cows)
    if (auto c = w.lock(); c && !c->resolved && c->handle == handle) by_queue[c->queue].push_back(c);
  for (auto& [queue, cows] : by_queue) resolve_cows(dev, queue, cows, cause, true);
}

const std::vector<uint8_t>& cow_bytes(Device& dev, Cow& cow) {
  if (cow.have_bytes) return cow.data;
  if (!cow.resolved) {
    std::shared_ptr<Cow> self(std::shared_ptr<Cow>{}, &cow);  // non-owning: the caller holds it
    resolve_cows(dev, cow.queue, {self}, KILN_COW_CAUSE_COUNT, true);
  }
  if (cow.resolved && cow.snapshot) {
    wait_snapshot(dev, *cow.snapshot);
    void* mapped = nullptr;
    if (dev.d.MapMemory(dev.handle, cow.snapshot->memory, 0, VK_WHOLE_SIZE, 0, &mapped) == VK_SUCCESS) {
      const auto* p = static_cast<const uint8_t*>(mapped) + cow.snapshot_offset;
      cow.data.assign(p, p + cow.bytes);
      dev.d.UnmapMemory(dev.handle, cow.snapshot->memory);
      cow.have_bytes = true;
    }
    cow.snapshot.reset();
  }
  return cow.data;
}

}  // namespace kiln::layer
