// Block-compressed images made viewable: BC1, BC2, BC3 (S3TC), BC4, BC5 (RGTC), BC7 (BPTC UNORM, in
// bc7_decode.h), ETC2/EAC (in etc2_decode.h) and ASTC LDR (UNORM and SRGB, every 2D footprint, in
// astc_decode.h) blocks decoded to 8-bit texels, so a captured texture in those formats is written as a PNG
// people can look at (its raw blocks are kept beside it). Decoded as the Khronos Data Format Specification
// defines them, each BC1-BC5 interpolated value and each 11-bit EAC value rounded to the nearest 8-bit step
// (hardware may differ by one; BC7, ETC2's colour and alpha, and ASTC's decode_unorm8 leave no such
// freedom). Signed BC4/BC5 and EAC values in [-1, 1] map to 0..255 (0 at 127.5), the usual way normal maps
// are shown. BC6H (in bc6h_decode.h) and ASTC HDR (the SFLOAT formats) have an entry point of their own:
// their texels are HDR half floats, which an 8-bit PNG cannot hold, so they are kept as half floats for a
// .npy. sRGB formats keep their sRGB-encoded values.
#pragma once

#include <vulkan/vulkan.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace kiln::layer {

struct BlockFormat {
  uint32_t block_bytes = 0;   // 8 or 16, for block_width x block_height texels
  uint32_t channels = 0;      // of the decoded texels: 4 (BC1-BC3, BC7, ETC2 A1 and A8, ASTC), 3 (ETC2 RGB),
                              // 1 (BC4, EAC R11), 2 (BC5, EAC RG11); half floats: 3 (BC6H), 4 (ASTC HDR)
  uint32_t block_width = 4;   // texels: 4 but for ASTC (4 to 12)
  uint32_t block_height = 4;
};

// The formats decode_blocks handles; nullopt for any other.
std::optional<BlockFormat> decodable_block_format(VkFormat format);

// The bytes of depth × ceil(w/block_width) × ceil(h/block_height) blocks, row after row (as
// vkCmdCopyImageToBuffer lays a compressed subresource out tightly).
size_t block_bytes_for(const BlockFormat& f, VkExtent3D extent);

// `extent` texels (blocks cut at the right and bottom edges) of `channels` bytes each, row after row,
// depth slice after slice. `blocks` must hold block_bytes_for(extent) bytes.
std::vector<uint8_t> decode_blocks(VkFormat format, VkExtent3D extent, const uint8_t* blocks);

// The formats decode_float16_blocks handles: BC6H_UFLOAT and BC6H_SFLOAT ({16, 3}: R, G, B half floats) and
// ASTC_*_SFLOAT ({16, 4, w, h}: R, G, B, A); nullopt for any other.
std::optional<BlockFormat> float16_block_format(VkFormat format);

// As decode_blocks, for those: `extent` texels of `channels` half-float bit patterns each.
std::vector<uint16_t> decode_float16_blocks(VkFormat format, VkExtent3D extent, const uint8_t* blocks);

}  // namespace kiln::layer
