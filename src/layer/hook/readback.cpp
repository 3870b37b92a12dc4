// Completing captures: once the layer's fence signalled, the staging buffer is read into the Capture,
// written to its folder (when it has one) and kept for the C API; the layer's objects are freed.
// Resources given a cow get their bytes at delivery: written at once when the capture has a folder,
// when handed out through the C API otherwise.
#include <cstring>

#include "dump/write_capture.h"
#include "hook/pending.h"
#include "state.h"

namespace kiln::layer {

void destroy_pending(Device& dev, PendingCapture& p) {
  const DeviceDispatch& d = dev.d;
  if (p.cb) d.FreeCommandBuffers(dev.handle, p.pool, 1, &p.cb);
  if (p.fence) d.DestroyFence(dev.handle, p.fence, nullptr);
  if (p.staging) d.DestroyBuffer(dev.handle, p.staging, nullptr);
  if (p.memory) d.FreeMemory(dev.handle, p.memory, nullptr);
  for (VkRenderPass rp : p.render_passes) d.DestroyRenderPass(dev.handle, rp, nullptr);
  for (const PendingCapture::Resolved& r : p.resolved) {
    if (r.framebuffer) d.DestroyFramebuffer(dev.handle, r.framebuffer, nullptr);
    if (r.pass) d.DestroyRenderPass(dev.handle, r.pass, nullptr);
    for (VkImageView v : r.views)
      if (v) d.DestroyImageView(dev.handle, v, nullptr);
    if (r.image) d.DestroyImage(dev.handle, r.image, nullptr);
    if (r.memory) d.FreeMemory(dev.handle, r.memory, nullptr);
  }
  p.resolved.clear();
  p.cb = VK_NULL_HANDLE;
  p.fence = VK_NULL_HANDLE;
  p.staging = VK_NULL_HANDLE;
  p.memory = VK_NULL_HANDLE;
  p.render_passes.clear();
}

void deliver(Device& dev, Capture& cap, std::vector<std::pair<size_t, std::shared_ptr<Cow>>>& cows) {
  for (auto& [index, cow] : cows) {
    CapturedResource& r = cap.resources[index];
    const std::vector<uint8_t>& bytes = cow_bytes(dev, *cow);
    if (!cow->note.empty()) cap.notes.push_back(cow->note + " (" + r.debug_name + ")");
    r.copy = cow->cause == KILN_COW_CAUSE_COUNT ? "untouched" : cow_cause_name(cow->cause);
    if (r.has_before) r.before = bytes;
    if (r.has_after && r.has_before) r.after_is_before = true;
    else if (r.has_after) r.after = bytes;
  }
  cows.clear();
}

static void complete(Device& dev, PendingCapture& p) {
  hook_completed(dev, p);
  const bool want_before = p.capture.when != "after", want_after = p.capture.when != "before";
  std::vector<std::pair<size_t, std::shared_ptr<Cow>>> cows;
  void* mapped = nullptr;
  if (dev.d.MapMemory(dev.handle, p.memory, 0, VK_WHOLE_SIZE, 0, &mapped) != VK_SUCCESS) {
    report("mapping the capture's buffer failed: capture lost");
    return;
  }
  const auto* bytes = static_cast<const uint8_t*>(mapped);
  auto cap = std::make_unique<Capture>(std::move(p.capture));
  for (CopyJob& j : p.jobs) {
    CapturedResource r = std::move(j.meta);
    if (!j.inline_bytes.empty()) {
      r.has_before = r.has_after = true;
      r.before = j.inline_bytes;
      r.after = std::move(j.inline_bytes);
    }
    cap->bytes_copied += j.bytes * ((j.before_at != UINT64_MAX) + (j.after_at != UINT64_MAX));
    if (j.cow) {
      cap->bytes_deferred += j.bytes;
      r.has_before = want_before;
      r.has_after = want_after;
      cows.emplace_back(cap->resources.size(), std::move(j.cow));
      cap->resources.push_back(std::move(r));
      continue;
    }
    if (j.before_at != UINT64_MAX) {
      r.has_before = true;
      r.before.assign(bytes + j.before_at, bytes + j.before_at + j.bytes);
    }
    if (j.after_at != UINT64_MAX) {
      r.has_after = true;
      r.after.assign(bytes + j.after_at, bytes + j.after_at + j.bytes);
    } else if (j.after_is_before) {
      r.has_after = true;
      r.after_is_before = true;
    }
    cap->resources.push_back(std::move(r));
  }
  dev.d.UnmapMemory(dev.handle, p.memory);
  ++dev.cow.stats.captures;
  dev.cow.stats.bytes_copied += cap->bytes_copied;
  bool written = false;
  if (!p.out_dir.empty()) {
    deliver(dev, *cap, cows);
    try {
      write_capture(*cap, p.out_dir);
      written = true;
      report("captured " + cap->command + " (frame " + std::to_string(cap->frame) + ", " +
             std::to_string(cap->resources.size()) + " resources) into " + p.out_dir);
    } catch (const std::exception& e) {
      report(std::string("writing the capture: ") + e.what());
    }
  }
  dev.done.push_back({std::move(cap), written ? p.out_dir : std::string(), std::move(cows)});
}

void poll_pending(Device& dev) {
  for (size_t i = 0; i < dev.pending.size();) {
    PendingCapture& p = *dev.pending[i];
    if (dev.d.GetFenceStatus(dev.handle, p.fence) != VK_SUCCESS) {
      ++i;
      continue;
    }
    complete(dev, p);
    destroy_pending(dev, p);
    dev.pending.erase(dev.pending.begin() + static_cast<std::ptrdiff_t>(i));
  }
}

void finish_device(Device& dev) {
  for (auto& p : dev.pending) {
    if (dev.d.WaitForFences(dev.handle, 1, &p->fence, VK_TRUE, UINT64_MAX) == VK_SUCCESS) complete(dev, *p);
    destroy_pending(dev, *p);
  }
  dev.pending.clear();
  // Captures never handed out go with the device; their cows' copies must end before it does.
  for (auto& done : dev.done) done.cows.clear();
  dev.cow.cows.clear();
  end_holds(dev);
  for (auto& [family, pool] : dev.own_pools) dev.d.DestroyCommandPool(dev.handle, pool, nullptr);
  dev.own_pools.clear();
  for (const Request& r : dev.env_requests)
    report("'" + r.spec_text + "': frame " + std::to_string(r.frame) + " never came (the program submitted " +
           std::to_string(dev.presents ? dev.frame - 1 : dev.submissions) + " frames)");
  dev.env_requests.clear();
  dev.update_recording();
}

}  // namespace kiln::layer
