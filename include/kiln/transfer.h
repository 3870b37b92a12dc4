// kiln/transfer.h — blocking copies between host memory and buffers or images, for tools and tests.
//
//   kiln::upload_now(ctx, vertices, data.data(), data.size());          // waits until it is there
//   std::vector<uint8_t> bytes = kiln::read_back_now(ctx, results);    // waits for the GPU, then copies
//   kiln::upload_image_now(ctx, texture, pixels, n, 0, 0, kiln::Use::SampledInFragment);
//   std::vector<uint8_t> texels = kiln::read_image_now(ctx, target);   // mip 0, layer 0, tightly packed
//
// Every function here returns only when its copy finished: each name says it waits. Host-visible
// (mapped) buffers are written and read directly, after waiting for the GPU work recorded on them
// (their ResourceState says whether there was any). Everything else goes through a staging buffer in
// chunks (TransferOptions::chunk_size, default 4 MiB) on the graphics queue, two chunks in flight so
// the CPU copy of one overlaps the GPU copy of the other; staging memory stays bounded by two chunks
// per thread (large uploads fill staging memory from several threads: TransferOptions::threads).
// Resources end with their ResourceState advanced (TransferDst / TransferSrc, or `final_use` for
// uploaded images), so the next CommandBuffer::use records the right barrier.
//
// Not here: streaming without waits (the stream layer's Uploader), other queues (no queue-family
// ownership transfers: resources stay with the graphics family), depth+stencil images in one call.
#pragma once

#include <vulkan/vulkan.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "kiln/sync.h"

namespace kiln {

class Buffer;
class Context;
class Image;

struct TransferOptions {
  VkDeviceSize chunk_size = 0;  // staging bytes per copy; 0: 4 MiB (best of 4/8/32 on an H200 with 8 threads)
  // Use the staging path even for mapped buffers (benchmarks, tests of the staging path).
  bool force_staging = false;
  // CPU threads filling staging memory for large uploads (one per 4 chunks); 0: up to 8, at most
  // half the hardware threads. One thread cannot feed a PCIe 4/5 copy engine.
  uint32_t threads = 0;
};

// Writes `size` bytes at `dst_offset` of `dst`. Non-mapped buffers need VK_BUFFER_USAGE_TRANSFER_DST_BIT.
void upload_now(Context& ctx, Buffer& dst, const void* data, size_t size, VkDeviceSize dst_offset = 0,
                const TransferOptions& options = {});

// Reads `size` bytes (VK_WHOLE_SIZE: to the end) from `offset`. Non-mapped buffers need
// VK_BUFFER_USAGE_TRANSFER_SRC_BIT. The buffer is not const: its ResourceState records the read.
std::vector<uint8_t> read_back_now(Context& ctx, Buffer& src, VkDeviceSize offset = 0,
                                   VkDeviceSize size = VK_WHOLE_SIZE, const TransferOptions& options = {});
// Reads out.size() bytes from `offset` into `out`.
void read_back_now(Context& ctx, Buffer& src, std::span<uint8_t> out, VkDeviceSize offset = 0,
                   const TransferOptions& options = {});

// Bytes of one layer of mip `mip`, tightly packed (whole blocks for compressed formats; all depth
// slices of a 3D image).
uint64_t image_layer_size(const Image& image, uint32_t mip = 0);

// Writes one layer of one mip from tightly packed texels; `size` must be image_layer_size(). The image
// needs VK_IMAGE_USAGE_TRANSFER_DST_BIT and one aspect (colour, depth or stencil). Other mips and layers
// keep their contents unless the image was never used (then they are undefined, as before). Afterwards
// the image is ready for `final_use` (None: leave it in TransferDst).
void upload_image_now(Context& ctx, Image& image, const void* data, size_t size, uint32_t mip = 0,
                      uint32_t layer = 0, Use final_use = Use::SampledInFragment,
                      const TransferOptions& options = {});

// Reads one layer of one mip, tightly packed. Needs VK_IMAGE_USAGE_TRANSFER_SRC_BIT; leaves the image
// in TransferSrc.
std::vector<uint8_t> read_image_now(Context& ctx, Image& image, uint32_t mip = 0, uint32_t layer = 0,
                                    const TransferOptions& options = {});

}  // namespace kiln
