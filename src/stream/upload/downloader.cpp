// The Downloader: copies into a ring of mapped Readback memory on the graphics queue, batched, and
// collected by ticket.
#include "kiln/downloader.h"

#include <algorithm>
#include <cstring>
#include <mutex>
#include <numeric>

#include "kiln/buffer.h"
#include "kiln/commands.h"
#include "kiln/context.h"
#include "kiln/error.h"
#include "kiln/format.h"
#include "kiln/image.h"
#include "kiln/log.h"
#include "kiln/transfer.h"
#include "stream/upload/lane.h"
#include "stream/upload/ring_space.h"

namespace kiln {
namespace {

constexpr VkDeviceSize kMiB = VkDeviceSize(1) << 20;

DownloaderDesc resolve(const Context& ctx, DownloaderDesc d) {
  const bool cpu = ctx.properties().deviceType == VK_PHYSICAL_DEVICE_TYPE_CPU;
  if (d.readback_size == 0) d.readback_size = (cpu ? 16 : 64) * kMiB;
  if (d.batch_bytes == 0) d.batch_bytes = 16 * kMiB;
  if (!d.name) d.name = "downloader";
  return d;
}

}  // namespace

struct Downloader::Impl {
  Impl(Context& context, const DownloaderDesc& d)
      : ctx(context), desc(resolve(context, d)), ring(desc.readback_size) {
    readback = Buffer(ctx, {.size = desc.readback_size,
                            .usage = VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                            .memory = MemoryIntent::Readback,
                            .name = desc.name});
    base = static_cast<const uint8_t*>(readback.mapped());
    lane = std::make_unique<detail::Lane>(ctx, QueueKind::Graphics, desc.name);
    counters.readback_size = desc.readback_size;
  }

  Context& ctx;
  DownloaderDesc desc;
  Buffer readback;
  const uint8_t* base = nullptr;
  mutable std::mutex mutex;
  detail::RingSpace ring;
  std::unique_ptr<detail::Lane> lane;
  VkDeviceSize batch_bytes = 0;
  bool batch_open = false;
  DownloaderStats counters;

  void reclaim() {
    ring.reclaim([&](uint32_t) { return lane->completed(); });
  }

  void submit() {
    if (!batch_open) return;
    CommandBuffer& cmd = lane->cmd();
    cmd.use(readback, Use::HostRead);  // the copies' writes made visible to the host
    lane->submit();
    batch_open = false;
    batch_bytes = 0;
    ++counters.batches;
  }

  // A block, waiting for the GPU while the ring is full of copies still running.
  detail::RingSpace::Block acquire(std::unique_lock<std::mutex>& lock, uint64_t size, uint64_t align) {
    if (size > desc.readback_size) {
      throw Error(str(size, " bytes do not fit the read-back ring (", desc.readback_size,
                      " bytes): make readback_size larger"));
    }
    bool stalled = false;
    detail::RingSpace::Block block;
    for (;;) {
      reclaim();
      if (ring.allocate(size, align, &block)) {
        if (stalled) ++counters.stalls;
        return block;
      }
      stalled = true;
      detail::RingSpace::Oldest oldest;
      if (!ring.oldest(&oldest)) continue;
      if (oldest.value[0] > lane->submitted()) submit();
      if (oldest.held && lane->completed() >= oldest.value[0]) {
        throw Error(str("the read-back ring is full of finished read-backs nobody collected (",
                        ring.blocks(), " tickets, ", ring.used(), " bytes): collect them with wait() or discard()"));
      }
      const detail::Lane::WaitPoint point = lane->wait_point(oldest.value[0]);
      lock.unlock();
      lane->block(point);
      lock.lock();
    }
  }

  CommandBuffer& open_batch() {
    CommandBuffer& cmd = lane->cmd();
    if (!batch_open) {
      cmd.use(readback, Use::TransferDst);  // after the host read the previous batch's bytes
      batch_open = true;
    }
    return cmd;
  }

  DownloadTicket finish_copy(const detail::RingSpace::Block& block, uint64_t size) {
    DownloadTicket t{lane->timeline(), lane->open_value(), block.id, size_t(size)};
    ring.fence(block.id, 0, t.value);
    batch_bytes += size;
    ++counters.downloads;
    counters.bytes += size;
    if (batch_bytes >= desc.batch_bytes) submit();
    return t;
  }

