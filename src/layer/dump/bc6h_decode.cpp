#include "bc6h_decode.h"

#include "bptc_tables.h"

#include <array>
#include <cstring>
#include <string_view>

namespace kiln::layer {
namespace {

// The partitions (the first 32 of two subsets), anchors and weights BC7 has too.
using namespace bptc;

// One run of an endpoint's bits in the block: the next `count` bits go to bits first, first + step, ... of
// channel `channel` (R, G, B) of endpoint `endpoint` (0 to 3: the spec's r0 g0 b0 ... r3 g3 b3).
struct Run {
  uint8_t endpoint = 0;
  uint8_t channel = 0;
  uint8_t first = 0;
  uint8_t count = 0;
  int8_t step = 1;
};

struct Layout {
  std::array<Run, 24> runs{};
  uint8_t count = 0;
};

// A mode's row of Table.F of ARB_texture_compression_bptc (the Data Format Specification's "Block
// descriptions for BC6H block modes"), after the mode bits: "r0[9:0]" takes the next 10 bits into bits 0..9,
// "g2[4]" one bit into bit 4, and "r0[10:11]" (first index below the second) two bits reversed, the first
// into bit 11. Parsed at compile time, so the rows stay as the spec prints them and a typo fails the build.
constexpr Layout parse_layout(std::string_view row) {
  Layout layout;
  size_t i = 0;
  auto number = [&] {
    int v = 0;
    while (i < row.size() && row[i] >= '0' && row[i] <= '9') v = v * 10 + (row[i++] - '0');
    return v;
  };
  while (i < row.size()) {
    Run run;
    const size_t channel = std::string_view("rgb").find(row[i++]);
    if (channel == std::string_view::npos || layout.count == layout.runs.size()) throw "bad BC6H layout";
    run.channel = uint8_t(channel);
    run.endpoint = uint8_t(row[i++] - '0');
    if (run.endpoint > 3 || row[i++] != '[') throw "bad BC6H layout";
    const int a = number();
    const int b = row[i] == ':' ? (++i, number()) : a;
    if (row[i++] != ']' || (i < row.size() && row[i++] != ',')) throw "bad BC6H layout";
    run.first = uint8_t(b);
    run.count = uint8_t(a >= b ? a - b + 1 : b - a + 1);
    run.step = int8_t(a >= b ? 1 : -1);
    layout.runs[layout.count++] = run;
  }
  return layout;
}

// One row of Table.MF. Modes 0 and 1 are told by the block's low 2 bits, the others by its low 5.
struct Bc6hMode {
  uint8_t number;
  bool transformed;       // endpoints 1 to 3 are stored as two's complement deltas from endpoint 0
  bool two_subsets;       // 5 partition bits follow the endpoints
  uint8_t endpoint_bits;  // EPB
  uint8_t stored_bits[3];  // of endpoints 1 to 3, R, G, B: the delta bits, or EPB where not transformed
  Layout layout;
};

constexpr Bc6hMode kModes[14] = {
    {0, true, true, 10, {5, 5, 5},
     parse_layout("g2[4],b2[4],b3[4],r0[9:0],g0[9:0],b0[9:0],r1[4:0],g3[4],g2[3:0],g1[4:0],b3[0],g3[3:0],"
                  "b1[4:0],b3[1],b2[3:0],r2[4:0],b3[2],r3[4:0],b3[3]")},
    {1, true, true, 7, {6, 6, 6},
     parse_layout("g2[5],g3[4],g3[5],r0[6:0],b3[0],b3[1],b2[4],g0[6:0],b2[5],b3[2],g2[4],b0[6:0],b3[3],b3[5],"
                  "b3[4],r1[5:0],g2[3:0],g1[5:0],g3[3:0],b1[5:0],b2[3:0],r2[5:0],r3[5:0]")},
    {2, true, true, 11, {5, 4, 4},
     parse_layout("r0[9:0],g0[9:0],b0[9:0],r1[4:0],r0[10],g2[3:0],g1[3:0],g0[10],b3[0],g3[3:0],b1[3:0],b0[10],"
                  "b3[1],b2[3:0],r2[4:0],b3[2],r3[4:0],b3[3]")},
    {6, true, true, 11, {4, 5, 4},
     parse_layout("r0[9:0],g0[9:0],b0[9:0],r1[3:0],r0[10],g3[4],g2[3:0],g1[4:0],g0[10],g3[3:0],b1[3:0],b0[10],"
                  "b3[1],b2[3:0],r2[3:0],b3[0],b3[2],r3[3:0],g2[4],b3[3]")},
    {10, true, true, 11, {4, 4, 5},
     parse_layout("r0[9:0],g0[9:0],b0[9:0],r1[3:0],r0[10],b2[4],g2[3:0],g1[3:0],g0[10],b3[0],g3[3:0],b1[4:0],"
                  "b0[10],b2[3:0],r2[3:0],b3[1],b3[2],r3[3:0],b3[4],b3[3]")},
    {14, true, true, 9, {5, 5, 5},
     parse_layout("r0[8:0],b2[4],g0[8:0],g2[4],b0[8:0],b3[4],r1[4:0],g3[4],g2[3:0],g1[4:0],b3[0],g3[3:0],"
                  "b1[4:0],b3[1],b2[3:0],r2[4:0],b3[2],r3[4:0],b3[3]")},
    {18, true, true, 8, {6, 5, 5},
     parse_layout("r0[7:0],g3[4],b2[4],g0[7:0],b3[2],g2[4],b0[7:0],b3[3],b3[4],r1[5:0],g2[3:0],g1[4:0],b3[0],"
                  "g3[3:0],b1[4:0],b3[1],b2[3:0],r2[5:0],r3[5:0]")},
    {22, true, true, 8, {5, 6, 5},
     parse_layout("r0[7:0],b3[0],b2[4],g0[7:0],g2[5],g2[4],b0[7:0],g3[5],b3[4],r1[4:0],g3[4],g2[3:0],g1[5:0],"
                  "g3[3:0],b1[4:0],b3[1],b2[3:0],r2[4:0],b3[2],r3[4:0],b3[3]")},
    {26, true, true, 8, {5, 5, 6},
     parse_layout("r0[7:0],b3[1],b2[4],g0[7:0],b2[5],g2[4],b0[7:0],b3[5],b3[4],r1[4:0],g3[4],g2[3:0],g1[4:0],"
                  "b3[0],g3[3:0],b1[5:0],b2[3:0],r2[4:0],b3[2],r3[4:0],b3[3]")},
    {30, false, true, 6, {6, 6, 6},
     parse_layout("r0[5:0],g3[4],b3[0],b3[1],b2[4],g0[5:0],g2[5],b2[5],b3[2],g2[4],b0[5:0],g3[5],b3[3],b3[5],"
                  "b3[4],r1[5:0],g2[3:0],g1[5:0],g3[3:0],b1[5:0],b2[3:0],r2[5:0],r3[5:0]")},
    {3, false, false, 10, {10, 10, 10}, parse_layout("r0[9:0],g0[9:0],b0[9:0],r1[9:0],g1[9:0],b1[9:0]")},
    {7, true, false, 11, {9, 9, 9},
     parse_layout("r0[9:0],g0[9:0],b0[9:0],r1[8:0],r0[10],g1[8:0],g0[10],b1[8:0],b0[10]")},
    {11, true, false, 12, {8, 8, 8},
     parse_layout("r0[9:0],g0[9:0],b0[9:0],r1[7:0],r0[10:11],g1[7:0],g0[10:11],b1[7:0],b0[10:11]")},
    {15, true, false, 16, {4, 4, 4},
     parse_layout("r0[9:0],g0[9:0],b0[9:0],r1[3:0],r0[10:15],g1[3:0],g0[10:15],b1[3:0],b0[10:15]")},
};

// What the transcription must satisfy: each endpoint channel's bits all present exactly once (EPB bits for
// endpoint 0, the stored bits for the others), and the mode bits plus endpoints filling bits 0..76 of a
// two-subset block (its partition number is bits 77..81) or 0..64 of a one-subset block.
constexpr bool layout_is_whole(const Bc6hMode& m) {
  uint32_t seen[4][3] = {};
  int bits = m.number < 2 ? 2 : 5;
  for (int r = 0; r < m.layout.count; ++r) {
    const Run& run = m.layout.runs[r];
    for (int k = 0; k < run.count; ++k) {
      const uint32_t bit = 1u << (run.first + k * run.step);
      if (seen[run.endpoint][run.channel] & bit) return false;
      seen[run.endpoint][run.channel] |= bit;
    }
    bits += run.count;
  }
  for (int e = 0; e < 4; ++e) {
    for (int c = 0; c < 3; ++c) {
      const int width = e >= (m.two_subsets ? 4 : 2) ? 0 : e == 0 ? m.endpoint_bits : m.stored_bits[c];
      if (seen[e][c] != (1u << width) - 1) return false;
    }
  }
  return bits == (m.two_subsets ? 77 : 65);
}
constexpr bool all_layouts_whole() {
  for (const Bc6hMode& m : kModes) {
    if (!layout_is_whole(m)) return false;
  }
  return true;
}
static_assert(all_layouts_whole(), "a BC6H mode's layout does not match its endpoint and delta bits");

// `v` holds `bits` bits; their top bit is the sign.
int32_t sign_extend(int32_t v, int bits) {
  const int32_t top = int32_t(1) << (bits - 1);
  return ((v & ((top << 1) - 1)) ^ top) - top;
}

// To 16 bits, spreading the stored range over the whole of it (the spec's unquantize).
int32_t unquantize(int32_t x, int bits, bool is_signed) {
  if (!is_signed) {
    if (bits >= 15 || x == 0) return x;
    if (x == (1 << bits) - 1) return 0xFFFF;
    return ((x << 15) + 0x4000) >> (bits - 1);
  }
  if (bits >= 16 || x == 0) return x;
  const int32_t magnitude = x < 0 ? -x : x;
  const int32_t unq = magnitude >= (1 << (bits - 1)) - 1 ? 0x7FFF : ((magnitude << 15) + 0x4000) >> (bits - 1);
  return x < 0 ? -unq : unq;
}

// The interpolated 16-bit value scaled into a half's bit pattern: unsigned by 31/64 (0xFFFF becomes 0x7BFF,
// 65504); signed by 31/32 on the magnitude with the sign bit put back, so -1 becomes 0x8000 (-0.0) and
// -0x8000 becomes 0xFC00 (-infinity), as the Khronos formula gives (Direct3D's documented decoder, and the
// H100, make that -1 +0.0 instead).
uint16_t finish_unquantize(int32_t v, bool is_signed) {
  if (!is_signed) return uint16_t((v * 31) >> 6);
  return v < 0 ? uint16_t((((-v) * 31) >> 5) | 0x8000) : uint16_t((v * 31) >> 5);
}

}  // namespace

void decode_bc6h_block(const uint8_t block[16], bool is_signed, uint16_t texels[16][3]) {
  const uint32_t number = (block[0] & 3) < 2 ? block[0] & 3u : block[0] & 31u;
  const Bc6hMode* mode = nullptr;
  for (const Bc6hMode& m : kModes) {
    if (m.number == number) mode = &m;
  }
  if (!mode) {
    std::memset(texels, 0, 16 * 3 * sizeof(uint16_t));
    return;
  }
  const Bc6hMode& m = *mode;
  BitReader bits(block, number < 2 ? 2 : 5);
  int32_t endpoint[4][3] = {};
  for (int r = 0; r < m.layout.count; ++r) {
    const Run& run = m.layout.runs[r];
    int32_t& v = endpoint[run.endpoint][run.channel];
    for (int k = 0; k < run.count; ++k) v |= int32_t(bits.take(1)) << (run.first + k * run.step);
  }

  // Endpoint 0 is signed only in the signed format; the others are deltas (signed, added to endpoint 0 and
  // wrapped to EPB bits) in transformed modes, and are then signed as endpoint 0 is.
  const int endpoints = m.two_subsets ? 4 : 2;
  for (int c = 0; c < 3; ++c) {
    for (int e = 1; e < endpoints; ++e) {
      int32_t& v = endpoint[e][c];
      if (m.transformed) v = (endpoint[0][c] + sign_extend(v, m.stored_bits[c])) & ((1 << m.endpoint_bits) - 1);
      if (is_signed) v = sign_extend(v, m.endpoint_bits);
    }
    if (is_signed) endpoint[0][c] = sign_extend(endpoint[0][c], m.endpoint_bits);
    for (int e = 0; e < endpoints; ++e) endpoint[e][c] = unquantize(endpoint[e][c], m.endpoint_bits, is_signed);
  }

  const uint32_t partition = m.two_subsets ? bits.take(5) : 0;
  const int index_bits = m.two_subsets ? 3 : 4;
  for (int i = 0; i < 16; ++i) {
    const int subset = m.two_subsets ? kTwoSubsets[partition][i] - '0' : 0;
    const bool anchor = i == 0 || (m.two_subsets && i == kAnchorOfSecondOfTwo[partition]);
    const uint32_t index = bits.take(index_bits - (anchor ? 1 : 0));
    const int32_t w = m.two_subsets ? kWeights3[index] : kWeights4[index];
    for (int c = 0; c < 3; ++c) {
      // A negative sum shifts arithmetically, rounding down (C++20's >>; Mesa's decoder does the same).
      const int32_t v = ((64 - w) * endpoint[2 * subset][c] + w * endpoint[2 * subset + 1][c] + 32) >> 6;
      texels[i][c] = finish_unquantize(v, is_signed);
    }
  }
}

}  // namespace kiln::layer
