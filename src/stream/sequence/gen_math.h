// Branch-free arithmetic for the generator: an integer hash and sine/cosine in turns (1 = 2π) from a
// parabola with one correction (error ~0.001, plenty for a picture), so the loops over points
// vectorise instead of calling libm.
#pragma once

#include <cstdint>

namespace kiln::gen {

inline uint32_t hash32(uint32_t x) {
  x ^= x >> 16;
  x *= 0x7feb352du;
  x ^= x >> 15;
  x *= 0x846ca68bu;
  x ^= x >> 16;
  return x;
}

inline float unit(uint32_t h) { return float(int32_t(h >> 8)) * (1.0f / 16777216.0f); }  // [0, 1)

// x >= 0 (callers add a whole number of turns): truncation is then floor, and converts in SIMD.
inline float frac(float x) { return x - float(int32_t(x)); }

inline float abs_f(float x) { return x < 0 ? -x : x; }

// sin(2π x) for x >= 0.
inline float sin_turns(float x) {
  const float r = frac(x) - 0.5f;  // sin(2π(r + ½)) = -sin(2πr)
  float y = 8.0f * r - 16.0f * r * abs_f(r);
  y = 0.225f * (y * abs_f(y) - y) + y;
  return -y;
}
inline float cos_turns(float x) { return sin_turns(x + 0.25f); }

// 1/sqrt(x) for x >= 1 without libm (std::sqrt keeps loops scalar while errno is on): the bit trick,
// then two Newton steps (relative error ~1e-7).
inline float rsqrt(float x) {
  uint32_t i;
  __builtin_memcpy(&i, &x, 4);
  i = 0x5f3759dfu - (i >> 1);
  float y;
  __builtin_memcpy(&y, &i, 4);
  y = y * (1.5f - 0.5f * x * y * y);
  return y * (1.5f - 0.5f * x * y * y);
}

// Keeps phases positive for sin_turns; sequences are far shorter than 4096 turns of animation.
constexpr float kPhase = 4096.0f;

}  // namespace kiln::gen
