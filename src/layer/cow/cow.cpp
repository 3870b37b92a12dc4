// Attaching cows at hook time, and the bookkeeping around them.
#include "cow/cow.h"

#include "hook/pending.h"
#include "state.h"

namespace kiln::layer {

const char* cow_cause_name(KilnCowCause cause) {
  switch (cause) {
    case KILN_COW_TRANSFER: return "transfer";
    case KILN_COW_CLEAR: return "clear";
    case KILN_COW_ATTACHMENT: return "attachment";
    case KILN_COW_STORAGE: return "storage";
    case KILN_COW_LAYOUT: return "layout";
    case KILN_COW_HOST_WRITE: return "host_write";
    case KILN_COW_ALIASING: return "aliasing";
    case KILN_COW_DESTROY: return "destroy";
    case KILN_COW_UNSEEN: return "unseen";
    default: return "delivered";
  }
}

void CowState::prune() {
  std::erase_if(cows, [](const std::weak_ptr<Cow>& w) {
    auto c = w.lock();
    return !c || c->resolved;
  });
}

bool Cow::same_range(const CopyJob& j) const {
  if (j.buffer) return buffer == j.buffer && offset == j.meta.offset && bytes == j.bytes;
  return image == j.image && mip == j.meta.mip && layer == j.meta.layer && aspect == j.meta.aspect && layout == j.layout;
}

std::shared_ptr<Cow> make_cow(Device& dev, const Queue& queue, const CopyJob& j, const WriteSet& later) {
  if (!dev.cow.enabled || j.meta.written || !j.inline_bytes.empty() || j.bytes == 0 || j.meta.samples > 1) return nullptr;
  auto c = std::make_shared<Cow>();
  c->handle = j.meta.handle;
  c->bytes = j.bytes;
  c->queue = queue.handle;
  c->family = queue.family;
  MemoryBinding binding;
  if (j.buffer) {
    auto b = dev.buffers.get(j.buffer);
    // A buffer with a device address can be written through a pointer no command names.
    if (!b || (b->usage & VK_BUFFER_USAGE_SHADER_DEVICE_ADDRESS_BIT)) return nullptr;
    binding = b->binding;
    c->buffer = j.buffer;
    c->offset = j.meta.offset;
    c->memory_offset = binding.offset + j.meta.offset;
    c->memory_size = j.bytes;
  } else {
    auto img = dev.images.get(j.image);
    if (!img || img->swapchain) return nullptr;  // the presentation engine writes swapchain images unseen
    binding = img->binding;
    c->image = j.image;
    c->mip = j.meta.mip;
    c->layer = j.meta.layer;
    c->aspect = j.meta.aspect;
    c->all_aspects = j.all_aspects;
    c->extent = j.meta.extent;
    c->format = j.meta.format;
    c->layout = j.layout;
    c->memory_offset = binding.offset;
    c->memory_size = img->memory_size;
  }
  // Memory the program has mapped can change under the layer at any moment; memory with device
  // addresses, through pointers. Those are copied at once.
  auto m = dev.memories.get(binding.memory);
  if (!m || m->mapped() || m->device_address) return nullptr;
  c->memory = binding.memory;
  KilnCowCause cause;
  if (later.hits(*c, &cause)) return nullptr;  // the rest of its own submission writes it
  // Captures of the same untouched range share one cow.
  for (const auto& w : dev.cow.cows)
    if (auto other = w.lock(); other && !other->resolved && other->same_range(j) && other->queue == queue.handle &&
                                other->active)
      return other;
  return c;
}

uint64_t semaphore_value(Device& dev, VkSemaphore s) {
  uint64_t v = 0;
  if (dev.d.GetSemaphoreCounterValue) dev.d.GetSemaphoreCounterValue(dev.handle, s, &v);
  return v;
}

void activate_ready_cows(Device& dev) {
  for (const auto& w : dev.cow.cows) {
    auto c = w.lock();
    if (!c || c->active || !dev.graph.ready(c->batch)) continue;
    c->active = true;
  }
  settle_holds(dev);
}

void hook_completed(Device&, PendingCapture& p) {
  for (CopyJob& j : p.jobs)
    if (j.cow && j.cow->hook == &p) j.cow->hook = nullptr;
}

}  // namespace kiln::layer