  // Checks the ticket and returns the offset of its bytes; the block stays held.
  uint64_t held_offset(const DownloadTicket& t) const {
    if (!t.id || !ring.holds(t.id)) throw Error(str("downloader '", desc.name, "': the ticket was collected already"));
    return ring.offset_of(t.id);
  }
};

Downloader::Downloader(Context& ctx, const DownloaderDesc& desc) {
  with_context(str("creating downloader '", desc.name ? desc.name : "downloader", "'"),
               [&] { impl_ = std::make_unique<Impl>(ctx, desc); });
}

Downloader::~Downloader() {
  if (!impl_) return;
  try {
    wait_idle();
  } catch (const std::exception& e) {
    log(LogLevel::Error, str("downloader '", impl_->desc.name, "': ", e.what()));
  }
}

void Downloader::wait_for(const SemaphoreSubmit& wait) {
  if (wait.semaphore == VK_NULL_HANDLE || wait.value == 0) return;  // a Direct upload: already there
  std::lock_guard lock(impl_->mutex);
  impl_->lane->add_wait(wait);
}

DownloadTicket Downloader::download(Buffer& src, VkDeviceSize offset, VkDeviceSize size) {
  Impl& m = *impl_;
  if (size == VK_WHOLE_SIZE) size = offset < src.size() ? src.size() - offset : 0;
  DownloadTicket ticket;
  with_context([&] { return str("downloading ", size, " bytes of buffer '", src.name(), "'"); }, [&] {
    if (offset > src.size() || size > src.size() - offset) {
      throw Error(str("the range at offset ", offset, " is outside the buffer (", src.size(), " bytes)"));
    }
    if (!(src.usage() & VK_BUFFER_USAGE_TRANSFER_SRC_BIT)) {
      throw Error("the buffer lacks VK_BUFFER_USAGE_TRANSFER_SRC_BIT, which read-backs copy with");
    }
    if (size == 0) return;
    std::unique_lock lock(m.mutex);
    const detail::RingSpace::Block block = m.acquire(lock, size, 16);
    CommandBuffer& cmd = m.open_batch();
    cmd.use(src, Use::TransferSrc);
    cmd.flush_barriers();
    const VkBufferCopy region{offset, block.offset, size};
    vkCmdCopyBuffer(cmd.handle(), src.handle(), m.readback.handle(), 1, &region);
    ticket = m.finish_copy(block, size);
  });
  return ticket;
}

DownloadTicket Downloader::download_image(Image& src, uint32_t mip, uint32_t layer) {
  Impl& m = *impl_;
  DownloadTicket ticket;
  with_context([&] { return str("downloading mip ", mip, " layer ", layer, " of image '", src.name(), "'"); }, [&] {
    if (mip >= src.mip_levels() || layer >= src.layers()) {
      throw Error(str("the image has ", src.mip_levels(), " mips and ", src.layers(), " layers"));
    }
    const VkImageAspectFlags aspect = src.aspect();
    if ((aspect & VK_IMAGE_ASPECT_DEPTH_BIT) && (aspect & VK_IMAGE_ASPECT_STENCIL_BIT)) {
      throw Error("the image is depth+stencil: read each aspect with raw Vulkan");
    }
    if (!(src.usage() & VK_IMAGE_USAGE_TRANSFER_SRC_BIT)) {
      throw Error("the image lacks VK_IMAGE_USAGE_TRANSFER_SRC_BIT, which read-backs copy with");
    }
    const uint64_t size = image_layer_size(src, mip);
    const uint64_t align = std::lcm<uint64_t>(std::max<uint32_t>(format_info(src.format()).block_bytes, 1), 16);
    std::unique_lock lock(m.mutex);
    const detail::RingSpace::Block block = m.acquire(lock, size, align);
    CommandBuffer& cmd = m.open_batch();
    cmd.use(src, Use::TransferSrc);
    cmd.flush_barriers();
    VkBufferImageCopy region{};
    region.bufferOffset = block.offset;
    region.imageSubresource = {aspect, mip, layer, 1};
    region.imageExtent = src.mip_extent(mip);
    vkCmdCopyImageToBuffer(cmd.handle(), src.handle(), VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, m.readback.handle(), 1,
                           &region);
    ticket = m.finish_copy(block, size);
  });
  return ticket;
}

void Downloader::flush() {
  std::lock_guard lock(impl_->mutex);
  impl_->submit();
}

bool Downloader::finished(const DownloadTicket& ticket) const {
  if (!ticket) return true;
  std::lock_guard lock(impl_->mutex);
  return impl_->lane->completed() >= ticket.value;
}

void Downloader::wait_into(const DownloadTicket& ticket, std::span<uint8_t> out) {
  if (!ticket) return;
  Impl& m = *impl_;
  if (out.size() != ticket.size) {
    throw Error(str("downloader '", m.desc.name, "': the ticket holds ", ticket.size, " bytes, the output ",
                    out.size()));
  }
  uint64_t offset = 0;
  detail::Lane::WaitPoint point;
  {
    std::lock_guard lock(m.mutex);
    offset = m.held_offset(ticket);
    if (ticket.value > m.lane->submitted()) m.submit();
    point = m.lane->wait_point(ticket.value);
  }
  m.lane->block(point);
  // The block stays held (nobody else reuses it) while its bytes are copied out without the lock.
  m.readback.invalidate(offset, out.size());
  std::memcpy(out.data(), m.base + offset, out.size());
  std::lock_guard lock(m.mutex);
  m.ring.unhold(ticket.id);
  m.reclaim();
}

std::vector<uint8_t> Downloader::wait(const DownloadTicket& ticket) {
  std::vector<uint8_t> out(ticket.size);
  wait_into(ticket, out);
  return out;
}

void Downloader::discard(const DownloadTicket& ticket) {
  if (!ticket) return;
  std::lock_guard lock(impl_->mutex);
  impl_->held_offset(ticket);
  impl_->ring.unhold(ticket.id);
}

void Downloader::wait_idle() {
  Impl& m = *impl_;
  detail::Lane::WaitPoint point;
  {
    std::lock_guard lock(m.mutex);
    m.submit();
    point = m.lane->wait_point(m.lane->submitted());
  }
  m.lane->block(point);
  std::lock_guard lock(m.mutex);
  m.reclaim();
}

VkSemaphore Downloader::timeline() const { return impl_->lane->timeline(); }

DownloaderStats Downloader::stats() const {
  std::lock_guard lock(impl_->mutex);
  impl_->reclaim();
  DownloaderStats s = impl_->counters;
  s.readback_in_use = impl_->ring.used();
  return s;
}

}  // namespace kiln
