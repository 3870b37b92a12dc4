#include "core/transfer/image_rows.h"

#include <algorithm>

#include "kiln/error.h"
#include "kiln/format.h"
#include "kiln/image.h"
#include "kiln/log.h"

namespace kiln::detail {

LayerShape layer_shape(const Image& image, uint32_t mip) {
  const FormatInfo& f = format_info(image.format());
  if (!f.known || f.block_bytes == 0 || f.multi_planar) {
    throw Error(str("image '", image.name(), "': kiln cannot copy format ", format_name(image.format())));
  }
  LayerShape s;
  s.extent = image.mip_extent(mip);
  s.block_w = f.block_width;
  s.block_h = f.block_height;
  s.row_bytes = VkDeviceSize((s.extent.width + s.block_w - 1) / s.block_w) * f.block_bytes;
  s.rows_per_slice = (s.extent.height + s.block_h - 1) / s.block_h;
  s.slices = s.extent.depth;
  s.aspect = image.aspect();
  return s;
}

uint32_t row_regions(const LayerShape& s, uint32_t mip, uint32_t layer, VkDeviceSize first, VkDeviceSize last,
                     std::array<VkBufferImageCopy, 3>& out) {
  uint32_t count = 0;
  for (VkDeviceSize r = first; r < last;) {
    const uint32_t z = uint32_t(r / s.rows_per_slice);
    const uint32_t y = uint32_t(r % s.rows_per_slice);
    uint32_t rows = 0, depth = 1;
    if (y == 0 && last - r >= s.rows_per_slice) {
      depth = uint32_t((last - r) / s.rows_per_slice);
      rows = s.rows_per_slice;
    } else {
      rows = uint32_t(std::min<VkDeviceSize>(s.rows_per_slice - y, last - r));
    }
    VkBufferImageCopy& c = out[count++];
    c = {};
    c.bufferOffset = (r - first) * s.row_bytes;
    c.imageSubresource = {s.aspect, mip, layer, 1};
    c.imageOffset = {0, int32_t(y * s.block_h), int32_t(z)};
    // The last row of blocks may stick out of a compressed image; the extent stops at its edge.
    const uint32_t top = y * s.block_h;
    c.imageExtent = {s.extent.width, std::min(rows * s.block_h, s.extent.height - top), depth};
    r += VkDeviceSize(rows) * depth;
  }
  return count;
}

}  // namespace kiln::detail
