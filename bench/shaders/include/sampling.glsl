// sampling.glsl: low-discrepancy sequences and importance sampling.
#ifndef KILN_SAMPLING_GLSL
#define KILN_SAMPLING_GLSL

#include "common.glsl"

const vec2 POISSON_DISK_16[16] = vec2[](
    vec2(-0.94201624, -0.39906216), vec2(0.94558609, -0.76890725), vec2(-0.09418410, -0.92938870),
    vec2(0.34495938, 0.29387760), vec2(-0.91588581, 0.45771432), vec2(-0.81544232, -0.87912464),
    vec2(-0.38277543, 0.27676845), vec2(0.97484398, 0.75648379), vec2(0.44323325, -0.97511554),
    vec2(0.53742981, -0.47373420), vec2(-0.26496911, -0.41893023), vec2(0.79197514, 0.19090188),
    vec2(-0.24188840, 0.99706507), vec2(-0.81409955, 0.91437590), vec2(0.19984126, 0.78641367),
    vec2(0.14383161, -0.14100790));

float radical_inverse_vdc(uint bits) {
  bits = (bits << 16u) | (bits >> 16u);
  bits = ((bits & 0x55555555u) << 1u) | ((bits & 0xAAAAAAAAu) >> 1u);
  bits = ((bits & 0x33333333u) << 2u) | ((bits & 0xCCCCCCCCu) >> 2u);
  bits = ((bits & 0x0F0F0F0Fu) << 4u) | ((bits & 0xF0F0F0F0u) >> 4u);
  bits = ((bits & 0x00FF00FFu) << 8u) | ((bits & 0xFF00FF00u) >> 8u);
  return float(bits) * 2.3283064365386963e-10;
}

vec2 hammersley(uint i, uint n) { return vec2(float(i) / float(n), radical_inverse_vdc(i)); }

vec3 importance_sample_ggx(vec2 xi, vec3 n, float roughness) {
  float a = roughness * roughness;
  float phi = TWO_PI * xi.x;
  float cos_theta = sqrt((1.0 - xi.y) / (1.0 + (a * a - 1.0) * xi.y));
  float sin_theta = sqrt(1.0 - cos_theta * cos_theta);
  vec3 h = vec3(cos(phi) * sin_theta, sin(phi) * sin_theta, cos_theta);
  vec3 up = abs(n.z) < 0.999 ? vec3(0.0, 0.0, 1.0) : vec3(1.0, 0.0, 0.0);
  vec3 tangent = normalize(cross(up, n));
  vec3 bitangent = cross(n, tangent);
  return normalize(tangent * h.x + bitangent * h.y + n * h.z);
}

vec3 cosine_sample_hemisphere(vec2 xi) {
  float r = sqrt(xi.x);
  float phi = TWO_PI * xi.y;
  return vec3(r * cos(phi), r * sin(phi), sqrt(max(0.0, 1.0 - xi.x)));
}

vec3 uniform_sample_sphere(vec2 xi) {
  float z = 1.0 - 2.0 * xi.x;
  float r = sqrt(max(0.0, 1.0 - z * z));
  float phi = TWO_PI * xi.y;
  return vec3(r * cos(phi), r * sin(phi), z);
}

vec2 concentric_sample_disk(vec2 xi) {
  vec2 o = 2.0 * xi - 1.0;
  if (o.x == 0.0 && o.y == 0.0) return vec2(0.0);
  float r, theta;
  if (abs(o.x) > abs(o.y)) {
    r = o.x;
    theta = (PI / 4.0) * (o.y / o.x);
  } else {
    r = o.y;
    theta = HALF_PI - (PI / 4.0) * (o.x / o.y);
  }
  return r * vec2(cos(theta), sin(theta));
}

// R2 sequence (Roberts 2018).
vec2 r2_sequence(uint i) { return fract(vec2(0.5) + vec2(0.7548776662, 0.5698402910) * float(i)); }

#endif
