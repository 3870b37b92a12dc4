#include "astc_tables.h"

#include <algorithm>
#include <array>

namespace kiln::layer::astc {
namespace {

// The five trits packed in 8 bits T, unpacked as the spec's bit manipulations say (every T is valid).
constexpr std::array<std::array<uint8_t, 5>, 256> make_trits() {
  std::array<std::array<uint8_t, 5>, 256> table{};
  for (int t = 0; t < 256; ++t) {
    auto bit = [t](int i) { return (t >> i) & 1; };
    int c = 0, t4 = 0, t3 = 0;
    if (((t >> 2) & 7) == 7) {
      c = (((t >> 5) & 7) << 2) | (t & 3);
      t4 = t3 = 2;
    } else {
      c = t & 31;
      if (((t >> 5) & 3) == 3) {
        t4 = 2;
        t3 = bit(7);
      } else {
        t4 = bit(7);
        t3 = (t >> 5) & 3;
      }
    }
    auto cb = [c](int i) { return (c >> i) & 1; };
    int t2 = 0, t1 = 0, t0 = 0;
    if ((c & 3) == 3) {
      t2 = 2;
      t1 = cb(4);
      t0 = (cb(3) << 1) | (cb(2) & (cb(3) ^ 1));
    } else if (((c >> 2) & 3) == 3) {
      t2 = 2;
      t1 = 2;
      t0 = c & 3;
    } else {
      t2 = cb(4);
      t1 = (c >> 2) & 3;
      t0 = (cb(1) << 1) | (cb(0) & (cb(1) ^ 1));
    }
    table[t] = {uint8_t(t0), uint8_t(t1), uint8_t(t2), uint8_t(t3), uint8_t(t4)};
  }
  return table;
}

// The three quints packed in 7 bits Q.
constexpr std::array<std::array<uint8_t, 3>, 128> make_quints() {
  std::array<std::array<uint8_t, 3>, 128> table{};
  for (int q = 0; q < 128; ++q) {
    auto bit = [q](int i) { return (q >> i) & 1; };
    int q2 = 0, q1 = 0, q0 = 0;
    if (((q >> 1) & 3) == 3 && ((q >> 5) & 3) == 0) {
      q2 = (bit(0) << 2) | ((bit(4) & (bit(0) ^ 1)) << 1) | (bit(3) & (bit(0) ^ 1));
      q1 = q0 = 4;
    } else {
      int c = 0;
      if (((q >> 1) & 3) == 3) {
        q2 = 4;
        c = (((q >> 3) & 3) << 3) | ((~(q >> 5) & 3) << 1) | bit(0);
      } else {
        q2 = (q >> 5) & 3;
        c = q & 31;
      }
      if ((c & 7) == 5) {
        q1 = 4;
        q0 = (c >> 3) & 3;
      } else {
        q1 = (c >> 3) & 3;
        q0 = c & 7;
      }
    }
    table[q] = {uint8_t(q0), uint8_t(q1), uint8_t(q2)};
  }
  return table;
}

constexpr auto kTrits = make_trits();
constexpr auto kQuints = make_quints();

// `value` of `bits` bits repeated down to fill `to` bits, its top bit first.
int replicate(int value, int bits, int to) {
  int out = 0;
  for (int shift = to - bits;; shift -= bits) {
    out |= shift >= 0 ? value << shift : value >> -shift;
    if (shift <= 0) return out;
  }
}

}  // namespace

uint32_t read_bits(const uint8_t block[16], int start, int count, int end) {
  end = std::min(end, 128);
  uint32_t v = 0;
  for (int i = 0; i < count; ++i) {
    const int bit = start + i;
    if (bit >= end) break;
    if (bit >= 0) v |= uint32_t((block[bit >> 3] >> (bit & 7)) & 1) << i;
  }
  return v;
}

int ise_bits(int range, int count) {
  const IseRange& r = kIseRanges[range];
  return count * r.bits + (r.trits ? (8 * count + 4) / 5 : 0) + (r.quints ? (7 * count + 2) / 3 : 0);
}

void decode_ise(const uint8_t stream[16], int start, int end, int range, int count, uint8_t* out) {
  const IseRange& r = kIseRanges[range];
  const int n = r.bits;
  if (r.trits || r.quints) {
    // A block of 5 trits (3 quints): each value's low bits, then a slice of the packed high part.
    static constexpr int kTritSlices[5] = {2, 2, 1, 2, 1};
    static constexpr int kQuintSlices[3] = {3, 2, 2};
    const int per_block = r.trits ? 5 : 3;
    const int* slices = r.trits ? kTritSlices : kQuintSlices;
    for (int first = 0, pos = start; first < count; first += per_block) {
      int low[5] = {};
      int packed = 0;
      for (int i = 0, shift = 0; i < per_block; ++i) {
        low[i] = int(read_bits(stream, pos, n, end));
        pos += n;
        packed |= int(read_bits(stream, pos, slices[i], end)) << shift;
        pos += slices[i];
        shift += slices[i];
      }
      for (int i = 0; i < per_block && first + i < count; ++i) {
        const int high = r.trits ? kTrits[packed][i] : kQuints[packed][i];
        out[first + i] = uint8_t((high << n) | low[i]);
      }
    }
    return;
  }
  for (int i = 0; i < count; ++i) out[i] = uint8_t(read_bits(stream, start + i * n, n, end));
}

int unquantize_colour(int range, int value) {
  const IseRange& r = kIseRanges[range];
  if (!r.trits && !r.quints) return replicate(value, r.bits, 8);
  // Table "Color Unquantization Parameters": B spreads the low bits above bit 0 (b, c, d ... of the spec)
  // over a 9-bit pattern; C is the step of the trit or quint D.
  const int a = (value & 1) ? 0x1FF : 0;
  const int x = (value & ((1 << r.bits) - 1)) >> 1;  // the spec's bits b, c, d, e, f of the value, b lowest
  const int d = value >> r.bits;
  int b = 0, c = 0;
  switch (r.bits * 2 + r.quints) {
    case 2: c = 204; break;                                                    // 0..5
    case 3: c = 113; break;                                                    // 0..9
    case 4: b = (x << 8) | (x << 4) | (x << 2) | (x << 1), c = 93; break;      // 0..11:  b000b0bb0
    case 5: b = (x << 8) | (x << 3) | (x << 2), c = 54; break;                 // 0..19:  b0000bb00
    case 6: b = (x << 7) | (x << 2) | x, c = 44; break;                        // 0..23:  cb000cbcb
    case 7: b = (x << 7) | (x << 1) | (x >> 1), c = 26; break;                 // 0..39:  cb0000cbc
    case 8: b = (x << 6) | x, c = 22; break;                                   // 0..47:  dcb000dcb
    case 9: b = (x << 6) | (x >> 1), c = 13; break;                            // 0..79:  dcb0000dc
    case 10: b = (x << 5) | (x >> 2), c = 11; break;                           // 0..95:  edcb000ed
    case 11: b = (x << 5) | (x >> 3), c = 6; break;                            // 0..159: edcb0000e
    case 12: b = (x << 4) | (x >> 4), c = 5; break;                            // 0..191: fedcb000f
    default: break;
  }
  int t = d * c + (b & 0x1FF);
  t ^= a;
  return (a & 0x80) | (t >> 2);
}

int unquantize_weight(int range, int value) {
  const IseRange& r = kIseRanges[range];
  int t = 0;
  if (!r.trits && !r.quints) {
    t = replicate(value, r.bits, 6);
  } else if (r.bits == 0) {
    static constexpr uint8_t kThree[3] = {0, 32, 63};
    static constexpr uint8_t kFive[5] = {0, 16, 32, 47, 63};
    t = r.trits ? kThree[std::min(value, 2)] : kFive[std::min(value, 4)];
  } else {
    // Table "Weight Unquantization Parameters", as for the endpoints on 7 bits.
    const int a = (value & 1) ? 0x7F : 0;
    const int x = (value & ((1 << r.bits) - 1)) >> 1;
    const int d = value >> r.bits;
    int b = 0, c = 0;
    switch (r.bits * 2 + r.quints) {
      case 2: c = 50; break;                                   // 0..5
      case 3: c = 28; break;                                   // 0..9
      case 4: b = (x << 6) | (x << 2) | x, c = 23; break;      // 0..11: b000b0b
      case 5: b = (x << 6) | (x << 1), c = 13; break;          // 0..19: b0000b0
      case 6: b = (x << 5) | x, c = 11; break;                 // 0..23: cb000cb
      default: break;
    }
    t = d * c + (b & 0x7F);
    t ^= a;
    t = (a & 0x20) | (t >> 2);
  }
  return t > 32 ? t + 1 : t;
}

}  // namespace kiln::layer::astc
