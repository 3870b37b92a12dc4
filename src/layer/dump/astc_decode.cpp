#include "astc_decode.h"

#include "astc_tables.h"

#include <algorithm>
#include <utility>

namespace kiln::layer {
namespace {

using namespace astc;

constexpr int kMaxTexels = 144;  // 12x12
constexpr int kMaxWeights = 64;

// Everything the block's configuration says, read before any texel is decoded.
struct Layout {
  bool error = false;
  bool void_extent = false;
  bool dual = false;
  int grid_w = 0, grid_h = 0;
  int weight_range = 0, weight_bits = 0;
  int partitions = 0, seed = 0, ccs = 0;
  int cem[4] = {};
  int colour_start = 0, colour_range = 0, colour_values = 0;
};

// Table "2D Block Mode Layout": the weight grid, its range (R and H) and dual plane (D). False for the
// reserved rows.
bool decode_block_mode(uint32_t m, Layout& l) {
  auto bit = [m](int i) { return int((m >> i) & 1); };
  const int a = int((m >> 5) & 3);
  int r = 0, h = bit(9), d = bit(10);
  if (m & 3) {
    r = bit(4) | int((m & 3) << 1);
    const int b = int((m >> 7) & 3);
    switch ((m >> 2) & 3) {
      case 0: l.grid_w = b + 4, l.grid_h = a + 2; break;
      case 1: l.grid_w = b + 8, l.grid_h = a + 2; break;
      case 2: l.grid_w = a + 2, l.grid_h = b + 8; break;
      default:
        if (bit(8)) l.grid_w = bit(7) + 2, l.grid_h = a + 2;
        else l.grid_w = a + 2, l.grid_h = bit(7) + 6;
        break;
    }
  } else {
    if ((m & 0xF) == 0) return false;
    r = bit(4) | int(((m >> 2) & 3) << 1);
    switch ((m >> 7) & 3) {
      case 0: l.grid_w = 12, l.grid_h = a + 2; break;
      case 1: l.grid_w = a + 2, l.grid_h = 12; break;
      case 2:
        l.grid_w = a + 6, l.grid_h = int((m >> 9) & 3) + 6;
        d = h = 0;
        break;
      default:
        if (bit(6)) return false;  // reserved (the void extent was told apart before)
        l.grid_w = bit(5) ? 10 : 6, l.grid_h = bit(5) ? 6 : 10;
        break;
    }
  }
  l.dual = d;
  l.weight_range = (r - 2) + 6 * h;  // ranges 0..1 to 0..7 (H=0), 0..9 to 0..31 (H=1)
  return true;
}

Layout parse(const uint8_t* b, int width, int height) {
  Layout l;
  const uint32_t mode = read_bits(b, 0, 11);
  if ((mode & 0x1FF) == 0x1FC) {
    l.void_extent = true;
    // Bits 10 and 11 reserved (1); an extent's low coordinate must lie below its high one unless all four
    // are all ones (no extent given).
    const uint32_t s0 = read_bits(b, 12, 13), s1 = read_bits(b, 25, 13);
    const uint32_t t0 = read_bits(b, 38, 13), t1 = read_bits(b, 51, 13);
    const bool no_extent = s0 == 0x1FFF && s1 == 0x1FFF && t0 == 0x1FFF && t1 == 0x1FFF;
    l.error = read_bits(b, 10, 2) != 3 || (!no_extent && (s0 >= s1 || t0 >= t1));
    return l;
  }
  l.error = true;
  if (!decode_block_mode(mode, l)) return l;
  const int weights = l.grid_w * l.grid_h * (l.dual ? 2 : 1);
  if (weights > kMaxWeights || l.grid_w > width || l.grid_h > height) return l;
  l.weight_bits = ise_bits(l.weight_range, weights);
  if (l.weight_bits < 24 || l.weight_bits > 96) return l;
  l.partitions = int(read_bits(b, 11, 2)) + 1;
  if (l.dual && l.partitions == 4) return l;

  int extra_cem_bits = 0;
  if (l.partitions == 1) {
    l.cem[0] = int(read_bits(b, 13, 4));
    l.colour_start = 17;
  } else {
    l.seed = int(read_bits(b, 13, 10));
    l.colour_start = 29;
    uint32_t cem = read_bits(b, 23, 6);
    if ((cem & 3) == 0) {
      for (int p = 0; p < l.partitions; ++p) l.cem[p] = int(cem >> 2);
    } else {
      // A class bit per partition, then two mode bits per partition; those past the first six bits lie
      // just below the weights.
      extra_cem_bits = 3 * l.partitions - 4;
      cem |= read_bits(b, 128 - l.weight_bits - extra_cem_bits, extra_cem_bits) << 6;
      const int base_class = int(cem & 3) - 1;
      for (int p = 0; p < l.partitions; ++p) {
        const int cls = base_class + int((cem >> (2 + p)) & 1);
        l.cem[p] = (cls << 2) | int((cem >> (2 + l.partitions + 2 * p)) & 3);
      }
    }
  }
  int colour_end = 128 - l.weight_bits - extra_cem_bits;
  if (l.dual) {
    colour_end -= 2;
    l.ccs = int(read_bits(b, colour_end, 2));
  }
  for (int p = 0; p < l.partitions; ++p) l.colour_values += 2 * ((l.cem[p] >> 2) + 1);
  const int available = colour_end - l.colour_start;
  if (l.colour_values > 18 || available < (13 * l.colour_values + 4) / 5) return l;
  // The largest range whose sequence fits (at least 0..5, which the check above guarantees).
  l.colour_range = kIseRangeCount - 1;
  while (ise_bits(l.colour_range, l.colour_values) > available) --l.colour_range;
  l.error = false;
  return l;
}

// The spec's partition hash: which of `count` partitions texel (x, y) of a block belongs to.
int select_partition(int seed, int x, int y, int count, bool small_block) {
  if (small_block) x <<= 1, y <<= 1;
  seed += (count - 1) * 1024;
  uint32_t p = uint32_t(seed);
  p ^= p >> 15, p -= p << 17, p += p << 7, p += p << 4, p ^= p >> 5;
  p += p << 16, p ^= p >> 7, p ^= p >> 3, p ^= p << 6, p ^= p >> 17;
  const uint32_t rnum = p;
  uint8_t s[13];
  static constexpr int kShifts[13] = {0, 0, 4, 8, 12, 16, 20, 24, 28, 18, 22, 26, 0};
  for (int i = 1; i <= 11; ++i) s[i] = uint8_t((rnum >> kShifts[i]) & 0xF);
  s[12] = uint8_t(((rnum >> 30) | (rnum << 2)) & 0xF);
  for (int i = 1; i <= 12; ++i) s[i] = uint8_t(s[i] * s[i]);
  int sh1 = 0, sh2 = 0;
  if (seed & 1) {
    sh1 = (seed & 2) ? 4 : 5;
    sh2 = count == 3 ? 6 : 5;
  } else {
    sh1 = count == 3 ? 6 : 5;
    sh2 = (seed & 2) ? 4 : 5;
  }
  const int sh3 = (seed & 0x10) ? sh1 : sh2;
  for (int i = 1; i <= 8; ++i) s[i] = uint8_t(s[i] >> ((i & 1) ? sh1 : sh2));
  for (int i = 9; i <= 12; ++i) s[i] = uint8_t(s[i] >> sh3);
  // z is 0 in 2D: seeds 9 to 12 (z's) drop out.
  int a = int((s[1] * x + s[2] * y + (rnum >> 14)) & 0x3F);
  int b = int((s[3] * x + s[4] * y + (rnum >> 10)) & 0x3F);
  int c = int((s[5] * x + s[6] * y + (rnum >> 6)) & 0x3F);
  int d = int((s[7] * x + s[8] * y + (rnum >> 2)) & 0x3F);
  if (count < 4) d = 0;
  if (count < 3) c = 0;
  if (a >= b && a >= c && a >= d) return 0;
  if (b >= c && b >= d) return 1;
  if (c >= d) return 2;
  return 3;
}

// One partition's two endpoints: 8-bit values for LDR channels, 12-bit pseudo-logarithmic ones for
// channels in `hdr` (a bit per channel).
struct Endpoints {
  int e0[4] = {};
  int e1[4] = {};
  uint32_t hdr = 0;
};

void set(int e[4], int r, int g, int b, int a) { e[0] = r, e[1] = g, e[2] = b, e[3] = a; }

void bit_transfer_signed(int& a, int& b) {
  b >>= 1;
  b |= a & 0x80;
  a >>= 1;
  a &= 0x3F;
  if (a & 0x20) a -= 0x40;
}

void blue_contract(int e[4]) {
  e[0] = (e[0] + e[2]) >> 1;
  e[1] = (e[1] + e[2]) >> 1;
}

void clamp_unorm8(int e[4]) {
  for (int c = 0; c < 4; ++c) e[c] = std::clamp(e[c], 0, 255);
}

int clamp12(int v) { return std::clamp(v, 0, 0xFFF); }

int sign_extend(int v, int bits) { return (v & ((1 << bits) - 1)) - ((v & (1 << (bits - 1))) << 1); }

// HDR mode 7: a base RGB, a scale, and mode bits that say where the extra bits go.
void hdr_rgb_scale(const int* v, Endpoints& e) {
  const int modeval = ((v[0] & 0xC0) >> 6) | ((v[1] & 0x80) >> 5) | ((v[2] & 0x80) >> 4);
  int majcomp = 0, mode = 0;
  if ((modeval & 0xC) != 0xC) {
    majcomp = modeval >> 2, mode = modeval & 3;
  } else if (modeval != 0xF) {
    majcomp = modeval & 3, mode = 4;
  } else {
    majcomp = 0, mode = 5;
  }
  int red = v[0] & 0x3F, green = v[1] & 0x1F, blue = v[2] & 0x1F, scale = v[3] & 0x1F;
  const int x0 = (v[1] >> 6) & 1, x1 = (v[1] >> 5) & 1, x2 = (v[2] >> 6) & 1, x3 = (v[2] >> 5) & 1;
  const int x4 = (v[3] >> 7) & 1, x5 = (v[3] >> 6) & 1, x6 = (v[3] >> 5) & 1;
  const int ohm = 1 << mode;
  if (ohm & 0x30) green |= x0 << 6;
  if (ohm & 0x3A) green |= x1 << 5;
  if (ohm & 0x30) blue |= x2 << 6;
  if (ohm & 0x3A) blue |= x3 << 5;
  if (ohm & 0x3D) scale |= x6 << 5;
  if (ohm & 0x2D) scale |= x5 << 6;
  if (ohm & 0x04) scale |= x4 << 7;
  if (ohm & 0x3B) red |= x4 << 6;
  if (ohm & 0x04) red |= x3 << 6;
  if (ohm & 0x10) red |= x5 << 7;
  if (ohm & 0x0F) red |= x2 << 7;
  if (ohm & 0x05) red |= x1 << 8;
  if (ohm & 0x0A) red |= x0 << 8;
  if (ohm & 0x05) red |= x0 << 9;
  if (ohm & 0x02) red |= x6 << 9;
  if (ohm & 0x01) red |= x3 << 10;
  if (ohm & 0x02) red |= x5 << 10;
  static constexpr int kShifts[6] = {1, 1, 2, 3, 4, 5};
  const int shift = kShifts[mode];
  red <<= shift, green <<= shift, blue <<= shift, scale <<= shift;
  if (mode != 5) green = red - green, blue = red - blue;  // the minor components are differences
  if (majcomp == 1) std::swap(red, green);
  if (majcomp == 2) std::swap(red, blue);
  set(e.e1, clamp12(red), clamp12(green), clamp12(blue), 0x780);
  set(e.e0, clamp12(red - scale), clamp12(green - scale), clamp12(blue - scale), 0x780);
}

// HDR mode 11 (and the RGB of 14 and 15): two RGB endpoints, direct or as a base and differences.
void hdr_rgb(const int* v, Endpoints& e) {
  const int majcomp = ((v[4] & 0x80) >> 7) | ((v[5] & 0x80) >> 6);
  if (majcomp == 3) {
    set(e.e0, v[0] << 4, v[2] << 4, (v[4] & 0x7F) << 5, 0x780);
    set(e.e1, v[1] << 4, v[3] << 4, (v[5] & 0x7F) << 5, 0x780);
    return;
  }
  const int mode = ((v[1] & 0x80) >> 7) | ((v[2] & 0x80) >> 6) | ((v[3] & 0x80) >> 5);
  int va = v[0] | ((v[1] & 0x40) << 2);
  int vb0 = v[2] & 0x3F, vb1 = v[3] & 0x3F, vc = v[1] & 0x3F;
  static constexpr int kDeltaBits[8] = {7, 6, 7, 6, 5, 6, 5, 6};
  int vd0 = sign_extend(v[4] & 0x7F, kDeltaBits[mode]);
  int vd1 = sign_extend(v[5] & 0x7F, kDeltaBits[mode]);
  const int x0 = (v[2] >> 6) & 1, x1 = (v[3] >> 6) & 1, x2 = (v[4] >> 6) & 1;
  const int x3 = (v[5] >> 6) & 1, x4 = (v[4] >> 5) & 1, x5 = (v[5] >> 5) & 1;
  const int ohm = 1 << mode;
  if (ohm & 0xA4) va |= x0 << 9;
  if (ohm & 0x08) va |= x2 << 9;
  if (ohm & 0x50) va |= x4 << 9;
  if (ohm & 0x50) va |= x5 << 10;
  if (ohm & 0xA0) va |= x1 << 10;
  if (ohm & 0xC0) va |= x2 << 11;
  if (ohm & 0x04) vc |= x1 << 6;
  if (ohm & 0xE8) vc |= x3 << 6;
  if (ohm & 0x20) vc |= x2 << 7;
  if (ohm & 0x5B) vb0 |= x0 << 6;
  if (ohm & 0x5B) vb1 |= x1 << 6;
  if (ohm & 0x12) vb0 |= x2 << 7;
  if (ohm & 0x12) vb1 |= x3 << 7;
  // Shifted so that the major component fills 12 bits (the spec's "modeval" here is this mode). The
  // differences may be negative: multiplied, not shifted.
  const int scale = 1 << ((mode >> 1) ^ 3);
  va *= scale, vb0 *= scale, vb1 *= scale, vc *= scale, vd0 *= scale, vd1 *= scale;
  set(e.e1, clamp12(va), clamp12(va - vb0), clamp12(va - vb1), 0x780);
  set(e.e0, clamp12(va - vc), clamp12(va - vb0 - vc - vd0), clamp12(va - vb1 - vc - vd1), 0x780);
  if (majcomp == 1) std::swap(e.e0[0], e.e0[1]), std::swap(e.e1[0], e.e1[1]);
  if (majcomp == 2) std::swap(e.e0[0], e.e0[2]), std::swap(e.e1[0], e.e1[2]);
}

// Table "Color Endpoint Modes": the unquantized values v of one partition made two endpoints.
Endpoints decode_endpoints(int cem, const int* in) {
  int v[8];
  std::copy(in, in + 2 * ((cem >> 2) + 1), v);
  Endpoints e;
  switch (cem) {
    case 0:
      set(e.e0, v[0], v[0], v[0], 0xFF), set(e.e1, v[1], v[1], v[1], 0xFF);
      break;
    case 1: {
      const int l0 = (v[0] >> 2) | (v[1] & 0xC0), l1 = std::min(l0 + (v[1] & 0x3F), 0xFF);
      set(e.e0, l0, l0, l0, 0xFF), set(e.e1, l1, l1, l1, 0xFF);
      break;
    }
    case 2: {
      int y0 = v[0] << 4, y1 = v[1] << 4;
      if (v[1] < v[0]) y0 = (v[1] << 4) + 8, y1 = (v[0] << 4) - 8;
      set(e.e0, y0, y0, y0, 0x780), set(e.e1, y1, y1, y1, 0x780);
      e.hdr = 0xF;
      break;
    }
    case 3: {
      int y0 = 0, d = 0;
      if (v[0] & 0x80) {
        y0 = ((v[1] & 0xE0) << 4) | ((v[0] & 0x7F) << 2), d = (v[1] & 0x1F) << 2;
      } else {
        y0 = ((v[1] & 0xF0) << 4) | ((v[0] & 0x7F) << 1), d = (v[1] & 0x0F) << 1;
      }
      const int y1 = std::min(y0 + d, 0xFFF);
      set(e.e0, y0, y0, y0, 0x780), set(e.e1, y1, y1, y1, 0x780);
      e.hdr = 0xF;
      break;
    }
    case 4:
      set(e.e0, v[0], v[0], v[0], v[2]), set(e.e1, v[1], v[1], v[1], v[3]);
      break;
    case 5:
      bit_transfer_signed(v[1], v[0]), bit_transfer_signed(v[3], v[2]);
      set(e.e0, v[0], v[0], v[0], v[2]);
      set(e.e1, v[0] + v[1], v[0] + v[1], v[0] + v[1], v[2] + v[3]);
      clamp_unorm8(e.e0), clamp_unorm8(e.e1);
      break;
    case 6:
      set(e.e0, (v[0] * v[3]) >> 8, (v[1] * v[3]) >> 8, (v[2] * v[3]) >> 8, 0xFF);
      set(e.e1, v[0], v[1], v[2], 0xFF);
      break;
    case 7:
      hdr_rgb_scale(v, e);
      e.hdr = 0xF;
      break;
    case 8:
    case 12: {
      const int a0 = cem == 12 ? v[6] : 0xFF, a1 = cem == 12 ? v[7] : 0xFF;
      if (v[1] + v[3] + v[5] >= v[0] + v[2] + v[4]) {
        set(e.e0, v[0], v[2], v[4], a0), set(e.e1, v[1], v[3], v[5], a1);
      } else {
        set(e.e0, v[1], v[3], v[5], a1), set(e.e1, v[0], v[2], v[4], a0);
        blue_contract(e.e0), blue_contract(e.e1);
      }
      break;
    }
    case 9:
    case 13: {
      bit_transfer_signed(v[1], v[0]), bit_transfer_signed(v[3], v[2]), bit_transfer_signed(v[5], v[4]);
      int a0 = 0xFF, a1 = 0xFF;
      if (cem == 13) bit_transfer_signed(v[7], v[6]), a0 = v[6], a1 = v[6] + v[7];
      if (v[1] + v[3] + v[5] >= 0) {
        set(e.e0, v[0], v[2], v[4], a0), set(e.e1, v[0] + v[1], v[2] + v[3], v[4] + v[5], a1);
      } else {
        set(e.e0, v[0] + v[1], v[2] + v[3], v[4] + v[5], a1), set(e.e1, v[0], v[2], v[4], a0);
        blue_contract(e.e0), blue_contract(e.e1);
      }
      clamp_unorm8(e.e0), clamp_unorm8(e.e1);
      break;
    }
    case 10:
      set(e.e0, (v[0] * v[3]) >> 8, (v[1] * v[3]) >> 8, (v[2] * v[3]) >> 8, v[4]);
      set(e.e1, v[0], v[1], v[2], v[5]);
      break;
    case 11:
      hdr_rgb(v, e);
      e.hdr = 0xF;
      break;
    case 14:
      hdr_rgb(v, e);
      e.e0[3] = v[6], e.e1[3] = v[7];  // alpha stays LDR
      e.hdr = 0x7;
      break;
    default: {  // 15
      hdr_rgb(v, e);
      const int mode = ((v[6] >> 7) & 1) | ((v[7] >> 6) & 2);
      int a0 = v[6] & 0x7F, a1 = v[7] & 0x7F;
      if (mode == 3) {
        a0 <<= 5, a1 <<= 5;
      } else {
        a0 |= (a1 << (mode + 1)) & 0x780;
        a1 &= 0x3F >> mode;
        a1 ^= 0x20 >> mode;
        a1 -= 0x20 >> mode;
        a0 <<= 4 - mode;
        a1 *= 1 << (4 - mode);
        a1 = clamp12(a1 + a0);
      }
      e.e0[3] = a0, e.e1[3] = a1;
      e.hdr = 0xF;
      break;
    }
  }
  return e;
}

// A block decoded to 16-bit values before the profile's last step: UNORM16 interpolation results, or, for
// channels in `fp16` (HDR endpoints, HDR void extents), final half-float bit patterns.
struct Decoded {
  uint16_t value[kMaxTexels][4];
  uint8_t fp16[kMaxTexels];
  bool error[kMaxTexels];
};

// The spec's "Weight Infill": the weight of texel (s, t) bilinearly from the grid, in 1/16ths.
int infill(const int* grid, int grid_w, int grid_h, int block_w, int block_h, int s, int t) {
  const int ds = (1024 + block_w / 2) / (block_w - 1), dt = (1024 + block_h / 2) / (block_h - 1);
  const int gs = (ds * s * (grid_w - 1) + 32) >> 6, gt = (dt * t * (grid_h - 1) + 32) >> 6;
  const int js = gs >> 4, fs = gs & 0xF, jt = gt >> 4, ft = gt & 0xF;
  const int v0 = js + jt * grid_w;
  // Past the grid's last row or column the fraction is 0, so that weight never counts: the grid array is
  // padded (kGridPadded) so that reading it is still in bounds.
  const int w11 = (fs * ft + 8) >> 4, w10 = ft - w11, w01 = fs - w11, w00 = 16 - fs - ft + w11;
  return (grid[v0] * w00 + grid[v0 + 1] * w01 + grid[v0 + grid_w] * w10 + grid[v0 + grid_w + 1] * w11 + 8) >> 4;
}
constexpr int kGridPadded = kMaxWeights + 12 + 2;

// HDR interpolation result (16-bit, from 12-bit endpoints shifted up 4) to its half float.
uint16_t lns_to_fp16(int c) {
  const int e = (c & 0xF800) >> 11, m = c & 0x7FF;
  const int mt = m < 512 ? 3 * m : m >= 1536 ? 5 * m - 2048 : 4 * m - 512;
  const int cf = (e << 10) + (mt >> 3);
  return (cf & 0x7C00) == 0x7C00 ? uint16_t(0x7BFF) : uint16_t(cf);  // infinity and NaN: the largest finite
}

// A UNORM16 value made a half float: 65535 is 1.0; the others divided by 65536, rounded towards zero.
uint16_t unorm16_to_fp16(int c) {
  if (c == 0xFFFF) return 0x3C00;
  if (c < 4) return uint16_t(c << 8);  // subnormal: c * 2^-16 = (c << 8) * 2^-24
  int top = 15;
  while (!(c >> top)) --top;
  const int mantissa = top <= 10 ? (c << (10 - top)) & 0x3FF : (c >> (top - 10)) & 0x3FF;
  return uint16_t(((top - 1) << 10) | mantissa);  // exponent top - 16, biased by 15
}

void decode(const uint8_t* block, int width, int height, bool hdr_profile, bool srgb, Decoded& out) {
  const int texels = width * height;
  std::fill(out.fp16, out.fp16 + texels, uint8_t(0));
  std::fill(out.error, out.error + texels, false);
  const Layout l = parse(block, width, height);
  if (l.error) {
    std::fill(out.error, out.error + texels, true);
    return;
  }
  if (l.void_extent) {
    const bool hdr = read_bits(block, 9, 1);
    uint16_t colour[4];
    for (int c = 0; c < 4; ++c) colour[c] = uint16_t(read_bits(block, 64 + 16 * c, 16));
    for (int i = 0; i < texels; ++i) {
      std::copy(colour, colour + 4, out.value[i]);
      out.fp16[i] = hdr ? 0xF : 0;
      out.error[i] = hdr && !hdr_profile;
    }
    return;
  }

  // Endpoints, partition after partition from one sequence of values.
  uint8_t raw[18];
  decode_ise(block, l.colour_start, l.colour_start + ise_bits(l.colour_range, l.colour_values), l.colour_range,
             l.colour_values, raw);
  int values[18];
  for (int i = 0; i < l.colour_values; ++i) values[i] = unquantize_colour(l.colour_range, raw[i]);
  Endpoints endpoints[4];
  for (int p = 0, first = 0; p < l.partitions; ++p) {
    endpoints[p] = decode_endpoints(l.cem[p], values + first);
    first += 2 * ((l.cem[p] >> 2) + 1);
  }

  // Weights, read from bit 127 downwards: the block bit-reversed.
  uint8_t reversed[16];
  for (int i = 0; i < 16; ++i) {
    uint8_t byte = block[15 - i], r = 0;
    for (int bit = 0; bit < 8; ++bit) r = uint8_t(r | (((byte >> bit) & 1) << (7 - bit)));
    reversed[i] = r;
  }
  const int planes = l.dual ? 2 : 1, per_plane = l.grid_w * l.grid_h;
  uint8_t raw_weights[kMaxWeights];
  decode_ise(reversed, 0, l.weight_bits, l.weight_range, per_plane * planes, raw_weights);
  int grid[2][kGridPadded] = {};
  for (int i = 0; i < per_plane * planes; ++i) grid[i % planes][i / planes] = unquantize_weight(l.weight_range, raw_weights[i]);

  const bool small_block = texels < 31;
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      const int i = y * width + x;
      const int p = l.partitions > 1 ? select_partition(l.seed, x, y, l.partitions, small_block) : 0;
      const Endpoints& e = endpoints[p];
      if (e.hdr && !hdr_profile) {
        out.error[i] = true;  // HDR endpoints in an LDR format: this partition's texels only
        continue;
      }
      int w[2] = {infill(grid[0], l.grid_w, l.grid_h, width, height, x, y), 0};
      if (l.dual) w[1] = infill(grid[1], l.grid_w, l.grid_h, width, height, x, y);
      for (int c = 0; c < 4; ++c) {
        const int weight = w[l.dual && c == l.ccs ? 1 : 0];
        const bool lns = (e.hdr >> c) & 1;
        int c0 = 0, c1 = 0;
        if (lns) {
          c0 = e.e0[c] << 4, c1 = e.e1[c] << 4;
        } else if (srgb && c < 3) {
          c0 = (e.e0[c] << 8) | 0x80, c1 = (e.e1[c] << 8) | 0x80;
        } else {
          c0 = (e.e0[c] << 8) | e.e0[c], c1 = (e.e1[c] << 8) | e.e1[c];
        }
        const int v = (c0 * (64 - weight) + c1 * weight + 32) >> 6;
        out.value[i][c] = lns ? lns_to_fp16(v) : uint16_t(v);
        out.fp16[i] = uint8_t(out.fp16[i] | (lns << c));
      }
    }
  }
}

