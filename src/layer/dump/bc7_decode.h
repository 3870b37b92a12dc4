// BC7 (BPTC UNORM) blocks decoded to 8-bit RGBA, so a captured BC7 texture can be written as a PNG like the
// other BC formats (block_decode.cpp hands BC7 blocks here). Kept apart from BC1-BC5 because BC7 is a
// different kind of format: eight block modes, up to three subsets chosen from fixed partition tables,
// and per-mode endpoint precision. Decoded as the Khronos Data Format Specification and
// ARB_texture_compression_bptc define it; unlike BC1-BC5 the format leaves no rounding to the decoder, so
// the texels are bit exact. An sRGB block decodes to the same bytes as a UNORM one: the PNG keeps the
// encoded values, which is what image viewers expect.
#pragma once

#include <cstdint>

namespace kiln::layer {

// The 16 texels of one 16-byte BC7 block, row after row, as R, G, B, A. A block in the reserved mode (first
// byte 0) decodes to transparent black, as the format defines.
void decode_bc7_block(const uint8_t block[16], uint8_t texels[16][4]);

}  // namespace kiln::layer
