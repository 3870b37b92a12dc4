// BC6H (BPTC float) blocks decoded to half floats, so a captured BC6H texture can be written as a float16 .npy
// of its texels with its raw blocks beside it (block_decode.cpp hands BC6H blocks here; the values are HDR,
// which an 8-bit PNG cannot hold). Decoded as the Khronos Data Format Specification and
// ARB_texture_compression_bptc define it: fourteen modes, each with its own interleaving of endpoint bits;
// one subset with 4-bit indices, or two chosen from the first 32 of BC7's two-subset partitions with 3-bit
// indices; endpoints stored whole or as deltas from the first ("transformed"), unquantized to 16 bits,
// interpolated, then scaled into half-float bit patterns. Every step is integer arithmetic the format fixes,
// so the halves are bit exact. The format has no alpha (it reads as 1), so only R, G and B come out.
#pragma once

#include <cstdint>

namespace kiln::layer {

// The 16 texels of one 16-byte BC6H block, row after row, as R, G, B half-float bit patterns. `is_signed`
// for BC6H_SFLOAT (endpoints sign-extended; values from -infinity to 65504), otherwise BC6H_UFLOAT (0 to
// 65504). A block in a reserved mode (19, 23, 27, 31) decodes to zeros, as the format defines.
void decode_bc6h_block(const uint8_t block[16], bool is_signed, uint16_t texels[16][3]);

}  // namespace kiln::layer
