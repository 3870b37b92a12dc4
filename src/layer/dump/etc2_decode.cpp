#include "etc2_decode.h"

#include <algorithm>
#include <array>

namespace kiln::layer {
namespace {

// The format's own view of a block: byte 0 is the most significant of one 64-bit word, and the bit numbers
// in the specification's layout tables count from the least significant end of that word.
uint64_t load_be(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
  return v;
}

int bits(uint64_t word, int lowest, int count) { return int((word >> lowest) & ((uint64_t(1) << count) - 1)); }

int extend4(int v) { return v * 17; }
int extend5(int v) { return (v << 3) | (v >> 2); }
int extend6(int v) { return (v << 2) | (v >> 4); }
int extend7(int v) { return (v << 1) | (v >> 6); }
int clamp255(int v) { return std::clamp(v, 0, 255); }

// R_d, G_d and B_d of the differential mode: 3-bit two's complement, -4..3.
int signed3(int v) { return (v ^ 4) - 4; }

// The specification names texels a..p down each column in turn, so texel (x, y) is letter x * 4 + y, and its
// 2-bit colour index has its high bit at 16 + letter and its low bit at letter.
int colour_index(uint64_t word, int x, int y) {
  const int letter = x * 4 + y;
  return (bits(word, 16 + letter, 1) << 1) | bits(word, letter, 1);
}

// The intensity modifier tables of the individual and differential modes (Table-etc2-modifiers), each row
// -b, -a, +a, +b as the specification prints it. A texel's 2-bit index does not count along the row
// (Table-etc2-pixelindices): 0 is +a, 1 is +b, 2 is -a, 3 is -b.
constexpr int kIntensityModifiers[8][4] = {{-8, -2, 2, 8},     {-17, -5, 5, 17},   {-29, -9, 9, 29},
                                           {-42, -13, 13, 42}, {-60, -18, 18, 60}, {-80, -24, 24, 80},
                                           {-106, -33, 33, 106}, {-183, -47, 47, 183}};
constexpr int kModifierColumn[4] = {2, 3, 1, 0};

// The distances of the T and H modes (Table-etc2-distancetable).
constexpr int kDistances[8] = {3, 6, 11, 16, 23, 32, 41, 64};

// The EAC modifier tables (Table-etc2eac-modifiers), shared by ETC2's alpha and R11/RG11; a 3-bit index picks
// one entry of the block's table.
constexpr int kEacModifiers[16][8] = {
    {-3, -6, -9, -15, 2, 5, 8, 14}, {-3, -7, -10, -13, 2, 6, 9, 12}, {-2, -5, -8, -13, 1, 4, 7, 12},
    {-2, -4, -6, -13, 1, 3, 5, 12}, {-3, -6, -8, -12, 2, 5, 7, 11},  {-3, -7, -9, -11, 2, 6, 8, 10},
    {-4, -7, -8, -11, 3, 6, 7, 10}, {-3, -5, -8, -11, 2, 4, 7, 10},  {-2, -6, -8, -10, 1, 5, 7, 9},
    {-2, -5, -8, -10, 1, 4, 7, 9},  {-2, -4, -8, -10, 1, 3, 7, 9},   {-2, -5, -7, -10, 1, 4, 6, 9},
    {-3, -4, -7, -10, 2, 3, 6, 9},  {-1, -2, -3, -10, 0, 1, 2, 9},   {-4, -6, -8, -9, 3, 5, 7, 8},
    {-3, -5, -7, -9, 2, 4, 6, 8}};

using Rgb = std::array<int, 3>;

Rgb plus(const Rgb& c, int d) { return {clamp255(c[0] + d), clamp255(c[1] + d), clamp255(c[2] + d)}; }

// Individual and differential modes: two subblocks (left and right halves, or top and bottom if flipped),
// each a base colour moved by the intensity modifiers of its table. In a punch-through block that is not
// opaque, index 0 adds nothing and index 2 is transparent.
void decode_subblocks(uint64_t word, const Rgb base[2], bool transparent_allowed, uint8_t texels[16][4]) {
  const int table[2] = {bits(word, 37, 3), bits(word, 34, 3)};
  const bool flip = bits(word, 32, 1);
  for (int y = 0; y < 4; ++y) {
    for (int x = 0; x < 4; ++x) {
      const int sub = flip ? y / 2 : x / 2;
      const int index = colour_index(word, x, y);
      int modifier = kIntensityModifiers[table[sub]][kModifierColumn[index]];
      if (transparent_allowed && (index & 1) == 0) modifier = 0;  // Table-etc2punch-modifiers-b: a reads as 0
      const Rgb c = plus(base[sub], modifier);
      uint8_t* t = texels[y * 4 + x];
      const bool transparent = transparent_allowed && index == 2;
      for (int ch = 0; ch < 3; ++ch) t[ch] = transparent ? 0 : uint8_t(c[ch]);
      t[3] = transparent ? 0 : 255;
    }
  }
}

// T and H modes: every texel takes one of four paint colours by its index.
void decode_paint(uint64_t word, const Rgb paint[4], bool transparent_allowed, uint8_t texels[16][4]) {
  for (int y = 0; y < 4; ++y) {
    for (int x = 0; x < 4; ++x) {
      const int index = colour_index(word, x, y);
      uint8_t* t = texels[y * 4 + x];
      const bool transparent = transparent_allowed && index == 2;
      for (int ch = 0; ch < 3; ++ch) t[ch] = transparent ? 0 : uint8_t(paint[index][ch]);
      t[3] = transparent ? 0 : 255;
    }
  }
}

// Planar mode: a colour plane through the origin colour O, with H at x = 4 and V at y = 4, each texel rounded
// half up (which the arithmetic shift of a negative sum does too) and clamped. Always opaque.
void decode_planar(uint64_t word, uint8_t texels[16][4]) {
  const Rgb origin = {extend6(bits(word, 57, 6)), extend7((bits(word, 56, 1) << 6) | bits(word, 49, 6)),
                      extend6((bits(word, 48, 1) << 5) | (bits(word, 43, 2) << 3) | bits(word, 39, 3))};
  const Rgb horizontal = {extend6((bits(word, 34, 5) << 1) | bits(word, 32, 1)), extend7(bits(word, 25, 7)),
                          extend6(bits(word, 19, 6))};
  const Rgb vertical = {extend6(bits(word, 13, 6)), extend7(bits(word, 6, 7)), extend6(bits(word, 0, 6))};
  for (int y = 0; y < 4; ++y) {
    for (int x = 0; x < 4; ++x) {
      uint8_t* t = texels[y * 4 + x];
      for (int ch = 0; ch < 3; ++ch) {
        const int sum = x * (horizontal[ch] - origin[ch]) + y * (vertical[ch] - origin[ch]) + 4 * origin[ch] + 2;
        t[ch] = uint8_t(clamp255(sum >> 2));
      }
      t[3] = 255;
    }
  }
}

}  // namespace

void decode_etc2_block(const uint8_t block[8], bool punch_through, uint8_t texels[16][4]) {
  const uint64_t word = load_be(block);
  const bool differential_bit = bits(word, 33, 1);
  const bool transparent_allowed = punch_through && !differential_bit;
  if (!punch_through && !differential_bit) {
    const Rgb base[2] = {{extend4(bits(word, 60, 4)), extend4(bits(word, 52, 4)), extend4(bits(word, 44, 4))},
                         {extend4(bits(word, 56, 4)), extend4(bits(word, 48, 4)), extend4(bits(word, 40, 4))}};
    return decode_subblocks(word, base, false, texels);
  }
  // The differential mode's second base colour is the first plus a small signed offset; a sum outside 0..31
  // in red, else green, else blue cannot be such a colour, and selects the T, H or planar mode instead.
  const int r = bits(word, 59, 5), g = bits(word, 51, 5), b = bits(word, 43, 5);
  const int r2 = r + signed3(bits(word, 56, 3)), g2 = g + signed3(bits(word, 48, 3));
  const int b2 = b + signed3(bits(word, 40, 3));
  if (r2 < 0 || r2 > 31) {
    const Rgb first = {extend4((bits(word, 59, 2) << 2) | bits(word, 56, 2)), extend4(bits(word, 52, 4)),
                       extend4(bits(word, 48, 4))};
    const Rgb second = {extend4(bits(word, 44, 4)), extend4(bits(word, 40, 4)), extend4(bits(word, 36, 4))};
    const int d = kDistances[(bits(word, 34, 2) << 1) | bits(word, 32, 1)];
    const Rgb paint[4] = {first, plus(second, d), second, plus(second, -d)};
    return decode_paint(word, paint, transparent_allowed, texels);
  }
  if (g2 < 0 || g2 > 31) {
    const Rgb first = {extend4(bits(word, 59, 4)), extend4((bits(word, 56, 3) << 1) | bits(word, 52, 1)),
                       extend4((bits(word, 51, 1) << 3) | bits(word, 47, 3))};
    const Rgb second = {extend4(bits(word, 43, 4)), extend4(bits(word, 39, 4)), extend4(bits(word, 35, 4))};
    // The distance index's low bit is not stored: it is whether the first colour is the larger, which the
    // encoder chooses by the order it stores the two colours in.
    auto value = [](const Rgb& c) { return (c[0] << 16) | (c[1] << 8) | c[2]; };
    const int d = kDistances[(bits(word, 34, 1) << 2) | (bits(word, 32, 1) << 1) | (value(first) >= value(second))];
    const Rgb paint[4] = {plus(first, d), plus(first, -d), plus(second, d), plus(second, -d)};
    return decode_paint(word, paint, transparent_allowed, texels);
  }
  if (b2 < 0 || b2 > 31) return decode_planar(word, texels);
  const Rgb base[2] = {{extend5(r), extend5(g), extend5(b)}, {extend5(r2), extend5(g2), extend5(b2)}};
  decode_subblocks(word, base, transparent_allowed, texels);
}

namespace {

// EAC's common part: the base codeword, the multiplier, and each texel's entry of the modifier table. The
// 3-bit indices run the other way from the colour ones: letter a's index is the highest (bits 47..45).
struct EacBlock {
  int base;
  int multiplier;
  int modifier[16];  // row after row
};

EacBlock read_eac(const uint8_t block[8]) {
  const uint64_t word = load_be(block);
  EacBlock e{bits(word, 56, 8), bits(word, 52, 4), {}};
  const int* table = kEacModifiers[bits(word, 48, 4)];
  for (int y = 0; y < 4; ++y)
    for (int x = 0; x < 4; ++x) e.modifier[y * 4 + x] = table[bits(word, 45 - 3 * (x * 4 + y), 3)];
  return e;
}

}  // namespace

void decode_etc2_alpha_block(const uint8_t block[8], uint8_t alpha[16]) {
  const EacBlock e = read_eac(block);
  for (int i = 0; i < 16; ++i) alpha[i] = uint8_t(clamp255(e.base + e.modifier[i] * e.multiplier));
}

void decode_eac11_block(const uint8_t block[8], bool is_signed, int32_t values[16]) {
  const EacBlock e = read_eac(block);
  // A multiplier of 0 means 1/8 here (in 11-bit steps, the modifier itself), where ETC2's alpha takes it as 0.
  // The signed base is two's complement, -128 read as -127, and gets no half step added.
  const int base = is_signed ? std::max(-127, int(int8_t(uint8_t(e.base)))) * 8 : e.base * 8 + 4;
  const int low = is_signed ? -1023 : 0, high = is_signed ? 1023 : 2047;
  for (int i = 0; i < 16; ++i) {
    const int step = e.multiplier ? e.modifier[i] * e.multiplier * 8 : e.modifier[i];
    values[i] = std::clamp(base + step, low, high);
  }
}

uint8_t eac11_to_8_bits(int32_t value, bool is_signed) {
  if (is_signed) return uint8_t(((value + 1023) * 255 + 1023) / 2046);
  return uint8_t((value * 255 + 1023) / 2047);
}

}  // namespace kiln::layer
