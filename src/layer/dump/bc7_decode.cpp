#include "bc7_decode.h"

#include "bptc_tables.h"

#include <cstring>
#include <utility>

namespace kiln::layer {
namespace {

using namespace bptc;

// One row of the mode table (Table.M of ARB_texture_compression_bptc). The two P-bit columns are flags:
// per-endpoint P-bits mean one bit for each endpoint of each subset, shared ones one bit for each subset.
struct Bc7Mode {
  uint8_t subsets;
  uint8_t partition_bits;
  uint8_t rotation_bits;
  uint8_t index_selection_bits;
  uint8_t colour_bits;
  uint8_t alpha_bits;  // 0: the mode stores no alpha, which reads as 255
  uint8_t endpoint_pbits;
  uint8_t shared_pbits;
  uint8_t index_bits;
  uint8_t secondary_index_bits;
};

constexpr Bc7Mode kModes[8] = {
    {3, 4, 0, 0, 4, 0, 1, 0, 3, 0}, {2, 6, 0, 0, 6, 0, 0, 1, 3, 0}, {3, 6, 0, 0, 5, 0, 0, 0, 2, 0},
    {2, 6, 0, 0, 7, 0, 1, 0, 2, 0}, {1, 0, 2, 1, 5, 6, 0, 0, 2, 3}, {1, 0, 2, 0, 7, 8, 0, 0, 2, 2},
    {1, 0, 0, 0, 7, 7, 1, 0, 4, 0}, {2, 6, 0, 0, 5, 5, 1, 0, 2, 0}};

// The subset of each texel (row after row) for each partition number of three subsets: Table.P3, one
// string a partition so that the rows read as they do in the specification (two subsets: bptc_tables.h).

constexpr const char* kThreeSubsets[64] = {
    "0011001102212222", "0001001122112221", "0000200122112211", "0222002200110111", "0000000011221122",
    "0011001100220022", "0022002211111111", "0011001122112211", "0000000011112222", "0000111111112222",
    "0000111122222222", "0012001200120012", "0112011201120112", "0122012201220122", "0011011211221222",
    "0011200122002220", "0001001101121122", "0111001120012200", "0000112211221122", "0022002200221111",
    "0111011102220222", "0001000122212221", "0000001101220122", "0000110022102210", "0122012200110000",
    "0012001211222222", "0110122112210110", "0000011012211221", "0022110211020022", "0110011020022222",
    "0011012201220011", "0000200022112221", "0000000211221222", "0222002200120011", "0011001200220222",
    "0120012001200120", "0000111122220000", "0120120120120120", "0120201212010120", "0011220011220011",
    "0011112222000011", "0101010122222222", "0000000021212121", "0022112200221122", "0022001100220011",
    "0220122102201221", "0101222222220101", "0000212121212121", "0101010101012222", "0222011102220111",
    "0002111200021112", "0000211221122112", "0222011101110222", "0002111211120002", "0110011001102222",
    "0000000021122112", "0110011022222222", "0022001100110022", "0022112211220022", "0000000000002112",
    "0002000100020001", "0222122202221222", "0101222222222222", "0111201122012220"};

// The anchor texels of the second and third of three subsets (Table.A3a, Table.A3b); of two subsets, and
// why anchors are stored one bit short: bptc_tables.h.
constexpr uint8_t kAnchorOfSecondOfThree[64] = {
    3, 3,  15, 15, 8, 3,  15, 15, 8,  8,  6,  6,  6,  5,  3,  3,   //
    3, 3,  8,  15, 3, 3,  6,  10, 5,  8,  8,  6,  8,  5,  15, 15,  //
    8, 15, 3,  5,  6, 10, 8,  15, 15, 3,  15, 5,  15, 15, 15, 15,  //
    3, 15, 5,  5,  5, 8,  5,  10, 5,  10, 8,  13, 15, 12, 3,  3};
constexpr uint8_t kAnchorOfThirdOfThree[64] = {
    15, 8,  8,  3,  15, 15, 3,  8,  15, 15, 15, 15, 15, 15, 15, 8,   //
    15, 8,  15, 3,  15, 8,  15, 8,  3,  15, 6,  10, 15, 15, 10, 8,   //
    15, 3,  15, 10, 10, 8,  9,  10, 6,  15, 8,  15, 3,  6,  6,  8,   //
    15, 3,  15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 3,  15, 15, 8};

// Interpolation weights out of 64 for 2-, 3- and 4-bit indices.

uint8_t interpolate(uint32_t e0, uint32_t e1, uint32_t index, int index_bits) {
  const uint32_t w = index_bits == 2 ? kWeights2[index] : index_bits == 3 ? kWeights3[index] : kWeights4[index];
  return uint8_t(((64 - w) * e0 + w * e1 + 32) >> 6);
}

}  // namespace

void decode_bc7_block(const uint8_t block[16], uint8_t texels[16][4]) {
  int mode = 0;
  while (mode < 8 && !((block[0] >> mode) & 1)) ++mode;
  if (mode == 8) {
    std::memset(texels, 0, 16 * 4);
    return;
  }
  const Bc7Mode& m = kModes[mode];
  BitReader bits(block);
  bits.take(mode + 1);
  const uint32_t partition = bits.take(m.partition_bits);
  const uint32_t rotation = bits.take(m.rotation_bits);
  const uint32_t index_selection = bits.take(m.index_selection_bits);

  // endpoint[subset][end][channel]: as stored, then with the P-bit below, then widened to 8 bits with the
  // top bits repeated below, so that 0 and the all-ones value stay 0 and 255.
  uint32_t endpoint[3][2][4] = {};
  int precision[4] = {m.colour_bits, m.colour_bits, m.colour_bits, m.alpha_bits};
  for (int ch = 0; ch < 4; ++ch) {
    for (int s = 0; s < m.subsets; ++s) {
      for (int e = 0; e < 2; ++e) endpoint[s][e][ch] = bits.take(precision[ch]);
    }
  }
  if (m.endpoint_pbits || m.shared_pbits) {
    uint32_t pbit[3][2] = {};
    for (int s = 0; s < m.subsets; ++s) {
      if (m.endpoint_pbits) {
        pbit[s][0] = bits.take(1);
        pbit[s][1] = bits.take(1);
      } else {
        pbit[s][0] = pbit[s][1] = bits.take(1);
      }
    }
    for (int ch = 0; ch < 4; ++ch) {
      if (precision[ch] == 0) continue;
      for (int s = 0; s < m.subsets; ++s) {
        for (int e = 0; e < 2; ++e) endpoint[s][e][ch] = (endpoint[s][e][ch] << 1) | pbit[s][e];
      }
      ++precision[ch];
    }
  }
  for (int ch = 0; ch < 4; ++ch) {
    const int n = precision[ch];
    for (int s = 0; s < m.subsets; ++s) {
      for (int e = 0; e < 2; ++e) {
        uint32_t& v = endpoint[s][e][ch];
        v = n == 0 ? 255 : ((v << (8 - n)) | (v >> (2 * n - 8))) & 255;
      }
    }
  }

  uint8_t subset[16] = {};
  bool anchor[16] = {};
  anchor[0] = true;
  for (int i = 0; i < 16; ++i) {
    if (m.subsets == 2) subset[i] = uint8_t(kTwoSubsets[partition][i] - '0');
    if (m.subsets == 3) subset[i] = uint8_t(kThreeSubsets[partition][i] - '0');
  }
  if (m.subsets == 2) anchor[kAnchorOfSecondOfTwo[partition]] = true;
  if (m.subsets == 3) anchor[kAnchorOfSecondOfThree[partition]] = anchor[kAnchorOfThirdOfThree[partition]] = true;
  uint32_t primary[16], secondary[16] = {};
  for (int i = 0; i < 16; ++i) primary[i] = bits.take(m.index_bits - (anchor[i] ? 1 : 0));
  if (m.secondary_index_bits) {
    for (int i = 0; i < 16; ++i) secondary[i] = bits.take(m.secondary_index_bits - (i == 0 ? 1 : 0));
  }

  // With two index sets, the index selection bit says which one the colour uses; alpha takes the other.
  const bool colour_secondary = m.secondary_index_bits && index_selection;
  const bool alpha_secondary = m.secondary_index_bits && !index_selection;
  for (int i = 0; i < 16; ++i) {
    const uint32_t(&e)[2][4] = endpoint[subset[i]];
    for (int ch = 0; ch < 4; ++ch) {
      const bool use_secondary = ch < 3 ? colour_secondary : alpha_secondary;
      texels[i][ch] = interpolate(e[0][ch], e[1][ch], use_secondary ? secondary[i] : primary[i],
                                  use_secondary ? m.secondary_index_bits : m.index_bits);
    }
    if (rotation) std::swap(texels[i][3], texels[i][rotation - 1]);
  }
}

}  // namespace kiln::layer
