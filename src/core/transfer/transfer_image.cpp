// Blocking image transfers of one mip and layer, chunked by rows of texel blocks through staging.
#include <algorithm>
#include <array>
#include <cstring>

#include "core/transfer/image_rows.h"
#include "core/transfer/staging_ring.h"
#include "kiln/context.h"
#include "kiln/error.h"
#include "kiln/format.h"
#include "kiln/image.h"
#include "kiln/log.h"
#include "kiln/transfer.h"

namespace kiln {

using detail::LayerShape;
using detail::layer_shape;
using detail::row_regions;

namespace {

void check_subresource(const Image& image, uint32_t mip, uint32_t layer) {
  if (mip >= image.mip_levels() || layer >= image.layers()) {
    throw Error(str("image '", image.name(), "' has ", image.mip_levels(), " mips and ", image.layers(),
                    " layers: no mip ", mip, " layer ", layer));
  }
  const VkImageAspectFlags a = image.aspect();
  if ((a & VK_IMAGE_ASPECT_DEPTH_BIT) && (a & VK_IMAGE_ASPECT_STENCIL_BIT)) {
    throw Error(str("image '", image.name(), "' is depth+stencil: copy each aspect with raw Vulkan"));
  }
}

}  // namespace

uint64_t image_layer_size(const Image& image, uint32_t mip) { return layer_shape(image, mip).bytes(); }

void upload_image_now(Context& ctx, Image& image, const void* data, size_t size, uint32_t mip, uint32_t layer,
                      Use final_use, const TransferOptions& options) {
  with_context(str("uploading mip ", mip, " layer ", layer, " of image '", image.name(), "'"), [&] {
    check_subresource(image, mip, layer);
    const LayerShape s = layer_shape(image, mip);
    if (size != s.bytes()) {
      throw Error(str("got ", size, " bytes; the layer holds ", s.bytes(), " (", s.extent.width, "x",
                      s.extent.height, "x", s.extent.depth, " ", format_name(image.format()), ")"));
    }
    const VkDeviceSize chunk_rows =
        detail::image_chunk_rows(options.chunk_size ? options.chunk_size : detail::StagingRing::kDefaultChunk,
                                 s.row_bytes);
    detail::StagingRing ring(ctx, s.bytes(), chunk_rows * s.row_bytes, MemoryIntent::Upload,
                             "kiln.upload_image_now");
    const auto* src = static_cast<const uint8_t*>(data);
    std::array<VkBufferImageCopy, 3> regions;
    for (VkDeviceSize row = 0; row < s.rows();) {
      const VkDeviceSize last = std::min(row + chunk_rows, s.rows());
      const VkDeviceSize bytes = (last - row) * s.row_bytes;
      Buffer& staging = ring.acquire();
      std::memcpy(staging.mapped(), src + row * s.row_bytes, bytes);
      staging.flush(0, bytes);
      const uint32_t n = row_regions(s, mip, layer, row, last, regions);
      CommandBuffer cmd = ring.begin("kiln.upload_image_now");
      cmd.copy_buffer_to_image(staging, image, Slice<VkBufferImageCopy>(regions.data(), n));
      if (last == s.rows() && final_use != Use::None) cmd.use(image, final_use);
      ring.submit(cmd);
      row = last;
    }
    ring.wait_all();
  });
}

std::vector<uint8_t> read_image_now(Context& ctx, Image& image, uint32_t mip, uint32_t layer,
                                    const TransferOptions& options) {
  std::vector<uint8_t> out;
  with_context(str("reading mip ", mip, " layer ", layer, " of image '", image.name(), "'"), [&] {
    check_subresource(image, mip, layer);
    const LayerShape s = layer_shape(image, mip);
    out.resize(s.bytes());
    const VkDeviceSize chunk_rows =
        detail::image_chunk_rows(options.chunk_size ? options.chunk_size : detail::StagingRing::kDefaultChunk,
                                 s.row_bytes);
    detail::StagingRing ring(ctx, s.bytes(), chunk_rows * s.row_bytes, MemoryIntent::Readback,
                             "kiln.read_image_now");
    std::array<VkBufferImageCopy, 3> regions;
    for (VkDeviceSize row = 0; row < s.rows();) {
      const VkDeviceSize last = std::min(row + chunk_rows, s.rows());
      Buffer& staging = ring.acquire();
      const uint32_t n = row_regions(s, mip, layer, row, last, regions);
      CommandBuffer cmd = ring.begin("kiln.read_image_now");
      cmd.copy_image_to_buffer(image, staging, Slice<VkBufferImageCopy>(regions.data(), n));
      cmd.use(staging, Use::HostRead);
      ring.submit_readback(cmd, out.data(), row * s.row_bytes, (last - row) * s.row_bytes);
      row = last;
    }
    ring.drain();
  });
  return out;
}

}  // namespace kiln
