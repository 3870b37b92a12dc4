// ETC2 and EAC blocks decoded to 8-bit texels, so a captured texture in those formats (what mobile GPUs
// compress with) is written as a PNG like the BC formats (block_decode.cpp hands the blocks here). Kept apart
// from BC1-BC5 because ETC is a different family: big-endian 64-bit words, five colour modes of which T, H
// and planar hide in the overflow of the differential mode's base colours, and EAC's 11-bit channels.
// Decoded as the Khronos Data Format Specification defines them ("ETC2 Compressed Texture Image Formats");
// the colour and 8-bit alpha parts leave no rounding to the decoder, so those texels are bit exact. EAC R11
// and RG11 are 11-bit values, shown in the PNG rounded to the nearest 8-bit step; signed ones in [-1, 1] map
// to 0..255 (0 at 127.5) as BC4/BC5 SNORM do. An sRGB block decodes to the same bytes as a UNORM one: the
// PNG keeps the encoded values, which is what image viewers expect.
#pragma once

#include <cstdint>

namespace kiln::layer {

// The 16 texels of one 8-byte ETC2 colour block, row after row, as R, G, B, A. `punch_through`: the block is
// of ETC2_R8G8B8A1, where the differential bit says whether the block is opaque, there is no individual
// mode, and a non-opaque block's texels of index 2 are transparent black. Otherwise alpha is 255.
void decode_etc2_block(const uint8_t block[8], bool punch_through, uint8_t texels[16][4]);

// The 16 alpha values of the first 8 bytes of an ETC2_R8G8B8A8 block (EAC with 8-bit results), row after row.
void decode_etc2_alpha_block(const uint8_t block[8], uint8_t alpha[16]);

// The 16 values of one 8-byte EAC R11 block (each half of an RG11 block), row after row, as the format's
// 11-bit results: 0..2047 for 0.0..1.0, or if `is_signed` -1023..1023 for -1.0..1.0.
void decode_eac11_block(const uint8_t block[8], bool is_signed, int32_t values[16]);

// An 11-bit EAC value as the PNG shows it: v / 2047, or (v / 1023 + 1) / 2 if signed, times 255, rounded.
uint8_t eac11_to_8_bits(int32_t value, bool is_signed);

}  // namespace kiln::layer
