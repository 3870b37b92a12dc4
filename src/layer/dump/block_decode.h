// Block-compressed images made viewable: BC1, BC2, BC3 (S3TC), BC4, BC5 (RGTC), BC7 (BPTC UNORM, in
// bc7_decode.h) and ETC2/EAC (in etc2_decode.h) blocks decoded to 8-bit texels, so a captured texture in
// those formats is written as a PNG people can look at (its raw blocks are kept beside it). Decoded as the
// Khronos Data Format Specification defines them, each BC1-BC5 interpolated value and each 11-bit EAC value
// rounded to the nearest 8-bit step (hardware may differ by one; BC7 and ETC2's colour and alpha leave no
// such freedom). Signed BC4/BC5 and EAC values in [-1, 1] map to 0..255 (0 at 127.5), the usual way normal
// maps are shown. BC6H (in bc6h_decode.h) has an entry point of its own: its texels are HDR half floats,
// which an 8-bit PNG cannot hold, so they are kept as half floats for a .npy. ASTC is not decoded.
#pragma once

#include <vulkan/vulkan.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace kiln::layer {

struct BlockFormat {
  uint32_t block_bytes = 0;  // 8 or 16, for 4x4 texels
  uint32_t channels = 0;     // of the decoded texels: 4 (BC1-BC3, BC7, ETC2 A1 and A8), 3 (ETC2 RGB),
                             // 1 (BC4, EAC R11), 2 (BC5, EAC RG11); BC6H: 3 half floats
};

// The formats decode_blocks handles; nullopt for any other.
std::optional<BlockFormat> decodable_block_format(VkFormat format);

// The bytes of `layers` × ceil(w/4) × ceil(h/4) blocks, row after row (as vkCmdCopyImageToBuffer lays a
// compressed subresource out tightly).
size_t block_bytes_for(const BlockFormat& f, VkExtent3D extent);

// `extent` texels (blocks cut at the right and bottom edges) of `channels` bytes each, row after row,
// depth slice after slice. `blocks` must hold block_bytes_for(extent) bytes.
std::vector<uint8_t> decode_blocks(VkFormat format, VkExtent3D extent, const uint8_t* blocks);

// BC6H_UFLOAT and BC6H_SFLOAT: {16, 3}, three half floats a texel; nullopt for any other format.
std::optional<BlockFormat> bc6h_block_format(VkFormat format);

// As decode_blocks, for BC6H: `extent` texels of R, G, B half-float bit patterns.
std::vector<uint16_t> decode_bc6h_blocks(VkFormat format, VkExtent3D extent, const uint8_t* blocks);

}  // namespace kiln::layer
