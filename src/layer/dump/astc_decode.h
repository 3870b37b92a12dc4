// ASTC blocks (VK_FORMAT_ASTC_*_BLOCK, 2D footprints 4x4 to 12x12) decoded as the Khronos Data Format
// Specification's ASTC chapter defines them, so a captured ASTC texture can be written as a PNG (LDR) or a
// float16 .npy (HDR, VK_EXT_texture_compression_astc_hdr) with its raw blocks beside it. Every block mode,
// 1 to 4 partitions (the spec's partition hash), dual plane, all 16 colour endpoint modes, trit and quint
// sequences, weight grid infill and void-extent blocks. Illegal blocks decode to the error colour, opaque
// magenta; so do HDR endpoints and HDR void extents read through an LDR format (the partition, or block,
// that has them), as the LDR profile says. 3D footprints (VK_EXT_texture_compression_astc_3d) are not decoded.
#pragma once

#include <vulkan/vulkan.h>

#include <cstdint>

namespace kiln::layer {

// An ASTC format's 2D footprint and profile; width 0 for any other format.
struct AstcFormat {
  uint32_t width = 0, height = 0;
  bool srgb = false;  // the SRGB formats
  bool hdr = false;   // the SFLOAT formats (VK_EXT_texture_compression_astc_hdr)
};
inline AstcFormat astc_format(VkFormat format) {
  // The footprints in the order of the VkFormat values: UNORM and SRGB alternate from ASTC_4x4_UNORM, the
  // SFLOAT ones follow one another from ASTC_4x4_SFLOAT.
  constexpr uint8_t kFootprints[14][2] = {{4, 4}, {5, 4},  {5, 5},  {6, 5},  {6, 6},   {8, 5},   {8, 6},
                                          {8, 8}, {10, 5}, {10, 6}, {10, 8}, {10, 10}, {12, 10}, {12, 12}};
  const int v = int(format);
  if (v >= VK_FORMAT_ASTC_4x4_UNORM_BLOCK && v <= VK_FORMAT_ASTC_12x12_SRGB_BLOCK) {
    const int i = (v - VK_FORMAT_ASTC_4x4_UNORM_BLOCK) / 2;
    return {kFootprints[i][0], kFootprints[i][1], ((v - VK_FORMAT_ASTC_4x4_UNORM_BLOCK) & 1) != 0, false};
  }
  if (v >= VK_FORMAT_ASTC_4x4_SFLOAT_BLOCK && v <= VK_FORMAT_ASTC_12x12_SFLOAT_BLOCK) {
    const int i = v - VK_FORMAT_ASTC_4x4_SFLOAT_BLOCK;
    return {kFootprints[i][0], kFootprints[i][1], false, true};
  }
  return {};
}

// The texels of one 16-byte block of a `width` x `height` footprint, row after row, as the spec's
// decode_unorm8 mode returns them: the top 8 bits of each interpolated 16-bit value. `srgb` for the SRGB
// formats: their R, G, B endpoints expand to 16 bits as (c << 8) | 0x80, and the 8-bit values are the
// sRGB-encoded ones (not converted to linear), as the other sRGB formats' PNGs are.
void decode_astc_block_unorm8(const uint8_t block[16], uint32_t width, uint32_t height, bool srgb,
                              uint8_t (*texels)[4]);

// The spec's decode_float16 mode: R, G, B, A half-float bit patterns. `hdr` for the HDR profile (the SFLOAT
// formats): HDR endpoints are interpolated in the spec's pseudo-logarithmic way, and the error colour is
// 1, 0, 1, 1. Without it, the LDR profile (UNORM formats sampled without VK_EXT_astc_decode_mode), where HDR
// content is the error colour. LDR endpoints and void extents give UNORM16 values made half floats:
// 65535 is 1.0, the others divided by 65536 and rounded towards zero.
void decode_astc_block_float16(const uint8_t block[16], uint32_t width, uint32_t height, bool hdr,
                               uint16_t (*texels)[4]);

// What a block is, without decoding its texels: for tests that must know which kinds they covered.
struct AstcBlockInfo {
  bool error = false;           // illegal: every texel is the error colour
  bool void_extent = false;     // one colour for the block
  bool hdr_void_extent = false; // ... given as half floats
  bool dual_plane = false;
  uint32_t partitions = 0;      // 1 to 4; 0 for void-extent and illegal blocks
  uint32_t endpoint_modes = 0;  // bit m set when a partition uses colour endpoint mode m
  uint32_t grid_width = 0, grid_height = 0;
  uint32_t weight_levels = 0;   // of the weights' range (2 to 32)
  uint32_t colour_levels = 0;   // of the endpoint values' range (6 to 256)
};
AstcBlockInfo astc_block_info(const uint8_t block[16], uint32_t width, uint32_t height);

}  // namespace kiln::layer
