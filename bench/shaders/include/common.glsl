// common.glsl: constants and small helpers every shader of the corpus uses.
#ifndef KILN_COMMON_GLSL
#define KILN_COMMON_GLSL

#define PI 3.14159265358979323846
#define TWO_PI 6.28318530717958647692
#define HALF_PI 1.57079632679489661923
#define INV_PI 0.31830988618379067154
#define INV_TWO_PI 0.15915494309189533577
#define EPSILON 1e-5
#define FLT_MAX 3.402823466e+38

float saturate(float x) { return clamp(x, 0.0, 1.0); }
vec2 saturate(vec2 x) { return clamp(x, vec2(0.0), vec2(1.0)); }
vec3 saturate(vec3 x) { return clamp(x, vec3(0.0), vec3(1.0)); }
vec4 saturate(vec4 x) { return clamp(x, vec4(0.0), vec4(1.0)); }

float sq(float x) { return x * x; }
vec2 sq(vec2 x) { return x * x; }
vec3 sq(vec3 x) { return x * x; }

float pow5(float x) {
  float x2 = x * x;
  return x2 * x2 * x;
}

float max3(vec3 v) { return max(v.x, max(v.y, v.z)); }
float min3(vec3 v) { return min(v.x, min(v.y, v.z)); }
float max4(vec4 v) { return max(max(v.x, v.y), max(v.z, v.w)); }

float remap(float x, float a, float b, float c, float d) {
  return c + (x - a) * (d - c) / (b - a);
}

float remap_clamped(float x, float a, float b, float c, float d) {
  return c + saturate((x - a) / (b - a)) * (d - c);
}

float luminance(vec3 rgb) { return dot(rgb, vec3(0.2126, 0.7152, 0.0722)); }

float safe_rcp(float x) { return abs(x) > EPSILON ? 1.0 / x : 0.0; }

vec3 safe_normalize(vec3 v) {
  float len2 = dot(v, v);
  return len2 > 1e-12 ? v * inversesqrt(len2) : vec3(0.0, 0.0, 1.0);
}

// Workgroup-friendly index helpers.
uint linear_index(uvec2 coord, uint width) { return coord.y * width + coord.x; }
uvec2 coord_from_index(uint index, uint width) { return uvec2(index % width, index / width); }

bool in_bounds(ivec2 p, ivec2 size) { return all(greaterThanEqual(p, ivec2(0))) && all(lessThan(p, size)); }

uint div_round_up(uint a, uint b) { return (a + b - 1u) / b; }

float smootherstep(float e0, float e1, float x) {
  x = saturate((x - e0) / (e1 - e0));
  return x * x * x * (x * (x * 6.0 - 15.0) + 10.0);
}

#endif
