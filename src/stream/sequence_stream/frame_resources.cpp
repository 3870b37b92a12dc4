#include "stream/sequence_stream/frame_resources.h"

#include <algorithm>

#include "kiln/context.h"
#include "kiln/log.h"
#include "kiln/sequence_file.h"

namespace kiln::detail {

namespace {

constexpr VkDeviceSize kMinBuffer = 256;

VkDeviceSize default_budget(const Context& ctx) {
  VkDeviceSize largest = 0;
  const VkPhysicalDeviceMemoryProperties& mem = ctx.info().memory;
  for (uint32_t i = 0; i < mem.memoryHeapCount; ++i) {
    if (mem.memoryHeaps[i].flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT) largest = std::max(largest, mem.memoryHeaps[i].size);
  }
  return std::min<VkDeviceSize>(VkDeviceSize(1) << 30, largest / 2);
}

}  // namespace

FramePool::FramePool(Context& ctx, const SequenceReader& reader, const FramePoolDesc& desc)
    : ctx_(&ctx), reader_(&reader), desc_(desc), budget_(desc.budget ? desc.budget : default_budget(ctx)) {}

VkDeviceSize FramePool::frame_bytes(uint32_t frame) const {
  VkDeviceSize total = 0;
  for (uint32_t f = 0; f < reader_->layout().fields.size(); ++f) {
    total += std::max(kMinBuffer, VkDeviceSize(reader_->blob(frame, f).raw_size));
  }
  return total;
}

bool FramePool::fits(const FrameResources& r, uint32_t frame) const {
  const SequenceLayout& layout = reader_->layout();
  for (uint32_t f = 0; f < layout.fields.size(); ++f) {
    const VkDeviceSize need = std::max(kMinBuffer, VkDeviceSize(reader_->blob(frame, f).raw_size));
    const FieldResource& have = r.fields[f];
    if (layout.fields[f].kind == FieldKind::Image2D) continue;  // fixed by the layout
    // Reuse buffers up to twice the size needed: more would waste the budget.
    if (have.capacity < need || have.capacity > 2 * need) return false;
  }
  return true;
}

std::unique_ptr<FrameResources> FramePool::create(uint32_t frame) {
  auto r = std::make_unique<FrameResources>();
  const SequenceLayout& layout = reader_->layout();
  const uint32_t slot = created_++;
  r->fields.resize(layout.fields.size());
  for (uint32_t f = 0; f < layout.fields.size(); ++f) {
    const FieldDesc& fd = layout.fields[f];
    FieldResource& out = r->fields[f];
    const std::string name = str(desc_.name, ".slot", slot, ".", fd.name);
    out.capacity = std::max(kMinBuffer, VkDeviceSize(reader_->blob(frame, f).raw_size));
    if (fd.kind == FieldKind::Image2D) {
      out.image.emplace(*ctx_, ImageDesc{.format = fd.format,
                                        .extent = {fd.width, fd.height, 1},
                                        .usage = desc_.image_usage,
                                        .name = name.c_str()});
    } else {
      out.buffer.emplace(*ctx_, BufferDesc{.size = out.capacity,
                                          .usage = desc_.buffer_usage,
                                          .memory = desc_.host_writable ? MemoryIntent::DeviceWithHostWrites
                                                                        : MemoryIntent::DeviceOnly,
                                          .name = name.c_str(),
                                          // Loaded on the transfer queue, read on the graphics queue,
                                          // reloaded on the transfer queue: no ownership transfers.
                                          .concurrent = true});
    }
    r->bytes += out.capacity;
  }
  bytes_ += r->bytes;
  return r;
}

std::unique_ptr<FrameResources> FramePool::take(uint32_t frame) {
  for (auto it = spare_.begin(); it != spare_.end(); ++it) {
    if (fits(**it, frame)) {
      std::unique_ptr<FrameResources> r = std::move(*it);
      spare_.erase(it);
      return r;
    }
  }
  const VkDeviceSize need = frame_bytes(frame);
  while (bytes_ + need > budget_ && !spare_.empty()) {
    bytes_ -= spare_.front()->bytes;
    spare_.erase(spare_.begin());  // destroyed once the GPU finished with it (Context::defer)
  }
  if (bytes_ + need > budget_) return nullptr;
  return create(frame);
}

void FramePool::give_back(std::unique_ptr<FrameResources> resources) {
  if (resources) spare_.push_back(std::move(resources));
}

}  // namespace kiln::detail
