// The Uploader: spans of the staging ring (or of the destination's mapping), batched copies, tickets.
#include "kiln/uploader.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>
#include <mutex>
#include <numeric>

#include "kiln/commands.h"
#include "kiln/context.h"
#include "kiln/error.h"
#include "kiln/format.h"
#include "kiln/image.h"
#include "kiln/log.h"
#include "kiln/mapped_copy.h"
#include "kiln/transfer.h"
#include "core/transfer/image_rows.h"
#include "core/transfer/staging_ring.h"
#include "stream/upload/copy_threads.h"
#include "stream/upload/uploader_impl.h"

namespace kiln {
namespace {

constexpr VkDeviceSize kMiB = VkDeviceSize(1) << 20;
// Buffer blocks start on cache lines: memcpy into them runs at full speed.
constexpr uint64_t kBufferAlign = 64;
// A buffer span lies in staging at its destination offset's phase on this, so that its copy can be
// cut into a body on aligned offsets (CopyBatch::kCopyAlign).
constexpr uint64_t kPhase = detail::CopyBatch::kCopyAlign;

// The first offset at or after `at` that is `phase` past a multiple of `align`.
uint64_t place(uint64_t at, uint64_t align, uint64_t phase) {
  uint64_t off = (at + align - 1) / align * align + phase;
  if (off >= at + align) off -= align;
  return off;
}

// Slabs of a sixteenth of the ring, at most 4 MiB; spans up to a quarter of a slab are carved from
// them. Rings too small for useful slabs go without.
uint64_t slab_size_for(VkDeviceSize staging_size) {
  const uint64_t slab = std::min<uint64_t>(staging_size / 16, 4 * kMiB);
  return slab >= 16 * 1024 ? slab : 0;
}

std::atomic<uint64_t> next_serial{1};

bool is_unified(const Context& ctx) {
  const VkPhysicalDeviceType t = ctx.properties().deviceType;
  return t == VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU || t == VK_PHYSICAL_DEVICE_TYPE_CPU;
}

UploaderDesc resolve(const Context& ctx, UploaderDesc d) {
  const bool cpu = ctx.properties().deviceType == VK_PHYSICAL_DEVICE_TYPE_CPU;
  if (d.staging_size == 0) d.staging_size = (cpu ? 64 : 256) * kMiB;
  if (d.chunk_size == 0) d.chunk_size = 4 * kMiB;
  if (d.batch_bytes == 0) d.batch_bytes = 16 * kMiB;
  if (d.direct_threshold == 0) d.direct_threshold = 256 * 1024;
  if (d.copy_threads == 0) d.copy_threads = 8;
  if (!d.name) d.name = "uploader";
  // A chunk is a span: at most half the ring, so two can be in flight.
  d.chunk_size = std::max<VkDeviceSize>(1, std::min(d.chunk_size, d.staging_size / 2));
  return d;
}

// May a copy on the transfer queue write this resource? Only when no other family owns it (kiln
// cannot record the release on the owner's queue from here, and parts of the resource the upload
// does not cover must keep their contents), and when an earlier transfer-queue upload's release has
// been acquired: the transfer family no longer owns a resource it released.
bool transfer_may_own(const Context& ctx, const ResourceState& s) {
  const uint32_t transfer = const_cast<Context&>(ctx).queue(QueueKind::Transfer).family();
  if (s.release_to != VK_QUEUE_FAMILY_IGNORED) return false;
  return s.queue_family == VK_QUEUE_FAMILY_IGNORED || s.queue_family == transfer;
}

}  // namespace

const char* upload_path_name(UploadPath path) {
  switch (path) {
    case UploadPath::Auto: return "auto";
    case UploadPath::Direct: return "direct";
    case UploadPath::TransferQueue: return "transfer_queue";
    case UploadPath::GraphicsQueue: return "graphics_queue";
  }
  return "?";
}

// ---- UploadSpan ----

UploadSpan::UploadSpan(UploadSpan&& other) noexcept { *this = std::move(other); }

UploadSpan& UploadSpan::operator=(UploadSpan&& other) noexcept {
  if (this != &other) {
    if (owner_) owner_->release_span(*this);
    owner_ = other.owner_;
    data_ = other.data_;
    size_ = other.size_;
    path_ = other.path_;
    id_ = other.id_;
    slab_ = other.slab_;
    target_ = other.target_;
    image_ = other.image_;
    dst_offset_ = other.dst_offset_;
    staging_offset_ = other.staging_offset_;
    mip_ = other.mip_;
    layer_ = other.layer_;
    first_row_ = other.first_row_;
    last_row_ = other.last_row_;
    lane_ = other.lane_;
    next_use_ = other.next_use_;
    other.owner_ = nullptr;
    other.data_ = nullptr;
    other.size_ = 0;
    other.id_ = 0;
  }
  return *this;
}

UploadSpan::~UploadSpan() {
  if (owner_) owner_->release_span(*this);
}

// ---- Impl ----

Uploader::Impl::Impl(Context& context, const UploaderDesc& d)
    : ctx(context), desc(resolve(context, d)), unified(is_unified(context)), serial(next_serial.fetch_add(1)) {
  for (std::atomic<uint64_t>& v : open_values) v.store(1);  // a lane's first batch is value 1
  staging = Buffer(ctx, {.size = desc.staging_size,
                         .usage = VK_BUFFER_USAGE_TRANSFER_SRC_BIT,
                         .memory = MemoryIntent::Upload,
                         .name = desc.name});
  base = static_cast<uint8_t*>(staging.mapped());
  ring = detail::RingSpace(desc.staging_size);
  lanes[kGraphics] = std::make_unique<detail::Lane>(ctx, QueueKind::Graphics, desc.name);
  if (ctx.has_dedicated(QueueKind::Transfer))
    lanes[kTransfer] = std::make_unique<detail::Lane>(ctx, QueueKind::Transfer, desc.name);
  counters.staging_size = desc.staging_size;
  slab_size = slab_size_for(desc.staging_size);
}

size_t Uploader::Impl::slab_index(uint64_t block) const {
  for (size_t i = 0; i < slabs.size(); ++i)
    if (slabs[i].block == block) return i;
  return slabs.size();
}

void Uploader::Impl::retire(size_t i) {
  slabs[i].owner = nullptr;
  if (slabs[i].open > 0) return;
  ring.unhold(slabs[i].block);
  slabs[i] = slabs.back();
  slabs.pop_back();
  notify_space();
}

void Uploader::Impl::slab_span_done(uint64_t block) {
  const size_t i = slab_index(block);
  if (i == slabs.size()) return;
  --slabs[i].open;
  if (!slabs[i].owner) retire(i);
}

void Uploader::Impl::retire_idle_slabs() {
  for (size_t i = slabs.size(); i-- > 0;) {
    if (i >= slabs.size()) continue;  // detach() below may have removed more than one
    if (ThreadSlab* ts = slabs[i].owner) {
      std::lock_guard guard(ts->mutex);
      const uint32_t lane = slabs[i].lane;
      if (ts->cursor[lane].block == slabs[i].block && ts->cursor[lane].open == 0) detach(*ts, lane);
    } else if (slabs[i].open == 0) {
      retire(i);
    }
  }
}

void Uploader::Impl::detach(ThreadSlab& ts, uint32_t lane) {
  ThreadSlab::Cursor& c = ts.cursor[lane];
  if (!c.block) return;
  if (c.fence) ring.fence(c.block, lane, c.fence);
  const size_t i = slab_index(c.block);
  const uint32_t open = c.open;
  c = {};
  if (i == slabs.size()) return;
  slabs[i].open = open;
  retire(i);
}

ThreadSlab& Uploader::Impl::thread_slab() {
  // A few Uploaders per thread are remembered; serials are never reused, so an entry of a destroyed
  // Uploader never matches.
  struct Entry {
    uint64_t serial = 0;
    ThreadSlab* slab = nullptr;
  };
  thread_local Entry cache[4];
  thread_local uint32_t next = 0;
  for (const Entry& e : cache)
    if (e.serial == serial) return *e.slab;
  const std::thread::id me = std::this_thread::get_id();
  ThreadSlab* found = nullptr;
  {
    std::lock_guard lock(mutex);
    for (const auto& ts : thread_slabs)
      if (ts->owner == me) found = ts.get();
    if (!found) {
      thread_slabs.push_back(std::make_unique<ThreadSlab>());
      found = thread_slabs.back().get();
      found->owner = me;
    }
  }
  cache[next++ % 4] = {serial, found};
  return *found;
}

bool Uploader::Impl::try_carve(ThreadSlab& ts, uint64_t size, uint64_t phase, uint32_t lane,
                               detail::RingSpace::Block* out) {
  std::lock_guard guard(ts.mutex);
  ThreadSlab::Cursor& c = ts.cursor[lane];
  if (!c.block) return false;
  const uint64_t at = place(c.next, kPhase, phase);
  if (at + size > c.end) return false;
  c.next = at + size;
  ++c.open;
  *out = {c.block, at};
  return true;
}

bool Uploader::Impl::carve(std::unique_lock<std::mutex>& lock, ThreadSlab& ts, uint64_t size, uint64_t phase,
                           uint32_t lane, bool block, detail::RingSpace::Block* out) {
  {
    std::lock_guard guard(ts.mutex);
    ThreadSlab::Cursor& c = ts.cursor[lane];
    if (c.block) {
      const uint64_t at = place(c.next, kPhase, phase);
      if (at + size <= c.end) {
        c.next = at + size;
        ++c.open;
        *out = {c.block, at};
        return true;
      }
      detach(ts, lane);
    }
  }
  detail::RingSpace::Block b;
  // Not under ts.mutex: acquire may unlock `mutex` and wait, and a submit meanwhile drains ts.
  if (!acquire(lock, slab_size, kBufferAlign, block, &b)) return false;
  std::lock_guard guard(ts.mutex);
  detach(ts, lane);  // only this thread sets its cursor: nothing to detach, unless acquire's waits let one in
  const uint64_t at = place(b.offset, kPhase, phase);
  ts.cursor[lane] = {b.id, at + size, b.offset + slab_size, 1, 0};
  slabs.push_back({&ts, lane, b.id, 0});
  *out = {b.id, at};
  return true;
}

void Uploader::Impl::drain_pending() {
  drained.clear();
  for (const auto& ts : thread_slabs) {
    std::lock_guard guard(ts->mutex);
    drained.insert(drained.end(), ts->pending.begin(), ts->pending.end());
    ts->pending.clear();
  }
  if (drained.empty()) return;
  std::sort(drained.begin(), drained.end(), [](const PendingCopy& a, const PendingCopy& b) { return a.seq < b.seq; });
  for (const PendingCopy& p : drained) {
    batches[p.lane].add(lanes[p.lane]->cmd(), staging.handle(), *p.dst, p.region);
    count(path_of(p.lane), p.region.size);
  }
}

void Uploader::Impl::reclaim() {
  ring.reclaim([&](uint32_t lane) { return lanes[lane]->completed(); });
}

bool Uploader::Impl::acquire(std::unique_lock<std::mutex>& lock, uint64_t size, uint64_t align, bool block,
                             detail::RingSpace::Block* out) {
  bool stalled = false;
  // Reclaiming polls the lanes' timelines: only when the ring has no room without it.
  if (ring.allocate(size, align, out)) return true;
  for (;;) {
    reclaim();
    if (ring.allocate(size, align, out)) {
      if (stalled) ++counters.stalls;
      return true;
    }
    if (!block) return false;
    stalled = true;
    detail::RingSpace::Oldest oldest;
    if (!ring.oldest(&oldest)) continue;  // emptied meanwhile
    if (oldest.held) {
      // A slab its thread is not writing in goes back now; a span another thread is writing comes
      // back through finish() or abandon().
      const size_t slab = slab_index(oldest.id);
      if (slab < slabs.size() && slabs[slab].owner) {
        ThreadSlab& ts = *slabs[slab].owner;
        const uint32_t lane = slabs[slab].lane;
        std::lock_guard guard(ts.mutex);
        if (ts.cursor[lane].block == oldest.id) detach(ts, lane);
        else slabs[slab].owner = nullptr;  // (never: a cursor's slab names it)
        continue;
      }
      ++space_waiters;
      space.wait_for(lock, std::chrono::milliseconds(5));
      --space_waiters;
      continue;
    }
    for (uint32_t i = 0; i < detail::RingSpace::kLanes; ++i) {
      const uint64_t value = oldest.value[i];
      if (value == 0 || !lanes[i] || lanes[i]->completed() >= value) continue;
      detail::Lane& lane = *lanes[i];
      if (value > lane.submitted()) submit(i);  // it waits in the open batch
      const detail::Lane::WaitPoint point = lane.wait_point(value);
      lock.unlock();
      lane.block(point);
      lock.lock();
      break;
    }
  }
}

void Uploader::Impl::submit(uint32_t lane) {
  const auto t0 = std::chrono::steady_clock::now();
  detail::Lane& l = *lanes[lane];
  // Raised first: a lock-free finish from here on hands out the next value, whether its copy makes
  // it into this batch (drained below) or the next.
  open_values[lane].store(l.open_value() + 1);
  drain_pending();
  batches[lane].record(l.cmd(), staging.handle(), lane == kTransfer);
  l.submit();
  ++counters.batches;
  counters.copy_regions += batches[lane].take_regions();
  counters.submit_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void Uploader::Impl::flush_all() {
  drain_pending();
  for (uint32_t i = 0; i < 2; ++i)
    if (lanes[i] && !batches[i].empty()) submit(i);
}

void Uploader::Impl::count(UploadPath path, uint64_t bytes) {
  ++counters.uploads;
  counters.bytes += bytes;
  if (path == UploadPath::Direct) counters.bytes_direct += bytes;
  else if (path == UploadPath::TransferQueue) counters.bytes_transfer_queue += bytes;
  else counters.bytes_graphics_queue += bytes;
}

// ---- Uploader ----

Uploader::Uploader(Context& ctx, const UploaderDesc& desc) {
  with_context(str("creating uploader '", desc.name ? desc.name : "uploader", "'"),
               [&] { impl_ = std::make_unique<Impl>(ctx, desc); });
}

Uploader::~Uploader() {
  if (!impl_) return;
  try {
    wait_idle();
  } catch (const std::exception& e) {
    log(LogLevel::Error, str("uploader '", impl_->desc.name, "': ", e.what()));
  }
}

UploadPath Uploader::choose_path(const Buffer& dst, size_t size, UploadPath requested) const {
  const Impl& m = *impl_;
  UploadPath path = requested == UploadPath::Auto ? m.desc.path : requested;
  if (path == UploadPath::Auto) {
    if (dst.mapped() && (m.unified || size <= m.desc.direct_threshold)) return UploadPath::Direct;
    path = UploadPath::TransferQueue;
  }
  if (path == UploadPath::Direct) {
    if (!dst.mapped()) {
      throw Error(str("upload to buffer '", dst.name(), "': the direct path needs a host-visible buffer (",
                      memory_intent_name(dst.memory()), " memory is not mapped)"));
    }
    return path;
  }
  if (path == UploadPath::TransferQueue &&
      (!m.lanes[Impl::kTransfer] || (!dst.concurrent() && !transfer_may_own(m.ctx, dst.state()))))
    return UploadPath::GraphicsQueue;
  return path;
}

UploadSpan Uploader::begin(Buffer& dst, VkDeviceSize dst_offset, size_t size, const UploadOptions& options) {
  return begin_buffer(dst, dst_offset, size, options, true);
}

UploadSpan Uploader::try_begin(Buffer& dst, VkDeviceSize dst_offset, size_t size, const UploadOptions& options) {
  return begin_buffer(dst, dst_offset, size, options, false);
}

UploadSpan Uploader::begin_buffer(Buffer& dst, VkDeviceSize dst_offset, size_t size, const UploadOptions& options,
                                  bool block_for_space) {
  UploadSpan span;
  bool got = false;
  with_context([&] { return str("uploading ", size, " bytes to buffer '", dst.name(), "'"); }, [&] {
    if (dst_offset > dst.size() || size > dst.size() - dst_offset) {
      throw Error(str("the range at offset ", dst_offset, " is outside the buffer (", dst.size(), " bytes)"));
    }
    const UploadPath path = choose_path(dst, size, options.path);
    span.owner_ = this;
    span.target_ = &dst;
    span.dst_offset_ = dst_offset;
    span.size_ = size;
    span.path_ = path;
    span.next_use_ = options.next_use;
    if (path == UploadPath::Direct) {
      span.data_ = static_cast<uint8_t*>(dst.mapped()) + dst_offset;
      got = true;
      return;
    }
    if (!(dst.usage() & VK_BUFFER_USAGE_TRANSFER_DST_BIT)) {
      throw Error(str("the buffer lacks VK_BUFFER_USAGE_TRANSFER_DST_BIT, which the ", upload_path_name(path),
                      " path copies with"));
    }
    if (size > impl_->desc.staging_size / 2) {
      throw Error(str("a span holds at most half the staging ring (", impl_->desc.staging_size / 2,
                      " bytes): use upload(), which cuts large uploads into chunks, or a larger staging_size"));
    }
    span.lane_ = impl_->lane_of(path);
    if (size == 0) return;
    Impl& m = *impl_;
    const bool small = m.slab_size != 0 && size <= m.slab_size / 4;
    const bool acquires = path == UploadPath::GraphicsQueue && m.lanes[Impl::kTransfer] &&
                          dst.state().release_to != VK_QUEUE_FAMILY_IGNORED;
    detail::RingSpace::Block block;
    ThreadSlab* ts = small ? &m.thread_slab() : nullptr;
    const uint64_t phase = dst_offset % kPhase;
    if (ts && !acquires && m.try_carve(*ts, size, phase, span.lane_, &block)) {
      got = true;
      span.slab_ = ts;
      span.id_ = block.id;
      span.staging_offset_ = block.offset;
      span.data_ = m.base + block.offset;
      return;
    }
    std::unique_lock lock(impl_->mutex);
    if (acquires) {
      // Released by an earlier transfer-queue batch (submitted: the release is recorded then) and not
      // acquired yet: this graphics batch records the acquire, after that batch.
      detail::Lane& transfer = *impl_->lanes[Impl::kTransfer];
      if (transfer.timeline()) impl_->lanes[Impl::kGraphics]->add_wait({transfer.timeline(), transfer.submitted()});
    }
    // A block of its own is kPhase larger, for the span to start at its destination's phase.
    if (ts ? !m.carve(lock, *ts, size, phase, span.lane_, block_for_space, &block)
           : !m.acquire(lock, size + kPhase, kPhase, block_for_space, &block))
      return;
    if (!ts) block.offset += phase;
    got = true;
    span.slab_ = ts;
    span.id_ = block.id;
    span.staging_offset_ = block.offset;
    span.data_ = impl_->base + block.offset;
  });
  if (!got && span.size_ > 0) {
    span.owner_ = nullptr;  // try_begin found no room
    return UploadSpan();
  }
  return span;
}

UploadSpan Uploader::begin_image(Image& dst, uint32_t mip, uint32_t layer, const UploadOptions& options) {
  return begin_image_rows(dst, mip, layer, 0, 0, options);
}

UploadSpan Uploader::begin_image_rows(Image& dst, uint32_t mip, uint32_t layer, VkDeviceSize first_row,
                                      VkDeviceSize last_row, const UploadOptions& options) {
  UploadSpan span;
  with_context([&] { return str("uploading mip ", mip, " layer ", layer, " of image '", dst.name(), "'"); }, [&] {
    if (mip >= dst.mip_levels() || layer >= dst.layers()) {
      throw Error(str("the image has ", dst.mip_levels(), " mips and ", dst.layers(), " layers"));
    }
    const VkImageAspectFlags aspect = dst.aspect();
    if ((aspect & VK_IMAGE_ASPECT_DEPTH_BIT) && (aspect & VK_IMAGE_ASPECT_STENCIL_BIT)) {
      throw Error("the image is depth+stencil: upload each aspect with raw Vulkan");
    }
    if (!(dst.usage() & VK_IMAGE_USAGE_TRANSFER_DST_BIT)) {
      throw Error("the image lacks VK_IMAGE_USAGE_TRANSFER_DST_BIT, which uploads copy with");
    }
    const detail::LayerShape shape = detail::layer_shape(dst, mip);  // throws for formats kiln cannot copy
    const uint64_t size = last_row ? (last_row - first_row) * shape.row_bytes : shape.bytes();
    if (size > impl_->desc.staging_size / 2) {
      throw Error(str("the layer holds ", size, " bytes, more than half the staging ring (",
                      impl_->desc.staging_size / 2, "): upload_image() cuts it into bands; a span must fit"));
    }
    UploadPath path = options.path == UploadPath::Auto ? impl_->desc.path : options.path;
    // Images always go through staging; the transfer queue where it may take the image.
    if (path != UploadPath::GraphicsQueue) path = UploadPath::TransferQueue;
    if (!impl_->lanes[Impl::kTransfer] || !transfer_may_own(impl_->ctx, dst.state())) path = UploadPath::GraphicsQueue;
    span.owner_ = this;
    span.target_ = &dst;
    span.image_ = true;
    span.mip_ = mip;
    span.layer_ = layer;
    span.first_row_ = first_row;
    span.last_row_ = last_row;
    span.size_ = size_t(size);
    span.path_ = path;
    span.lane_ = impl_->lane_of(path);
    span.next_use_ = options.next_use == Use::None ? Use::SampledInFragment : options.next_use;
    // Copies need buffer offsets on whole texel blocks and on 4 bytes (depth/stencil).
    const uint64_t align = std::lcm<uint64_t>(std::max<uint32_t>(format_info(dst.format()).block_bytes, 1), 16);
    std::unique_lock lock(impl_->mutex);
    if (path == UploadPath::GraphicsQueue && impl_->lanes[Impl::kTransfer] &&
        dst.state().release_to != VK_QUEUE_FAMILY_IGNORED) {
      // Released by an earlier transfer-queue batch: this graphics batch acquires it, after that one.
      detail::Lane& transfer = *impl_->lanes[Impl::kTransfer];
      if (transfer.timeline()) impl_->lanes[Impl::kGraphics]->add_wait({transfer.timeline(), transfer.submitted()});
    }
    detail::RingSpace::Block block;
    impl_->acquire(lock, size, align, true, &block);
    span.id_ = block.id;
    span.staging_offset_ = block.offset;
    span.data_ = impl_->base + block.offset;
  });
  return span;
}

UploadTicket Uploader::finish(UploadSpan&& span) {
  Impl& m = *impl_;
  UploadTicket ticket{m.lanes[Impl::kGraphics]->timeline(), 0, span.path_};
  if (!span.owner_) return ticket;
  if (span.owner_ != this) throw Error("finish(): the span belongs to another Uploader");
  if (span.path_ == UploadPath::Direct) {
    auto* dst = static_cast<Buffer*>(span.target_);
    dst->flush(span.dst_offset_, span.size_);  // non-coherent memory: the writes reach the device
    {
      std::lock_guard lock(m.mutex);
      m.count(UploadPath::Direct, span.size_);
    }
    span.owner_ = nullptr;
    span.data_ = nullptr;
    return ticket;
  }
  if (span.size_ == 0 || !span.data_) {
    span.owner_ = nullptr;
    return ticket;
  }
  if (span.slab_ && finish_unlocked(span, &ticket)) return ticket;
  std::lock_guard lock(m.mutex);
  m.drain_pending();  // copies finished before this one land before it
  uint32_t lane = span.lane_;
  if (!span.image_ && lane == Impl::kTransfer) {
    auto& dst = *static_cast<Buffer*>(span.target_);
    if (!dst.concurrent() && !transfer_may_own(m.ctx, dst.state())) {
      // Since begin() chose the transfer queue, a transfer batch was submitted that released this
      // buffer (or the graphics queue took it): the transfer family owns it no more. The copy goes
      // in the graphics batch, which records the acquire, after that transfer batch.
      detail::Lane& transfer = *m.lanes[Impl::kTransfer];
      if (transfer.timeline()) m.lanes[Impl::kGraphics]->add_wait({transfer.timeline(), transfer.submitted()});
      lane = Impl::kGraphics;
    }
  }
  detail::Lane& l = *m.lanes[lane];
  detail::CopyBatch& batch = m.batches[lane];
  m.staging.flush(span.staging_offset_, span.size_);
  if (span.image_) {
    auto& image = *static_cast<Image*>(span.target_);
    CommandBuffer& cmd = l.cmd();
    cmd.use(image, Use::TransferDst);
    cmd.flush_barriers();
    const detail::LayerShape shape = detail::layer_shape(image, span.mip_);
    std::array<VkBufferImageCopy, 3> regions;
    const uint32_t n = detail::row_regions(shape, span.mip_, span.layer_, span.first_row_,
                                           span.last_row_ ? span.last_row_ : shape.rows(), regions);
    for (uint32_t i = 0; i < n; ++i) regions[i].bufferOffset += span.staging_offset_;
    vkCmdCopyBufferToImage(cmd.handle(), m.staging.handle(), image.handle(), VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
                           n, regions.data());
    batch.add_image(image, span.next_use_);
    batch.count(span.size_);
  } else {
    const VkBufferCopy region{span.staging_offset_, span.dst_offset_, span.size_};
    batch.add(l.cmd(), m.staging.handle(), *static_cast<Buffer*>(span.target_), region);
  }
  ticket.semaphore = l.timeline();
  ticket.value = l.open_value();
  ticket.path = m.path_of(lane);
  m.ring.fence(span.id_, lane, ticket.value);
  if (span.slab_) {
    auto& ts = *static_cast<ThreadSlab*>(span.slab_);
    std::lock_guard guard(ts.mutex);
    ThreadSlab::Cursor& c = ts.cursor[span.lane_];
    if (c.block == span.id_) --c.open;
    else m.slab_span_done(span.id_);
  } else {
    m.ring.unhold(span.id_);
  }
  m.count(ticket.path, span.size_);
  span.owner_ = nullptr;
  span.data_ = nullptr;
  span.id_ = 0;
  span.slab_ = nullptr;
  if (batch.bytes() >= m.desc.batch_bytes) m.submit(lane);
  m.notify_space();
  return ticket;
}

bool Uploader::finish_unlocked(UploadSpan& span, UploadTicket* ticket) {
  Impl& m = *impl_;
  auto& dst = *static_cast<Buffer*>(span.target_);
  const uint32_t lane = span.lane_;
  // On the transfer lane finish() re-checks that the transfer family still owns the buffer, which
  // needs the lock; concurrent buffers have no owner.
  if (lane != Impl::kGraphics && !dst.concurrent()) return false;
  auto& ts = *static_cast<ThreadSlab*>(span.slab_);
  m.staging.flush(span.staging_offset_, span.size_);
  uint64_t value = 0, before = 0;
  {
    std::lock_guard guard(ts.mutex);
    ThreadSlab::Cursor& c = ts.cursor[lane];
    if (c.block != span.id_) return false;  // the thread moved on from that block: its slab is retired
    value = m.open_values[lane].load();
    before = m.finished_bytes.fetch_add(span.size_);
    ts.pending.push_back({before, &dst, VkBufferCopy{span.staging_offset_, span.dst_offset_, span.size_}, lane});
    --c.open;
    c.fence = std::max(c.fence, value);
  }
  *ticket = {m.lanes[lane]->timeline(), value, m.path_of(lane)};
  span.owner_ = nullptr;
  span.data_ = nullptr;
  span.id_ = 0;
  span.slab_ = nullptr;
  // Every quarter of batch_bytes finished, the batches are filled and full ones submitted (finer
  // than batch_bytes: copies of both lanes count, and a batch should go when it is full, not later).
  const uint64_t batch = m.desc.batch_bytes, step = std::max<uint64_t>(batch / 4, 1);
  if ((before + span.size_) / step != before / step) {
    std::lock_guard lock(m.mutex);
    m.drain_pending();
    for (uint32_t i = 0; i < 2; ++i)
      if (m.lanes[i] && m.batches[i].bytes() >= batch) m.submit(i);
  }
  return true;
}

void Uploader::abandon(UploadSpan&& span) { release_span(span); }

void Uploader::release_span(UploadSpan& span) noexcept {
  if (span.owner_ == this && span.id_ != 0) {
    bool done = false;
    if (span.slab_) {
      // Still the thread's block: the bytes carved stay unused until the block goes back.
      auto& ts = *static_cast<ThreadSlab*>(span.slab_);
      std::lock_guard guard(ts.mutex);
      ThreadSlab::Cursor& c = ts.cursor[span.lane_];
      if (c.block == span.id_) {
        --c.open;
        done = true;
      }
    }
    if (!done) {
      std::lock_guard lock(impl_->mutex);
      if (span.slab_) impl_->slab_span_done(span.id_);
      else if (impl_->ring.holds(span.id_)) impl_->ring.unhold(span.id_);
      impl_->notify_space();
    }
  }
  span.owner_ = nullptr;
  span.data_ = nullptr;
  span.id_ = 0;
  span.slab_ = nullptr;
}

UploadTicket Uploader::upload(Buffer& dst, const void* data, size_t size, VkDeviceSize dst_offset,
                              const UploadOptions& options) {
  Impl& m = *impl_;
  const auto* src = static_cast<const uint8_t*>(data);
  UploadOptions opts = options;
  opts.path = choose_path(dst, size, options.path);  // one path for every chunk
  const VkDeviceSize chunk = m.desc.chunk_size;
  if (size <= chunk) {
    UploadSpan span = begin(dst, dst_offset, size, opts);
    if (size) copy_to_mapped(span.data(), src, size);
    return finish(std::move(span));
  }
  if (opts.path == UploadPath::Direct) {
    // Large writes into a mapping: one thread cannot saturate memory, several can.
    UploadSpan span = begin(dst, dst_offset, size, opts);
    const uint32_t chunks = uint32_t((size + chunk - 1) / chunk);
    detail::run_chunks(m.desc.jobs, m.desc.copy_threads, chunks, [&](uint32_t i) {
      const VkDeviceSize at = VkDeviceSize(i) * chunk;
      copy_to_mapped(span.data() + at, src + at, std::min<VkDeviceSize>(chunk, size - at));
    });
    return finish(std::move(span));
  }
  return upload_pieces(
      uint32_t((size + chunk - 1) / chunk), chunk,
      [&](uint32_t i) {
        const VkDeviceSize at = VkDeviceSize(i) * chunk;
        return begin(dst, dst_offset + at, std::min<VkDeviceSize>(chunk, size - at), opts);
      },
      [&](uint32_t i) { return src + VkDeviceSize(i) * chunk; });
}

UploadTicket Uploader::upload(Buffer& dst, const Buffer& src, VkDeviceSize src_offset, VkDeviceSize size,
                              VkDeviceSize dst_offset, const UploadOptions& options) {
  Impl& m = *impl_;
  UploadTicket ticket{m.lanes[Impl::kGraphics]->timeline(), 0, UploadPath::Direct};
  with_context([&] { return str("uploading ", size, " bytes from buffer '", src.name(), "' to buffer '", dst.name(), "'"); },
               [&] {
    if (dst_offset > dst.size() || size > dst.size() - dst_offset) {
      throw Error(str("the range at offset ", dst_offset, " is outside the destination (", dst.size(), " bytes)"));
    }
    if (src_offset > src.size() || size > src.size() - src_offset) {
      throw Error(str("the range at offset ", src_offset, " is outside the source (", src.size(), " bytes)"));
    }
    if (!src.mapped()) {
      throw Error(str("the source must be host-visible (MemoryIntent::Upload); ", memory_intent_name(src.memory()),
                      " memory is not: copy between device buffers with CommandBuffer::copy_buffer"));
    }
    src.flush(src_offset, size);  // non-coherent memory: the CPU's writes reach the device
    const UploadPath path = choose_path(dst, size, options.path);
    if (path == UploadPath::Direct) {
      const auto* from = static_cast<const uint8_t*>(src.mapped()) + src_offset;
      auto* to = static_cast<uint8_t*>(dst.mapped()) + dst_offset;
      const VkDeviceSize chunk = m.desc.chunk_size;
      detail::run_chunks(m.desc.jobs, m.desc.copy_threads, uint32_t((size + chunk - 1) / chunk), [&](uint32_t i) {
        const VkDeviceSize at = VkDeviceSize(i) * chunk;
        copy_to_mapped(to + at, from + at, std::min<VkDeviceSize>(chunk, size - at));
      });
      dst.flush(dst_offset, size);
      std::lock_guard lock(m.mutex);
      m.count(UploadPath::Direct, size);
      return;
    }
    if (!(dst.usage() & VK_BUFFER_USAGE_TRANSFER_DST_BIT)) {
      throw Error(str("the destination lacks VK_BUFFER_USAGE_TRANSFER_DST_BIT, which the ", upload_path_name(path),
                      " path copies with"));
    }
    if (!(src.usage() & VK_BUFFER_USAGE_TRANSFER_SRC_BIT))
      throw Error("the source lacks VK_BUFFER_USAGE_TRANSFER_SRC_BIT, which the copy reads it with");
    if (size == 0) return;
    std::lock_guard lock(m.mutex);
    m.drain_pending();  // uploads finished before this one land before it
    uint32_t lane = m.lane_of(path);
    if (lane == Impl::kTransfer) {
      // Like finish(): the transfer family may have given the destination away since choose_path.
      // And an exclusive source another family used holds undefined bytes for the transfer family.
      const uint32_t transfer = m.lanes[Impl::kTransfer]->queue().family();
      const bool dst_ok = dst.concurrent() || transfer_may_own(m.ctx, dst.state());
      const uint32_t src_owner = src.state().queue_family;
      const bool src_ok = src.concurrent() || src_owner == VK_QUEUE_FAMILY_IGNORED || src_owner == transfer;
      if (!dst_ok || !src_ok) {
        // The graphics batch goes after what the transfer queue wrote to `dst`, and acquires it.
        if (m.batches[Impl::kTransfer].holds(dst)) m.submit(Impl::kTransfer);
        lane = Impl::kGraphics;
      }
    }
    if (lane == Impl::kGraphics && m.lanes[Impl::kTransfer] && dst.state().release_to != VK_QUEUE_FAMILY_IGNORED) {
      detail::Lane& transfer = *m.lanes[Impl::kTransfer];
      if (transfer.timeline()) m.lanes[Impl::kGraphics]->add_wait({transfer.timeline(), transfer.submitted()});
    }
    detail::Lane& l = *m.lanes[lane];
    detail::CopyBatch& batch = m.batches[lane];
    batch.add_recorded(l.cmd(), m.staging.handle(), dst, src.handle(), VkBufferCopy{src_offset, dst_offset, size});
    ticket = {l.timeline(), l.open_value(), m.path_of(lane)};
    m.count(ticket.path, size);
    if (batch.bytes() >= m.desc.batch_bytes) m.submit(lane);
  });
  return ticket;
}

UploadTicket Uploader::upload_pieces(uint32_t count, VkDeviceSize piece_bytes,
                                     const std::function<UploadSpan(uint32_t)>& begin_piece,
                                     const std::function<const uint8_t*(uint32_t)>& from) {
  Impl& m = *impl_;
  // Pieces in flight: each worker holds one span while it writes it, so the ring must hold them all.
  const uint32_t workers =
      uint32_t(std::clamp<VkDeviceSize>(m.desc.staging_size / (2 * piece_bytes), 1, m.desc.copy_threads));
  std::mutex ticket_mutex;
  UploadTicket last{};
  detail::run_chunks(m.desc.jobs, workers, count, [&](uint32_t i) {
    UploadSpan span = begin_piece(i);
    copy_to_mapped(span.data(), from(i), span.size());
    const UploadTicket t = finish(std::move(span));
    std::lock_guard lock(ticket_mutex);
    if (t.value >= last.value) last = t;
  });
  std::lock_guard lock(m.mutex);
  m.counters.uploads -= count - 1;  // the uploads() counter counts calls, not pieces
  return last;
}

UploadTicket Uploader::upload_image(Image& dst, const void* data, size_t size, uint32_t mip, uint32_t layer,
                                    const UploadOptions& options) {
  const auto* src = static_cast<const uint8_t*>(data);
  const VkDeviceSize chunk = impl_->desc.chunk_size;
  const uint64_t layer_bytes = mip < dst.mip_levels() ? image_layer_size(dst, mip) : 0;
  if (layer_bytes > impl_->desc.staging_size / 2) {
    // Bands of rows, each a span of its own. All on the graphics queue: a band finished after a
    // transfer-queue batch released the image could not go on that queue any more.
    if (size != layer_bytes) {
      throw Error(str("uploading mip ", mip, " layer ", layer, " of image '", dst.name(), "': got ", size,
                      " bytes; the layer holds ", layer_bytes));
    }
    const detail::LayerShape shape = detail::layer_shape(dst, mip);
    const VkDeviceSize rows = std::min(detail::image_chunk_rows(chunk, shape.row_bytes),
                                       std::max<VkDeviceSize>(impl_->desc.staging_size / 2 / shape.row_bytes / 4 * 4, 1));
    const VkDeviceSize band_bytes = rows * shape.row_bytes;
    if (band_bytes > impl_->desc.staging_size / 2) {
      throw Error(str("uploading mip ", mip, " layer ", layer, " of image '", dst.name(), "': a band of ", rows,
                      " rows holds ", band_bytes, " bytes, more than half the staging ring (",
                      impl_->desc.staging_size / 2, "): make staging_size larger"));
    }
    UploadOptions opts = options;
    opts.path = UploadPath::GraphicsQueue;
    return upload_pieces(
        uint32_t((shape.rows() + rows - 1) / rows), band_bytes,
        [&](uint32_t i) {
          const VkDeviceSize first = VkDeviceSize(i) * rows;
          return begin_image_rows(dst, mip, layer, first, std::min(first + rows, shape.rows()), opts);
        },
        [&](uint32_t i) { return src + VkDeviceSize(i) * rows * shape.row_bytes; });
  }
  UploadSpan span = begin_image(dst, mip, layer, options);
  if (size != span.size()) {
    throw Error(str("uploading mip ", mip, " layer ", layer, " of image '", dst.name(), "': got ", size,
                    " bytes; the layer holds ", span.size()));
  }
  const uint32_t chunks = uint32_t((size + chunk - 1) / chunk);
  detail::run_chunks(impl_->desc.jobs, impl_->desc.copy_threads, chunks, [&](uint32_t i) {
    const VkDeviceSize at = VkDeviceSize(i) * chunk;
    copy_to_mapped(span.data() + at, src + at, std::min<VkDeviceSize>(chunk, size - at));
  });
  return finish(std::move(span));
}

void Uploader::flush() {
  std::lock_guard lock(impl_->mutex);
  impl_->flush_all();
}

void Uploader::wait(const UploadTicket& ticket) {
  if (ticket.value == 0) return;
  Impl& m = *impl_;
  std::unique_lock lock(m.mutex);
  const uint32_t lane = m.lane_of(ticket.path);
  detail::Lane& l = *m.lanes[lane];
  if (ticket.value > l.submitted()) m.submit(lane);
  const detail::Lane::WaitPoint point = l.wait_point(ticket.value);
  lock.unlock();
  l.block(point);
}

void Uploader::wait_idle() {
  Impl& m = *impl_;
  detail::Lane::WaitPoint points[2];
  {
    std::lock_guard lock(m.mutex);
    m.flush_all();
    for (uint32_t i = 0; i < 2; ++i)
      if (m.lanes[i]) points[i] = m.lanes[i]->wait_point(m.lanes[i]->submitted());
  }
  for (uint32_t i = 0; i < 2; ++i)
    if (m.lanes[i]) m.lanes[i]->block(points[i]);
  std::lock_guard lock(m.mutex);
  m.retire_idle_slabs();  // idle: the next upload of a thread starts a slab of its own again
  m.reclaim();
}

bool Uploader::finished(const UploadTicket& ticket) const {
  if (ticket.value == 0) return true;
  std::lock_guard lock(impl_->mutex);
  return impl_->lanes[impl_->lane_of(ticket.path)]->completed() >= ticket.value;
}

VkSemaphore Uploader::timeline() const { return impl_->lanes[Impl::kGraphics]->timeline(); }

UploaderStats Uploader::stats() const {
  std::lock_guard lock(impl_->mutex);
  impl_->drain_pending();  // counted as they join a batch
  impl_->reclaim();
  UploaderStats s = impl_->counters;
  s.staging_in_use = impl_->ring.used();
  return s;
}

}  // namespace kiln
