// One layer of one mip of an image seen as rows of texel blocks, and the copy regions for a run of
// those rows: what chunked image copies (kiln/transfer.h, the Uploader) cut layers into.
#pragma once

#include <vulkan/vulkan.h>

#include <array>
#include <cstdint>

namespace kiln {
class Image;
}

namespace kiln::detail {

// slices * rows_per_slice rows of row_bytes each.
struct LayerShape {
  VkExtent3D extent{};
  uint32_t block_w = 1, block_h = 1;
  VkDeviceSize row_bytes = 0;
  uint32_t rows_per_slice = 0;
  uint32_t slices = 0;
  VkImageAspectFlags aspect = 0;
  VkDeviceSize rows() const { return VkDeviceSize(rows_per_slice) * slices; }
  VkDeviceSize bytes() const { return rows() * row_bytes; }
};

// Throws kiln::Error for formats kiln cannot copy (unknown, multi-planar).
LayerShape layer_shape(const Image& image, uint32_t mip);

// The regions that copy rows [first, last) of the layer, buffer offsets relative to row `first`.
// Rows inside one slice make one region; whole slices in a row make one; at most three in all.
uint32_t row_regions(const LayerShape& s, uint32_t mip, uint32_t layer, VkDeviceSize first, VkDeviceSize last,
                     std::array<VkBufferImageCopy, 3>& out);

}  // namespace kiln::detail
