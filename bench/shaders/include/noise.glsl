// noise.glsl: hashes, value/gradient noise, fbm, per-pixel dither.
#ifndef KILN_NOISE_GLSL
#define KILN_NOISE_GLSL

#include "common.glsl"

uint pcg_hash(uint v) {
  uint state = v * 747796405u + 2891336453u;
  uint word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
  return (word >> 22u) ^ word;
}

uvec2 pcg2d(uvec2 v) {
  v = v * 1664525u + 1013904223u;
  v.x += v.y * 1664525u;
  v.y += v.x * 1664525u;
  v = v ^ (v >> 16u);
  v.x += v.y * 1664525u;
  v.y += v.x * 1664525u;
  v = v ^ (v >> 16u);
  return v;
}

uvec3 pcg3d(uvec3 v) {
  v = v * 1664525u + 1013904223u;
  v.x += v.y * v.z;
  v.y += v.z * v.x;
  v.z += v.x * v.y;
  v ^= v >> 16u;
  v.x += v.y * v.z;
  v.y += v.z * v.x;
  v.z += v.x * v.y;
  return v;
}

float uint_to_unorm(uint x) { return float(x >> 8u) * (1.0 / 16777216.0); }

float hash12(vec2 p) { return uint_to_unorm(pcg_hash(floatBitsToUint(p.x) ^ pcg_hash(floatBitsToUint(p.y)))); }

vec2 hash22(vec2 p) {
  uvec2 h = pcg2d(floatBitsToUint(p));
  return vec2(uint_to_unorm(h.x), uint_to_unorm(h.y));
}

vec3 hash33(vec3 p) {
  uvec3 h = pcg3d(floatBitsToUint(p));
  return vec3(uint_to_unorm(h.x), uint_to_unorm(h.y), uint_to_unorm(h.z));
}

float value_noise(vec2 p) {
  vec2 i = floor(p);
  vec2 f = fract(p);
  vec2 u = f * f * (3.0 - 2.0 * f);
  float a = hash12(i);
  float b = hash12(i + vec2(1.0, 0.0));
  float c = hash12(i + vec2(0.0, 1.0));
  float d = hash12(i + vec2(1.0, 1.0));
  return mix(mix(a, b, u.x), mix(c, d, u.x), u.y);
}

float gradient_noise(vec3 p) {
  vec3 i = floor(p);
  vec3 f = fract(p);
  vec3 u = f * f * f * (f * (f * 6.0 - 15.0) + 10.0);
  float n000 = dot(hash33(i + vec3(0, 0, 0)) * 2.0 - 1.0, f - vec3(0, 0, 0));
  float n100 = dot(hash33(i + vec3(1, 0, 0)) * 2.0 - 1.0, f - vec3(1, 0, 0));
  float n010 = dot(hash33(i + vec3(0, 1, 0)) * 2.0 - 1.0, f - vec3(0, 1, 0));
  float n110 = dot(hash33(i + vec3(1, 1, 0)) * 2.0 - 1.0, f - vec3(1, 1, 0));
  float n001 = dot(hash33(i + vec3(0, 0, 1)) * 2.0 - 1.0, f - vec3(0, 0, 1));
  float n101 = dot(hash33(i + vec3(1, 0, 1)) * 2.0 - 1.0, f - vec3(1, 0, 1));
  float n011 = dot(hash33(i + vec3(0, 1, 1)) * 2.0 - 1.0, f - vec3(0, 1, 1));
  float n111 = dot(hash33(i + vec3(1, 1, 1)) * 2.0 - 1.0, f - vec3(1, 1, 1));
  float x00 = mix(n000, n100, u.x), x10 = mix(n010, n110, u.x);
  float x01 = mix(n001, n101, u.x), x11 = mix(n011, n111, u.x);
  return mix(mix(x00, x10, u.y), mix(x01, x11, u.y), u.z);
}

float fbm(vec3 p, int octaves) {
  float sum = 0.0, amplitude = 0.5;
  for (int i = 0; i < octaves; ++i) {
    sum += amplitude * gradient_noise(p);
    p = p * 2.03 + vec3(17.1, 3.7, 9.2);
    amplitude *= 0.5;
  }
  return sum;
}

// Jimenez 2014: cheap per-pixel noise with a good spectrum for TAA'd sampling.
float interleaved_gradient_noise(vec2 pixel) {
  return fract(52.9829189 * fract(dot(pixel, vec2(0.06711056, 0.00583715))));
}

float interleaved_gradient_noise(vec2 pixel, uint frame) {
  pixel += 5.588238 * float(frame & 63u);
  return interleaved_gradient_noise(pixel);
}

#endif
