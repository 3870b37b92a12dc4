// What BC6H and BC7 (the BPTC formats) share, from the Khronos Data Format Specification and
// ARB_texture_compression_bptc: the two-subset partitions (BC6H uses the first 32), the anchor texel of
// their second subset, the interpolation weights, and reading a block's bit fields.
#pragma once

#include <cstdint>

namespace kiln::layer::bptc {

// The subset of each texel (row after row) for each partition number of two subsets: Table.P2, one string
// a partition so that the rows read as they do in the specification.
inline constexpr const char* kTwoSubsets[64] = {
    "0011001100110011", "0001000100010001", "0111011101110111", "0001001100110111", "0000000100010011",
    "0011011101111111", "0001001101111111", "0000000100110111", "0000000000010011", "0011011111111111",
    "0000000101111111", "0000000000010111", "0001011111111111", "0000000011111111", "0000111111111111",
    "0000000000001111", "0000100011101111", "0111000100000000", "0000000010001110", "0111001100010000",
    "0011000100000000", "0000100011001110", "0000000010001100", "0111001100110001", "0011000100010000",
    "0000100010001100", "0110011001100110", "0011011001101100", "0001011111101000", "0000111111110000",
    "0111000110001110", "0011100110011100", "0101010101010101", "0000111100001111", "0101101001011010",
    "0011001111001100", "0011110000111100", "0101010110101010", "0110100101101001", "0101101010100101",
    "0111001111001110", "0001001111001000", "0011001001001100", "0011101111011100", "0110100110010110",
    "0011110011000011", "0110011010011001", "0000011001100000", "0100111001000000", "0010011100100000",
    "0000001001110010", "0000010011100100", "0110110010010011", "0011011011001001", "0110001110011100",
    "0011100111000110", "0110110011001001", "0110001100111001", "0111111010000001", "0001100011100111",
    "0000111100110011", "0011001111110000", "0010001011101110", "0100010001110111"};

// The anchor texel of the second subset (Table.A2): its index is stored one bit short, its top bit being 0
// by the encoder's choice of endpoint order (the first subset's anchor is always texel 0). Partition 35 is
// 8, as in the ARB text; the Data Format Specification's table says 2, an erratum (lavapipe decodes with 8,
// which layer_blocks checks).
inline constexpr uint8_t kAnchorOfSecondOfTwo[64] = {
    15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15,  //
    15, 2,  8,  2,  2,  8,  8,  15, 2,  8,  2,  2,  8,  8,  2,  2,   //
    15, 15, 6,  8,  2,  8,  15, 15, 2,  8,  2,  2,  2,  15, 15, 6,   //
    6,  2,  6,  8,  15, 15, 2,  2,  15, 15, 15, 15, 15, 2,  2,  15};

// Interpolation weights for 2-, 3- and 4-bit indices, out of 64.
inline constexpr uint8_t kWeights2[4] = {0, 21, 43, 64};
inline constexpr uint8_t kWeights3[8] = {0, 9, 18, 27, 37, 46, 55, 64};
inline constexpr uint8_t kWeights4[16] = {0, 4, 9, 13, 17, 21, 26, 30, 34, 38, 43, 47, 51, 55, 60, 64};

// A block's fields follow one another from bit 0 of byte 0 upwards (from bit `pos` on), none aligned to
// a byte.
class BitReader {
 public:
  explicit BitReader(const uint8_t* block, int pos = 0) : block_(block), pos_(pos) {}
  uint32_t take(int count) {
    uint32_t v = 0;
    for (int i = 0; i < count; ++i, ++pos_) v |= uint32_t((block_[pos_ >> 3] >> (pos_ & 7)) & 1) << i;
    return v;
  }

 private:
  const uint8_t* block_;
  int pos_;
};

}  // namespace kiln::layer::bptc
