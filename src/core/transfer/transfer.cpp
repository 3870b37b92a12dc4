// Blocking buffer and image transfers: direct for mapped buffers, else chunked through staging.
#include "kiln/transfer.h"

#include <algorithm>
#include <cstring>
#include <exception>
#include <thread>
#include <vector>

#include "kiln/buffer.h"
#include "kiln/commands.h"
#include "kiln/context.h"
#include "kiln/error.h"
#include "kiln/format.h"
#include "kiln/image.h"
#include "kiln/log.h"
#include "core/transfer/staging_ring.h"

namespace kiln {

namespace {

bool used_by_gpu(const ResourceState& s) {
  return ((s.write_stages | s.read_stages) & ~VK_PIPELINE_STAGE_2_HOST_BIT) != 0;
}

// A GPU write the host has not been given sight of yet.
bool gpu_write_unseen(const ResourceState& s) {
  return (s.write_stages & ~VK_PIPELINE_STAGE_2_HOST_BIT) != 0 &&
         (s.visible_access & VK_ACCESS_2_HOST_READ_BIT) == 0;
}

void check_range(const Buffer& b, VkDeviceSize offset, VkDeviceSize size, const char* what) {
  if (offset > b.size() || size > b.size() - offset) {
    throw Error(str(what, " of ", size, " bytes at offset ", offset, " is outside buffer '", b.name(), "' (",
                    b.size(), " bytes)"));
  }
}

// Worker threads for an upload of `size` bytes: one per 4 chunks, at most `limit` (0: up to 8 and
// half the hardware threads, which measured as enough to keep a PCIe 5 copy engine busy).
uint32_t upload_workers(VkDeviceSize size, VkDeviceSize chunk, uint32_t limit) {
  if (limit == 0) limit = std::clamp(std::thread::hardware_concurrency() / 2, 1u, 8u);
  const VkDeviceSize by_size = size / (4 * chunk);
  return uint32_t(std::clamp<VkDeviceSize>(by_size, 1, limit));
}

}  // namespace

void upload_now(Context& ctx, Buffer& dst, const void* data, size_t size, VkDeviceSize dst_offset,
                const TransferOptions& options) {
  with_context(str("uploading ", size, " bytes to buffer '", dst.name(), "'"), [&] {
    check_range(dst, dst_offset, size, "upload");
    if (size == 0) return;
    const auto* src = static_cast<const uint8_t*>(data);

    if (dst.mapped() && !options.force_staging) {
      // The GPU may still read or write it: a host-write use orders that work before our memcpy.
      if (used_by_gpu(dst.state())) run_now(ctx, [&](CommandBuffer& cmd) { cmd.use(dst, Use::HostWrite); });
      std::memcpy(static_cast<uint8_t*>(dst.mapped()) + dst_offset, src, size);
      dst.flush(dst_offset, size);
      return;
    }

    // One CPU thread writes mapped memory at ~12 GB/s on a fast machine, far below a PCIe 5 copy
    // engine: large uploads are cut into contiguous slices, one per worker, each with its own staging
    // ring and command pool, so the memcpy of many slices overlaps their copies.
    const VkDeviceSize chunk = options.chunk_size ? options.chunk_size : detail::StagingRing::kDefaultChunk;
    const uint32_t workers = upload_workers(size, chunk, options.threads);

    // The barrier against earlier uses of `dst` is recorded once here; the workers' copies then
    // write disjoint ranges in later submissions of the same queue, which that barrier orders.
    if (used_by_gpu(dst.state())) run_now(ctx, [&](CommandBuffer& cmd) { cmd.use(dst, Use::TransferDst); });
    auto upload_slice = [&](VkDeviceSize begin, VkDeviceSize end) {
      detail::StagingRing ring(ctx, end - begin, chunk, MemoryIntent::Upload, "kiln.upload_now");
      for (VkDeviceSize done = begin; done < end;) {
        const VkDeviceSize n = std::min<VkDeviceSize>(ring.chunk(), end - done);
        Buffer& staging = ring.acquire();
        std::memcpy(staging.mapped(), src + done, n);
        staging.flush(0, n);
        CommandBuffer cmd = ring.begin("kiln.upload_now");
        cmd.use(staging, Use::TransferSrc);
        cmd.flush_barriers();
        const VkBufferCopy region{0, dst_offset + done, n};
        vkCmdCopyBuffer(cmd.handle(), staging.handle(), dst.handle(), 1, &region);
        ring.submit(cmd);
        done += n;
      }
      ring.wait_all();
    };
    if (workers <= 1) {
      upload_slice(0, size);
    } else {
      std::vector<std::thread> threads;
      std::vector<std::exception_ptr> errors(workers);
      const VkDeviceSize slice = (size + workers - 1) / workers;
      for (uint32_t w = 0; w < workers; ++w) {
        const VkDeviceSize begin = std::min<VkDeviceSize>(size, w * slice);
        const VkDeviceSize end = std::min<VkDeviceSize>(size, begin + slice);
        threads.emplace_back([&, w, begin, end] {
          try {
            upload_slice(begin, end);
          } catch (...) {
            errors[w] = std::current_exception();
          }
        });
      }
      for (std::thread& t : threads) t.join();
      for (std::exception_ptr& e : errors)
        if (e) std::rethrow_exception(e);
    }
    // What the copies left behind, as if one use(dst, TransferDst) had recorded them all.
    const UseInfo copy = use_info(Use::TransferDst);
    ResourceState& state = dst.state();
    state.write_stages = copy.stages;
    state.write_access = copy.access;
    state.read_stages = 0;
    state.visible_access = 0;
  });
}

void read_back_now(Context& ctx, Buffer& src, std::span<uint8_t> out, VkDeviceSize offset,
                   const TransferOptions& options) {
  with_context(str("reading back ", out.size(), " bytes of buffer '", src.name(), "'"), [&] {
    check_range(src, offset, out.size(), "read-back");
    if (out.empty()) return;

    if (src.mapped() && !options.force_staging) {
      if (gpu_write_unseen(src.state()) || used_by_gpu(src.state())) {
        run_now(ctx, [&](CommandBuffer& cmd) { cmd.use(src, Use::HostRead); });
      }
      src.invalidate(offset, out.size());
      std::memcpy(out.data(), static_cast<const uint8_t*>(src.mapped()) + offset, out.size());
      return;
    }

    // Chunk i is copied on the GPU while the CPU copies chunk i-1 out of the other staging buffer.
    detail::StagingRing ring(ctx, out.size(), options.chunk_size, MemoryIntent::Readback, "kiln.read_back_now");
    for (VkDeviceSize done = 0; done < out.size();) {
      const VkDeviceSize n = std::min<VkDeviceSize>(ring.chunk(), out.size() - done);
      Buffer& staging = ring.acquire();
      CommandBuffer cmd = ring.begin("kiln.read_back_now");
      const VkBufferCopy region{offset + done, 0, n};
      cmd.copy_buffer(src, staging, region);
      cmd.use(staging, Use::HostRead);
      ring.submit_readback(cmd, out.data(), done, n);
      done += n;
    }
    ring.drain();
  });
}

std::vector<uint8_t> read_back_now(Context& ctx, Buffer& src, VkDeviceSize offset, VkDeviceSize size,
                                   const TransferOptions& options) {
  if (size == VK_WHOLE_SIZE) size = offset < src.size() ? src.size() - offset : 0;
  std::vector<uint8_t> out(size);
  read_back_now(ctx, src, std::span<uint8_t>(out), offset, options);
  return out;
}

}  // namespace kiln
