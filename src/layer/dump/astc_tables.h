// ASTC's integer sequence encoding and unquantization (Khronos Data Format Specification, ASTC chapter:
// "Integer Sequence Encoding", "Endpoint Unquantization", "Weight Unquantization"), for astc_decode.cpp.
// Both a block's colour endpoint values and its weights are sequences of integers in one of 21 ranges
// (2 to 256 levels), packed as plain bits or with trits (5 to 8 bits) or quints (3 to 7 bits) interleaved;
// unpacking them and scaling them back to 0..255 (endpoints) or 0..64 (weights) is all this does.
#pragma once

#include <cstdint>

namespace kiln::layer::astc {

// One range: levels = (trits ? 3 : quints ? 5 : 1) << bits.
struct IseRange {
  uint8_t trits;
  uint8_t quints;
  uint8_t bits;
};

inline constexpr int kIseRangeCount = 21;
inline constexpr IseRange kIseRanges[kIseRangeCount] = {
    {0, 0, 1}, {1, 0, 0}, {0, 0, 2}, {0, 1, 0}, {1, 0, 1}, {0, 0, 3}, {0, 1, 1},
    {1, 0, 2}, {0, 0, 4}, {0, 1, 2}, {1, 0, 3}, {0, 0, 5}, {0, 1, 3}, {1, 0, 4},
    {0, 0, 6}, {0, 1, 4}, {1, 0, 5}, {0, 0, 7}, {0, 1, 5}, {1, 0, 6}, {0, 0, 8}};

// `count` bits from bit `start` of a 16-byte block (bit 0 is the low bit of byte 0); bits at or past
// `end` (and past 127) read as 0, as the spec has a sequence's missing last bits read.
uint32_t read_bits(const uint8_t block[16], int start, int count, int end = 128);

// Bits that `count` values of range `range` take.
int ise_bits(int range, int count);

// `count` values of range `range` from the bits [start, end) of `stream`.
void decode_ise(const uint8_t stream[16], int start, int end, int range, int count, uint8_t* out);

// A colour endpoint value (range 4, six levels, and up) scaled to 0..255.
int unquantize_colour(int range, int value);

// A weight (ranges 0 to 11) scaled to 0..64.
int unquantize_weight(int range, int value);

}  // namespace kiln::layer::astc