bool valid_footprint(uint32_t width, uint32_t height) {
  return width >= 4 && width <= 12 && height >= 4 && height <= 12;
}

}  // namespace

void decode_astc_block_unorm8(const uint8_t block[16], uint32_t width, uint32_t height, bool srgb,
                              uint8_t (*texels)[4]) {
  static constexpr uint8_t kError[4] = {0xFF, 0x00, 0xFF, 0xFF};
  if (!valid_footprint(width, height)) return;
  Decoded d;
  decode(block, int(width), int(height), false, srgb, d);
  for (uint32_t i = 0; i < width * height; ++i) {
    for (int c = 0; c < 4; ++c) texels[i][c] = d.error[i] ? kError[c] : uint8_t(d.value[i][c] >> 8);
  }
}

void decode_astc_block_float16(const uint8_t block[16], uint32_t width, uint32_t height, bool hdr,
                               uint16_t (*texels)[4]) {
  // The spec lets HDR mode return NaNs instead (astcenc does); magenta is what a viewer shows.
  static constexpr uint16_t kError[4] = {0x3C00, 0x0000, 0x3C00, 0x3C00};
  if (!valid_footprint(width, height)) return;
  Decoded d;
  decode(block, int(width), int(height), hdr, false, d);
  for (uint32_t i = 0; i < width * height; ++i) {
    for (int c = 0; c < 4; ++c) {
      const uint16_t v = d.value[i][c];
      texels[i][c] = d.error[i] ? kError[c] : (d.fp16[i] >> c) & 1 ? v : unorm16_to_fp16(v);
    }
  }
}

AstcBlockInfo astc_block_info(const uint8_t block[16], uint32_t width, uint32_t height) {
  AstcBlockInfo info;
  if (!valid_footprint(width, height)) {
    info.error = true;
    return info;
  }
  const Layout l = parse(block, int(width), int(height));
  info.error = l.error;
  info.void_extent = l.void_extent;
  if (l.error || l.void_extent) {
    info.hdr_void_extent = l.void_extent && !l.error && read_bits(block, 9, 1);
    return info;
  }
  info.dual_plane = l.dual;
  info.partitions = uint32_t(l.partitions);
  for (int p = 0; p < l.partitions; ++p) info.endpoint_modes |= 1u << l.cem[p];
  info.grid_width = uint32_t(l.grid_w), info.grid_height = uint32_t(l.grid_h);
  auto levels = [](int range) {
    const IseRange& r = kIseRanges[range];
    return uint32_t((r.trits ? 3 : r.quints ? 5 : 1) << r.bits);
  };
  info.weight_levels = levels(l.weight_range);
  info.colour_levels = levels(l.colour_range);
  return info;
}

}  // namespace kiln::layer
